// ReplicationController, PodTemplate and Binding validation.

import type { Binding, PodTemplate, ReplicationController, ReplicationControllerStatus } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, invalid, notSupported, required } from '../../../../machinery/field.js';
import { validateNonnegativeField } from '../../../../machinery/validation.js';
import { validatePodTemplateSpec, validatePodTemplateSpecForRC } from './pod.js';

/** ValidateReplicationController / Update (metadata excluded; the spec rules are the same). */
export function validateReplicationController(rc: ReplicationController): ErrorList {
  const p = Path.root('spec');
  const spec = rc.spec ?? {};
  const errs: ErrorList = [];
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, p.child('minReadySeconds')));
  if (Object.keys(spec.selector ?? {}).length === 0) errs.push(required(p.child('selector'), ''));
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, p.child('replicas')));
  errs.push(...validatePodTemplateSpecForRC(spec.template, spec.selector, spec.replicas ?? 0, p.child('template')));
  return errs;
}

/** ValidateReplicationControllerStatus */
export function validateReplicationControllerStatus(status: ReplicationControllerStatus | undefined, path = Path.root('status')): ErrorList {
  const s = status ?? ({} as ReplicationControllerStatus);
  const replicas = s.replicas ?? 0;
  const fully = s.fullyLabeledReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const errs: ErrorList = [];
  errs.push(...validateNonnegativeField(replicas, path.child('replicas')));
  errs.push(...validateNonnegativeField(fully, path.child('fullyLabeledReplicas')));
  errs.push(...validateNonnegativeField(ready, path.child('readyReplicas')));
  errs.push(...validateNonnegativeField(available, path.child('availableReplicas')));
  errs.push(...validateNonnegativeField(s.observedGeneration ?? 0, path.child('observedGeneration')));
  const msg = 'cannot be greater than status.replicas';
  if (fully > replicas) errs.push(invalid(path.child('fullyLabeledReplicas'), fully, msg));
  if (ready > replicas) errs.push(invalid(path.child('readyReplicas'), ready, msg));
  if (available > replicas) errs.push(invalid(path.child('availableReplicas'), available, msg));
  if (available > ready) errs.push(invalid(path.child('availableReplicas'), available, 'cannot be greater than readyReplicas'));
  return errs;
}

/** ValidatePodTemplate (metadata excluded). */
export function validatePodTemplate(pt: PodTemplate): ErrorList {
  return validatePodTemplateSpec(pt.template ?? {}, Path.root('template'));
}

/** ValidatePodBinding */
export function validateBinding(b: Binding): ErrorList {
  const errs: ErrorList = [];
  const kind = b.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(notSupported(Path.root('target', 'kind'), kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(required(Path.root('target', 'name'), ''));
  return errs;
}
