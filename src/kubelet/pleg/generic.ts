// The generic pod lifecycle event generator (upstream pkg/kubelet/pleg/generic.go): every
// relist period it lists the runtime's pods, compares each container's state with the last
// relist and tells the pod workers which pods changed. It also refreshes the runtime status
// cache of those pods.

import type { Logger } from '../../logging/index.js';
import type { ContainerState, Runtime, RuntimePodStatus, RunningPod } from '../container/runtime.js';
import { sleep } from '../../util/sleep.js';

export type PodLifecycleEventType = 'ContainerStarted' | 'ContainerDied' | 'ContainerRemoved' | 'ContainerChanged' | 'PodSync';

export interface PodLifecycleEvent {
  /** The pod UID. */
  id: string;
  type: PodLifecycleEventType;
  /** The container (or sandbox) ID. */
  data: string;
}

type PlegState = ContainerState | 'non-existent';

export interface GenericPLEGOptions {
  runtime: Pick<Runtime, 'getPods' | 'getPodStatus'>;
  logger: Logger;
  /** Receives the events of one relist (pods in runtime order). */
  onEvents: (events: PodLifecycleEvent[]) => void;
  relistPeriodMs?: number;
  now?: () => number;
}

/** Upstream generateEvents: the events for one container moving from `oldState` to `newState`. */
export function generateEvents(podID: string, cid: string, oldState: PlegState, newState: PlegState): PodLifecycleEvent[] {
  if (oldState === newState) return [];
  switch (newState) {
    case 'running':
      return [{ id: podID, type: 'ContainerStarted', data: cid }];
    case 'exited':
      return [{ id: podID, type: 'ContainerDied', data: cid }];
    case 'unknown':
    case 'created':
      return [{ id: podID, type: 'ContainerChanged', data: cid }];
    case 'non-existent':
      if (oldState === 'exited') return [{ id: podID, type: 'ContainerRemoved', data: cid }];
      return [
        { id: podID, type: 'ContainerDied', data: cid },
        { id: podID, type: 'ContainerRemoved', data: cid },
      ];
  }
}

export class GenericPLEG {
  /** Per pod UID: container or sandbox ID → state, as of the last relist. */
  private old = new Map<string, Map<string, PlegState>>();
  private readonly cache = new Map<string, RuntimePodStatus>();
  private readonly log: Logger;
  private readonly relistPeriodMs: number;
  private readonly now: () => number;
  private lastRelist = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: GenericPLEGOptions) {
    this.log = opts.logger.child({ component: 'pleg' });
    this.relistPeriodMs = opts.relistPeriodMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** The runtime status read at the last event of the pod (or set by a sync). */
  getCachedStatus(uid: string): RuntimePodStatus | undefined {
    return this.cache.get(uid);
  }

  setCachedStatus(status: RuntimePodStatus): void {
    this.cache.set(status.uid, status);
  }

  deleteCachedStatus(uid: string): void {
    this.cache.delete(uid);
  }

  /** When the last relist completed (ms), 0 before the first: a health signal (upstream Healthy). */
  lastRelistAt(): number {
    return this.lastRelist;
  }

  /** Relists until `signal` aborts; errors are logged and the next period tries again. */
  start(signal: AbortSignal): void {
    if (this.running) return;
    this.running = (async () => {
      while (!signal.aborted) {
        try {
          await this.relist();
        } catch (err) {
          this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'relist failed');
        }
        await sleep(this.relistPeriodMs, signal);
      }
    })();
  }

  /** Resolves once the relist loop has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await this.running;
  }

  /** One relist: compares with the previous one and emits the events. */
  async relist(): Promise<void> {
    const pods = await this.opts.runtime.getPods(true);
    const current = new Map<string, Map<string, PlegState>>();
    const meta = new Map<string, RunningPod>();
    for (const p of pods) {
      const m = new Map<string, PlegState>();
      for (const c of p.containers) m.set(c.id.id, c.state);
      // Sandboxes count as containers: a new one appearing or one vanishing is a change.
      for (const s of p.sandboxIds) if (!m.has(s)) m.set(s, 'running');
      current.set(p.uid, m);
      meta.set(p.uid, p);
    }
    const events: PodLifecycleEvent[] = [];
    for (const uid of new Set([...this.old.keys(), ...current.keys()])) {
      const before = this.old.get(uid) ?? new Map<string, PlegState>();
      const after = current.get(uid) ?? new Map<string, PlegState>();
      for (const cid of new Set([...before.keys(), ...after.keys()])) {
        events.push(...generateEvents(uid, cid, before.get(cid) ?? 'non-existent', after.get(cid) ?? 'non-existent'));
      }
    }
    // Refresh the cache of pods that changed; pods gone from the runtime leave it.
    const changed = new Set(events.map((e) => e.id));
    for (const uid of changed) {
      const p = meta.get(uid);
      if (!p) {
        this.cache.delete(uid);
        continue;
      }
      try {
        this.cache.set(uid, await this.opts.runtime.getPodStatus(uid, p.name, p.namespace));
      } catch (err) {
        this.log.warn({ podUID: uid, err: err instanceof Error ? err.message : String(err) }, 'failed to read pod status on relist');
      }
    }
    this.old = current;
    this.lastRelist = this.now();
    if (events.length > 0) this.opts.onEvents(events);
  }
}
