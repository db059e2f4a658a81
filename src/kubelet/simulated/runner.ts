// A keyed task runner with bounded concurrency: a key queued twice runs once, a key is never run
// twice at the same time (added while running, it runs again afterwards), and at most `limit`
// tasks are in flight, which bounds the writes the simulated nodes send at once.

export type Task = (key: string) => Promise<void>;

export class KeyedRunner {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly limit: number,
    private readonly task: Task,
  ) {}

  add(key: string): void {
    if (this.closed) return;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Keys waiting or running. */
  get pending(): number {
    return this.queued.size + this.running.size;
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops queued keys and resolves once running tasks end. */
  close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.queued.clear();
    this.again.clear();
    return this.idle();
  }

  private pump(): void {
    while (this.running.size < this.limit && this.head < this.queue.length) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.running.add(key);
      void this.run(key);
    }
    if (this.pending === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.task(key);
    } catch {
      // Tasks handle (log, retry) their own failures; a rejection here must not go unhandled.
    } finally {
      this.running.delete(key);
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }
}
