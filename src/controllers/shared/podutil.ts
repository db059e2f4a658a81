// Pod predicates and orderings the workload controllers share (upstream pkg/api/v1/pod and
// pkg/controller's ActivePods ranking).

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';

export type PodObject = Pod & KubeObject;

export function getPodCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return getPodCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds at `nowMs` (upstream IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = getPodCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Succeeded or Failed. */
export function isPodTerminal(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

/** Not terminal and not being deleted (upstream controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n = Math.max(n, s.restartCount ?? 0);
  return n;
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Orders pods so that the ones to delete first come first (upstream ActivePods.Less):
 * unassigned before assigned; Pending before Unknown before Running; not ready before ready;
 * ready for less time before longer; more restarts before fewer; newer before older.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const pa = PHASE_RANK[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (ra && rb) {
    const ta = time(getPodCondition(a, 'Ready')?.lastTransitionTime);
    const tb = time(getPodCondition(b, 'Ready')?.lastTransitionTime);
    if (ta !== tb) return tb - ta;
  }
  const ca = restarts(a);
  const cb = restarts(b);
  if (ca !== cb) return cb - ca;
  const ka = time(a.metadata?.creationTimestamp);
  const kb = time(b.metadata?.creationTimestamp);
  if (ka !== kb) return kb - ka;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** `namespace/name`, the work-queue key of a namespaced object. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** The pods-by-node index several controllers share on the pod informer. */
export const NODE_NAME_INDEX = 'spec.nodeName';

/** Adds NODE_NAME_INDEX to a pod informer unless another controller already did. */
export function ensureNodeNameIndex(informer: { ensureIndexers(indexers: Record<string, (p: PodObject) => string[]>): void }): void {
  informer.ensureIndexers({ [NODE_NAME_INDEX]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
}
