// Shared informers by resource (client-go informers.SharedInformerFactory + dynamicinformer):
// every controller asking for the same resource shares one list+watch and one cache.

import { setMaxListeners } from 'node:events';
import type { Logger } from '../../logging/index.js';
import type { Interface } from '../clientset.js';
import type { GroupVersionResource, KubeObject } from '../rest/resource.js';
import { listerWatcherFor, type ReflectorOptions } from './reflector.js';
import { SharedInformer } from './informer.js';

export interface InformerFactoryOptions {
  logger: Logger;
  /** Default resync period of handlers, ms; 0 (default) = none. */
  defaultResyncMs?: number;
  /** Only this namespace (default: all). */
  namespace?: string;
  reflector?: Omit<ReflectorOptions, 'name' | 'logger'>;
  /**
   * Cache objects without metadata.managedFields, as kube-controller-manager's and
   * kube-scheduler's factories do (informers.WithTransform(trim)): controllers never read them.
   */
  trimManagedFields?: boolean;
}

export interface InformerRequest {
  /** PartialObjectMetadata instead of full objects. */
  metadataOnly?: boolean;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly running = new Map<string, Promise<void>>();
  private signal: AbortSignal | undefined;
  /** Linked to the start signal; every reflector's requests listen on it, so no listener cap. */
  private readonly ac = new AbortController();

  constructor(
    private readonly client: Interface,
    private readonly opts: InformerFactoryOptions,
  ) {}

  /** The shared informer of a resource, created on first request. Call start() to run new ones. */
  forResource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, req: InformerRequest = {}): SharedInformer<T> {
    const key = informerKey(gvr, req);
    let inf = this.informers.get(key);
    if (!inf) {
      const rc = req.metadataOnly ? this.client.metadata(gvr) : this.client.resource(gvr);
      inf = new SharedInformer<KubeObject>({
        listerWatcher: listerWatcherFor(rc, { namespace: this.opts.namespace, trimManagedFields: this.opts.trimManagedFields }),
        logger: this.opts.logger,
        name: req.metadataOnly ? `${gvrString(gvr)} (metadata)` : gvrString(gvr),
        resyncPeriodMs: this.opts.defaultResyncMs,
        reflector: this.opts.reflector,
      });
      this.informers.set(key, inf);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Runs every informer not yet running; may be called again after adding informers. */
  start(signal: AbortSignal): void {
    if (!this.signal) {
      this.signal = signal;
      setMaxListeners(0, this.ac.signal);
      if (signal.aborted) this.ac.abort();
      else signal.addEventListener('abort', () => this.ac.abort(), { once: true });
    }
    const run = this.ac.signal;
    for (const [key, inf] of this.informers) {
      if (this.running.has(key) || run.aborted) continue;
      this.running.set(
        key,
        inf.run(run).catch((e: unknown) => {
          this.opts.logger.error({ informer: inf.name, err: e instanceof Error ? e.message : String(e) }, 'informer stopped with an error');
        }),
      );
    }
  }

  /** Resolves true once every started informer has synced; false when `signal` aborts. */
  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    const started = [...this.informers].filter(([k]) => this.running.has(k)).map(([, inf]) => inf);
    const results = await Promise.all(started.map((inf) => inf.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Stops every informer (as aborting the start signal does) and awaits them. Idempotent. */
  async shutdown(): Promise<void> {
    this.ac.abort();
    await Promise.all(this.running.values());
  }
}

export function gvrString(gvr: GroupVersionResource): string {
  return gvr.group ? `${gvr.resource}.${gvr.version}.${gvr.group}` : `${gvr.resource}.${gvr.version}`;
}

function informerKey(gvr: GroupVersionResource, req: InformerRequest): string {
  return `${req.metadataOnly ? 'm' : 'f'}:${gvr.group}/${gvr.version}/${gvr.resource}`;
}
