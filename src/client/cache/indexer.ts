// The informer's local store (client-go tools/cache thread_safe_store.go + index.go): objects by
// `namespace/name` key with secondary indexes. Every operation is synchronous, so a reader never
// sees a half-applied change. Stored objects are shared: callers must never mutate them.

import type { KubeObject } from '../rest/resource.js';

/** Index name → function giving the index values of an object. */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = 'namespace';

/** `namespace/name`, or `name` for cluster-scoped objects (client-go MetaNamespaceKeyFunc). */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** The reverse of keyOf. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function namespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** Read access to a store, as listers use it. */
export interface Store<T> {
  get(key: string): T | undefined;
  list(): T[];
  listKeys(): string[];
  /** Objects whose index `indexName` contains `value`. */
  byIndex(indexName: string, value: string): T[];
}

export class Indexer<T extends KubeObject = KubeObject> implements Store<T> {
  private readonly items = new Map<string, T>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: Indexers<T>;

  constructor(indexers: Indexers<T> = {}, private readonly keyFunc: (obj: T) => string = keyOf) {
    this.indexers = { [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers };
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  key(obj: T): string {
    return this.keyFunc(obj);
  }

  /** Adds an index; existing objects are indexed at once. */
  /**
   * Adds the indexers whose names are not taken yet (components sharing an informer may ask for
   * the same index); an existing index of the same name is kept.
   */
  ensureIndexers(indexers: Indexers<T>): void {
    const missing = Object.fromEntries(Object.entries(indexers).filter(([name]) => !this.indexers[name]));
    this.addIndexers(missing);
  }

  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers[name]) throw new Error(`indexer "${name}" already exists`);
      this.indexers[name] = fn;
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(idx, v, key);
    }
  }

  /** Adds or replaces; returns the previous object under the same key. */
  upsert(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    return old;
  }

  /** Removes by the object's key; returns what was stored. */
  remove(obj: T): T | undefined {
    return this.removeKey(this.keyFunc(obj));
  }

  removeKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    this.reindex(key, old, undefined);
    return old;
  }

  /** Replaces the whole content; returns the objects that are no longer present. */
  replace(objs: readonly T[]): T[] {
    const next = new Map<string, T>();
    for (const o of objs) next.set(this.keyFunc(o), o);
    const gone: T[] = [];
    for (const [k, o] of this.items) if (!next.has(k)) gone.push(o);
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const [k, o] of next) {
      this.items.set(k, o);
      this.reindex(k, undefined, o);
    }
    return gone;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index "${indexName}" does not exist`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** Objects in `namespace` (all when undefined). */
  listNamespace(namespace: string | undefined): T[] {
    return namespace === undefined ? this.list() : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indices.get(name)!;
      const before = old ? fn(old) : [];
      const after = obj ? fn(obj) : [];
      if (before.length === 1 && after.length === 1 && before[0] === after[0]) continue;
      for (const v of before) removeFrom(idx, v, key);
      for (const v of after) addTo(idx, v, key);
    }
  }
}

function addTo(idx: Map<string, Set<string>>, value: string, key: string): void {
  let s = idx.get(value);
  if (!s) idx.set(value, (s = new Set()));
  s.add(key);
}

function removeFrom(idx: Map<string, Set<string>>, value: string, key: string): void {
  const s = idx.get(value);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) idx.delete(value);
}
