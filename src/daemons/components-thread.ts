// The components (controller manager, scheduler, simulated nodes) on a thread of their own, so
// their informers, work queues and client-side JSON and TLS never delay the API server's
// requests. The main thread starts the worker, waits for it to report ready, asks it for the
// scheduler's figures when /metrics is scraped, and stops it on shutdown. A worker that fails
// after start is fatal: `failed` resolves with the reason.

import { Worker } from 'node:worker_threads';
import type { SchedulerMetrics } from '../scheduler/index.js';
import type { ComponentsConfig } from './components.js';

export type ToWorker = { type: 'stop' } | { type: 'metrics'; id: number };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'error'; message: string }
  | { type: 'metrics'; id: number; scheduler: SchedulerMetrics | undefined; schedulerName: string };

export interface SchedulerFigures {
  name: string;
  metrics: SchedulerMetrics;
}

function spawnWorker(data: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./components-worker.js', here), { workerData: data });
  // Under tsx (tests), the worker registers tsx before importing the TypeScript entry.
  const entry = new URL('./components-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

export class ComponentsThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, (f: SchedulerFigures | undefined) => void>();
  private nextId = 0;
  private stopping: Promise<void> | undefined;
  private fail!: (reason: string) => void;
  /** Resolves with a reason if the components fail after they started. */
  readonly failed: Promise<string> = new Promise((r) => (this.fail = r));

  /** Starts the worker; resolves once every component runs, rejects with the reason otherwise. */
  start(config: ComponentsConfig, logLevel: string): Promise<void> {
    const worker = spawnWorker({ config, logLevel });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          started = true;
          resolve();
        } else if (m.type === 'error') {
          if (started) this.fail(m.message);
          else reject(new Error(m.message));
        } else if (m.type === 'metrics') {
          const w = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          w?.(m.scheduler ? { name: m.schedulerName, metrics: m.scheduler } : undefined);
        }
      });
      worker.on('error', (e) => {
        if (started) this.fail(`components thread crashed: ${e.message}`);
        else reject(e);
      });
      worker.on('exit', (code) => {
        for (const w of this.waiting.values()) w(undefined);
        this.waiting.clear();
        if (!this.stopping) {
          if (started) this.fail(`components thread exited with code ${code}`);
          else reject(new Error(`components thread exited with code ${code} before it was ready`));
        }
      });
    });
  }

  /** The scheduler's figures, or undefined when it does not run (or does not answer in 1 s). */
  schedulerFigures(): Promise<SchedulerFigures | undefined> {
    const worker = this.worker;
    if (!worker || this.stopping) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, 1000);
      this.waiting.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      worker.postMessage({ type: 'metrics', id } satisfies ToWorker);
    });
  }

  /** Asks the components to stop and waits for the thread to end (terminated after 15 s). */
  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), 15_000);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    return this.stopping;
  }
}
