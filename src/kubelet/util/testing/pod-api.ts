// An in-memory API for kubelet tests: objects by resource/namespace/name with uids and
// resourceVersions, watches (so informers work), field selectors `a.b=v` / `a.b!=v`, strategic
// merge patches applied with the real algorithm and Pod schema, and deletes that honour a uid
// precondition and record their options. `apply`/`remove` change the world as another client.

import { randomUUID } from 'node:crypto';
import type { Interface } from '../../../client/clientset.js';
import type { DeleteOptions, GroupVersionResource, KubeList, KubeObject, ListOptions, ResourceClient, WatchEvent, WatchEventType } from '../../../client/rest/resource.js';
import { StatusError } from '../../../machinery/errors.js';
import { strategicMergePatch } from '../../../machinery/patch/index.js';
import { strategicSchemaFor } from '../../../api/openapi/strategic-schema.js';

export interface Call {
  verb: 'create' | 'patch' | 'delete';
  resource: string;
  namespace: string | undefined;
  name: string;
  subresource?: string;
  body?: unknown;
  options?: DeleteOptions;
}

type Obj = KubeObject & Record<string, unknown>;

const KINDS: Record<string, string> = { pods: 'Pod', nodes: 'Node' };

export class TestAPI implements Interface {
  readonly calls: Call[] = [];
  /** Returns an error to fail the call. */
  reactor: ((c: Call) => Error | undefined) | undefined;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly log: { resource: string; event: WatchEvent }[] = [];
  private rv = 100;
  private waiters: (() => void)[] = [];

  get discovery(): never {
    throw new Error('TestAPI has no discovery');
  }

  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject> {
    return this.resource(gvr);
  }

  /** Writes as `verb resource[/sub] ns/name`. */
  writes(): string[] {
    return this.calls.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`);
  }

  stored<T extends object = KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string): T | undefined {
    const o = this.bucket(gvr.resource).get(key(namespace, name));
    return o ? (structuredClone(o) as T) : undefined;
  }

  apply<T extends object>(gvr: GroupVersionResource, obj: T): T {
    const o = structuredClone(obj) as Obj;
    const m = (o.metadata ??= {}) as Record<string, unknown>;
    const b = this.bucket(gvr.resource);
    const k = key(m.namespace as string | undefined, m.name as string);
    const old = b.get(k);
    m.uid ??= old?.metadata?.uid ?? randomUUID();
    m.resourceVersion = String(++this.rv);
    b.set(k, o);
    this.emit(gvr.resource, old ? 'MODIFIED' : 'ADDED', o);
    return structuredClone(o) as T;
  }

  remove(gvr: GroupVersionResource, namespace: string | undefined, name: string): void {
    const b = this.bucket(gvr.resource);
    const old = b.get(key(namespace, name));
    if (!old) return;
    b.delete(key(namespace, name));
    this.emit(gvr.resource, 'DELETED', old);
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    const b = this.bucket(gvr.resource);
    const notFound = (name: string): StatusError => new StatusError(404, 'NotFound', `${gvr.resource} "${name}" not found`, { name, kind: gvr.resource });
    const record = (c: Call): void => {
      this.calls.push(c);
      const err = this.reactor?.(c);
      if (err) throw err;
    };
    const store = (k: string, o: Obj, type: WatchEventType): Obj => {
      o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
      b.set(k, o);
      this.emit(gvr.resource, type, o);
      return structuredClone(o);
    };
    const client = {
      gvr,
      get: async (name: string, o?: { namespace?: string }) => {
        const v = b.get(key(o?.namespace, name));
        if (!v) throw notFound(name);
        return structuredClone(v);
      },
      list: async (o?: ListOptions): Promise<KubeList> => {
        const items = [...b.values()].filter((v) => (!o?.namespace || v.metadata?.namespace === o.namespace) && matchesFields(v, o?.fieldSelector));
        return { metadata: { resourceVersion: String(this.log.length) }, items: structuredClone(items) };
      },
      create: async (obj: KubeObject, o?: { namespace?: string }) => {
        const ns = o?.namespace ?? obj.metadata?.namespace;
        const name = obj.metadata?.name ?? '';
        record({ verb: 'create', resource: gvr.resource, namespace: ns, name, body: obj });
        if (b.has(key(ns, name))) throw new StatusError(409, 'AlreadyExists', `${gvr.resource} "${name}" already exists`);
        const v = structuredClone(obj) as Obj;
        v.metadata = { ...v.metadata, namespace: ns, uid: randomUUID() };
        return store(key(ns, name), v, 'ADDED');
      },
      patch: async (name: string, type: string, patch: unknown, o?: { namespace?: string; subresource?: string }) => {
        record({ verb: 'patch', resource: gvr.resource, namespace: o?.namespace, name, subresource: o?.subresource, body: structuredClone(patch) });
        const old = b.get(key(o?.namespace, name));
        if (!old) throw notFound(name);
        const p = patch as Record<string, unknown>;
        const uid = (p.metadata as { uid?: string } | undefined)?.uid;
        if (uid && uid !== old.metadata?.uid) throw new StatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata?.uid}`);
        const schema = type === 'strategic' ? strategicSchemaFor('', 'v1', KINDS[gvr.resource] ?? '') : undefined;
        const next = strategicMergePatch(structuredClone(old) as Record<string, unknown>, p, schema) as Obj;
        return store(key(o?.namespace, name), next, 'MODIFIED');
      },
      delete: async (name: string, o?: DeleteOptions) => {
        record({ verb: 'delete', resource: gvr.resource, namespace: o?.namespace, name, options: o });
        const old = b.get(key(o?.namespace, name));
        if (!old) throw notFound(name);
        if (o?.preconditions?.uid && o.preconditions.uid !== old.metadata?.uid) throw new StatusError(409, 'Conflict', 'Precondition failed: UID');
        b.delete(key(o?.namespace, name));
        this.emit(gvr.resource, 'DELETED', old);
        return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
      },
      watch: (opts: ListOptions & { signal?: AbortSignal }) => this.watch(gvr.resource, opts),
    };
    return client as unknown as ResourceClient<T>;
  }

  private bucket(resource: string): Map<string, Obj> {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new Map()));
    return b;
  }

  private emit(resource: string, type: WatchEventType, object: KubeObject): void {
    this.log.push({ resource, event: { type, object: structuredClone(object) } });
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private async *watch(resource: string, opts: ListOptions & { signal?: AbortSignal }): AsyncGenerator<WatchEvent> {
    let pos = opts.resourceVersion !== undefined && /^\d+$/.test(opts.resourceVersion) ? Number(opts.resourceVersion) : this.log.length;
    const signal = opts.signal;
    while (!signal?.aborted) {
      while (pos < this.log.length) {
        const e = this.log[pos++]!;
        if (e.resource === resource && matchesFields(e.event.object as Obj, opts.fieldSelector)) yield e.event;
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }
}

function key(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function matchesFields(o: Obj, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const neq = term.includes('!=');
    const [path, want] = term.split(neq ? '!=' : '=') as [string, string];
    let v: unknown = o;
    for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    const got = v === undefined || v === null ? '' : String(v);
    return neq ? got !== want : got === want;
  });
}
