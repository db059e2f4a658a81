// An in-memory API behind the client Interface for tests of components that use the client
// library (client-go's fake clientset): objects by resource/namespace/name, a resourceVersion
// counter, every call recorded as an action, and a reactor that may fail a call.

import { randomUUID } from 'node:crypto';
import type { Interface } from '../clientset.js';
import type { DeleteOptions, GetOptions, GroupVersionResource, KubeList, KubeObject, ListOptions, PatchType, ResourceClient, WriteOptions } from '../rest/resource.js';
import { StatusError } from '../../machinery/errors.js';
import { parseSelector } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';

export interface Action {
  verb: 'create' | 'update' | 'patch' | 'delete' | 'get' | 'list';
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource?: string;
  /** The object written (create/update), or the patch body. */
  object?: unknown;
  patchType?: PatchType;
  options?: DeleteOptions;
}

export type Reactor = (action: Action) => Error | undefined;

/**
 * An in-memory API: objects by resource/namespace/name, a resourceVersion counter, uid and
 * creationTimestamp on create, generateName, merge patches (strategic patches are applied as
 * merge patches, which is what controllers' small patches need), and a reactor that may fail a call.
 */
export class FakeClient implements Interface {
  readonly actions: Action[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv = 100;
  private seq = 0;
  reactor: Reactor | undefined;

  constructor(private readonly nowFn: () => number = Date.now) {}

  get discovery(): never {
    throw new Error('FakeClient has no discovery');
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    return this.clientFor(gvr) as unknown as ResourceClient<T>;
  }

  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject> {
    return this.clientFor(gvr) as unknown as ResourceClient<KubeObject>;
  }

  /** Stores an object as if it existed before the test (no action recorded). */
  seed(gvr: GroupVersionResource, obj: KubeObject): KubeObject {
    const o = structuredClone(obj) as DeepMutable<KubeObject>;
    o.metadata ??= {};
    o.metadata.resourceVersion ??= String(++this.rv);
    o.metadata.uid ??= randomUUID();
    this.bucket(gvr.resource).set(key(o.metadata.namespace, o.metadata.name!), o);
    return o;
  }

  /** The stored object, if any. */
  stored<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string): T | undefined {
    return this.bucket(gvr.resource).get(key(namespace, name)) as T | undefined;
  }

