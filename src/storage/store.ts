// Storage over any Backend: the algorithm of upstream's etcd3 store (k8s.io/apiserver
// pkg/storage/etcd3/store.go) written once. Objects are stored as JSON without
// metadata.resourceVersion; it is set on every read from the key's modRevision.

import { newResourceExpired } from '../machinery/errors.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { noopLogger } from './logger.js';
import type { Logger } from './logger.js';
import { CompactedError, FutureRevisionError, StorageError, hasWatchProgress } from './interfaces.js';
import { deepFreeze } from '../util/freeze.js';
import type {
  Backend,
  BackendEvent,
  GetOptions,
  KeyValue,
  ListOptions,
  ListResult,
  Preconditions,
  RangeResult,
  Storage,
  StorageWatchOptions,
  StoredObject,
  WatchBatch,
  WatchEvent,
} from './interfaces.js';

export interface StoreOptions {
  logger?: Logger;
  /** Quiet time after which a watch with allowBookmarks gets a BOOKMARK. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** apiVersion and kind put on BOOKMARK objects (the registry knows them; the store does not). */
  bookmarkType?: { apiVersion?: string; kind?: string };
}

/** A Storage that exposes the Backend under it, for the watch cache. */
export interface BackendStorage extends Storage {
  readonly backend: Backend;
  /** JSON → object with metadata.resourceVersion = modRevision. A new object on each call. */
  decode<T extends StoredObject>(kv: KeyValue): T;
  /** decode, deep-frozen, for the watch cache (the object a write just returned, when it is that write's). */
  decodeFrozen<T extends StoredObject>(kv: KeyValue): T;
}

export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

// Upstream messages (etcd3/store.go).
export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
export const INCONSISTENT_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the returned list.';
export const LIST_EXPIRED_MESSAGE = 'The resourceVersion for the provided list is too old.';

/** Parses a resourceVersion string ('' → 0). Throws StorageError 'InvalidError' as upstream's BadRequest. */
export function parseResourceVersion(rv: string | undefined, key: string): number {
  if (rv === undefined || rv === '') return 0;
  if (!/^\d+$/.test(rv)) throw new StorageError('InvalidError', key, `invalid resource version: ${JSON.stringify(rv)}`);
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw new StorageError('InvalidError', key, `invalid resource version: ${JSON.stringify(rv)}`);
  return n;
}

export function tooLargeResourceVersion(key: string, requested: number, current: number): StorageError {
  return new StorageError('TooLargeResourceVersion', key, `Too large resource version: ${requested}, current: ${current}`, {
    resourceVersion: current,
  });
}

