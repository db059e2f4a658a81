// The watch cache for one resource prefix (upstream k8s.io/apiserver pkg/storage/cacher):
// list+watch of the Backend into memory, a window of recent events, LIST and WATCH served
// from memory, writes and GET passed through to the underlying Storage.
//
// Objects and events handed out by the cache are deep-frozen and shared by every reader and
// watcher: copy before mutating.

import { AsyncQueue } from '../async-queue.js';
import { prefixEnd } from '../keys.js';
import { noopLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { hasWatchProgress, StorageError } from '../interfaces.js';
import type {
  BackendEvent,
  GetOptions,
  ListOptions,
  ListResult,
  Preconditions,
  Storage,
  StorageWatchOptions,
  StoredObject,
  WatchBatch,
  WatchEvent,
} from '../interfaces.js';
import { encodeContinue } from '../continue.js';
import { bookmarkObject, parseResourceVersion, tooLargeResourceVersion } from '../store.js';
import type { BackendStorage } from '../store.js';
import { SortedMap } from './sorted-map.js';
import { deepFreeze } from '../../util/freeze.js';

export interface CacherOptions {
  /** The resource prefix this cache holds, ending in '/': `/registry/pods/`. */
  prefix: string;
  logger?: Logger;
  /** Events always kept in the window. Default 1000. */
  eventWindowSize?: number;
  /** Events younger than eventFreshMs are kept up to this many. Default 100,000. */
  eventWindowMaxSize?: number;
  /** Default 75 s (upstream eventFreshDuration). */
  eventFreshMs?: number;
  /** Events queued for one watcher before it is terminated as unresponsive. Default 1000. */
  watcherBufferSize?: number;
  /** Quiet time after which a watcher with allowBookmarks gets a BOOKMARK. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  bookmarkType?: { apiVersion?: string; kind?: string };
  /** How long a read waits for the cache to reach a resourceVersion. Default 3000 ms (upstream). */
  waitTimeoutMs?: number;
}

export type CacherState = 'new' | 'starting' | 'ready' | 'closed';

export interface Cacher extends Storage {
  readonly state: CacherState;
  /** Resolves when the initial list is in memory. */
  start(signal?: AbortSignal): Promise<void>;
  /** Idempotent: ends every watch and the backend watch. */
  close(): Promise<void>;
}

export function createCacher(storage: BackendStorage, options: CacherOptions): Cacher {
  return new WatchCache(storage, options);
}

type Obj = Readonly<StoredObject>;

/** One change in the window; the WatchEvents built from it are shared by all watchers. */
interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  revision: number;
  /** New content; for DELETED the last content at the deletion's revision. */
  object: Obj;
  prevObject: Obj | undefined;
  time: number;
  shared: WatchEvent;
  /** MODIFIED into the selection. */
  added?: WatchEvent;
  /** MODIFIED out of the selection: previous content at this revision. */
  removed?: WatchEvent;
}

interface CacheWatcher {
  key: string;
  recursive: boolean;
  matches: ((o: StoredObject) => boolean) | undefined;
  queue: AsyncQueue<WatchEvent>;
  allowBookmarks: boolean;
  capacity: number;
  lastSent: number;
}

/** A frozen copy of `obj` with another resourceVersion (sharing the rest, which is frozen). */
function withRevision(obj: Obj, revision: number): Obj {
  return Object.freeze({ ...obj, metadata: Object.freeze({ ...obj.metadata, resourceVersion: String(revision) }) });
}

class WatchCache implements Cacher {
  state: CacherState = 'new';
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly o: Required<Omit<CacherOptions, 'logger' | 'bookmarkType' | 'prefix'>>;
  /** Every object by key, in key order (LIST and initial events walk it from a prefix). */
  private objects = new SortedMap<Obj>();
  private rev = 0;
  private window: CacheEvent[] = [];
  private windowHead = 0;
  /** The window holds every event with revision > windowFloor. */
  private windowFloor = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: { revision: number; resolve: () => void }[] = [];
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private ready!: Promise<void>;
  private markReady!: () => void;
  private readonly progress: boolean;

