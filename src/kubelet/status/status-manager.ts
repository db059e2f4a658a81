// The status manager (upstream pkg/kubelet/status/status_manager.go): keeps the latest status
// the kubelet generated for each pod and writes changes to `pods/status` with a strategic merge
// patch — one write in flight per pod, later changes coalesced into the next, failures retried.
// Once a deleted pod's containers are gone and its volumes cleaned it deletes the API object
// (grace period 0, uid precondition), which is what finishes a graceful deletion.

import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { PODS } from '../../client/resources.js';
import { isNotFound, isConflict } from '../../client/rest/errors.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { KUBELET_CONDITIONS, rfc3339 } from './generate.js';
import { deepEqual, isEmptyStatusPatch, podStatusPatch } from './patch.js';
import { isMirrorPod, type PodObject } from '../util/pod.js';

export interface StatusManagerOptions {
  client: Interface;
  logger: Logger;
  now?: () => number;
  /** Delay before retrying a failed write, ms (default 2000). */
  retryMs?: number;
  /**
   * May the pod still have running containers? While it may, a terminal phase is not reported
   * (upstream couldHaveRunningContainers). Default: never.
   */
  couldHaveRunningContainers?: (uid: string) => boolean;
  /** Are the pod's containers stopped and its volumes cleaned, so the API object may go (upstream canBeDeleted)? */
  canBeDeleted?: (uid: string) => boolean;
  /**
   * The UID of the API object that carries the pod's status (upstream TranslatePodUID): the
   * pod's own for API pods, its mirror pod's for a static pod, undefined while a static pod has
   * no mirror (nothing is written; call `resync` once the mirror exists). Default: the pod's own.
   */
  apiPodUID?: (uid: string) => string | undefined;
}

interface Entry {
  namespace: string;
  name: string;
  uid: string;
  status: PodStatus;
  /** Bumped on each change; `written` is the version last written successfully. */
  version: number;
  written: number;
  inFlight: Promise<void> | undefined;
  retry: NodeJS.Timeout | undefined;
  deleted: boolean;
}

type MutableStatus = DeepMutable<PodStatus>;

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly retryMs: number;
  private closed = false;

  constructor(private readonly opts: StatusManagerOptions) {
    this.log = opts.logger.child({ component: 'status-manager' });
    this.now = opts.now ?? Date.now;
    this.retryMs = opts.retryMs ?? 2000;
  }

  /** The latest status set for the pod (the prober's status provider, `kubectl get` freshness). */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /**
   * Records a new status for the pod and schedules a write when it differs from the last one.
   * Keeps lastTransitionTime of conditions whose status did not change and startTime once set;
   * refuses container transitions the restart policy forbids (terminated → running).
   */
  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    const cur = this.entries.get(uid);
    const oldStatus = cur?.status ?? pod.status ?? {};
    const next = structuredClone(status) as MutableStatus;
    const err = checkContainerStateTransition(oldStatus, next, pod);
    if (err) {
      this.log.error({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err }, 'status update rejected');
      return;
    }
    const now = rfc3339(this.now());
    for (const c of next.conditions ?? []) {
      if (!KUBELET_CONDITIONS.has(c.type) || c.lastTransitionTime) continue;
      const prev = (oldStatus.conditions ?? []).find((o: PodCondition) => o.type === c.type);
      c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    }
    next.startTime = oldStatus.startTime ?? next.startTime ?? now;
    if (cur && deepEqual(cur.status, next)) return;
    const e: Entry = cur ?? {
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      uid,
      status: next,
      version: 0,
      written: 0,
      inFlight: undefined,
      retry: undefined,
      deleted: false,
    };
    e.status = next;
    e.version++;
    this.entries.set(uid, e);
    this.kick(e);
  }

  /** Re-evaluates the pod (write pending changes, delete it when it may go). */
  sync(uid: string): void {
    const e = this.entries.get(uid);
    if (e) this.kick(e);
  }

  /** Writes the latest status again even if it was written (a static pod's mirror was recreated). */
  resync(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    e.version++;
    this.kick(e);
  }

  /** Forgets the pod (it is gone from the API and the node). */
  removePod(uid: string): void {
    const e = this.entries.get(uid);
    if (e?.retry) clearTimeout(e.retry);
    this.entries.delete(uid);
  }

  /** Resolves when no write is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.entries.values()].map((e) => e.inFlight).filter((p): p is Promise<void> => p !== undefined);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  /** Stops retries and awaits writes in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.entries.values()) if (e.retry) clearTimeout(e.retry);
    await this.idle();
  }

  private kick(e: Entry): void {
    if (this.closed || e.inFlight) return;
    if (e.retry) {
      clearTimeout(e.retry);
      e.retry = undefined;
    }
    e.inFlight = this.syncPod(e).then(
      (again) => {
        e.inFlight = undefined;
        if (again && this.entries.get(e.uid) === e) this.kick(e);
      },
      (err: unknown) => {
        e.inFlight = undefined;
        this.log.warn({ pod: `${e.namespace}/${e.name}`, err: err instanceof Error ? err.message : String(err) }, 'failed to update pod status, will retry');
        if (!this.closed && this.entries.get(e.uid) === e) {
          e.retry = setTimeout(() => {
            e.retry = undefined;
            this.kick(e);
          }, this.retryMs);
          e.retry.unref?.();
        }
      },
    );
  }

  /** One write (and possibly the deletion); true when a newer status arrived meanwhile. */
  private async syncPod(e: Entry): Promise<boolean> {
    const version = e.version;
    const pods = this.opts.client.resource<PodObject>(PODS);
    const apiUID = this.opts.apiPodUID ? this.opts.apiPodUID(e.uid) : e.uid;
    if (apiUID === undefined) {
      // A static pod without its mirror: nothing in the API to write to yet.
      e.written = version;
      return false;
    }
    let pod: Pod;
    try {
      pod = await pods.get(e.name, { namespace: e.namespace });
    } catch (err) {
      if (isNotFound(err)) {
        e.written = version;
        return false;
      }
      throw err;
    }
    if (pod.metadata?.uid !== apiUID) {
      this.log.info({ pod: `${e.namespace}/${e.name}` }, 'pod was deleted and then recreated, skipping status update');
      e.written = version;
      return false;
    }
    if (e.written < version) {
      const merged = mergePodStatus(pod.status ?? {}, e.status, this.opts.couldHaveRunningContainers?.(e.uid) ?? false);
      // A terminal phase held back is written on a later sync (after the containers stopped).
      const heldBack = merged.phase !== e.status.phase;
      const patch = podStatusPatch(apiUID, pod.status, merged);
      if (!isEmptyStatusPatch(patch)) {
        try {
          await pods.patch(e.name, 'strategic', patch, { namespace: e.namespace, subresource: 'status' });
        } catch (err) {
          if (isNotFound(err)) {
            e.written = version;
            return false;
          }
          throw err;
        }
      }
      e.written = heldBack ? version - 1 : version;
    }
    // A mirror pod is never removed here: the kubelet deletes and recreates mirrors itself.
    if (!e.deleted && pod.metadata?.deletionTimestamp && !isMirrorPod(pod) && (this.opts.canBeDeleted?.(e.uid) ?? false)) {
      try {
        await pods.delete(e.name, { namespace: e.namespace, gracePeriodSeconds: 0, preconditions: { uid: e.uid } });
        this.log.info({ pod: `${e.namespace}/${e.name}` }, 'pod fully terminated and removed from etcd');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      e.deleted = true;
    }
    return e.version !== version;
  }
}

