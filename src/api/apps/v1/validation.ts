// apps/v1 validation (upstream pkg/apis/apps/validation/validation.go, with the selector
// immutability that pkg/registry/apps/*/strategy.go adds for apps/v1).

import type {
  ControllerRevision,
  DaemonSet,
  DaemonSetSpec,
  DaemonSetStatus,
  DaemonSetUpdateStrategy,
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
} from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { Path, forbidden, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { selectorFromLabelSelector, validateLabelSelector } from '../../../machinery/labels.js';
import { validatePodTemplateSpec } from '../../core/v1/index.js';
import {
  deepEqual,
  goStringMap,
  intOrPercentValue,
  intOrStringText,
  invalidRaw,
  isDecremented,
  nonNegative,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from './util.js';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** Go's `%#v` of a metav1.LabelSelector, as upstream prints it in `field is immutable` errors. */
export function goLabelSelector(ls: LabelSelector | undefined | null): string {
  if (!ls) return 'null';
  const exprs = ls.matchExpressions;
  const exprText = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${
              e.values ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'
            }}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(ls.matchLabels)}, MatchExpressions:${exprText}}`;
}

/** `field is immutable` for spec.selector. */
export function validateSelectorImmutable(sel: LabelSelector | undefined, old: LabelSelector | undefined, path: Path): ErrorList {
  return deepEqual(sel, old) ? [] : [invalidRaw(path, goLabelSelector(sel), 'field is immutable')];
}

/** Whether `sel` (a valid selector) selects `labels`; undefined when the selector cannot be parsed. */
function selects(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): { empty: boolean; matches: boolean } | undefined {
  try {
    const s = selectorFromLabelSelector(sel);
    return { empty: s.empty(), matches: s.matches(labels ?? {}) };
  } catch {
    return undefined;
  }
}

/**
 * The strict selector checks shared by Deployment and ReplicaSet: required, valid, not empty.
 * `what` names the resource in the empty-selector message (upstream says "deployment" for both).
 */
function validateWorkloadSelector(sel: LabelSelector | undefined, path: Path, what: string): ErrorList {
  if (!sel) return [required(path, '')];
  const errs = validateLabelSelector(sel, path);
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
    errs.push(invalid(path, sel, `empty selector is invalid for ${what}`));
  }
  return errs;
}

/** Upstream ValidatePodTemplateSpecForReplicaSet: selector match, pod template, restartPolicy Always, no activeDeadlineSeconds. */
export function validateTemplateForReplicaSet(
  template: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
  path: Path,
): ErrorList {
  if (!template) return [required(path, '')];
  const errs: ErrorList = [];
  const m = selects(selector, template.metadata?.labels);
  // An unparseable selector is reported by validateLabelSelector on the selector itself.
  if (m && !m.empty && !m.matches) {
    errs.push(invalidRaw(path.child('metadata', 'labels'), goStringMap(template.metadata?.labels), SELECTOR_MISMATCH));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const rp = template.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

// ---- Deployment ----

export function validateDeploymentStrategy(s: DeploymentStrategy | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const type = s?.type;
  if (type === 'Recreate') {
    if (s?.rollingUpdate) errs.push(forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (!ru) {
      errs.push(required(path.child('rollingUpdate'), 'this should be defaulted and never be nil'));
    } else {
      const ruPath = path.child('rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child('maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidRaw(ruPath.child('maxUnavailable'), intOrStringText(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
    }
  } else {
    errs.push(notSupported(path, s ?? null, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(spec: DeploymentSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as DeploymentSpec);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...validateWorkloadSelector(s.selector, path.child('selector'), 'deployment'));
  errs.push(...validateTemplateForReplicaSet(s.template, s.selector, path.child('template')));
  errs.push(...validateDeploymentStrategy(s.strategy, path.child('strategy')));
  errs.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(s.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(d: Deployment): ErrorList {
  return validateDeploymentSpec(d.spec, Path.root('spec'));
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): ErrorList {
  const errs = validateDeploymentSpec(d.spec, Path.root('spec'));
  errs.push(...validateSelectorImmutable(d.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

export function validateDeploymentStatus(st: DeploymentStatus | undefined, path: Path): ErrorList {
  const s = st ?? {};
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.observedGeneration, path.child('observedGeneration')));
  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...nonNegative(s.updatedReplicas, path.child('updatedReplicas')));
  errs.push(...nonNegative(s.readyReplicas, path.child('readyReplicas')));
  errs.push(...nonNegative(s.availableReplicas, path.child('availableReplicas')));
  errs.push(...nonNegative(s.unavailableReplicas, path.child('unavailableReplicas')));
  errs.push(...nonNegative(s.collisionCount, path.child('collisionCount')));
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(invalid(path.child('updatedReplicas'), s.updatedReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

function collisionCountNotDecremented(cur: number | undefined, old: number | undefined): ErrorList {
  return isDecremented(cur, old) ? [invalid(Path.root('status', 'collisionCount'), cur ?? 0, 'cannot be decremented')] : [];
}

export function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): ErrorList {
  const errs = validateDeploymentStatus(d.status, Path.root('status'));
  errs.push(...collisionCountNotDecremented(d.status?.collisionCount, old.status?.collisionCount));
  return errs;
}

// ---- ReplicaSet ----

export function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as ReplicaSetSpec);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  // Upstream's message says "deployment" here too.
  errs.push(...validateWorkloadSelector(s.selector, path.child('selector'), 'deployment'));
  errs.push(...validateTemplateForReplicaSet(s.template, s.selector, path.child('template')));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): ErrorList {
  return validateReplicaSetSpec(rs.spec, Path.root('spec'));
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): ErrorList {
  const errs = validateReplicaSetSpec(rs.spec, Path.root('spec'));
  errs.push(...validateSelectorImmutable(rs.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

export function validateReplicaSetStatus(st: ReplicaSetStatus | undefined, path: Path): ErrorList {
  const s = st ?? ({} as ReplicaSetStatus);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...nonNegative(s.fullyLabeledReplicas, path.child('fullyLabeledReplicas')));
  errs.push(...nonNegative(s.readyReplicas, path.child('readyReplicas')));
  errs.push(...nonNegative(s.availableReplicas, path.child('availableReplicas')));
  errs.push(...nonNegative(s.observedGeneration, path.child('observedGeneration')));
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(invalid(path.child('fullyLabeledReplicas'), s.fullyLabeledReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export function validateReplicaSetStatusUpdate(rs: ReplicaSet, _old: ReplicaSet): ErrorList {
  return validateReplicaSetStatus(rs.status, Path.root('status'));
}

// ---- DaemonSet ----

export function validateDaemonSetUpdateStrategy(s: DaemonSetUpdateStrategy | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const type = s?.type;
  if (type === 'OnDelete') return errs;
  if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (!ru) return [required(path.child('rollingUpdate'), '')];
    const ruPath = path.child('rollingUpdate');
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child('maxSurge')));
    errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
    errs.push(...validateNotMoreThan100Percent(ru.maxSurge, ruPath.child('maxSurge')));
    const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
    const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
    if (hasUnavailable && hasSurge) {
      errs.push(invalidRaw(ruPath.child('maxSurge'), intOrStringText(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
    } else if (!hasUnavailable && !hasSurge) {
      errs.push(required(ruPath.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    }
    return errs;
  }
  return [notSupported(path, s ?? null, ['RollingUpdate', 'OnDelete'])];
}

export function validateDaemonSetSpec(spec: DaemonSetSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as DaemonSetSpec);
  const errs: ErrorList = [];
  const template = s.template ?? {};
  // Upstream DaemonSet checks the selector without requiring it up front: a nil selector
  // selects nothing, so the template never matches.
  if (s.selector) errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  const m = s.selector ? selects(s.selector, template.metadata?.labels) : { empty: false, matches: false };
  if (m && !m.matches) {
    errs.push(invalidRaw(path.child('template', 'metadata', 'labels'), goStringMap(template.metadata?.labels), SELECTOR_MISMATCH));
  }
  if (s.selector && Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(invalid(path.child('selector'), s.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(template, path.child('template')));
  const rp = template.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(notSupported(path.child('template', 'spec', 'restartPolicy'), rp ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateDaemonSetUpdateStrategy(s.updateStrategy, path.child('updateStrategy')));
  errs.push(...nonNegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): ErrorList {
  return validateDaemonSetSpec(ds.spec, Path.root('spec'));
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): ErrorList {
  const errs = validateDaemonSetSpec(ds.spec, Path.root('spec'));
  errs.push(...validateSelectorImmutable(ds.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

export function validateDaemonSetStatus(st: DaemonSetStatus | undefined, path: Path): ErrorList {
  const s = st ?? ({} as DaemonSetStatus);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.currentNumberScheduled, path.child('currentNumberScheduled')));
  errs.push(...nonNegative(s.numberMisscheduled, path.child('numberMisscheduled')));
  errs.push(...nonNegative(s.desiredNumberScheduled, path.child('desiredNumberScheduled')));
  errs.push(...nonNegative(s.numberReady, path.child('numberReady')));
  errs.push(...nonNegative(s.observedGeneration, path.child('observedGeneration')));
  errs.push(...nonNegative(s.updatedNumberScheduled, path.child('updatedNumberScheduled')));
  errs.push(...nonNegative(s.numberAvailable, path.child('numberAvailable')));
  errs.push(...nonNegative(s.numberUnavailable, path.child('numberUnavailable')));
  errs.push(...nonNegative(s.collisionCount, path.child('collisionCount')));
  return errs;
}

export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): ErrorList {
  const errs = validateDaemonSetStatus(ds.status, Path.root('status'));
  errs.push(...collisionCountNotDecremented(ds.status?.collisionCount, old.status?.collisionCount));
  return errs;
}

// ---- StatefulSet ----

export function validateStatefulSetSpec(spec: StatefulSetSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as StatefulSetSpec);
  const errs: ErrorList = [];
  const pmp = s.podManagementPolicy;
  if (!pmp) errs.push(required(path.child('podManagementPolicy'), ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(path.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }

  const us = s.updateStrategy ?? {};
  const usPath = path.child('updateStrategy');
  if (!us.type) errs.push(required(usPath, ''));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate) errs.push(invalid(usPath.child('rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (ru) {
      const ruPath = usPath.child('rollingUpdate');
      errs.push(...nonNegative(ru.partition, ruPath.child('partition')));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const mu = ruPath.child('maxUnavailable');
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mu));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalidRaw(mu, intOrStringText(ru.maxUnavailable), 'cannot be 0'));
        errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, mu));
      }
    }
  } else {
    errs.push(invalid(usPath, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }

  const retention = s.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    const rPath = path.child('persistentVolumeClaimRetentionPolicy');
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      const v = retention[f];
      if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(rPath.child(f), v ?? '', ['Retain', 'Delete']));
    }
  }

  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  if (s.ordinals) errs.push(...nonNegative(s.ordinals.start, path.child('ordinals.start')));

  if (!s.selector) errs.push(required(path.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(s.selector, path.child('selector')));
    if (Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions?.length ?? 0) === 0) {
      errs.push(invalid(path.child('selector'), s.selector, 'empty selector is invalid for statefulset'));
    }
  }
  // Upstream does not validate the StatefulSet pod spec (its volumes come partly from
  // volumeClaimTemplates); only the selector/labels agreement.
  const template = s.template ?? {};
  const m = selects(s.selector, template.metadata?.labels);
  if (m === undefined) errs.push(invalid(path.child('selector'), s.selector, ''));
  else if (!m.empty && !m.matches) {
    errs.push(invalidRaw(path.child('template', 'metadata', 'labels'), goStringMap(template.metadata?.labels), SELECTOR_MISMATCH));
  }
  const rp = template.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(notSupported(path.child('template', 'spec', 'restartPolicy'), rp ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

export function validateStatefulSet(ss: StatefulSet): ErrorList {
  return validateStatefulSetSpec(ss.spec, Path.root('spec'));
}

const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;

export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): ErrorList {
  const errs = validateStatefulSetSpec(ss.spec, Path.root('spec'));
  const a: Record<string, unknown> = { ...(ss.spec ?? {}) };
  const b: Record<string, unknown> = { ...(old.spec ?? {}) };
  for (const f of STS_MUTABLE) {
    delete a[f];
    delete b[f];
  }
  if (!deepEqual(a, b)) {
    errs.push(
      forbidden(
        Path.root('spec'),
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export function validateStatefulSetStatus(st: StatefulSetStatus | undefined, path: Path): ErrorList {
  const s = st ?? ({} as StatefulSetStatus);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.replicas, path.child('replicas')));
  errs.push(...nonNegative(s.readyReplicas, path.child('readyReplicas')));
  errs.push(...nonNegative(s.currentReplicas, path.child('currentReplicas')));
  errs.push(...nonNegative(s.updatedReplicas, path.child('updatedReplicas')));
  errs.push(...nonNegative(s.availableReplicas, path.child('availableReplicas')));
  errs.push(...nonNegative(s.observedGeneration, path.child('observedGeneration')));
  errs.push(...nonNegative(s.collisionCount, path.child('collisionCount')));
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.currentReplicas ?? 0) > replicas) errs.push(invalid(path.child('currentReplicas'), s.currentReplicas, msg));
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(invalid(path.child('updatedReplicas'), s.updatedReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(ss: StatefulSet, old: StatefulSet): ErrorList {
  const errs = validateStatefulSetStatus(ss.status, Path.root('status'));
  errs.push(...collisionCountNotDecremented(ss.status?.collisionCount, old.status?.collisionCount));
  return errs;
}

// ---- ControllerRevision ----

export function validateControllerRevision(cr: ControllerRevision): ErrorList {
  const errs: ErrorList = [];
  if (cr.data === undefined || cr.data === null) errs.push(required(Path.root('data'), 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, Path.root('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(cr: ControllerRevision, old: ControllerRevision): ErrorList {
  const errs = validateControllerRevision(cr);
  if (!deepEqual(cr.data, old.data)) errs.push(invalid(Path.root('data'), cr.data ?? null, 'field is immutable'));
  return errs;
}
