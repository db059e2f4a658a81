// Deployment helpers (upstream pkg/controller/deployment/util/deployment_util.go and the
// ReplicaSet orderings of pkg/controller/controller_utils.go): annotations, conditions,
// fenceposts, proportions, and the counts the rollout strategies compare.

import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetCondition } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { getScaledValueFromIntOrPercent, type IntOrString } from '../../machinery/intstr.js';
import type { DeepMutable } from '../../util/mutable.js';
import { canonicalJSON } from '../shared/hash.js';

export type DeploymentObject = DeepMutable<Deployment> & KubeObject;
export type ReplicaSetObject = DeepMutable<ReplicaSet> & KubeObject;
export type MutableDeploymentStatus = DeepMutable<DeploymentStatus>;
export type MutableDeploymentCondition = DeepMutable<DeploymentCondition>;

/** The label that keeps a deployment's ReplicaSets (and their pods) apart. */
export const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = 'pod-template-hash';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';

// Condition reasons (Progressing).
export const REPLICA_SET_UPDATED_REASON = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
export const NEW_REPLICA_SET_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
export const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
// Condition reasons (Available).
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

export type ConditionType = 'Available' | 'Progressing' | 'ReplicaFailure';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Revision history annotations are capped at this many characters (upstream maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

const MAX_INT32 = 2147483647;

/** metav1.Time on the wire: RFC 3339 with whole seconds. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function parseTime(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

// ---- replica counts (spec.replicas is defaulted to 1 by the API server)

export function deploymentReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

/** Sum of spec.replicas. */
export function getReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rsReplicas(rs);
  return n;
}

/** Sum of status.replicas. */
export function getActualReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.replicas ?? 0;
  return n;
}

export function getReadyReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.readyReplicas ?? 0;
  return n;
}

export function getAvailableReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.availableReplicas ?? 0;
  return n;
}

/** controller.FilterActiveReplicaSets: those with spec.replicas > 0. */
export function filterActiveReplicaSets<T extends ReplicaSet>(rss: readonly (T | undefined)[]): T[] {
  return rss.filter((rs): rs is T => rs !== undefined && rsReplicas(rs) > 0);
}

// ---- orderings

/** ReplicaSetsByCreationTimestamp: older first, name as the tie breaker. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = parseTime(a.metadata?.creationTimestamp);
  const tb = parseTime(b.metadata?.creationTimestamp);
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first; equal sizes older first (scale-down order). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const d = rsReplicas(b) - rsReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: larger first; equal sizes newer first (scale-up order). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const d = rsReplicas(b) - rsReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: lower revision first; unparsable or equal revisions by creation time. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revision(a);
  const rb = revision(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra - rb;
}

// ---- revisions and annotations

/** The revision annotation as a number: 0 when absent, undefined when not an integer. */
export function revision(obj: KubeObject | ReplicaSet | Deployment): number | undefined {
  const v = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** The highest revision among the ReplicaSets (unparsable ones skipped). */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revision(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** Sets the deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: DeploymentObject, rev: string): boolean {
  d.metadata ??= {};
  d.metadata.annotations ??= {};
  if (d.metadata.annotations[REVISION_ANNOTATION] === rev) return false;
  d.metadata.annotations[REVISION_ANNOTATION] = rev;
  return true;
}

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

/** Copies the deployment's annotations but the skipped ones onto the ReplicaSet; true when any changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSetObject): boolean {
  rs.metadata ??= {};
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copies the deployment's annotations, raises the revision to
 * `newRevision` when lower (keeping the old one in revision-history, which is what a rollback
 * to an old ReplicaSet looks like), and for a ReplicaSet about to be created adds the replica
 * annotations. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSetObject, newRevision: string, exists: boolean, revHistoryLimitInChars: number): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const ann = (rs.metadata!.annotations ??= {});
  const oldRevision = ann[REVISION_ANNOTATION];
  const hadRevision = oldRevision !== undefined;
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    // Upstream gives up (reporting no change) on a revision that is not an integer.
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldRevisionInt = Number(oldRevision);
  }
  if (!/^[+-]?\d+$/.test(newRevision)) return false;
  const newRevisionInt = Number(newRevision);
  if (oldRevisionInt < newRevisionInt) {
    ann[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  if (hadRevision && oldRevisionInt < newRevisionInt) {
    const history = ann[REVISION_HISTORY_ANNOTATION] ?? '';
    const oldRevisions = history.split(',');
    if (oldRevisions[0]!.length === 0) {
      ann[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > revHistoryLimitInChars && start < oldRevisions.length) {
        totalLen = totalLen - oldRevisions[start]!.length - 1;
        start++;
      }
      // Beyond the limit even after dropping everything: the old revision is not recorded.
      if (totalLen <= revHistoryLimitInChars) ann[REVISION_HISTORY_ANNOTATION] = [...oldRevisions.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function getDesiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

export function getMaxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/** Sets desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSetObject, desired: number, max: number): boolean {
  rs.metadata ??= {};
  const ann = (rs.metadata.annotations ??= {});
  let updated = false;
  if (ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (ann[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    ann[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata?.annotations;
  if (!ann) return true;
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

// ---- strategy arithmetic

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; when both come to zero,
 * maxUnavailable is 1 (surge might be impossible because of quota). Throws IntOrStringError.
 */
export function resolveFenceposts(surge: IntOrString | undefined, unavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const s = getScaledValueFromIntOrPercent(surge ?? 0, desired, true);
  let u = getScaledValueFromIntOrPercent(unavailable ?? 0, desired, false);
  if (s === 0 && u === 0) u = 1;
  return { surge: s, unavailable: u };
}

function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d));
  } catch {
    // Validation rejects such values; upstream ignores the error the same way (zeros).
    return { surge: 0, unavailable: 0 };
  }
}