/**
 * Upstream mergePodStatus: conditions the kubelet does not own keep the API's values (others
 * write them too), and a terminal phase waits until no container can be running.
 */
export function mergePodStatus(oldStatus: PodStatus, newStatus: PodStatus, couldHaveRunningContainers: boolean): PodStatus {
  const s = structuredClone(newStatus) as MutableStatus;
  const conditions: DeepMutable<PodCondition>[] = [];
  const fromNew = new Set<string>();
  for (const c of s.conditions ?? []) {
    if (KUBELET_CONDITIONS.has(c.type)) {
      conditions.push(c);
      fromNew.add(c.type);
    }
  }
  for (const c of oldStatus.conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type)) conditions.push(structuredClone(c) as DeepMutable<PodCondition>);
  // Conditions only the new status has and the kubelet does not own (e.g. DisruptionTarget it carried over).
  for (const c of s.conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type) && !conditions.some((x) => x.type === c.type)) conditions.push(c);
  s.conditions = conditions;
  const terminal = (p: string | undefined): boolean => p === 'Failed' || p === 'Succeeded';
  if (terminal(s.phase) && !terminal(oldStatus.phase) && couldHaveRunningContainers) {
    s.phase = oldStatus.phase;
    if (oldStatus.reason) s.reason = oldStatus.reason;
    else delete s.reason;
    if (oldStatus.message) s.message = oldStatus.message;
    else delete s.message;
  }
  return s;
}

/** Upstream checkContainerStateTransition: a terminated container may not run again unless the restart policy allows it. */
export function checkContainerStateTransition(oldStatus: PodStatus, newStatus: PodStatus, pod: Pod): string | undefined {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  if (restartPolicy === 'Always') return undefined;
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const check = (olds: PodStatus['containerStatuses'], news: PodStatus['containerStatuses'], isInit: boolean): string | undefined => {
    for (const o of olds ?? []) {
      const term = o.state?.terminated;
      if (!term || (isInit && sidecars.has(o.name))) continue;
      if (term.exitCode !== 0 && restartPolicy === 'OnFailure') continue;
      const n = (news ?? []).find((x) => x.name === o.name);
      if (n && !n.state?.terminated) return `terminated container ${o.name} attempted illegal transition to non-terminated state`;
    }
    return undefined;
  };
  return check(oldStatus.containerStatuses, newStatus.containerStatuses, false) ?? check(oldStatus.initContainerStatuses, newStatus.initContainerStatuses, true);
}
