// The pod workers (upstream pkg/kubelet/pod_workers.go, simplified): one serialized worker per
// pod UID that moves the pod through sync → terminating → terminated. An update that arrives
// while the worker is busy is coalesced into one more pass with the latest pod; a pass that
// failed is retried after a back-off; a synced pod is synced again when its sync asks (a
// container back-off ending) or after the resync period.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { RunningPod } from '../container/runtime.js';
import { podGracePeriodSeconds, podKey } from '../util/pod.js';

export type PodWorkerPhase = 'sync' | 'terminating' | 'terminated';

export interface SyncPodResult {
  /** The pod reached a terminal phase (its containers will not run again): terminate it. */
  terminal: boolean;
  /** Sync again after this many ms (default: the resync period). */
  requeueAfterMs?: number;
}

/** What a pass of a worker does, implemented by the kubelet (upstream syncPod/syncTerminatingPod/syncTerminatedPod). */
export interface PodSyncer {
  syncPod(pod: Pod): Promise<SyncPodResult>;
  /** Stops every container of the pod; resolves once nothing runs. Throws to retry. */
  syncTerminatingPod(pod: Pod | undefined, uid: string, runningPod: RunningPod | undefined, gracePeriodSeconds: number): Promise<void>;
  /** Reports the final status and cleans the pod's volumes. Idempotent. Throws to retry. */
  syncTerminatedPod(pod: Pod | undefined, uid: string): Promise<void>;
}

export interface UpdatePodOptions {
  /** `kill` terminates the pod whatever its state (deleted, orphaned, evicted). */
  type: 'sync' | 'kill';
  uid: string;
  /** The latest API pod; absent for runtime pods the API does not know. */
  pod?: Pod;
  /** The pod is gone from the API (deleted, force deleted): forget the worker once terminated. */
  removed?: boolean;
  /** What runs on the node, for pods known only to the runtime. */
  runningPod?: RunningPod;
  gracePeriodSecondsOverride?: number;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface PodWorkersOptions {
  syncer: PodSyncer;
  logger: Logger;
  /** Resync period of a synced pod, ms (upstream 1 min). */
  resyncPeriodMs?: number;
  /** Retry delay after a failed pass, ms (upstream backOffPeriod, 10 s). */
  backOffPeriodMs?: number;
  timers?: Timers;
  /** Called when a worker is forgotten (the pod is terminated and gone from the API). */
  onForget?: (uid: string) => void;
}

interface Worker {
  uid: string;
  pod: Pod | undefined;
  phase: PodWorkerPhase;
  removed: boolean;
  runningPod: RunningPod | undefined;
  graceOverride: number | undefined;
  pending: boolean;
  active: Promise<void> | undefined;
  timer: unknown;
}

const defaultTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly log: Logger;
  private readonly resyncPeriodMs: number;
  private readonly backOffPeriodMs: number;
  private readonly timers: Timers;
  private closed = false;

  constructor(private readonly opts: PodWorkersOptions) {
    this.log = opts.logger.child({ component: 'pod-workers' });
    this.resyncPeriodMs = opts.resyncPeriodMs ?? 60_000;
    this.backOffPeriodMs = opts.backOffPeriodMs ?? 10_000;
    this.timers = opts.timers ?? defaultTimers;
  }

  /** Hands the worker of `uid` a new pod or a kill; starts it, or queues one more pass if busy. */
  updatePod(o: UpdatePodOptions): void {
    if (this.closed) return;
    let w = this.workers.get(o.uid);
    if (!w) {
      if (o.type === 'sync' && (!o.pod || o.removed)) return;
      w = { uid: o.uid, pod: undefined, phase: 'sync', removed: false, runningPod: undefined, graceOverride: undefined, pending: false, active: undefined, timer: undefined };
      this.workers.set(o.uid, w);
    }
    if (o.pod) w.pod = o.pod;
    if (o.removed) w.removed = true;
    if (o.runningPod) w.runningPod = o.runningPod;
    if (o.gracePeriodSecondsOverride !== undefined) w.graceOverride = Math.min(w.graceOverride ?? Infinity, o.gracePeriodSecondsOverride);
    if (w.phase === 'sync' && (o.type === 'kill' || w.removed || !w.pod || w.pod.metadata?.deletionTimestamp)) w.phase = 'terminating';
    this.kick(w);
  }

  /** Asks for one more pass of a known pod (PLEG event, probe change, back-off end). */
  syncPod(uid: string): void {
    const w = this.workers.get(uid);
    if (w && !this.closed) this.kick(w);
  }

  phase(uid: string): PodWorkerPhase | undefined {
    return this.workers.get(uid)?.phase;
  }

  isKnown(uid: string): boolean {
    return this.workers.has(uid);
  }

  knownUIDs(): string[] {
    return [...this.workers.keys()];
  }

  /** Upstream CouldHaveRunningContainers: unknown pods or pods not yet terminated may run containers. */
  couldHaveRunningContainers(uid: string): boolean {
    const w = this.workers.get(uid);
    return !w || w.phase !== 'terminated';
  }

  /** Resolves when no worker is running a pass (timers may still be pending). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.workers.values()].map((w) => w.active).filter((p): p is Promise<void> => p !== undefined);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  /** Stops timers and new passes; awaits the passes under way. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.workers.values()) this.clearTimer(w);
    await this.idle();
  }

  private kick(w: Worker): void {
    w.pending = true;
    if (w.active) return;
    this.clearTimer(w);
    w.active = this.run(w).finally(() => {
      w.active = undefined;
      if (w.pending && !this.closed && this.workers.get(w.uid) === w) this.kick(w);
    });
  }

  private async run(w: Worker): Promise<void> {
    while (w.pending && !this.closed) {
      w.pending = false;
      const pod = w.pod;
      try {
        if (w.phase === 'sync') {
          const r = await this.opts.syncer.syncPod(pod!);
          if (r.terminal) {
            w.phase = 'terminating';
            w.pending = true;
          } else if (!w.pending) this.schedule(w, r.requeueAfterMs ?? this.resyncPeriodMs);
        } else if (w.phase === 'terminating') {
          const grace = w.graceOverride ?? podGracePeriodSeconds(pod);
          await this.opts.syncer.syncTerminatingPod(pod, w.uid, w.runningPod, grace);
          w.phase = 'terminated';
          w.pending = true;
        } else {
          await this.opts.syncer.syncTerminatedPod(pod, w.uid);
          if (w.removed || !pod) {
            this.workers.delete(w.uid);
            this.opts.onForget?.(w.uid);
            return;
          }
        }
      } catch (err) {
        this.log.warn({ pod: podKey(pod), podUID: w.uid, phase: w.phase, err: err instanceof Error ? err.message : String(err) }, 'error syncing pod, skipping');
        if (!w.pending) this.schedule(w, this.backOffPeriodMs);
      }
    }
  }

  private schedule(w: Worker, ms: number): void {
    if (this.closed) return;
    this.clearTimer(w);
    w.timer = this.timers.set(() => {
      w.timer = undefined;
      if (this.workers.get(w.uid) === w) this.kick(w);
    }, Math.max(0, ms));
  }

  private clearTimer(w: Worker): void {
    if (w.timer !== undefined) {
      this.timers.clear(w.timer);
      w.timer = undefined;
    }
  }
}