/** Upstream Preconditions.Check: both mismatches are InvalidObj errors with these messages. */
export function checkPreconditions(key: string, pre: Preconditions | undefined, obj: StoredObject | undefined): void {
  if (!pre) return;
  const meta = obj?.metadata ?? {};
  if (pre.uid !== undefined && pre.uid !== (meta.uid ?? '')) {
    throw new StorageError(
      'InvalidObj',
      key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== (meta.resourceVersion ?? '')) {
    throw new StorageError(
      'InvalidObj',
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
}

/** The stored form: the object's JSON without metadata.resourceVersion. */
export function encodeObject(obj: StoredObject): string {
  const meta = obj.metadata;
  if (meta && 'resourceVersion' in meta) {
    const { resourceVersion: _rv, ...rest } = meta;
    return JSON.stringify({ ...obj, metadata: rest });
  }
  return JSON.stringify(obj);
}

/** The stored form of an object to write, and the JSON of the object that decoding it gives. */
export interface WriteEncoding {
  /** encodeObject(obj). */
  readonly value: string;
  /**
   * JSON.stringify of decodeKv of `value` at `revision`, exactly, built from the parts of
   * `value`; undefined for an object whose decoding adds or moves keys (no metadata object).
   */
  jsonAt(revision: number): string | undefined;
}

const noJSON = (): undefined => undefined;

/**
 * encodeObject, keeping the top-level members' encodings so the JSON of the decoded object (its
 * resourceVersion appended to metadata, as decodeKv does) is a join instead of another encoding.
 * JSON.parse keeps the member order of the text and JSON.stringify of a parsed JSON value gives
 * the same text back, so that join is what JSON.stringify of the decoded object writes.
 */
export function encodeForWrite(obj: StoredObject): WriteEncoding {
  const meta = obj.metadata as unknown;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta) || typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return { value: encodeObject(obj), jsonAt: noJSON };
  }
  const members: string[] = [];
  let metaIndex = -1;
  let metaJSON: string | undefined;
  for (const key of Object.keys(obj)) {
    let json: string | undefined;
    if (key === 'metadata') {
      if ('resourceVersion' in meta) {
        const { resourceVersion: _rv, ...rest } = meta as Record<string, unknown>;
        json = JSON.stringify(rest);
      } else json = JSON.stringify(meta);
      metaIndex = json === undefined ? -1 : members.length;
      metaJSON = json;
    } else json = JSON.stringify((obj as Record<string, unknown>)[key]) as string | undefined;
    if (json !== undefined) members.push(`${JSON.stringify(key)}:${json}`);
  }
  // Metadata not among the object's own members, or encoded as nothing: the plain way.
  if (metaIndex < 0 || metaJSON === undefined) return { value: encodeObject(obj), jsonAt: noJSON };
  const value = `{${members.join(',')}}`;
  return {
    value,
    jsonAt(revision) {
      const rv = `"resourceVersion":${JSON.stringify(String(revision))}}`;
      const withRV = [...members];
      withRV[metaIndex] = `"metadata":${metaJSON === '{}' ? `{${rv}` : `${metaJSON.slice(0, -1)},${rv}`}`;
      return `{${withRV.join(',')}}`;
    },
  };
}

/**
 * The JSON of write results (JSON.stringify of the frozen object), made while encoding them for
 * storage: the write's response and watch lines take it instead of encoding the object again.
 */
const resultJSON = new WeakMap<object, string>();

/**
 * JSON.stringify(obj) for a write result of this storage, made along with its stored form, once:
 * the first caller takes it (and keeps it if it wants it again). Undefined for other objects.
 */
export function takeResultJSON(obj: object): string | undefined {
  const text = resultJSON.get(obj);
  if (text !== undefined) resultJSON.delete(obj);
  return text;
}

/**
 * Write results kept for the watch cache at most (oldest first out). A key nobody caches keeps
 * its entry until evicted; one the cache takes late is decoded again.
 */
const MAX_WRITTEN = 4096;
/** Stored forms of recent writes kept (see Store.storedForms): about 8 MiB of 1 KiB objects. */
const MAX_STORED_FORMS = 8192;

export function decodeKv<T extends StoredObject>(kv: KeyValue): T {
  let obj: T;
  try {
    obj = JSON.parse(kv.value) as T;
  } catch (cause) {
    throw new StorageError('InvalidObj', kv.key, `corrupt object: ${(cause as Error).message}`, { cause });
  }
  const meta = (obj.metadata ??= {});
  meta.resourceVersion = String(kv.modRevision);
  return obj;
}

export function bookmarkObject(
  revision: number,
  type: { apiVersion?: string; kind?: string } | undefined,
  initialEventsEnd = false,
): StoredObject {
  const obj: StoredObject = {};
  if (type?.kind) obj.kind = type.kind;
  if (type?.apiVersion) obj.apiVersion = type.apiVersion;
  obj.metadata = { resourceVersion: String(revision) };
  if (initialEventsEnd) obj.metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return obj;
}

/** The ERROR event of a watch whose start revision is compacted: 410 Expired, upstream's message. */
export function expiredWatchEvent<T extends StoredObject>(requested: number, compacted: number): WatchEvent<T> {
  const status = newResourceExpired(`too old resource version: ${requested} (${compacted})`).toStatus();
  return { type: 'ERROR', object: status as unknown as T };
}

export function createStorage(backend: Backend, options: StoreOptions = {}): BackendStorage {
  return new Store(backend, options);
}

const LIST_CHUNK = 5000;

class Store implements BackendStorage {
  private readonly log: Logger;
  private readonly bookmarkIntervalMs: number;
  /** Recent write results by key, for the watch cache (see writeResult). */
  private readonly written = new Map<string, { revision: number; object: StoredObject }>();
  /**
   * The stored form of recent writes by key, so the next update of an object from the cache does
   * not encode the current object again for its no-op check. Bounded (oldest out): objects
   * written often (Leases, pods being started) stay; the rest are encoded when updated.
   */
  private readonly storedForms = new Map<string, { revision: number; value: string }>();

  constructor(
    readonly backend: Backend,
    private readonly options: StoreOptions,
  ) {
    this.log = options.logger ?? noopLogger;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
  }

  decode<T extends StoredObject>(kv: KeyValue): T {
    return decodeKv<T>(kv);
  }

  decodeFrozen<T extends StoredObject>(kv: KeyValue): T {
    const written = this.written.get(kv.key);
    if (written !== undefined && written.revision === kv.modRevision) {
      this.written.delete(kv.key);
      return written.object as T;
    }
    return deepFreeze(decodeKv<T>(kv));
  }

  /**
   * The object a successful create or update returns: decoded once and frozen, and handed to
   * the watch cache when it decodes the same key at the same revision, so the response, the
   * cache and every watch line share one object (and its encodings) instead of decoding the
   * stored JSON twice.
   */
  private writeResult<T extends StoredObject>(kv: KeyValue, encoding: WriteEncoding): T {
    const obj = deepFreeze(decodeKv<T>(kv));
    const json = encoding.jsonAt(kv.modRevision);
    if (json !== undefined) resultJSON.set(obj, json);
    if (this.storedForms.size >= MAX_STORED_FORMS) this.storedForms.delete(this.storedForms.keys().next().value!);
    this.storedForms.delete(kv.key);
    this.storedForms.set(kv.key, { revision: kv.modRevision, value: kv.value });
    if (this.written.size >= MAX_WRITTEN) this.written.delete(this.written.keys().next().value!);
    this.written.delete(kv.key); // re-inserted last: the oldest entry is evicted first
    this.written.set(kv.key, { revision: kv.modRevision, object: obj });
    return obj;
  }

  async currentResourceVersion(): Promise<string> {
    return String(await this.backend.currentRevision());
  }

  async create<T extends StoredObject>(key: string, obj: T, options?: { dryRun?: boolean }): Promise<T> {
    if (obj.metadata?.resourceVersion) {
      throw new StorageError('InvalidObj', key, 'resourceVersion should not be set on objects to be created');
    }
    const encoding = encodeForWrite(obj);
    if (options?.dryRun) {
      const { kv } = await this.backend.get(key);
      if (kv) throw new StorageError('KeyExists', key, `key exists: ${key}`, { resourceVersion: kv.modRevision });
      return JSON.parse(encoding.value) as T;
    }
    const res = await this.backend.create(key, encoding.value);
    if (!res.succeeded) throw new StorageError('KeyExists', key, `key exists: ${key}`, { resourceVersion: res.kv?.modRevision });
    return this.writeResult<T>(res.kv, encoding);
  }

  async get<T extends StoredObject>(key: string, options?: GetOptions): Promise<T | undefined> {
    const min = parseResourceVersion(options?.resourceVersion, key);
    const { revision, kv } = await this.backend.get(key);
    // A get at resourceVersion N means "not older than N" (upstream validateMinimumResourceVersion).
    if (min > revision) throw tooLargeResourceVersion(key, min, revision);
    if (!kv) {
      if (options?.ignoreNotFound) return undefined;
      throw new StorageError('KeyNotFound', key, `key not found: ${key}`, { resourceVersion: revision });
    }
    return decodeKv<T>(kv);
  }

  async getList<T extends StoredObject>(prefix: string, options: ListOptions = {}): Promise<ListResult<T>> {
    const matches = options.predicate?.matches;
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    let revision = 0;
    let minimum = 0;
    let startKey: string | undefined;
    let continuing = false;
    if (options.continue) {
      const c = decodeContinue(options.continue, prefix);
      startKey = c.startKey;
      revision = c.revision > 0 ? c.revision : 0;
      continuing = true;
    } else {
      const rv = parseResourceVersion(options.resourceVersion, prefix);
      const match = options.resourceVersionMatch ?? '';
      if (match === 'Exact') {
        if (rv === 0) throw new StorageError('InvalidError', prefix, 'resourceVersionMatch=Exact requires a non-zero resourceVersion');
        revision = rv;
      } else if (match === '' && limit > 0 && rv > 0) {
        // Legacy: a paged list at a resourceVersion reads exactly that revision.
        revision = rv;
      } else {
        minimum = rv;
      }
    }

    const items: T[] = [];
    let more = false;
    let lastKey: string | undefined;
    let remainingItemCount: number | undefined;
    let readAt = revision;
    let calls = 0;
    for (;;) {
      const want = limit > 0 ? (matches ? Math.max(limit - items.length, 100) : limit - items.length) : LIST_CHUNK;
      let res: RangeResult;
      try {
        res = await this.backend.range(prefix, { revision: readAt, startKey, limit: want });
      } catch (err) {
        throw this.listError(err, prefix, continuing, startKey);
      }
      calls++;
      readAt = res.revision;
      if (calls === 1 && minimum > res.revision) throw tooLargeResourceVersion(prefix, minimum, res.revision);
      let i = 0;
      for (; i < res.kvs.length; i++) {
        const kv = res.kvs[i]!;
        lastKey = kv.key;
        const obj = decodeKv<T>(kv);
        if (!matches || matches(obj)) items.push(obj);
        if (limit > 0 && items.length === limit) {
          i++;
          break;
        }
      }
      const moreInChunk = i < res.kvs.length;
      if (limit > 0 && items.length === limit) {
        more = moreInChunk || res.more;
        if (more && !matches && calls === 1 && res.count !== undefined) remainingItemCount = res.count - res.kvs.length;
        break;
      }
      if (!res.more || res.kvs.length === 0) break;
      startKey = `${res.kvs[res.kvs.length - 1]!.key}\x00`;
    }
    const out: ListResult<T> = { items, resourceVersion: String(readAt) };
    if (more && lastKey !== undefined) {
      out.continue = encodeContinue(`${lastKey}\x00`, prefix, readAt);
      if (remainingItemCount !== undefined) out.remainingItemCount = remainingItemCount;
    }
    return out;
  }

  private listError(err: unknown, prefix: string, continuing: boolean, startKey: string | undefined): unknown {
    if (err instanceof CompactedError) {
      if (continuing && startKey !== undefined && startKey !== prefix) {
        // Upstream hands out a token that continues at the latest revision with the 410.
        return new StorageError('Expired', prefix, INCONSISTENT_CONTINUE_MESSAGE, {
          cause: err,
          continue: encodeContinue(startKey, prefix, -1),
        });
      }
      return new StorageError('Expired', prefix, continuing ? CONTINUE_EXPIRED_MESSAGE : LIST_EXPIRED_MESSAGE, { cause: err });
    }
    if (err instanceof FutureRevisionError) return tooLargeResourceVersion(prefix, err.requested, err.current);
    return err;
  }

  async guaranteedUpdate<T extends StoredObject>(
    key: string,
    tryUpdate: (current: T | undefined) => T | Promise<T>,
    options: { preconditions?: Preconditions; ignoreNotFound?: boolean; dryRun?: boolean; cachedExisting?: T } = {},
  ): Promise<T> {
    interface State {
      obj: T | undefined;
      kv: KeyValue | undefined;
      /** The stored JSON (for the no-op comparison). */
      data: string | undefined;
    }
    const fetch = async (): Promise<State> => {
      const { kv } = await this.backend.get(key);
      return kv ? { obj: decodeKv<T>(kv), kv, data: kv.value } : { obj: undefined, kv: undefined, data: undefined };
    };
    let state: State;
    let isCurrent: boolean;
    // A dry run always starts from storage (upstream's DryRunnableStorage reads the current object).
    const cached = options.dryRun ? undefined : options.cachedExisting;
    if (cached?.metadata?.resourceVersion) {
      const modRevision = parseResourceVersion(cached.metadata.resourceVersion, key);
      const stored = this.storedForms.get(key);
      const data = stored?.revision === modRevision ? stored.value : encodeObject(cached);
      state = { obj: cached, kv: { key, value: data, createRevision: 0, modRevision }, data };
      isCurrent = false;
    } else {
      state = await fetch();
      isCurrent = true;
    }
    /**
     * Upstream etcd3 GuaranteedUpdate: a failure on a cached (possibly stale) state re-reads;
     * when storage still holds that very revision the failure stands without a second try.
     * A TypeError (a tryUpdate that wrote into the frozen cached object) always gets the fresh,
     * mutable copy instead.
     */
    const refetchAfter = async (err: unknown): Promise<void> => {
      const cachedRevision = state.kv?.modRevision;
      state = await fetch();
      isCurrent = true;
      if (state.kv?.modRevision === cachedRevision && !(err instanceof TypeError)) throw err;
    };
    for (;;) {
      if (!state.kv && !options.ignoreNotFound) {
        throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
      }
      try {
        checkPreconditions(key, options.preconditions, state.obj);
      } catch (err) {
        if (isCurrent) throw err;
        await refetchAfter(err);
        continue;
      }
      let next: T;
      try {
        next = await tryUpdate(state.obj);
      } catch (err) {
        if (isCurrent) throw err;
        await refetchAfter(err);
        continue;
      }
      const encoding = encodeForWrite(next);
      const data = encoding.value;
      if (state.kv && data === state.data) {
        // Nothing changed: no write. A cached state must be confirmed against storage first.
        if (!isCurrent) {
          state = await fetch();
          isCurrent = true;
          continue;
        }
        return decodeKv<T>(state.kv);
      }
      if (options.dryRun) {
        const out = JSON.parse(data) as T;
        if (state.kv) (out.metadata ??= {}).resourceVersion = String(state.kv.modRevision);
        return out;
      }
      const res = state.kv ? await this.backend.update(key, data, state.kv.modRevision) : await this.backend.create(key, data);
      if (res.succeeded) return this.writeResult<T>(res.kv, encoding);
      this.log.debug({ key, revision: state.kv?.modRevision }, 'guaranteedUpdate conflict, retrying');
      state = res.kv ? { obj: decodeKv<T>(res.kv), kv: res.kv, data: res.kv.value } : { obj: undefined, kv: undefined, data: undefined };
      isCurrent = true;
    }
  }

  async delete<T extends StoredObject>(
    key: string,
    options: { preconditions?: Preconditions; validateDeletion?: (current: T) => void | Promise<void>; dryRun?: boolean } = {},
  ): Promise<T> {
    let { kv } = await this.backend.get(key);
    for (;;) {
      if (!kv) throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
      const obj = decodeKv<T>(kv);
      checkPreconditions(key, options.preconditions, obj);
      if (options.validateDeletion) await options.validateDeletion(obj);
      if (options.dryRun) return obj;
      const res = await this.backend.delete(key, kv.modRevision);
      if (res.succeeded) {
        // The returned object carries the deletion's revision, as upstream.
        const out = decodeKv<T>(res.kv);
        out.metadata!.resourceVersion = String(res.revision);
        return out;
      }
      kv = res.kv;
    }
  }

  watch<T extends StoredObject>(key: string, options: StorageWatchOptions): AsyncIterable<WatchEvent<T>> {
    return { [Symbol.asyncIterator]: () => this.watchEvents<T>(key, options) };
  }

  private async *watchEvents<T extends StoredObject>(key: string, options: StorageWatchOptions): AsyncGenerator<WatchEvent<T>> {
    const { signal, recursive, allowBookmarks } = options;
    const matches = options.predicate?.matches;
    const rvString = options.resourceVersion ?? '';
    const rv = parseResourceVersion(rvString, key);
    const initial = options.sendInitialEvents ?? (rvString === '' || rvString === '0');
    const inScope = recursive ? (k: string) => k.startsWith(key) : (k: string) => k === key;
    let start: number;
    if (initial) {
      let startKey: string | undefined;
      let at = 0;
      if (recursive) {
        for (;;) {
          const res = await this.backend.range(key, { revision: at, startKey, limit: LIST_CHUNK });
          at = res.revision;
          for (const kv of res.kvs) {
            const obj = decodeKv<T>(kv);
            if (!matches || matches(obj)) yield { type: 'ADDED', object: obj };
          }
          if (!res.more || res.kvs.length === 0) break;
          startKey = `${res.kvs[res.kvs.length - 1]!.key}\x00`;
        }
      } else {
        const { revision, kv } = await this.backend.get(key);
        at = revision;
        if (kv) {
          const obj = decodeKv<T>(kv);
          if (!matches || matches(obj)) yield { type: 'ADDED', object: obj };
        }
      }
      if (rv > at) throw tooLargeResourceVersion(key, rv, at);
      start = at;
      if (options.sendInitialEvents && allowBookmarks) {
        yield { type: 'BOOKMARK', object: bookmarkObject(start, this.options.bookmarkType, true) as T };
      }
    } else {
      start = rvString === '' ? await this.backend.currentRevision() : rv;
    }
    if (signal.aborted) return;

    // Progress batches (when the backend has them) let bookmarks carry the global revision.
    const b = this.backend;
    const source: AsyncIterable<WatchBatch | BackendEvent[]> =
      allowBookmarks === true && hasWatchProgress(b)
        ? b.watchWithProgress(key, { afterRevision: start, signal })
        : b.watch(key, { afterRevision: start, signal });
    const it = source[Symbol.asyncIterator]();
    let progress = start;
    let pending: Promise<IteratorResult<WatchBatch | BackendEvent[]>> | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        pending ??= it.next();
        let res: IteratorResult<WatchBatch | BackendEvent[]> | 'tick';
        if (allowBookmarks) {
          const tick = new Promise<'tick'>((resolve) => {
            timer = setTimeout(() => resolve('tick'), this.bookmarkIntervalMs);
          });
          res = await Promise.race([pending, tick]);
          clearTimeout(timer);
        } else {
          res = await pending;
        }
        if (res === 'tick') {
          if (signal.aborted) return;
          yield { type: 'BOOKMARK', object: bookmarkObject(progress, this.options.bookmarkType) as T };
          continue;
        }
        pending = undefined;
        if (res.done) return;
        const batch = res.value;
        const events = Array.isArray(batch) ? batch : batch.events;
        for (const e of events) {
          if (!inScope(e.kv.key)) continue;
          const out = this.toWatchEvent<T>(e, matches);
          if (out) yield out;
          if (e.kv.modRevision > progress) progress = e.kv.modRevision;
        }
        if (!Array.isArray(batch) && batch.revision > progress) progress = batch.revision;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        yield expiredWatchEvent<T>(start, err.compacted);
        return;
      }
      throw err;
    } finally {
      clearTimeout(timer);
      // Ends the backend watch (after an outstanding next(), which settles when the signal aborts).
      it.return?.()?.catch(() => undefined);
    }
  }

  /** Upstream watch filtering: transitions into the selection are ADDED, out of it DELETED. */
  private toWatchEvent<T extends StoredObject>(e: BackendEvent, matches: ((o: StoredObject) => boolean) | undefined): WatchEvent<T> | undefined {
    if (e.type === 'create') {
      const obj = decodeKv<T>(e.kv);
      return !matches || matches(obj) ? { type: 'ADDED', object: obj } : undefined;
    }
    if (e.type === 'delete') {
      const obj = decodeKv<T>(e.kv);
      return !matches || matches(obj) ? { type: 'DELETED', object: obj } : undefined;
    }
    const cur = decodeKv<T>(e.kv);
    if (!matches) return { type: 'MODIFIED', object: cur };
    const curOk = matches(cur);
    const prevOk = e.prevKv ? matches(decodeKv<T>(e.prevKv)) : curOk;
    if (curOk && prevOk) return { type: 'MODIFIED', object: cur };
    if (curOk) return { type: 'ADDED', object: cur };
    if (prevOk) {
      // The previous content, at the revision of the change that made it stop matching.
      const old = decodeKv<T>({ ...e.prevKv!, modRevision: e.kv.modRevision });
      return { type: 'DELETED', object: old };
    }
    return undefined;
  }
}
