// scheduling.k8s.io/v1 PriorityClass: pkg/apis/scheduling/v1/defaults.go and
// pkg/apis/scheduling/validation.

import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { forbidden, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** Highest priority a user-defined class may have (upstream HighestUserDefinablePriority). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;

/** The classes the apiserver creates at start (upstream SystemPriorityClasses). */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: SYSTEM_CRITICAL_PRIORITY,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** Upstream IsKnownSystemPriorityClass: '' when ok, else the reason. */
function knownSystemClassError(name: string, value: number, globalDefault: boolean): string {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata?.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${name} PriorityClass must be ${spc.value}`;
  if ((spc.globalDefault ?? false) !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${spc.globalDefault ?? false}`;
  return '';
}

function validatePriorityClass(pc: PriorityClass): ErrorList {
  const errs: ErrorList = [];
  const name = pc.metadata?.name ?? '';
  const value = pc.value ?? 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = knownSystemClassError(name, value, pc.globalDefault ?? false);
    if (err) {
      errs.push(
        forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`),
      );
    }
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy != null) {
    if (pc.preemptionPolicy === '') errs.push(required('preemptionPolicy'));
    else if (pc.preemptionPolicy !== 'PreemptLowerPriority' && pc.preemptionPolicy !== 'Never') {
      errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
    }
  }
  return errs;
}

export const priorityClassHandlers: KindHandlers<PriorityClass> = {
  defaults(pc) {
    pc.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: validatePriorityClass,
  validateUpdate(pc, old) {
    const errs: ErrorList = [];
    if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden('value', 'may not be changed in an update.'));
    if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(invalid('preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
    return errs;
  },
};

export const kinds: GroupVersionKinds = { PriorityClass: priorityClassHandlers };
