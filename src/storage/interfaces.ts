// The two storage contracts of DESIGN.md §5.
//
// Backend: a revisioned key-value store with etcd3 semantics (one global, strictly increasing
// revision; every write gets the next revision; history kept until compacted). Implemented by
// sqlite/ and etcd/.
//
// Storage: objects over any Backend, the shape of k8s.io/apiserver/pkg/storage.Interface.
// resourceVersion == Backend revision, as a decimal string. Implemented once by store.ts and
// again by cacher/ (which serves LIST and WATCH from memory and delegates writes).

/** One stored value with its revisions. */
export interface KeyValue {
  key: string;
  /** JSON text of the object. */
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export type BackendEventType = 'create' | 'update' | 'delete';

export interface BackendEvent {
  type: BackendEventType;
  /** For create/update the new value; for delete the value as it was just before deletion, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The previous value for update and delete; absent for create. */
  prevKv?: KeyValue;
}

export interface RangeOptions {
  /** Read as of this revision (0 / absent = latest). Throws CompactedError if compacted away. */
  revision?: number;
  /** Return keys >= startKey (lexicographic) only; used for pagination. */
  startKey?: string;
  /** At most this many items; `more` tells whether further keys exist. 0 / absent = no limit. */
  limit?: number;
}

export interface RangeResult {
  /** The revision the range was read at (the current revision when not given). */
  revision: number;
  kvs: KeyValue[];
  /** More keys with the prefix exist after the last returned one. */
  more: boolean;
  /**
   * Number of keys with the prefix at or after `startKey` at this revision, ignoring `limit`,
   * when the backend knows it cheaply (etcd always; SQLite for reads at the latest revision).
   * Used for `remainingItemCount`.
   */
  count?: number;
}

/** The result of a conditional write. */
export type WriteResult =
  | { succeeded: true; revision: number; kv: KeyValue }
  | { succeeded: false; revision: number; /** current value, absent if the key does not exist */ kv?: KeyValue };

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision, oldest first. Throws CompactedError if events were compacted away. */
  afterRevision: number;
  /** Ends the watch; the iterator then finishes. */
  signal: AbortSignal;
}

/**
 * Revisioned key-value store. All methods may be called concurrently; conditional writes are
 * linearizable. Keys are '/'-separated paths such as `/registry/pods/default/web-0`.
 */
export interface Backend {
  /** Opens files/connections and recovers state. Resolves once reads and writes are served. */
  start(signal?: AbortSignal): Promise<void>;
  /** Graceful and idempotent: flushes pending writes, ends watches, closes the store. */
  close(): Promise<void>;

  currentRevision(): Promise<number>;
  /** Current compacted revision: history at or below it is gone. */
  compactRevision(): Promise<number>;

  get(key: string, revision?: number): Promise<{ revision: number; kv?: KeyValue }>;
  /** Keys with the given prefix, ordered by key. */
  range(prefix: string, options?: RangeOptions): Promise<RangeResult>;
  count(prefix: string): Promise<{ revision: number; count: number }>;

  /** Creates the key if absent; fails (succeeded: false, kv = existing) if present. */
  create(key: string, value: string): Promise<WriteResult>;
  /** Replaces the value if the key's modRevision equals expectedModRevision. */
  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult>;
  /** Deletes the key if its modRevision equals expectedModRevision (0 = unconditionally). On success kv is the deleted value. */
  delete(key: string, expectedModRevision: number): Promise<WriteResult>;

  /** Events for keys with the prefix. The iterator yields batches in revision order. */
  watch(prefix: string, options: WatchOptions): AsyncIterable<BackendEvent[]>;

  /** Drops history at or below `revision` (never the latest value of a live key). */
  compact(revision: number): Promise<void>;
}

/** A watch batch with the revision the watcher has seen everything up to (`revision` >= every event's modRevision). */
export interface WatchBatch {
  events: BackendEvent[];
  /** Every event with revision <= this and the watched prefix has been delivered. */
  revision: number;
}

/**
 * Optional Backend capability (etcd's progress notifications): a watch that also reports how
 * far the watcher has caught up, in batches that may carry no events. The watch cache uses it
 * for bookmarks and consistent reads from memory.
 */
export interface WatchProgressBackend extends Backend {
  watchWithProgress(prefix: string, options: WatchOptions): AsyncIterable<WatchBatch>;
}

export function hasWatchProgress(b: Backend): b is WatchProgressBackend {
  return typeof (b as Partial<WatchProgressBackend>).watchWithProgress === 'function';
}

