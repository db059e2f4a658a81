// A generic client for one resource (group, version, resource): the dynamic client of client-go,
// returning plain JSON objects. `metadataOnly` asks the server for PartialObjectMetadata, as
// client-go's metadata client does (what GC and namespace deletion need).

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { RESTClient, RawWatchEvent } from './client.js';
import { errorFromStatus } from './errors.js';
import { trimManagedFields } from './watch-decoder.js';

/** The resource a client talks to. */
export interface GroupVersionResource {
  group: string;
  version: string;
  /** Plural, lowercase: `configmaps`. */
  resource: string;
  namespaced: boolean;
}

/** Any API object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

interface Scoped {
  /** Namespace for namespaced resources; omit for all namespaces (list/watch) or cluster scope. */
  namespace?: string;
  signal?: AbortSignal;
}

export interface GetOptions extends Scoped {
  resourceVersion?: string;
}

export interface ListOptions extends Scoped {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  continue?: string;
  /**
   * Client side, not sent: the objects come back without metadata.managedFields, as
   * kube-controller-manager's and kube-scheduler's informers keep them (memory, and decoding
   * work for watches). Writes of such objects keep the stored managedFields (the server takes
   * the live ones when a request has none).
   */
  trimManagedFields?: boolean;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WriteOptions extends Scoped {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends Scoped {
  propagationPolicy?: PropagationPolicy;
  preconditions?: Preconditions;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** The verbs of one resource. Objects returned are fresh JSON: callers may keep or change them. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly rest: RESTClient,
    readonly gvr: GroupVersionResource,
    private readonly opts: { metadataOnly?: boolean } = {},
  ) {}

  /** `v1`, `apps/v1`. */
  get apiVersion(): string {
    return this.gvr.group ? `${this.gvr.group}/${this.gvr.version}` : this.gvr.version;
  }

  /** The URL path of the collection or of one object (and subresource). */
  path(namespace: string | undefined, name?: string, subresource?: string): string {
    const g = this.gvr;
    let p = g.group ? `/apis/${g.group}/${g.version}` : `/api/${g.version}`;
    if (g.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${g.resource}`;
    if (name !== undefined) {
      if (!name) throw new TypeError(`a ${g.resource} name is required`);
      p += `/${encodeURIComponent(name)}`;
    }
    if (subresource) p += `/${subresource}`;
    return p;
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'GET',
      path: this.path(this.ns(opts.namespace), name),
      query: { resourceVersion: opts.resourceVersion },
      accept: this.opts.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: opts.signal,
    });
  }

  async list(opts: ListOptions = {}): Promise<KubeList<T>> {
    const list = await this.rest.request<KubeList<T>>({
      method: 'GET',
      path: this.path(opts.namespace),
      query: listQuery(opts),
      accept: this.opts.metadataOnly ? METADATA_LIST_ACCEPT : undefined,
      signal: opts.signal,
    });
    if (opts.trimManagedFields) for (const item of list.items ?? []) trimManagedFields(item);
    return list;
  }

  /** Lists every page (`limit` per request, following `continue`). */
  async listAll(opts: ListOptions = {}): Promise<KubeList<T>> {
    let page = await this.list({ limit: 500, ...opts });
    const items = [...page.items];
    while (page.metadata.continue) {
      page = await this.list({ ...opts, limit: opts.limit ?? 500, continue: page.metadata.continue, resourceVersion: undefined });
      items.push(...page.items);
    }
    return { ...page, items };
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'POST',
      path: this.path(this.ns(opts.namespace ?? obj.metadata?.namespace)),
      query: writeQuery(opts),
      body: obj,
      signal: opts.signal,
    });
  }

  /**
   * POST to a subresource of `name` (`binding`, `eviction`, `token`…); answers what the server
   * answers (a Status for binding and eviction).
   */
  createSubresource<R = KubeObject>(name: string, subresource: string, body: KubeObject, opts: WriteOptions = {}): Promise<R> {
    return this.rest.request<R>({
      method: 'POST',
      path: this.path(this.ns(opts.namespace ?? body.metadata?.namespace), name, subresource),
      query: writeQuery(opts),
      body,
      signal: opts.signal,
    });
  }

  /** GET a subresource of `name` (`scale`, `status`). */
  getSubresource<R = KubeObject>(name: string, subresource: string, opts: GetOptions = {}): Promise<R> {
    return this.rest.request<R>({ method: 'GET', path: this.path(this.ns(opts.namespace), name, subresource), signal: opts.signal });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  /** PUT to a subresource (`status`, `finalize`, `scale`, …) with the object's name. */
  put<B extends KubeObject = T>(obj: B, subresource: string | undefined, opts: WriteOptions = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) return Promise.reject(new TypeError('the object to update has no metadata.name'));
    return this.rest.request<T>({
      method: 'PUT',
      path: this.path(this.ns(opts.namespace ?? obj.metadata?.namespace), name, subresource),
      query: writeQuery(opts),
      body: obj,
      signal: opts.signal,
    });
  }

  patch(name: string, type: PatchType, patch: unknown, opts: WriteOptions & { subresource?: string } = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PATCH',
      path: this.path(this.ns(opts.namespace), name, opts.subresource),
      query: writeQuery(opts),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      accept: this.opts.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: opts.signal,
    });
  }

  /** DELETE with a DeleteOptions body; answers the deleted object or, while finalizers hold it, the updated one. */
  delete(name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    return this.rest.request<KubeObject>({
      method: 'DELETE',
      path: this.path(this.ns(opts.namespace), name),
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  deleteCollection(opts: DeleteOptions & Omit<ListOptions, 'signal' | 'namespace'> = {}): Promise<KubeObject> {
    return this.rest.request<KubeObject>({
      method: 'DELETE',
      path: this.path(this.ns(opts.namespace)),
      query: listQuery(opts),
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  /**
   * Watches from `resourceVersion`. Yields ADDED/MODIFIED/DELETED/BOOKMARK events; an ERROR
   * event is thrown as APIStatusError (410 Expired when the version is too old). Ends when the
   * server closes the stream or `signal` aborts.
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const events = this.rest.stream({
      method: 'GET',
      path: this.path(opts.namespace),
      query: { ...listQuery(opts), watch: true, allowWatchBookmarks: opts.allowWatchBookmarks || undefined, timeoutSeconds: opts.timeoutSeconds },
      accept: this.opts.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: opts.signal,
      trimManagedFields: opts.trimManagedFields,
    });
    for await (const ev of events as AsyncIterable<RawWatchEvent>) {
      if (ev.type === 'ERROR') throw errorFromStatus((ev.object ?? {}) as Parameters<typeof errorFromStatus>[0]);
      yield ev as WatchEvent<T>;
    }
  }

  private ns(namespace: string | undefined): string | undefined {
    if (!this.gvr.namespaced) return undefined;
    return namespace;
  }
}

function listQuery(o: ListOptions): Record<string, string | number | undefined> {
  return {
    labelSelector: o.labelSelector || undefined,
    fieldSelector: o.fieldSelector || undefined,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    limit: o.limit,
    continue: o.continue || undefined,
  };
}

function writeQuery(o: WriteOptions): Record<string, string | undefined> {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function deleteBody(o: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) body.preconditions = o.preconditions;
  if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.dryRun) body.dryRun = ['All'];
  return body;
}
