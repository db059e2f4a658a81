// The scheduling queue (upstream pkg/scheduler/backend/queue/scheduling_queue.go): activeQ (a
// heap in QueueSort order: priority, then time), backoffQ (pods waiting out their backoff,
// 1 s doubling to 10 s), and unschedulablePods (waiting for a cluster event that may help them,
// or for the 5-minute flush). Pods are keyed by uid; an update to a queued pod replaces it.
// Also the nominator: pods that preempted others, nominated to a node until they bind.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, PodNominator, QueuedPodInfo } from '../framework/interface.js';
import { PodInfo } from '../framework/types.js';
import { Heap } from './heap.js';

export interface QueueOptions {
  now: () => number;
  /** QueueSort.less */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue: the name of the plugin that gates the pod, or undefined. */
  preEnqueue: (pod: Pod) => string | undefined;
  /** Plugin name → events that may make pods it rejected schedulable. */
  pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** upstream podMaxInUnschedulablePodsDuration (5 min). */
  maxInUnschedulableMs?: number;
}

export interface QueueStats {
  active: number;
  backoff: number;
  unschedulable: number;
  inFlight: number;
}

const keyOf = (q: QueuedPodInfo): string => q.podInfo.uid;

export class SchedulingQueue implements PodNominator {
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and being scheduled; uid → the scheduling cycle it was popped in. */
  private readonly inFlight = new Map<string, number>();
  private schedulingCycle = 0;
  /** The cycle of the last move request: pods popped before it go to backoff, not unschedulable. */
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly nominatedByNode = new Map<string, PodInfo[]>();
  private readonly nominatedNodeOf = new Map<string, string>();

