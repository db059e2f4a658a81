// An in-memory API for scheduler tests and benchmarks (the scheduler may not import the
// controllers' FakeClient): objects by resource/namespace/name, uids and resourceVersions,
// merge patches (strategic patches applied as merge patches), pods/binding, and watches fed from
// a log of every change so informers over it behave as over the API server. Tests change the
// world "from outside" with `apply` and `remove`; `reactor` may fail a call.

import { randomUUID } from 'node:crypto';
import type { Interface } from '../../client/clientset.js';
import type { GroupVersionResource, KubeList, KubeObject, ResourceClient, WatchEvent, WatchEventType } from '../../client/rest/resource.js';
import { StatusError } from '../../machinery/errors.js';

export interface Action {
  verb: 'create' | 'patch' | 'delete' | 'update';
  resource: string;
  namespace: string | undefined;
  name: string;
  subresource?: string;
  body?: unknown;
}

interface LogEntry {
  resource: string;
  event: WatchEvent;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export class WatchableClient implements Interface {
  readonly actions: Action[] = [];
  /** Returns an error to fail the call. */
  reactor: ((a: Action) => Error | undefined) | undefined;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly log: LogEntry[] = [];
  private readonly listPositions = new Map<string, number>();
  private rv = 100;
  private waiters: (() => void)[] = [];

  get discovery(): never {
    throw new Error('WatchableClient has no discovery');
  }

  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject> {
    return this.resource(gvr);
  }

  /** Writes as `verb resource[/sub] ns/name`. */
  writes(): string[] {
    return this.actions.map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace ? `${a.namespace}/` : ''}${a.name}`);
  }

  stored<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string): T | undefined {
    return this.bucket(gvr.resource).get(key(namespace, name)) as T | undefined;
  }

  /** Creates or replaces an object as another client would (no action recorded). */
  apply<T extends KubeObject>(gvr: GroupVersionResource, obj: T): T {
    const o = structuredClone(obj) as Obj;
    const m = (o.metadata ??= {}) as Record<string, unknown>;
    const b = this.bucket(gvr.resource);
    const k = key(m.namespace as string | undefined, m.name as string);
    const old = b.get(k);
    m.uid ??= old?.metadata?.uid ?? randomUUID();
    m.creationTimestamp ??= old?.metadata?.creationTimestamp ?? '2026-01-01T00:00:00Z';
    m.resourceVersion = String(++this.rv);
    b.set(k, o);
    this.emit(gvr.resource, old ? 'MODIFIED' : 'ADDED', o);
    return structuredClone(o) as T;
  }

  /** Deletes an object as another client would. */
  remove(gvr: GroupVersionResource, namespace: string | undefined, name: string): void {
    const b = this.bucket(gvr.resource);
    const old = b.get(key(namespace, name));
    if (!old) return;
    b.delete(key(namespace, name));
    this.emit(gvr.resource, 'DELETED', old);
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    const b = this.bucket(gvr.resource);
    const ns = (o?: { namespace?: string }, obj?: KubeObject): string | undefined => (gvr.namespaced ? (o?.namespace ?? obj?.metadata?.namespace) : undefined);
    const notFound = (name: string): StatusError => new StatusError(404, 'NotFound', `${gvr.resource} "${name}" not found`, { name, kind: gvr.resource });
    const act = (a: Action): void => {
      this.actions.push(a);
      const err = this.reactor?.(a);
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
        const v = b.get(key(ns(o), name));
        if (!v) throw notFound(name);
        return structuredClone(v);
      },
      list: async (o?: { namespace?: string }): Promise<KubeList> => {
        const n = ns(o);
        const items = [...b.values()].filter((v) => !n || v.metadata?.namespace === n);
        const rv = `list-${++this.rv}`;
        this.listPositions.set(rv, this.log.length);
        return { metadata: { resourceVersion: rv }, items: structuredClone(items) };
      },
      create: async (obj: KubeObject, o?: { namespace?: string }) => {
        const n = ns(o, obj);
        const name = obj.metadata?.name ?? '';
        act({ verb: 'create', resource: gvr.resource, namespace: n, name, body: obj });
        if (b.has(key(n, name))) throw new StatusError(409, 'AlreadyExists', `${gvr.resource} "${name}" already exists`, { name, kind: gvr.resource });
        const v = structuredClone(obj) as Obj;
        v.metadata = { ...v.metadata, namespace: n, uid: randomUUID() };
        return store(key(n, name), v, 'ADDED');
      },
      patch: async (name: string, _type: string, patch: unknown, o?: { namespace?: string; subresource?: string }) => {
        const n = ns(o);
        act({ verb: 'patch', resource: gvr.resource, namespace: n, name, subresource: o?.subresource, body: structuredClone(patch) });
        const old = b.get(key(n, name));
        if (!old) throw notFound(name);
        const rv = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
        if (rv && rv !== old.metadata?.resourceVersion) throw conflict(gvr.resource, name);
        return store(key(n, name), mergePatch(structuredClone(old), patch) as Obj, 'MODIFIED');
      },
      delete: async (name: string, o?: { namespace?: string }) => {
        const n = ns(o);
        act({ verb: 'delete', resource: gvr.resource, namespace: n, name });
        const old = b.get(key(n, name));
        if (!old) throw notFound(name);
        b.delete(key(n, name));
        this.emit(gvr.resource, 'DELETED', old);
        return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
      },
      createSubresource: async (name: string, sub: string, body: KubeObject, o?: { namespace?: string }) => {
        const n = ns(o, body);
        act({ verb: 'create', resource: gvr.resource, namespace: n, name, subresource: sub, body });
        const old = b.get(key(n, name));
        if (!old) throw notFound(name);
        if (sub === 'binding') {
          if (old.spec?.nodeName) throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${String(old.spec.nodeName)}"`);
          const v = structuredClone(old);
          v.spec = { ...v.spec, nodeName: (body as { target?: { name?: string } }).target?.name };
          store(key(n, name), v, 'MODIFIED');
        }
        return { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 };
      },
      watch: (opts: { resourceVersion?: string; signal?: AbortSignal }) => this.watch(gvr.resource, opts.resourceVersion ?? '', opts.signal),
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

  private async *watch(resource: string, rv: string, signal: AbortSignal | undefined): AsyncGenerator<WatchEvent> {
    let pos = this.listPositions.get(rv) ?? this.log.length;
    while (!signal?.aborted) {
      while (pos < this.log.length) {
        const e = this.log[pos++]!;
        if (e.resource === resource) yield e.event;
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

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function conflict(resource: string, name: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
}
