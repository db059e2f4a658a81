// One timer for every delayed task of the simulated nodes (lease renewals, status reports, pod
// transitions): a min-heap of (due, key) behind a single setTimeout, so thousands of nodes do
// not each hold timers. Each key is due once, at its earliest requested time.

interface Entry {
  at: number;
  key: string;
}

/** How many due keys one timer callback hands out before yielding the event loop. */
const FIRE_BATCH = 2000;

export class TimerWheel {
  private readonly heap: Entry[] = [];
  /** The due time of each scheduled key; heap entries that disagree are stale. */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  /**
   * @param now the clock (ms)
   * @param fire receives each key when due; called synchronously, must only queue work
   */
  constructor(
    private readonly now: () => number,
    private readonly fire: (key: string) => void,
  ) {}

  /** Makes `key` due at `at` unless it is already due earlier. */
  schedule(key: string, at: number): void {
    if (this.closed) return;
    const cur = this.due.get(key);
    if (cur !== undefined && cur <= at) return;
    this.due.set(key, at);
    push(this.heap, { at, key });
    this.arm();
  }

  /** Forgets `key` (its heap entry is skipped when it surfaces). */
  cancel(key: string): void {
    this.due.delete(key);
  }

  /** When `key` is due, if scheduled. */
  dueAt(key: string): number | undefined {
    return this.due.get(key);
  }

  /** The earliest due time, if any. */
  nextAt(): number | undefined {
    while (this.heap.length && this.due.get(this.heap[0]!.key) !== this.heap[0]!.at) pop(this.heap);
    return this.heap[0]?.at;
  }

  get size(): number {
    return this.due.size;
  }

  /** Fires every key due by now (up to `limit`); returns how many fired. */
  runDue(limit = Infinity): number {
    const now = this.now();
    let fired = 0;
    while (this.heap.length && this.heap[0]!.at <= now && fired < limit) {
      const e = pop(this.heap)!;
      if (this.due.get(e.key) !== e.at) continue;
      this.due.delete(e.key);
      fired++;
      this.fire(e.key);
    }
    return fired;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
    this.due.clear();
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next || this.closed) return;
    if (this.timer && this.timerAt <= next.at) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, next.at - this.now());
    this.timerAt = next.at;
    this.timer = setTimeout(() => this.onTimer(), Math.min(delay, 2 ** 31 - 1));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.closed) return;
    const fired = this.runDue(FIRE_BATCH);
    if (fired >= FIRE_BATCH) {
      // More are due: continue after other work had its turn.
      this.timerAt = this.now();
      this.timer = setTimeout(() => this.onTimer(), 0);
      this.timer.unref();
      return;
    }
    this.arm();
  }
}

function push(h: Entry[], e: Entry): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.at <= e.at) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = e;
}

function pop(h: Entry[]): Entry | undefined {
  const top = h[0];
  const last = h.pop();
  if (!h.length || !last) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    let mAt = last.at;
    if (l < h.length && h[l]!.at < mAt) {
      m = l;
      mAt = h[l]!.at;
    }
    if (r < h.length && h[r]!.at < mAt) m = r;
    if (m === i) break;
    h[i] = h[m]!;
    i = m;
  }
  h[i] = last;
  return top;
}