  constructor(private readonly opts: QueueOptions) {
    this.activeQ = new Heap(keyOf, opts.less);
    this.backoffQ = new Heap(keyOf, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 5 * 60_000;
  }

  stats(): QueueStats {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** A new pending pod (or one seen again: treated as an update). */
  add(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.has(uid)) {
      this.update(undefined, pod);
      return;
    }
    if (this.inFlight.has(uid)) return;
    const now = this.opts.now();
    const q: QueuedPodInfo = { podInfo: new PodInfo(pod), timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() };
    this.addNominated(q.podInfo);
    this.toActiveOrGated(q);
  }

  has(uid: string): boolean {
    return this.activeQ.has(uid) || this.backoffQ.has(uid) || this.unschedulable.has(uid);
  }

  /** Where a pod is: 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight' | undefined. */
  where(uid: string): string | undefined {
    if (this.activeQ.has(uid)) return 'active';
    if (this.backoffQ.has(uid)) return 'backoff';
    const u = this.unschedulable.get(uid);
    if (u) return u.gatedBy ? 'gated' : 'unschedulable';
    if (this.inFlight.has(uid)) return 'inFlight';
    return undefined;
  }

  /** A queued pod changed. Spec/label changes give an unschedulable pod another chance. */
  update(oldPod: Pod | undefined, pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const pi = new PodInfo(pod);
    this.updateNominated(pi);
    const a = this.activeQ.get(uid);
    if (a) {
      this.activeQ.addOrUpdate({ ...a, podInfo: pi });
      return;
    }
    const b = this.backoffQ.get(uid);
    if (b) {
      this.backoffQ.addOrUpdate({ ...b, podInfo: pi });
      return;
    }
    const u = this.unschedulable.get(uid);
    if (u) {
      const q = { ...u, podInfo: pi };
      if (u.gatedBy) {
        this.unschedulable.delete(uid);
        this.toActiveOrGated(q);
        return;
      }
      if (!oldPod || isPodUpdated(oldPod, pod)) {
        this.unschedulable.delete(uid);
        this.requeue(q);
      } else this.unschedulable.set(uid, q);
      return;
    }
    if (!this.inFlight.has(uid)) this.add(pod);
  }

  delete(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.activeQ.delete(uid);
    this.backoffQ.delete(uid);
    this.unschedulable.delete(uid);
    this.deleteNominated(uid);
  }

  /** Waits for a pod in the activeQ; undefined once closed or aborted. */
  async pop(signal: AbortSignal): Promise<QueuedPodInfo | undefined> {
    while (this.activeQ.size === 0) {
      if (this.closed || signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (this.closed || signal.aborted) return undefined;
    const q = this.activeQ.pop()!;
    q.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(q.podInfo.uid, this.schedulingCycle);
    return q;
  }

  /** The popped pod's attempt is over (scheduled, or re-added as unschedulable). */
  done(uid: string): void {
    this.inFlight.delete(uid);
  }

  /**
   * A pod that failed to schedule. With no rejecting plugin (an error) or after a move request
   * that arrived while it was being scheduled, it goes to backoff; otherwise it waits in
   * unschedulablePods for an event that concerns one of the plugins that rejected it.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, pod?: Pod): void {
    const uid = q.podInfo.uid;
    const cycle = this.inFlight.get(uid) ?? this.schedulingCycle;
    this.inFlight.delete(uid);
    if (this.has(uid)) return;
    if (pod) q.podInfo = new PodInfo(pod);
    q.timestamp = this.opts.now();
    this.updateNominated(q.podInfo);
    if (q.unschedulablePlugins.size === 0 || this.moveRequestCycle >= cycle) this.backoffQ.addOrUpdate(q);
    else this.unschedulable.set(uid, q);
  }

  /** Moves unschedulable pods that a cluster event may help to activeQ (or backoffQ while backing off). */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent): number {
    let n = 0;
    for (const [uid, q] of this.unschedulable) {
      if (q.gatedBy) continue;
      if (!this.interested(q, event)) continue;
      this.unschedulable.delete(uid);
      this.requeue(q);
      n++;
    }
    this.moveRequestCycle = this.schedulingCycle;
    return n;
  }

  /** Backoff flush (upstream every 1 s) and the unschedulable flush (every 30 s upstream). */
  flushBackoffQCompleted(): number {
    const now = this.opts.now();
    let n = 0;
    for (;;) {
      const top = this.backoffQ.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.backoffQ.pop();
      this.activeQ.addOrUpdate(top);
      n++;
    }
    if (n) this.wake();
    return n;
  }

  flushUnschedulablePodsLeftover(): number {
    const now = this.opts.now();
    let n = 0;
    for (const [uid, q] of this.unschedulable) {
      if (q.gatedBy) continue;
      if (now - q.timestamp > this.maxInUnschedulableMs) {
        this.unschedulable.delete(uid);
        this.requeue(q);
        n++;
      }
    }
    return n;
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Upstream calculateBackoffDuration: initial × 2^(attempts−1), capped. */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  // ---- nominator

  /** Whether any pod is nominated to any node (false in a cluster without preemption). */
  hasNominatedPods(): boolean {
    return this.nominatedByNode.size > 0;
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.nominatedByNode.get(nodeName) ?? [];
  }

  /** Records that `pi` may run on `nodeName` once its victims are gone ('' clears). */
  nominate(pi: PodInfo, nodeName: string): void {
    this.deleteNominated(pi.uid);
    if (!nodeName) return;
    this.nominatedNodeOf.set(pi.uid, nodeName);
    const list = this.nominatedByNode.get(nodeName);
    if (list) list.push(pi);
    else this.nominatedByNode.set(nodeName, [pi]);
  }

  deleteNominated(uid: string): void {
    const node = this.nominatedNodeOf.get(uid);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(uid);
    const list = this.nominatedByNode.get(node);
    if (!list) return;
    const i = list.findIndex((p) => p.uid === uid);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.nominatedByNode.delete(node);
  }

  private addNominated(pi: PodInfo): void {
    const node = pi.pod.status?.nominatedNodeName;
    if (node) this.nominate(pi, node);
  }

  private updateNominated(pi: PodInfo): void {
    const node = pi.pod.status?.nominatedNodeName || this.nominatedNodeOf.get(pi.uid);
    if (node) this.nominate(pi, node);
  }

  // ----

  private interested(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event === 'UnschedulableTimeout' || event === 'ForceActivate') return true;
    if (q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.opts.pluginEvents.get(p)?.has(event)) return true;
    return false;
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.opts.now()) this.backoffQ.addOrUpdate(q);
    else {
      this.activeQ.addOrUpdate(q);
      this.wake();
    }
  }

  private toActiveOrGated(q: QueuedPodInfo): void {
    const gate = this.opts.preEnqueue(q.podInfo.pod);
    if (gate) {
      q.gatedBy = gate;
      this.unschedulable.set(q.podInfo.uid, q);
      return;
    }
    q.gatedBy = undefined;
    this.activeQ.addOrUpdate(q);
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** Whether an update changes what scheduling depends on (upstream isPodUpdated: ignores status and bookkeeping). */
export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod): string =>
    JSON.stringify({
      labels: p.metadata?.labels,
      annotations: p.metadata?.annotations,
      spec: p.spec,
    });
  return strip(oldPod) !== strip(newPod);
}
