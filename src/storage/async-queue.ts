// An unbounded single-consumer queue exposed as an async iterator: producers push
// synchronously (from commit or dispatch code), the consumer awaits. Ends on end(), on
// fail(err) (the iterator then throws) or when the signal aborts.

export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: unknown;
  private failed = false;
  private iterated = false;

  constructor(private readonly signal?: AbortSignal) {
    if (signal) {
      if (signal.aborted) this.ended = true;
      else signal.addEventListener('abort', () => this.end(), { once: true });
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.ended || this.failed;
  }

  push(item: T): void {
    if (this.ended || this.failed) return;
    this.items.push(item);
    this.wake();
  }

  /** Ends the iteration after the queued items are consumed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** Ends the iteration now: queued items are dropped and the iterator throws `err`. */
  fail(err: unknown): void {
    if (this.ended || this.failed) return;
    this.failed = true;
    this.error = err;
    this.items = [];
    this.head = 0;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w();
    }
  }

  private shift(): T {
    const item = this.items[this.head]!;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Waits until an item is available or the queue ended. */
  private wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('AsyncQueue can be iterated once');
    this.iterated = true;
    for (;;) {
      if (this.failed) throw this.error;
      if (this.size > 0) {
        yield this.shift();
        continue;
      }
      if (this.ended || this.signal?.aborted) return;
      await this.wait();
    }
  }
}
