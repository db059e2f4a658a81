// node.k8s.io/v1 RuntimeClass: pkg/apis/node/validation.

import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { Path, duplicate, invalid, notSupported, type ErrorList } from '../../../machinery/field.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../../../machinery/validation.js';
import { Quantity } from '../../../machinery/quantity.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateLabels(labels: Record<string, string>, path: Path): ErrorList {
  const errs: ErrorList = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** Upstream core ValidateTolerations, as RuntimeClass scheduling uses it. */
function validateTolerations(tolerations: Toleration[], path: Path): ErrorList {
  const errs: ErrorList = [];
  tolerations.forEach((t, i) => {
    const p = path.at(i);
    const key = t.key ?? '';
    const op = t.operator ?? '';
    if (key) for (const m of isQualifiedName(key)) errs.push(invalid(p.child('key'), key, m));
    if (!key && op !== 'Exists') {
      errs.push(invalid(p.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (op) {
      case 'Equal':
      case '': {
        const ve = isValidLabelValue(t.value ?? '');
        if (ve.length) errs.push(invalid(p.child('operator'), t.value ?? '', ve.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(p.child('operator'), t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(p.child('operator'), op, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateRuntimeClass(rc: RuntimeClass): ErrorList {
  const errs: ErrorList = [];
  const handler = rc.handler ?? '';
  for (const m of isDNS1123Label(handler)) errs.push(invalid('handler', handler, m));
  const podFixed = rc.overhead?.podFixed;
  if (podFixed) {
    for (const [name, value] of Object.entries(podFixed)) {
      const p = Path.root('overhead', 'limits').key(name);
      // Unparseable quantities are rejected when the object is decoded.
      const q = Quantity.tryParse(String(value));
      if (q && q.sign() < 0) errs.push(invalid(p, q.toString(), 'must be greater than or equal to 0'));
    }
  }
  const sched = rc.scheduling;
  if (sched) {
    const sp = Path.root('scheduling');
    if (sched.nodeSelector) errs.push(...validateLabels(sched.nodeSelector, sp.child('nodeSelector')));
    const tolerations = sched.tolerations ?? [];
    // Upstream nests the path twice here (scheduling.tolerations.tolerations[i]).
    errs.push(...validateTolerations(tolerations, sp.child('tolerations', 'tolerations')));
    const seen = new Set<string>();
    tolerations.forEach((t, i) => {
      const key = JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
      if (seen.has(key)) errs.push(duplicate(sp.child('tolerations').at(i), t));
      else seen.add(key);
    });
  }
  return errs;
}

export const runtimeClassHandlers: KindHandlers<RuntimeClass> = {
  validate: validateRuntimeClass,
  validateUpdate(rc, old) {
    return rc.handler === old.handler ? [] : [invalid('handler', rc.handler ?? '', 'field is immutable')];
  },
};

export const kinds: GroupVersionKinds = { RuntimeClass: runtimeClassHandlers };
