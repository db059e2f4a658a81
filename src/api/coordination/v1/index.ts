// coordination.k8s.io/v1 Lease: pkg/apis/coordination/validation.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { Path, forbidden, invalid, notSupported, type ErrorList } from '../../../machinery/field.js';
import { isQualifiedName } from '../../../machinery/validation.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

const LEASE_STRATEGIES = ['OldestEmulationVersion'];

function validateStrategy(strategy: string, path: Path): ErrorList {
  if (!strategy.includes('/')) {
    return LEASE_STRATEGIES.includes(strategy) ? [] : [notSupported(path.child('strategy'), strategy, LEASE_STRATEGIES)];
  }
  return isQualifiedName(strategy).map((m) => invalid(path.child('strategy'), strategy, m));
}

function validateLease(l: Lease): ErrorList {
  const errs: ErrorList = [];
  const spec = (l.spec ?? {}) as NonNullable<Lease['spec']> & { strategy?: string; preferredHolder?: string };
  const sp = Path.root('spec');
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid(sp.child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(invalid(sp.child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy != null) errs.push(...validateStrategy(spec.strategy, sp.child('strategy')));
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(forbidden(sp.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseHandlers: KindHandlers<Lease> = {
  validate: validateLease,
  validateUpdate: (l) => validateLease(l),
};

export const kinds: GroupVersionKinds = { Lease: leaseHandlers };