/** MaxUnavailable: 0 for Recreate or zero replicas, never more than the replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

/** MaxSurge: 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return fenceposts(d).surge;
}

/** integer.RoundToInt32: half away from zero. */
function roundToInt(a: number): number {
  return a < 0 ? Math.trunc(a - 0.5) : Math.trunc(a + 0.5);
}

/** getReplicaSetFraction: the replicas a ReplicaSet should gain (or lose) in a proportional scale. */
function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = rsReplicas(rs);
  if (deploymentReplicas(d) === 0) return -replicas;
  const target = deploymentReplicas(d) + maxSurge(d);
  let annotated = getMaxReplicasAnnotation(rs);
  // Without the annotation fall back to the deployment's current size (as upstream).
  if (annotated === undefined) annotated = d.status?.replicas ?? 0;
  // Never divide by zero: with nothing to compare against, the ReplicaSet keeps its size.
  if (annotated <= 0) return 0;
  return roundToInt((replicas * target) / annotated) - replicas;
}

/** GetProportion: this ReplicaSet's share of `toAdd`, bounded by what is still left to add. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** NewRSNewReplicas: the size the new ReplicaSet may grow to now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const type = d.spec?.strategy?.type ?? 'RollingUpdate';
  if (type === 'Recreate') return deploymentReplicas(d);
  if (type !== 'RollingUpdate') throw new Error(`deployment type ${type} isn't supported`);
  const replicas = deploymentReplicas(d);
  const surge = getScaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const current = getReplicaCountForReplicaSets(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + scaleUp;
}

/** IsSaturated: the new ReplicaSet has, wants and runs available all the deployment's replicas. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = getDesiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = deploymentReplicas(d);
  return rsReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** FindActiveOrLatest: the only active ReplicaSet, the newest when none is active, none when several are. */
export function findActiveOrLatest<T extends ReplicaSet>(newRS: T | undefined, oldRSs: T[]): T | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  oldRSs.sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...oldRSs, newRS]);
  if (active.length === 0) return newRS ?? oldRSs[0];
  if (active.length === 1) return active[0];
  return undefined;
}

// ---- templates

/** EqualIgnoreHash: templates equal (semantically) apart from the pod-template-hash label. */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  return canonicalJSON(withoutHashLabel(t1)) === canonicalJSON(withoutHashLabel(t2));
}

function withoutHashLabel(t: PodTemplateSpec | undefined): unknown {
  if (!t?.metadata?.labels || !(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY in t.metadata.labels)) return t;
  const labels = { ...t.metadata.labels };
  delete labels[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
  return { ...t, metadata: { ...t.metadata, labels } };
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the deployment's. Sorts `rsList`. */
export function findNewReplicaSet<T extends ReplicaSet>(d: Deployment, rsList: T[]): T | undefined {
  rsList.sort(byCreationTimestamp);
  return rsList.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: all but the new one. */
export function findOldReplicaSets<T extends ReplicaSet>(d: Deployment, rsList: T[]): T[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
}

/** labelsutil.CloneSelectorAndAddLabel. */
export function cloneSelectorAndAddLabel(sel: LabelSelector, key: string, value: string): DeepMutable<LabelSelector> {
  const out = structuredClone(sel) as DeepMutable<LabelSelector>;
  out.matchLabels = { ...(out.matchLabels ?? {}), [key]: value };
  return out;
}

// ---- conditions

export function newDeploymentCondition(type: ConditionType, status: ConditionStatus, reason: string, message: string, nowMs: number): MutableDeploymentCondition {
  const t = formatTime(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: ConditionType): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: nothing changes when a condition of the type has the same status and
 * reason; a change of reason alone keeps lastTransitionTime.
 */
export function setDeploymentCondition(status: MutableDeploymentStatus, cond: MutableDeploymentCondition): void {
  const current = getDeploymentCondition(status, cond.type as ConditionType);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeDeploymentCondition(status: MutableDeploymentStatus, type: ConditionType): void {
  if (!status.conditions) return;
  const rest = status.conditions.filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/** ReplicaSetToDeploymentCondition (lastUpdateTime is the transition time). */
export function replicaSetToDeploymentCondition(c: ReplicaSetCondition): MutableDeploymentCondition {
  return { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

// ---- progress

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}

/** DeploymentComplete: every desired replica updated and available, no old ones, generation observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus | undefined): boolean {
  const replicas = deploymentReplicas(d);
  return (
    (status?.updatedReplicas ?? 0) === replicas &&
    (status?.replicas ?? 0) === replicas &&
    (status?.availableReplicas ?? 0) === replicas &&
    (status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than last observed. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * DeploymentTimedOut: the Progressing condition has not been updated for progressDeadlineSeconds
 * (a completed rollout never times out; one already timed out stays so).
 */
export function deploymentTimedOut(d: Deployment, next: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getDeploymentCondition(next, 'Progressing');
  if (!c) return false;
  if (c.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (c.reason === TIMED_OUT_REASON) return true;
  const from = parseTime(c.lastUpdateTime);
  return from + d.spec!.progressDeadlineSeconds! * 1000 < nowMs;
}

/** Milliseconds of a condition's lastUpdateTime. */
export function conditionUpdateTime(c: DeploymentCondition): number {
  return parseTime(c.lastUpdateTime);
}

/** Deep equality of two statuses as the wire sees them (zero and empty fields omitted). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJSON(omitZeros(a)) === canonicalJSON(omitZeros(b));
}

function omitZeros(s: DeploymentStatus | undefined): unknown {
  if (!s) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (v !== 0 || k === 'collisionCount') out[k] = v;
  return out;
}