  constructor(
    private readonly storage: BackendStorage,
    options: CacherOptions,
  ) {
    if (!options.prefix.endsWith('/')) throw new Error(`cacher prefix must end in '/': ${options.prefix}`);
    this.prefix = options.prefix;
    this.log = options.logger ?? noopLogger;
    this.o = {
      eventWindowSize: options.eventWindowSize ?? 1000,
      eventWindowMaxSize: options.eventWindowMaxSize ?? 100_000,
      eventFreshMs: options.eventFreshMs ?? 75_000,
      watcherBufferSize: options.watcherBufferSize ?? 1000,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      waitTimeoutMs: options.waitTimeoutMs ?? 3000,
    };
    this.bookmarkType = options.bookmarkType;
    this.progress = hasWatchProgress(storage.backend);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  private readonly bookmarkType: { apiVersion?: string; kind?: string } | undefined;

  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') return this.ready;
    this.state = 'starting';
    this.loop = this.run();
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), Math.max(50, this.o.bookmarkIntervalMs / 2));
    this.bookmarkTimer.unref();
    if (!signal) return this.ready;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.ready.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      );
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.abort.abort();
    clearInterval(this.bookmarkTimer);
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    await this.loop;
  }

  // --- feeding the cache -----------------------------------------------------------------

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.log.warn({ err, prefix: this.prefix }, 'watch cache lost its watch, relisting');
      }
      if (signal.aborted) break;
      // Watchers may have missed events: end them (clients re-watch) and relist, as upstream.
      for (const w of this.watchers) w.queue.end();
      this.watchers.clear();
      await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    const backend = this.storage.backend;
    const keys: string[] = [];
    const values: Obj[] = [];
    let at = 0;
    let startKey: string | undefined;
    for (;;) {
      const res = await backend.range(this.prefix, { revision: at, startKey, limit: 5000 });
      at = res.revision;
      for (const kv of res.kvs) {
        keys.push(kv.key);
        values.push(this.storage.decodeFrozen(kv));
      }
      if (!res.more || res.kvs.length === 0) break;
      startKey = `${res.kvs[res.kvs.length - 1]!.key}\x00`;
    }
    this.objects = SortedMap.fromSorted(keys, values);
    this.window = [];
    this.windowHead = 0;
    this.windowFloor = at;
    this.rev = at;
    this.state = 'ready';
    this.markReady();
    this.log.debug({ prefix: this.prefix, revision: at, objects: keys.length }, 'watch cache ready');
    this.resolveWaiters();
    if (hasWatchProgress(backend)) {
      for await (const batch of backend.watchWithProgress(this.prefix, { afterRevision: at, signal })) this.apply(batch);
    } else {
      for await (const events of backend.watch(this.prefix, { afterRevision: at, signal })) {
        this.apply({ events, revision: events[events.length - 1]!.kv.modRevision });
      }
    }
  }

  private apply(batch: WatchBatch): void {
    const now = Date.now();
    const out: CacheEvent[] = [];
    for (const e of batch.events) out.push(this.applyOne(e, now));
    if (batch.revision > this.rev) this.rev = batch.revision;
    if (out.length > 0) {
      const last = out[out.length - 1]!.revision;
      if (last > this.rev) this.rev = last;
      for (const ev of out) this.window.push(ev);
      this.trimWindow(now);
      this.dispatch(out);
    }
    this.resolveWaiters();
  }

  private applyOne(e: BackendEvent, now: number): CacheEvent {
    const key = e.kv.key;
    const revision = e.kv.modRevision;
    const prev = this.objects.get(key);
    let ev: CacheEvent;
    if (e.type === 'delete') {
      const object = prev ? withRevision(prev, revision) : this.storage.decodeFrozen(e.kv);
      if (prev) this.objects.delete(key);
      ev = { type: 'DELETED', key, revision, object, prevObject: prev, time: now, shared: { type: 'DELETED', object } };
    } else {
      const object = this.storage.decodeFrozen(e.kv);
      this.objects.set(key, object);
      const type = prev ? 'MODIFIED' : 'ADDED';
      ev = { type, key, revision, object, prevObject: prev, time: now, shared: { type, object } };
    }
    Object.freeze(ev.shared);
    return ev;
  }

  private trimWindow(now: number): void {
    const { eventWindowSize: min, eventWindowMaxSize: max, eventFreshMs: fresh } = this.o;
    let size = this.window.length - this.windowHead;
    while (size > min) {
      const oldest = this.window[this.windowHead]!;
      if (size <= max && now - oldest.time < fresh) break;
      this.windowFloor = oldest.revision;
      this.windowHead++;
      size--;
    }
    if (this.windowHead > 4096 && this.windowHead * 2 > this.window.length) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /** Resolves true once the cache has seen `revision`, false after the timeout. */
  private waitFor(revision: number, timeoutMs = this.o.waitTimeoutMs): Promise<boolean> {
    if (revision <= this.rev) return Promise.resolve(true);
    if (this.state === 'closed') return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(revision <= this.rev);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until the cache holds everything the backend has committed (consistent read). */
  private async waitConsistent(): Promise<boolean> {
    if (!this.progress) return false;
    const current = await this.storage.backend.currentRevision();
    return this.waitFor(current);
  }

  // --- fan-out ----------------------------------------------------------------------------

  private convert(ev: CacheEvent, w: CacheWatcher): WatchEvent | undefined {
    if (w.recursive ? !ev.key.startsWith(w.key) : ev.key !== w.key) return undefined;
    const m = w.matches;
    if (!m) return ev.shared;
    if (ev.type !== 'MODIFIED') return m(ev.object) ? ev.shared : undefined;
    const curOk = m(ev.object);
    const prevOk = ev.prevObject ? m(ev.prevObject) : curOk;
    if (curOk && prevOk) return ev.shared;
    if (curOk) return (ev.added ??= Object.freeze({ type: 'ADDED', object: ev.object }));
    if (prevOk) {
      return (ev.removed ??= Object.freeze({ type: 'DELETED', object: withRevision(ev.prevObject!, ev.revision) }));
    }
    return undefined;
  }

  private dispatch(events: CacheEvent[]): void {
    const now = Date.now();
    for (const w of this.watchers) {
      for (const ev of events) {
        const out = this.convert(ev, w);
        if (!out) continue;
        if (w.queue.size >= w.capacity) {
          // Upstream terminates an unresponsive watcher; its client re-watches from its last RV.
          this.log.warn({ prefix: this.prefix, key: w.key, buffered: w.queue.size }, 'terminating unresponsive watcher');
          w.queue.end();
          this.watchers.delete(w);
          break;
        }
        w.queue.push(out);
        w.lastSent = now;
      }
    }
  }

  private sendBookmarks(): void {
    if (this.state !== 'ready' || this.watchers.size === 0) return;
    const now = Date.now();
    let bookmark: WatchEvent | undefined;
    for (const w of this.watchers) {
      if (!w.allowBookmarks || w.queue.size > 0 || now - w.lastSent < this.o.bookmarkIntervalMs) continue;
      bookmark ??= Object.freeze({ type: 'BOOKMARK', object: deepFreeze(bookmarkObject(this.rev, this.bookmarkType)) });
      w.queue.push(bookmark);
      w.lastSent = now;
    }
  }

  // --- Storage ----------------------------------------------------------------------------

  /** A method so that TypeScript does not narrow the state across awaits. */
  private closed(): boolean {
    return this.state === 'closed';
  }

  private covers(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  create<T extends StoredObject>(key: string, obj: T, options?: { dryRun?: boolean }): Promise<T> {
    return this.storage.create(key, obj, options);
  }

  async get<T extends StoredObject>(key: string, options?: GetOptions): Promise<T | undefined> {
    if (this.state !== 'ready' || !this.covers(key)) return this.storage.get(key, options);
    const rvString = options?.resourceVersion ?? '';
    // resourceVersion "0" means "any version": served from memory, as upstream's cacher does.
    if (rvString !== '0') {
      // Other reads come from memory only for callers that accept the shared frozen object:
      // 'N' when the cache has seen N (upstream serves these from the cache too), '' once it has
      // caught up with everything committed (a consistent read, as storage would give).
      if (!options?.shared) return this.storage.get(key, options);
      // A revision the cache has not seen yet goes to storage (which answers or says too large).
      const fresh = rvString === '' ? await this.waitConsistent() : parseResourceVersion(rvString, key) <= this.rev;
      if (!fresh || this.state !== 'ready') return this.storage.get(key, options);
    }
    const obj = this.objects.get(key);
    if (obj) return obj as unknown as T;
    if (options?.ignoreNotFound) return undefined;
    throw new StorageError('KeyNotFound', key, `key not found: ${key}`, { resourceVersion: this.rev });
  }

  guaranteedUpdate<T extends StoredObject>(
    key: string,
    tryUpdate: (current: T | undefined) => T | Promise<T>,
    options?: { preconditions?: Preconditions; ignoreNotFound?: boolean; dryRun?: boolean; cachedExisting?: T },
  ): Promise<T> {
    // Upstream cacher.GuaranteedUpdate: the first attempt starts from the cached object instead
    // of a read; the write carries its revision as precondition, so a stale copy only costs a
    // conflict and a re-read. The object is frozen and shared: tryUpdate must copy before
    // mutating (an attempt that throws on a cached object is retried on a fresh read).
    if (this.state === 'ready' && !options?.dryRun && options?.cachedExisting === undefined && this.covers(key)) {
      const cached = this.objects.get(key);
      const wanted = options?.preconditions?.resourceVersion;
      // A precondition naming a newer revision than the cache holds: the cache is behind, read.
      if (cached && !(wanted !== undefined && /^\d+$/.test(wanted) && Number(wanted) > Number(cached.metadata?.resourceVersion))) {
        return this.storage.guaranteedUpdate(key, tryUpdate, { ...options, cachedExisting: cached as unknown as T });
      }
    }
    return this.storage.guaranteedUpdate(key, tryUpdate, options);
  }

  delete<T extends StoredObject>(
    key: string,
    options?: { preconditions?: Preconditions; validateDeletion?: (current: T) => void | Promise<void>; dryRun?: boolean },
  ): Promise<T> {
    return this.storage.delete(key, options);
  }

  currentResourceVersion(): Promise<string> {
    return this.storage.currentResourceVersion();
  }

  async getList<T extends StoredObject>(prefix: string, options: ListOptions = {}): Promise<ListResult<T>> {
    if (this.state !== 'ready' || !this.covers(prefix) || options.continue) return this.storage.getList(prefix, options);
    const rvString = options.resourceVersion ?? '';
    const rv = parseResourceVersion(rvString, prefix);
    const match = options.resourceVersionMatch ?? '';
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    // Exact reads (and the legacy paged read at a resourceVersion) need history: the backend.
    if (match === 'Exact' || (match === '' && limit > 0 && rv > 0)) return this.storage.getList(prefix, options);
    if (rvString === '') {
      if (!(await this.waitConsistent())) return this.storage.getList(prefix, options);
    } else if (rv > this.rev && !(await this.waitFor(rv))) {
      throw tooLargeResourceVersion(prefix, rv, this.rev);
    }
    if (this.state !== 'ready') return this.storage.getList(prefix, options);
    return this.listFromMemory<T>(prefix, options.predicate?.matches, limit);
  }

  /** One synchronous pass over the sorted keys: a consistent snapshot at this.rev. */
  private listFromMemory<T extends StoredObject>(
    prefix: string,
    matches: ((o: StoredObject) => boolean) | undefined,
    limit: number,
  ): ListResult<T> {
    const end = prefixEnd(prefix);
    const items: T[] = [];
    let lastKey = '';
    let more = false;
    this.objects.forEachInRange(prefix, end, (key, obj) => {
      if (limit > 0 && items.length === limit) {
        // A further key in the range, selected or not: the list continues.
        more = true;
        return false;
      }
      if (!matches || matches(obj)) {
        items.push(obj as T);
        lastKey = key;
      }
      return true;
    });
    const out: ListResult<T> = { items, resourceVersion: String(this.rev) };
    if (more) {
      // Later pages are read from storage at exactly this revision.
      const next = `${lastKey}\x00`;
      out.continue = encodeContinue(next, prefix, this.rev);
      if (!matches) out.remainingItemCount = this.objects.countInRange(next, end);
    }
    return out;
  }

  watch<T extends StoredObject>(key: string, options: StorageWatchOptions): AsyncIterable<WatchEvent<T>> {
    return { [Symbol.asyncIterator]: () => this.watchEvents<T>(key, options) };
  }

  private async *watchEvents<T extends StoredObject>(key: string, options: StorageWatchOptions): AsyncGenerator<WatchEvent<T>> {
    if (!this.covers(key)) {
      yield* this.storage.watch<T>(key, options);
      return;
    }
    if (this.state !== 'ready') await this.ready;
    if (this.closed() || options.signal.aborted) return;
    const rvString = options.resourceVersion ?? '';
    const rv = parseResourceVersion(rvString, key);
    const initial = options.sendInitialEvents ?? (rvString === '' || rvString === '0');
    if (initial && rvString === '' && !(await this.waitConsistent())) {
      yield* this.storage.watch<T>(key, options);
      return;
    }
    if (rv > this.rev && !(await this.waitFor(rv))) throw tooLargeResourceVersion(key, rv, this.rev);
    if (this.closed() || options.signal.aborted) return;
    if (!initial && rv < this.windowFloor) {
      // Older than the window but maybe not compacted: the backend replays its log.
      yield* this.storage.watch<T>(key, options);
      return;
    }

    // From here on synchronous until the watcher is registered: no event can slip between.
    const w: CacheWatcher = {
      key,
      recursive: options.recursive,
      matches: options.predicate?.matches,
      queue: new AsyncQueue<WatchEvent>(options.signal),
      allowBookmarks: options.allowBookmarks === true,
      capacity: this.o.watcherBufferSize,
      lastSent: Date.now(),
    };
    let backlog = 0;
    if (initial) {
      for (const obj of this.snapshot(key, options.recursive, w.matches)) {
        w.queue.push(Object.freeze({ type: 'ADDED', object: obj }));
        backlog++;
      }
      if (options.sendInitialEvents && w.allowBookmarks) {
        w.queue.push(Object.freeze({ type: 'BOOKMARK', object: deepFreeze(bookmarkObject(this.rev, this.bookmarkType, true)) }));
        backlog++;
      }
    } else {
      for (let i = this.firstEventAfter(rv); i < this.window.length; i++) {
        const out = this.convert(this.window[i]!, w);
        if (out) {
          w.queue.push(out);
          backlog++;
        }
      }
    }
    w.capacity += backlog;
    this.watchers.add(w);
    try {
      for await (const ev of w.queue) yield ev as WatchEvent<T>;
    } finally {
      this.watchers.delete(w);
    }
  }

  private snapshot(key: string, recursive: boolean, matches: ((o: StoredObject) => boolean) | undefined): Obj[] {
    if (!recursive) {
      const obj = this.objects.get(key);
      return obj && (!matches || matches(obj)) ? [obj] : [];
    }
    const out: Obj[] = [];
    this.objects.forEachInRange(key, prefixEnd(key), (_k, obj) => {
      if (!matches || matches(obj)) out.push(obj);
    });
    return out;
  }

  /** Index of the first window event with revision > rev. */
  private firstEventAfter(rev: number): number {
    let lo = this.windowHead;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.window[mid]!.revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
