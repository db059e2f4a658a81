// Per-key exponential back-off (client-go util/flowcontrol.Backoff) with the kubelet's
// container settings: 10 s initial, doubling, 5 min cap; an entry untouched for twice the cap
// (10 min, e.g. a container that ran that long) starts again at the initial delay.

import type { BackOff } from '../container/runtime.js';

/** Upstream kubelet backOffPeriod. */
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
/** Upstream kubelet MaxContainerBackOff. */
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoff: number;
  lastUpdate: number;
}

export class Backoff implements BackOff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = CONTAINER_BACKOFF_INITIAL_MS,
    readonly maxMs = CONTAINER_BACKOFF_MAX_MS,
  ) {}

  /** True while `now` lies within the current delay since the last `next` of `key`. */
  isInBackOff(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** Records a failure at `now`: the first (or one after a quiet 2×max) waits `initial`, then doubles up to max. */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) {
      this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoff = Math.min(e.backoff * 2, this.maxMs);
    e.lastUpdate = now;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** When the back-off of `key` ends (ms), or undefined when it is not in back-off at `now`. */
  endsAt(key: string, now: number): number | undefined {
    const e = this.entries.get(key);
    return e && this.isInBackOff(key, now) ? e.lastUpdate + e.backoff : undefined;
  }

  /** Drops entries not touched for 2×max (upstream Backoff.GC). */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }
}

/**
 * A view of a Backoff that remembers the keys the runtime consulted during one pod sync, so
 * the pod worker can sync again exactly when the earliest of those back-offs ends.
 */
export class TrackingBackOff implements BackOff {
  readonly keys = new Set<string>();

  constructor(private readonly inner: Backoff) {}

  isInBackOff(key: string, now: number): boolean {
    this.keys.add(key);
    return this.inner.isInBackOff(key, now);
  }

  next(key: string, now: number): void {
    this.keys.add(key);
    this.inner.next(key, now);
  }

  reset(key: string): void {
    this.inner.reset(key);
  }

  get(key: string): number {
    return this.inner.get(key);
  }

  /** The earliest end of a back-off among the consulted keys still in back-off at `now`. */
  earliestEnd(now: number): number | undefined {
    let best: number | undefined;
    for (const k of this.keys) {
      const end = this.inner.endsAt(k, now);
      if (end !== undefined && (best === undefined || end < best)) best = end;
    }
    return best;
  }
}
