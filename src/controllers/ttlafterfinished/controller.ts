// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): a finished Job
// with spec.ttlSecondsAfterFinished is deleted, with its pods in the foreground, once the TTL
// has passed since its Complete or Failed condition; until then it is requeued for that moment.

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { JOBS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { objectKey } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';

export const NAME = 'ttl-after-finished-controller';

type JobObject = Job & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new TTLAfterFinishedController(ctx);
}

export class TTLError extends Error {
  readonly code = 'TTLError';
  constructor(message: string) {
    super(message);
    this.name = 'TTLError';
  }
}

/** Finished (Complete or Failed True) with a TTL set. */
export function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished !== undefined && job.spec.ttlSecondsAfterFinished !== null && finishTime(job) !== undefined;
}

/** The lastTransitionTime of the Complete/Failed condition; NaN when it has none. */
function finishTime(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  }
  return undefined;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly lister: Lister<JobObject>;
  private readonly pool: WorkerPool<string>;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const informer = ctx.informers.forResource<JobObject>(JOBS);
    this.lister = informer.lister();
    const enqueue = (j: JobObject): void => {
      if (!j.metadata?.deletionTimestamp && needsCleanup(j)) this.pool.queue.add(objectKey(j));
    };
    informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, j) => enqueue(j) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Milliseconds left before the Job expires (≤ 0: expired), undefined when it needs no cleanup. */
  private timeLeft(job: JobObject): number | undefined {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return undefined;
    const finished = finishTime(job)!;
    if (Number.isNaN(finished)) throw new TTLError(`unable to find the time when the Job ${objectKey(job)} finished`);
    const now = this.now();
    if (finished > now) this.log.info({ job: objectKey(job) }, 'job finished in the future, likely clock skew; cleanup deferred');
    return finished + job.spec!.ttlSecondsAfterFinished! * 1000 - now;
  }

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const cached = this.lister.get(ns, name);
    if (!cached) return;
    const left = this.timeLeft(cached);
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    // The cached TTL may be stale: decide on a fresh read.
    let fresh: JobObject;
    try {
      fresh = await this.client.resource<JobObject>(JOBS).get(name, { namespace: ns, signal });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const freshLeft = this.timeLeft(fresh);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    try {
      await this.client.resource(JOBS).delete(name, { namespace: ns, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid }, signal });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.log.debug({ job: key }, 'cleaned up finished job');
  }
}
