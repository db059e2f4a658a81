// Workers over a rate-limited queue, the loop every controller shares (sample-controller's
// runWorker/processNextWorkItem): take a key, sync it, forget on success, retry with backoff
// on error, requeue after a delay when asked. The queue never hands out a key being processed.

import { setMaxListeners } from 'node:events';
import { RateLimitingQueue } from '../../client/workqueue/queue.js';
import type { Logger } from '../../logging/index.js';
import type { SyncResult } from './types.js';

export type SyncFunc<T> = (item: T, signal: AbortSignal) => Promise<void | SyncResult>;

export interface WorkerPoolOptions<T> {
  name: string;
  sync: SyncFunc<T>;
  logger: Logger;
  workers: number;
  queue?: RateLimitingQueue<T>;
}

type State = 'new' | 'running' | 'closing' | 'closed';

export class WorkerPool<T> {
  readonly queue: RateLimitingQueue<T>;
  private readonly log: Logger;
  private readonly ac = new AbortController();
  private loops: Promise<void>[] = [];
  private state: State = 'new';
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: WorkerPoolOptions<T>) {
    this.queue = opts.queue ?? new RateLimitingQueue<T>();
    this.log = opts.logger;
    setMaxListeners(0, this.ac.signal);
  }

  /** Starts the workers; they stop when `signal` aborts or on close(). */
  start(signal: AbortSignal): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    const onAbort = (): void => {
      void this.close();
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    for (let i = 0; i < Math.max(1, this.opts.workers); i++) this.loops.push(this.loop());
  }

  /** Stops taking keys, aborts running syncs and awaits them. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closing';
      this.ac.abort();
      this.queue.shutdown();
      this.closing = Promise.all(this.loops).then(() => {
        this.state = 'closed';
      });
    }
    return this.closing;
  }

  private async loop(): Promise<void> {
    const signal = this.ac.signal;
    while (!signal.aborted) {
      const item = await this.queue.get();
      if (item === undefined) return;
      if (signal.aborted) {
        this.queue.done(item);
        return;
      }
      try {
        const result = await this.opts.sync(item, signal);
        this.queue.forget(item);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(item, result.requeueAfterMs);
      } catch (e) {
        if (!signal.aborted) {
          this.log.warn({ key: String(item), err: e instanceof Error ? e.message : String(e), retries: this.queue.numRequeues(item) }, 'sync failed, will retry');
          this.queue.addRateLimited(item);
        }
      } finally {
        this.queue.done(item);
      }
    }
  }
}