  /** Every stored object of a resource. */
  all<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): T[] {
    return [...this.bucket(gvr.resource).values()] as T[];
  }

  /** Recorded writes only (create/update/patch/delete), as `verb resource[/sub] ns/name`. */
  writes(): string[] {
    return this.actions
      .filter((a) => a.verb !== 'get' && a.verb !== 'list')
      .map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace ? `${a.namespace}/` : ''}${a.name ?? ''}`);
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new Map()));
    return b;
  }

  private act(a: Action): void {
    this.actions.push(a);
    const err = this.reactor?.(a);
    if (err) throw err;
  }

  private clientFor(gvr: GroupVersionResource) {
    const notFound = (name: string) => new StatusError(404, 'NotFound', `${gvr.resource}${gvr.group ? `.${gvr.group}` : ''} "${name}" not found`, { name, group: gvr.group, kind: gvr.resource });
    const ns = (o: { namespace?: string } | undefined, obj?: KubeObject) => (gvr.namespaced ? (o?.namespace ?? obj?.metadata?.namespace) : undefined);
    const write = (verb: 'create' | 'update', subresource?: string) => async (obj: KubeObject, opts: WriteOptions = {}) => {
      const o = structuredClone(obj) as DeepMutable<KubeObject>;
      o.metadata ??= {};
      const namespace = ns(opts, o);
      if (verb === 'create' && !o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${(++this.seq).toString(36).padStart(5, '0')}`;
      const name = o.metadata.name ?? '';
      this.act({ verb, resource: gvr.resource, namespace, name, subresource, object: structuredClone(o) });
      const b = this.bucket(gvr.resource);
      const k = key(namespace, name);
      const old = b.get(k);
      if (verb === 'create') {
        if (old) throw new StatusError(409, 'AlreadyExists', `${gvr.resource} "${name}" already exists`, { name, kind: gvr.resource });
        if (namespace) o.metadata.namespace = namespace;
        o.metadata.uid = randomUUID();
        o.metadata.creationTimestamp = new Date(this.nowFn()).toISOString().replace(/\.\d+Z$/, 'Z');
        o.metadata.generation = 1;
      } else {
        if (!old) throw notFound(name);
        if (o.metadata.resourceVersion && o.metadata.resourceVersion !== old.metadata?.resourceVersion) {
          throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${gvr.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        o.metadata = { ...old.metadata, ...o.metadata, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp };
        if (subresource === 'status') o.spec = (old as { spec?: unknown }).spec;
      }
      o.metadata.resourceVersion = String(++this.rv);
      b.set(k, o);
      return structuredClone(o);
    };
    return {
      gvr,
      get: async (name: string, opts: GetOptions = {}) => {
        const namespace = ns(opts);
        this.act({ verb: 'get', resource: gvr.resource, namespace, name });
        const o = this.bucket(gvr.resource).get(key(namespace, name));
        if (!o) throw notFound(name);
        return structuredClone(o);
      },
      list: async (opts: ListOptions = {}): Promise<KubeList> => {
        const namespace = ns(opts);
        this.act({ verb: 'list', resource: gvr.resource, namespace, name: undefined });
        const sel = opts.labelSelector ? parseSelector(opts.labelSelector) : undefined;
        const items = [...this.bucket(gvr.resource).values()].filter((o) => (!namespace || o.metadata?.namespace === namespace) && (!sel || sel.matches(o.metadata?.labels ?? {})));
        return { metadata: { resourceVersion: String(this.rv) }, items: structuredClone(items) };
      },
      create: write('create'),
      update: write('update'),
      updateStatus: write('update', 'status'),
      put: (obj: KubeObject, subresource: string | undefined, opts?: WriteOptions) => write('update', subresource)(obj, opts),
      patch: async (name: string, patchType: PatchType, patch: unknown, opts: WriteOptions & { subresource?: string } = {}) => {
        const namespace = ns(opts);
        this.act({ verb: 'patch', resource: gvr.resource, namespace, name, subresource: opts.subresource, object: structuredClone(patch), patchType });
        const b = this.bucket(gvr.resource);
        const old = b.get(key(namespace, name));
        if (!old) throw notFound(name);
        if (patchType === 'json') throw new Error('FakeClient does not apply JSON patches');
        const rv = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
        if (rv && rv !== old.metadata?.resourceVersion) {
          throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${gvr.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        const o = mergePatch(structuredClone(old), patch) as DeepMutable<KubeObject>;
        o.metadata!.resourceVersion = String(++this.rv);
        b.set(key(namespace, name), o);
        return structuredClone(o);
      },
      delete: async (name: string, opts: DeleteOptions = {}) => {
        const namespace = ns(opts);
        this.act({ verb: 'delete', resource: gvr.resource, namespace, name, options: opts });
        const b = this.bucket(gvr.resource);
        const o = b.get(key(namespace, name));
        if (!o) throw notFound(name);
        if (opts.preconditions?.uid && opts.preconditions.uid !== o.metadata?.uid) {
          throw new StatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${o.metadata?.uid ?? ''}`);
        }
        b.delete(key(namespace, name));
        return { kind: 'Status', apiVersion: 'v1', status: 'Success' } as KubeObject;
      },
      createSubresource: async (name: string, subresource: string, body: KubeObject, opts: WriteOptions = {}) => {
        const namespace = ns(opts, body);
        this.act({ verb: 'create', resource: gvr.resource, namespace, name, subresource, object: structuredClone(body) });
        const b = this.bucket(gvr.resource);
        const old = b.get(key(namespace, name));
        if (!old) throw notFound(name);
        if (subresource === 'binding') {
          const target = (body as { target?: { name?: string } }).target?.name;
          const o = structuredClone(old) as DeepMutable<KubeObject> & { spec?: Record<string, unknown> };
          o.spec = { ...o.spec, nodeName: target };
          o.metadata!.resourceVersion = String(++this.rv);
          b.set(key(namespace, name), o);
        } else if (subresource === 'eviction') {
          b.delete(key(namespace, name));
        }
        return { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 };
      },
      getSubresource: async (name: string, subresource: string, opts: GetOptions = {}) => {
        const namespace = ns(opts);
        this.act({ verb: 'get', resource: gvr.resource, namespace, name, subresource });
        const o = this.bucket(gvr.resource).get(key(namespace, name));
        if (!o) throw notFound(name);
        return structuredClone(o);
      },
      deleteCollection: async () => {
        throw new Error('FakeClient does not support deletecollection');
      },
      watch: () => {
        throw new Error('FakeClient does not watch: seed the informers instead');
      },
    };
  }
}

function key(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