/** Thrown by a Backend for a revision at or below the compacted revision. */
export class CompactedError extends Error {
  readonly code = 'Compacted' as const;
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

/** Thrown by a Backend for a revision above the current one. */
export class FutureRevisionError extends Error {
  readonly code = 'FutureRevision' as const;
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Storage over objects.

/** Any stored API object: JSON with metadata. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    finalizers?: string[];
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Matches objects for LIST and WATCH. `matches` is evaluated on the stored object. */
export interface SelectionPredicate {
  /** True when the object is selected. Absent = everything. */
  matches?(obj: StoredObject): boolean;
  /** Hints for pagination: whether the predicate selects everything (`labelSelector` and `fieldSelector` empty). */
  empty?: boolean;
}

/** How `resourceVersion` on a LIST is to be read; upstream's resourceVersionMatch. */
export type ResourceVersionMatch = '' | 'NotOlderThan' | 'Exact';

export interface GetOptions {
  /** '' = most recent (consistent read); '0' = any (cache may answer); 'N' = not older than N. */
  resourceVersion?: string;
  ignoreNotFound?: boolean;
  /** The caller never mutates the result: a frozen, shared object is acceptable. */
  shared?: boolean;
}

export interface ListOptions {
  /** '' = most recent (quorum read); '0' = any (cache may answer); else per `resourceVersionMatch`. */
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  predicate?: SelectionPredicate;
  /** Page size; 0 / absent = no limit. */
  limit?: number;
  /** Opaque continue token from a previous page. */
  continue?: string;
}

export interface ListResult<T extends StoredObject = StoredObject> {
  items: T[];
  resourceVersion: string;
  /** Token for the next page; absent on the last page. */
  continue?: string;
  /** Items remaining after this page, when known. */
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends StoredObject = StoredObject> {
  type: WatchEventType;
  /** For ERROR: a metav1.Status. For BOOKMARK: an object with only kind/apiVersion/metadata.resourceVersion. */
  object: T;
}

export interface StorageWatchOptions {
  /** '' or absent = start at the current state (synthetic ADDED for every existing object, then changes); '0' = same, from the cache; otherwise only changes after this RV. */
  resourceVersion?: string;
  predicate?: SelectionPredicate;
  /** Send BOOKMARK events periodically and at the end of initial events. */
  allowBookmarks?: boolean;
  /** The initial-events list ends with a bookmark annotated `k8s.io/initial-events-end` (sendInitialEvents). */
  sendInitialEvents?: boolean;
  /** Watch one key only (the object key) instead of a prefix. */
  recursive: boolean;
  signal: AbortSignal;
}

/**
 * Objects over a Backend. `key` is the full object key (`/registry/pods/ns/name`) or, for
 * lists and recursive watches, a prefix ending in '/'. Errors: StorageError with a code.
 */
export interface Storage {
  /**
   * Writes the object if absent; returns it with metadata.resourceVersion set. Throws KeyExists.
   * The objects a write returns are deep-frozen (except for dry runs): the watch cache and every
   * watch line share them. Callers that change one make a copy.
   */
  create<T extends StoredObject>(key: string, obj: T, options?: { dryRun?: boolean }): Promise<T>;

  /**
   * Throws KeyNotFound unless ignoreNotFound (then resolves undefined). With `shared` the caller
   * promises not to modify the result, so the watch cache may answer from memory with its
   * frozen object (still a read not older than `resourceVersion`, or a consistent read for '').
   */
  get<T extends StoredObject>(key: string, options?: GetOptions): Promise<T | undefined>;

  getList<T extends StoredObject>(prefix: string, options?: ListOptions): Promise<ListResult<T>>;

  /**
   * Read-modify-write with retry on conflict. tryUpdate receives the current object (or
   * undefined when absent and ignoreNotFound) and returns the new one; returning the same
   * object reference (or a deep-equal one) writes nothing. Preconditions are checked against
   * the current object on each try. `cachedExisting` may seed the first attempt (the watch
   * cache seeds it with its frozen object): tryUpdate must not modify `current`. The result
   * of a write is deep-frozen, as create's.
   */
  guaranteedUpdate<T extends StoredObject>(
    key: string,
    tryUpdate: (current: T | undefined) => T | Promise<T>,
    options?: { preconditions?: Preconditions; ignoreNotFound?: boolean; dryRun?: boolean; cachedExisting?: T },
  ): Promise<T>;

  /**
   * Deletes the object. `validateDeletion` sees the current object and may throw (e.g. to
   * refuse); preconditions are checked first. Returns the deleted object.
   */
  delete<T extends StoredObject>(
    key: string,
    options?: { preconditions?: Preconditions; validateDeletion?: (current: T) => void | Promise<void>; dryRun?: boolean },
  ): Promise<T>;

  watch<T extends StoredObject>(key: string, options: StorageWatchOptions): AsyncIterable<WatchEvent<T>>;

  /** Current revision as a resourceVersion string. */
  currentResourceVersion(): Promise<string>;
}

export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'ResourceVersionConflicts'
  | 'InvalidObj'
  | 'InvalidError'
  | 'Unreachable'
  | 'Expired'
  | 'TooLargeResourceVersion'
  | 'InvalidContinue';

/** Storage-layer error; the registry translates it to an API Status (storage → API in one place). */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
    options?: { cause?: unknown; resourceVersion?: number; continue?: string },
  ) {
    super(message, options);
    this.name = 'StorageError';
    this.resourceVersion = options?.resourceVersion;
    this.continue = options?.continue;
  }
  readonly resourceVersion: number | undefined;
  /** For 'Expired' on a continue token: a token that continues the list at the latest revision (upstream's ListMeta.Continue on the 410). */
  readonly continue: string | undefined;
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
