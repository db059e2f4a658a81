// batch/v1 Job: defaults (pkg/apis/batch/v1/defaults.go), validation
// (pkg/apis/batch/validation) and the selector generation of the Job registry's PrepareForCreate.

import type { Job, JobSpec, JobStatus, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { Path, duplicate, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { selectorFromLabelSelector, validateLabelSelector } from '../../../machinery/labels.js';
import { setDefaultsPodTemplateSpec, validatePodTemplateSpec } from '../../core/v1/index.js';
import { goLabelSelector } from '../../apps/v1/validation.js';
import { deepEqual, goStringMap, invalidRaw, nonNegative } from '../../apps/v1/util.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_INT32 = 2147483647;
/** Upstream maxParallelismForIndexedJob / maxCompletionsForIndexedJob-ish limit for Indexed jobs. */
const MAX_INDEXED = 100000;

export function setDefaultsJobSpec(spec: JobSpec): void {
  // Both unset: a non-parallel Job, one pod to completion.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ??= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.template ??= {};
  setDefaultsPodTemplateSpec(spec.template);
}

export function setDefaultsJob(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata = { ...(job.metadata ?? {}), labels: { ...labels } };
  }
  setDefaultsJobSpec(spec);
}

/**
 * The Job registry's PrepareForCreate selector generation (upstream generateSelector): unless
 * spec.manualSelector is true, labels the pod template with the job's name and uid and selects
 * on the uid. Needs metadata.name and metadata.uid set. Also gives an unlabelled Job its
 * template's labels, as upstream's defaulting does on the next read.
 */
export function generateJobSelector(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  if (spec.manualSelector === true) return;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  const labels = (meta.labels ??= {});
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
  if (Object.keys(job.metadata?.labels ?? {}).length === 0) job.metadata = { ...(job.metadata ?? {}), labels: { ...labels } };
}

function hasLabel(template: PodTemplateSpec | undefined, key: string, expected: string): ErrorList {
  const path = Path.root('spec', 'template', 'metadata').child('labels').key(key);
  const labels = template?.metadata?.labels ?? {};
  if (!(key in labels)) return [required(path, expected)];
  if (labels[key] !== expected) return [invalidRaw(path, goStringMap(labels), `must be '${expected}'`)];
  return [];
}

/** Upstream validateGeneratedSelector: a generated selector must select this job's uid and name. */
function validateGeneratedSelector(job: Job, validateBatchLabels: boolean): ErrorList {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true || !spec.selector) return [];
  const errs: ErrorList = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (!uid) errs.push(required(Path.root('metadata', 'uid'), ''));
  errs.push(...hasLabel(spec.template, LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(spec.template, LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = { [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (validateBatchLabels) {
    errs.push(...hasLabel(spec.template, CONTROLLER_UID_LABEL, uid));
    errs.push(...hasLabel(spec.template, JOB_NAME_LABEL, name));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  try {
    if (!selectorFromLabelSelector(spec.selector).matches(expected)) {
      errs.push(invalidRaw(Path.root('spec', 'selector'), goLabelSelector(spec.selector), '`selector` not auto-generated'));
    }
  } catch {
    // reported by validateLabelSelector
  }
  return errs;
}

/** Spec rules shared by Jobs and CronJob job templates (upstream validateJobSpec). */
export function validateJobSpecCommon(spec: JobSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as JobSpec);
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.parallelism, path.child('parallelism')));
  errs.push(...nonNegative(s.completions, path.child('completions')));
  errs.push(...nonNegative(s.activeDeadlineSeconds, path.child('activeDeadlineSeconds')));
  errs.push(...nonNegative(s.backoffLimit, path.child('backoffLimit')));
  errs.push(...nonNegative(s.ttlSecondsAfterFinished, path.child('ttlSecondsAfterFinished')));
  errs.push(...nonNegative(s.backoffLimitPerIndex, path.child('backoffLimitPerIndex')));
  errs.push(...nonNegative(s.maxFailedIndexes, path.child('maxFailedIndexes')));

  const mode = s.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(path.child('completionMode'), mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (s.completions === undefined || s.completions === null) {
      errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
    } else if (s.completions > MAX_INDEXED) {
      errs.push(invalid(path.child('completions'), s.completions, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    }
    if ((s.parallelism ?? 0) > MAX_INDEXED) {
      errs.push(invalid(path.child('parallelism'), s.parallelism, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    }
  }
  if (s.backoffLimitPerIndex !== undefined && s.backoffLimitPerIndex !== null && mode !== 'Indexed') {
    errs.push(required(path.child('completionMode'), 'when backoffLimitPerIndex is set, must be Indexed'));
  }
  if (s.maxFailedIndexes !== undefined && s.maxFailedIndexes !== null && (s.backoffLimitPerIndex === undefined || s.backoffLimitPerIndex === null)) {
    errs.push(required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }

  const prp = s.podReplacementPolicy;
  if (prp !== undefined && prp !== null) {
    if (prp !== 'TerminatingOrFailed' && prp !== 'Failed') {
      errs.push(notSupported(path.child('podReplacementPolicy'), prp, ['Failed', 'TerminatingOrFailed']));
    } else if (s.podFailurePolicy && prp !== 'Failed') {
      errs.push(notSupported(path.child('podReplacementPolicy'), prp, ['Failed']));
    }
  }

  errs.push(...validatePodTemplateSpec(s.template ?? {}, path.child('template')));
  const rp = s.template?.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(notSupported(path.child('template', 'spec', 'restartPolicy'), rp ?? '', ['OnFailure', 'Never']));
  }
  if (s.podFailurePolicy && rp !== 'Never') {
    errs.push(invalid(path.child('podFailurePolicy'), s.podFailurePolicy, 'only allowed when template.spec.restartPolicy is Never'));
  }
  return errs;
}

function validateJobSpec(spec: JobSpec | undefined, path: Path): ErrorList {
  const errs = validateJobSpecCommon(spec, path);
  const sel = spec?.selector;
  if (!sel) errs.push(required(path.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(sel, path.child('selector')));
    try {
      const labels = spec?.template?.metadata?.labels;
      if (!selectorFromLabelSelector(sel).matches(labels ?? {})) {
        errs.push(invalidRaw(path.child('template', 'metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
      }
    } catch {
      // reported by validateLabelSelector
    }
  }
  return errs;
}

export function validateJob(job: Job): ErrorList {
  const errs = validateGeneratedSelector(job, true);
  errs.push(...validateJobSpec(job.spec, Path.root('spec')));
  return errs;
}

/** Pod template fields a suspended Job that never started may change (upstream AllowMutableSchedulingDirectives). */
function schedulingDirectivesCleared(t: PodTemplateSpec | undefined): unknown {
  if (!t) return t;
  const spec = { ...(t.spec ?? {}) } as Record<string, unknown>;
  for (const f of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete spec[f];
  const meta = { ...(t.metadata ?? {}) } as Record<string, unknown>;
  delete meta.labels;
  delete meta.annotations;
  return { ...t, metadata: meta, spec };
}

export function validateJobUpdate(job: Job, old: Job): ErrorList {
  const hadBatchLabels = CONTROLLER_UID_LABEL in (old.spec?.template?.metadata?.labels ?? {});
  const errs = validateGeneratedSelector(job, hadBatchLabels);
  const path = Path.root('spec');
  errs.push(...validateJobSpec(job.spec, path));
  const s = job.spec ?? ({} as JobSpec);
  const o = old.spec ?? ({} as JobSpec);

  if (!deepEqual(s.completions, o.completions)) {
    // Indexed Jobs are elastic: completions may change together with parallelism.
    const elastic = s.completionMode === 'Indexed' && o.completionMode === 'Indexed';
    if (!elastic) errs.push(invalid(path.child('completions'), s.completions ?? null, 'field is immutable'));
    else if (s.completions !== s.parallelism) {
      errs.push(invalid(path.child('completions'), s.completions ?? null, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  if (!deepEqual(s.selector, o.selector)) errs.push(invalidRaw(path.child('selector'), goLabelSelector(s.selector), 'field is immutable'));
  if (!deepEqual(s.completionMode, o.completionMode)) errs.push(invalid(path.child('completionMode'), s.completionMode ?? null, 'field is immutable'));
  if (!deepEqual(s.podFailurePolicy, o.podFailurePolicy)) errs.push(invalid(path.child('podFailurePolicy'), s.podFailurePolicy ?? null, 'field is immutable'));
  if (!deepEqual(s.backoffLimitPerIndex, o.backoffLimitPerIndex)) {
    errs.push(invalid(path.child('backoffLimitPerIndex'), s.backoffLimitPerIndex ?? null, 'field is immutable'));
  }
  if (!deepEqual(s.managedBy, o.managedBy)) errs.push(invalid(path.child('managedBy'), s.managedBy ?? null, 'field is immutable'));

  const notStartedSuspended = o.suspend === true && !old.status?.startTime;
  const templateChanged = notStartedSuspended
    ? !deepEqual(schedulingDirectivesCleared(s.template), schedulingDirectivesCleared(o.template))
    : !deepEqual(s.template, o.template);
  if (templateChanged) errs.push(invalid(path.child('template'), s.template ?? null, 'field is immutable'));
  return errs;
}

export function validateJobStatus(st: JobStatus | undefined, path: Path): ErrorList {
  const s = st ?? {};
  const errs: ErrorList = [];
  errs.push(...nonNegative(s.active, path.child('active')));
  errs.push(...nonNegative(s.succeeded, path.child('succeeded')));
  errs.push(...nonNegative(s.failed, path.child('failed')));
  errs.push(...nonNegative(s.ready, path.child('ready')));
  errs.push(...nonNegative(s.terminating, path.child('terminating')));
  const ut = s.uncountedTerminatedPods;
  if (ut) {
    const seen = new Set<string>();
    for (const [field, uids] of [['succeeded', ut.succeeded], ['failed', ut.failed]] as const) {
      (uids ?? []).forEach((uid, i) => {
        const p = path.child('uncountedTerminatedPods', field).at(i);
        if (uid === '') errs.push(invalid(p, uid, 'must not be empty'));
        else if (seen.has(uid)) errs.push(duplicate(p, uid));
        seen.add(uid);
      });
    }
  }
  return errs;
}

export function validateJobStatusUpdate(job: Job, old: Job): ErrorList {
  const errs = validateJobStatus(job.status, Path.root('status'));
  if (old.status?.startTime && !deepEqual(job.status?.startTime, old.status.startTime) && job.spec?.suspend !== true) {
    errs.push(invalid(Path.root('status', 'startTime'), job.status?.startTime ?? null, 'field is immutable'));
  }
  if (old.status?.completionTime && !deepEqual(job.status?.completionTime, old.status.completionTime)) {
    errs.push(invalid(Path.root('status', 'completionTime'), job.status?.completionTime ?? null, 'field is immutable'));
  }
  return errs;
}

/** Upstream ValidateJobTemplateSpec: CronJob job templates never carry a selector. */
export function validateJobTemplateSpec(t: JobTemplateSpec | undefined, path: Path): ErrorList {
  const spec = t?.spec;
  const errs = validateJobSpecCommon(spec, path.child('spec'));
  if (spec?.selector) errs.push(invalidRaw(path.child('spec', 'selector'), goLabelSelector(spec.selector), '`selector` will be auto-generated'));
  if (spec?.manualSelector === true) errs.push(notSupported(path.child('spec', 'manualSelector'), true, ['nil', 'false']));
  return errs;
}
