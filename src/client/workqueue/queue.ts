// The work queue of client-go util/workqueue: de-duplicating (an item waiting is queued once),
// and an item being processed is never handed out again until `done`, so the same key is
// never processed concurrently; adds during processing are replayed after `done`.
// RateLimitingQueue adds delayed adds (addAfter) and per-item backoff (addRateLimited).

import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** Items are compared by value (Set semantics): use strings such as `namespace/name`. */
export class Queue<T> {
  private items: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private waiters: ((item: T | undefined) => void)[] = [];
  private shuttingDown = false;
  private drained: (() => void) | undefined;

  /** Queues `item` unless it is already waiting; ignored after shutdown. */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Items waiting (not counting those being processed). */
  len(): number {
    return this.items.length - this.head;
  }

  /**
   * The next item, waiting for one if needed; `undefined` once the queue is shut down. The
   * caller must call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `item` processed; if it was added meanwhile it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item) && !this.shuttingDown) this.push(item);
    if (this.shuttingDown && this.processing.size === 0) this.drained?.();
  }

  /** Stops handing out items: waiting `get`s resolve `undefined`. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  /** Shuts down and resolves once every item handed out has been marked done. */
  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private push(item: T): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w(item);
      return;
    }
    this.items.push(item);
  }

  private take(): T {
    const item = this.items[this.head]!;
    this.head++;
    // Compact occasionally so the array does not grow without bound (amortised O(1)).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }
}

export interface RateLimitingQueueOptions<T> {
  rateLimiter?: RateLimiter<T>;
  now?: () => number;
}

interface Waiting<T> {
  item: T;
  readyAt: number;
}

export class RateLimitingQueue<T> extends Queue<T> {
  private readonly limiter: RateLimiter<T>;
  private readonly now: () => number;
  /** Earliest ready time per waiting item; the heap may hold stale later entries. */
  private readonly waitingAt = new Map<T, number>();
  private readonly heap: Waiting<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    super();
    this.now = opts.now ?? Date.now;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.now);
  }

  /** Adds `item` after `delayMs`; an earlier pending time for the same item wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.isShuttingDown()) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.now() + delayMs;
    const existing = this.waitingAt.get(item);
    if (existing !== undefined && existing <= readyAt) return;
    this.waitingAt.set(item, readyAt);
    heapPush(this.heap, { item, readyAt });
    this.schedule();
  }

  /** Adds `item` after its rate limiter's delay (a failure counts). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.limiter.when(item));
  }

  /** Clears `item`'s failure history (it succeeded). */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  override shutdown(): void {
    super.shutdown();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.length = 0;
    this.waitingAt.clear();
  }

  private schedule(): void {
    const next = this.heap[0];
    if (!next) return;
    if (this.timer && this.timerAt <= next.readyAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.readyAt;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.readyAt - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const t = this.now();
    while (this.heap.length && this.heap[0]!.readyAt <= t) {
      const w = heapPop(this.heap)!;
      if (this.waitingAt.get(w.item) !== w.readyAt) continue; // superseded by an earlier time
      this.waitingAt.delete(w.item);
      this.add(w.item);
    }
    this.schedule();
  }
}

function heapPush<T>(h: Waiting<T>[], w: Waiting<T>): void {
  h.push(w);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.readyAt <= h[i]!.readyAt) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function heapPop<T>(h: Waiting<T>[]): Waiting<T> | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length && last) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.readyAt < h[m]!.readyAt) m = l;
      if (r < h.length && h[r]!.readyAt < h[m]!.readyAt) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
  return top;
}
