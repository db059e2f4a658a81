// The namespace controller (upstream pkg/controller/namespace): empties namespaces that are
// being deleted and releases their `kubernetes` finalizer so the API server can remove them.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { Lister } from '../../client/cache/informer.js';
import { NAMESPACES } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';

export const NAME = 'namespace-controller';

export function create(ctx: ControllerContext): Controller {
  return new NamespaceController(ctx);
}

export interface NamespaceControllerOptions {
  /** Concurrent namespace syncs (upstream --concurrent-namespace-syncs, 10). */
  workers?: number;
  /** Resync of all namespaces, ms (upstream 5 min). */
  resyncMs?: number;
}

type NamespaceObject = Namespace & KubeObject;

export class NamespaceController implements Controller {
  readonly name = NAME;
  private readonly lister: Lister<NamespaceObject>;
  private readonly pool: WorkerPool<string>;
  private readonly deleter: NamespacedResourcesDeleter;
  private readonly log: Logger;

  constructor(ctx: ControllerContext, opts: NamespaceControllerOptions = {}) {
    this.log = ctx.logger;
    this.deleter = new NamespacedResourcesDeleter({ client: ctx.client });
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const informer = ctx.informers.forResource<NamespaceObject>(NAMESPACES);
    this.lister = informer.lister();
    // Upstream enqueues every namespace event; only deleting namespaces have work.
    const enqueue = (ns: NamespaceObject): void => {
      if (ns.metadata?.deletionTimestamp) this.pool.queue.add(ns.metadata.name!);
    };
    informer.addEventHandler(
      {
        onAdd: enqueue,
        onUpdate: (_old, ns) => enqueue(ns),
      },
      opts.resyncMs ?? 5 * 60 * 1000,
    );
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Deletes the content of namespace `key` if it is terminating; requeues while content remains. */
  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const ns = this.lister.get(undefined, key);
    if (!ns?.metadata?.deletionTimestamp) return;
    const t0 = performance.now();
    try {
      await this.deleter.delete(key, signal);
      this.log.debug({ namespace: key, ms: Math.round(performance.now() - t0) }, 'namespace content deleted');
    } catch (e) {
      if (e instanceof ResourcesRemainingError) {
        // Upstream waits half the estimate plus a second.
        const seconds = Math.floor(e.estimateSeconds / 2) + 1;
        this.log.debug({ namespace: key, seconds }, 'content remains, checking again later');
        return { requeueAfterMs: seconds * 1000 };
      }
      throw e;
    }
  }
}
