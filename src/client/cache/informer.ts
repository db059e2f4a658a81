// The shared informer (client-go tools/cache/shared_informer.go): one reflector filling one
// indexer, fanning changes out to event handlers. Handlers run synchronously and must only
// enqueue work; objects they receive are the cached ones and must not be mutated.

import type { Logger } from '../../logging/index.js';
import type { KubeObject } from '../rest/resource.js';
import { Indexer, type Indexers } from './indexer.js';
import { Reflector, sleep, type ListerWatcher, type ReflectorOptions, type ReflectorSink } from './reflector.js';

export interface EventHandler<T extends KubeObject> {
  /** A new object; `isInInitialList` during the first list. */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** A changed object, or the same object again on resync (old === new). */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * A deleted object. `finalStateUnknown` when the deletion was noticed by a re-list, not a
   * watch event (client-go's DeletedFinalStateUnknown): `obj` is the last state seen.
   */
  onDelete?(obj: T, finalStateUnknown: boolean): void;
}

export interface Registration {
  remove(): void;
  hasSynced(): boolean;
}

export interface SharedInformerOptions<T extends KubeObject> {
  listerWatcher: ListerWatcher<T>;
  logger: Logger;
  /** Name for logs: the resource. */
  name: string;
  indexers?: Indexers<T>;
  /** Default resync period of handlers, ms; 0 = none. */
  resyncPeriodMs?: number;
  reflector?: Omit<ReflectorOptions, 'name' | 'logger'>;
}

interface HandlerEntry<T extends KubeObject> {
  handler: EventHandler<T>;
  resyncMs: number;
  timer: NodeJS.Timeout | undefined;
  removed: boolean;
}

type State = 'new' | 'running' | 'stopped';

/** A read view of an informer's cache by namespace and name. */
export class Lister<T extends KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.getByName(namespace, name);
  }
  /** By `namespace/name` key. */
  getByKey(key: string): T | undefined {
    return this.indexer.get(key);
  }
  list(namespace?: string): T[] {
    return this.indexer.listNamespace(namespace);
  }
  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}

export class SharedInformer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly indexer: Indexer<T>;
  private readonly handlers: HandlerEntry<T>[] = [];
  private readonly reflector: Reflector<T>;
  private readonly log: Logger;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private state: State = 'new';
  private runSignal: AbortSignal | undefined;

  constructor(private readonly opts: SharedInformerOptions<T>) {
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.log = opts.logger.child({ informer: opts.name });
    this.reflector = new Reflector<T>(opts.listerWatcher, this, { ...(opts.reflector ?? {}), name: opts.name, logger: opts.logger });
  }

  get name(): string {
    return this.opts.name;
  }

  lister(): Lister<T> {
    return new Lister(this.indexer);
  }

  /**
   * Adds a handler. Added to a running, synced informer it first receives onAdd for every
   * cached object (as client-go does). `resyncPeriodMs` (default: the informer's) replays
   * every cached object as onUpdate(obj, obj) periodically.
   */
  addEventHandler(handler: EventHandler<T>, resyncPeriodMs?: number): Registration {
    const entry: HandlerEntry<T> = { handler, resyncMs: resyncPeriodMs ?? this.opts.resyncPeriodMs ?? 0, timer: undefined, removed: false };
    this.handlers.push(entry);
    if (this.synced) for (const o of this.indexer.list()) this.call(entry, 'onAdd', () => handler.onAdd?.(o, true));
    if (this.state === 'running') this.startResync(entry);
    return {
      remove: () => {
        entry.removed = true;
        if (entry.timer) clearInterval(entry.timer);
        const i = this.handlers.indexOf(entry);
        if (i >= 0) this.handlers.splice(i, 1);
      },
      hasSynced: () => this.synced,
    };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Adds the indexers not present yet; an index another user of the informer added is shared. */
  ensureIndexers(indexers: Indexers<T>): void {
    this.indexer.ensureIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** Resolves true once the first list is in the cache, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Runs the reflector until `signal` aborts. Can run once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`informer ${this.name} already ${this.state}`);
    this.state = 'running';
    this.runSignal = signal;
    for (const h of this.handlers) this.startResync(h);
    try {
      await this.reflector.run(signal);
    } finally {
      this.state = 'stopped';
      for (const h of this.handlers) if (h.timer) clearInterval(h.timer);
    }
  }

  // ---- ReflectorSink

  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const previous = new Map<string, T>();
    for (const o of this.indexer.list()) previous.set(this.indexer.key(o), o);
    const gone = this.indexer.replace(items);
    for (const o of items) {
      const old = previous.get(this.indexer.key(o));
      if (!old) this.dispatch('onAdd', (h) => h.onAdd?.(o, initial));
      else if (old.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.dispatch('onUpdate', (h) => h.onUpdate?.(old, o));
    }
    for (const o of gone) this.dispatch('onDelete', (h) => h.onDelete?.(o, true));
    if (!this.synced) {
      this.synced = true;
      const ws = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of ws) w();
    }
  }

  add(obj: T): void {
    this.update(obj);
  }

  update(obj: T): void {
    const old = this.indexer.upsert(obj);
    if (old) this.dispatch('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.dispatch('onAdd', (h) => h.onAdd?.(obj, false));
  }

  delete(obj: T): void {
    this.indexer.remove(obj);
    this.dispatch('onDelete', (h) => h.onDelete?.(obj, false));
  }

  // ----

  private dispatch(what: string, fn: (h: EventHandler<T>) => void): void {
    for (const entry of [...this.handlers]) if (!entry.removed) this.call(entry, what, () => fn(entry.handler));
  }

  private call(_entry: HandlerEntry<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : String(e), handler: what }, 'event handler failed');
    }
  }

  private startResync(entry: HandlerEntry<T>): void {
    if (entry.resyncMs <= 0 || entry.timer || !this.runSignal || this.runSignal.aborted) return;
    entry.timer = setInterval(() => {
      if (!this.synced || entry.removed) return;
      for (const o of this.indexer.list()) this.call(entry, 'onUpdate', () => entry.handler.onUpdate?.(o, o));
    }, entry.resyncMs);
    entry.timer.unref();
  }
}

export { sleep };
