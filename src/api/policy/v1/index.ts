// policy/v1: PodDisruptionBudget (pkg/apis/policy/validation) and the Eviction body of
// pods/eviction (pkg/registry/core/pod/storage/eviction.go).

import type { Eviction, PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { GroupVersionKinds } from '../../scheme.js';
import { Path, invalid, notSupported, type ErrorList } from '../../../machinery/field.js';
import { newBadRequest, type StatusError } from '../../../machinery/errors.js';
import { validateLabelSelector } from '../../../machinery/labels.js';
import { nonNegative, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../apps/v1/util.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec | undefined, path: Path): ErrorList {
  const s = spec ?? {};
  const errs: ErrorList = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(s.minAvailable) && has(s.maxUnavailable)) {
    errs.push(invalid(path, s, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    if (!has(s[f])) continue;
    errs.push(...validatePositiveIntOrPercent(s[f], path.child(f)));
    errs.push(...validateNotMoreThan100Percent(s[f], path.child(f)));
  }
  errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  const p = s.unhealthyPodEvictionPolicy;
  if (has(p) && !EVICTION_POLICIES.includes(p!)) errs.push(notSupported(path.child('unhealthyPodEvictionPolicy'), p, EVICTION_POLICIES));
  return errs;
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): ErrorList {
  return validatePodDisruptionBudgetSpec(pdb.spec, Path.root('spec'));
}

export function validatePodDisruptionBudgetStatus(st: PodDisruptionBudgetStatus | undefined, path: Path): ErrorList {
  const s = st ?? ({} as PodDisruptionBudgetStatus);
  return [
    ...nonNegative(s.disruptionsAllowed, path.child('disruptionsAllowed')),
    ...nonNegative(s.currentHealthy, path.child('currentHealthy')),
    ...nonNegative(s.desiredHealthy, path.child('desiredHealthy')),
    ...nonNegative(s.expectedPods, path.child('expectedPods')),
  ];
}

/**
 * Checks an Eviction posted to pods/{name}/eviction: its name must be the pod's (upstream
 * answers 400 BadRequest), and its deleteOptions must be valid.
 */
export function checkEviction(ev: Eviction, podName: string): StatusError | undefined {
  if ((ev.metadata?.name ?? '') !== podName) return newBadRequest('name in URL does not match name in Eviction object');
  return undefined;
}

/** Upstream ValidateDeleteOptions as applied to Eviction.deleteOptions. */
export function validateEviction(ev: Eviction): ErrorList {
  const errs: ErrorList = [];
  const o = ev.deleteOptions;
  if (!o) return errs;
  const path = Path.root('deleteOptions');
  if (o.orphanDependents !== undefined && o.orphanDependents !== null && o.propagationPolicy !== undefined && o.propagationPolicy !== null) {
    errs.push(invalid(path.child('propagationPolicy'), o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (o.propagationPolicy !== undefined && o.propagationPolicy !== null && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    errs.push(notSupported(path.child('propagationPolicy'), o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  (o.dryRun ?? []).forEach((d, i) => {
    if (d !== 'All') errs.push(notSupported(path.child('dryRun').at(i), d, ['All']));
  });
  return errs;
}

export const kinds: GroupVersionKinds = {
  PodDisruptionBudget: {
    validate: validatePodDisruptionBudget,
    validateUpdate: (pdb: PodDisruptionBudget) => validatePodDisruptionBudget(pdb),
    validateStatusUpdate: (pdb: PodDisruptionBudget) => validatePodDisruptionBudgetStatus(pdb.status, Path.root('status')),
  },
  Eviction: {
    validate: validateEviction,
  },
};
