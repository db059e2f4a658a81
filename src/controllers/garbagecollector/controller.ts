// The garbage collector (upstream pkg/controller/garbagecollector): watches the metadata of every
// deletable resource, keeps the owner/dependent graph, and
//  - deletes dependents whose owners are all gone (checked with a live GET by uid),
//  - for an owner deleted in foreground, deletes its dependents and then drops its
//    `foregroundDeletion` finalizer once no blocking dependents remain,
//  - for an owner deleted with `orphan`, removes the ownerReferences to it and drops the finalizer.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { GroupVersionResource, KubeObject, PropagationPolicy } from '../../client/rest/resource.js';
import { GroupDiscoveryFailedError, supportingVerbs, type ServedResource } from '../../client/dynamic/discovery.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { RateLimitingQueue } from '../../client/workqueue/queue.js';
import type { SharedInformerFactory } from '../../client/cache/factory.js';
import type { Logger } from '../../logging/index.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { DependencyGraph, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type GraphNode, type ObjectIdentity } from './graph.js';

export const NAME = 'garbage-collector-controller';

export function create(ctx: ControllerContext): Controller {
  return new GarbageCollector(ctx);
}

/**
 * Resources the GC never watches (upstream DefaultIgnoredResources: events), plus the
 * `extensions` group, whose resources k8ts serves as aliases of apps/networking.k8s.io objects
 * (watching both would feed every object in twice).
 */
export const DEFAULT_IGNORED: readonly { group: string; resource?: string }[] = [
  { group: '', resource: 'events' },
  { group: 'events.k8s.io', resource: 'events' },
  { group: 'extensions' },
];

export interface GarbageCollectorOptions {
  /** Workers for each of the two queues (upstream --concurrent-gc-syncs, 20). */
  workers?: number;
  ignored?: readonly { group: string; resource?: string }[];
}

/** Thrown when the owner or dependent kind is not served. */
export class RESTMappingError extends Error {
  readonly code = 'RESTMapping';
  constructor(apiVersion: string, kind: string) {
    super(`unable to find the resource of ${kind} in ${apiVersion}`);
    this.name = 'RESTMappingError';
  }
}

/** Kind → resource from discovery, by group (any served version of the group maps). */
class RESTMapper {
  private readonly byGroupKind = new Map<string, ServedResource>();
  constructor(resources: readonly ServedResource[]) {
    for (const r of resources) {
      const k = `${r.group}|${r.kind}`;
      if (!this.byGroupKind.has(k)) this.byGroupKind.set(k, r);
    }
  }
  resourceFor(apiVersion: string, kind: string): ServedResource {
    const i = apiVersion.indexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const r = this.byGroupKind.get(`${group}|${kind}`);
    if (!r) throw new RESTMappingError(apiVersion, kind);
    return r;
  }
}

export class GarbageCollector implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly informers: SharedInformerFactory;
  private readonly log: Logger;
  private readonly graph: DependencyGraph;
  private readonly deletePool: WorkerPool<string>;
  private readonly orphanPool: WorkerPool<string>;
  private mapper = new RESTMapper([]);
  private readonly ignored: readonly { group: string; resource?: string }[];
  /** Monitored resources, for tests and logs. */
  monitored: ServedResource[] = [];

  constructor(ctx: ControllerContext, opts: GarbageCollectorOptions = {}) {
    this.client = ctx.client;
    this.informers = ctx.informers;
    this.log = ctx.logger;
    this.ignored = opts.ignored ?? DEFAULT_IGNORED;
    const workers = opts.workers ?? 5;
    this.deletePool = new WorkerPool<string>({
      name: `${NAME}-delete`,
      logger: ctx.logger.child({ queue: 'attemptToDelete' }),
      workers,
      queue: new RateLimitingQueue<string>(),
      sync: (uid, signal) => this.attemptToDelete(uid, signal),
    });
    this.orphanPool = new WorkerPool<string>({
      name: `${NAME}-orphan`,
      logger: ctx.logger.child({ queue: 'attemptToOrphan' }),
      workers,
      queue: new RateLimitingQueue<string>(),
      sync: (uid, signal) => this.attemptToOrphan(uid, signal),
    });
    this.graph = new DependencyGraph(
      {
        attemptToDelete: (uid) => this.deletePool.queue.add(uid),
        attemptToOrphan: (uid) => this.orphanPool.queue.add(uid),
      },
      ctx.logger,
    );
  }

  /** Discovers the deletable resources and registers a metadata informer for each. */
  async prepare(signal: AbortSignal): Promise<void> {
    let resources: ServedResource[];
    try {
      resources = await this.client.discovery.serverResources({ signal });
    } catch (e) {
      if (!(e instanceof GroupDiscoveryFailedError)) throw e;
      this.log.warn({ err: e.message }, 'discovery incomplete, collecting garbage of the resources found');
      resources = e.resources;
    }
    this.mapper = new RESTMapper(resources);
    const deletable = supportingVerbs(resources, ['delete', 'list', 'watch']).filter(
      (r) => !this.ignored.some((ig) => ig.group === r.group && (ig.resource === undefined || ig.resource === r.resource)),
    );
    this.monitored = deletable;
    for (const r of deletable) {
      const informer = this.informers.forResource(r, { metadataOnly: true });
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      informer.addEventHandler({
        onAdd: (obj) => this.graph.enqueue({ type: 'add', obj, apiVersion, kind: r.kind }),
        onUpdate: (_old, obj) => this.graph.enqueue({ type: 'update', obj, apiVersion, kind: r.kind }),
        onDelete: (obj) => this.graph.enqueue({ type: 'delete', obj, apiVersion, kind: r.kind }),
      });
    }
    this.log.debug({ resources: deletable.length }, 'garbage collector monitors registered');
  }

  /** Starts the workers once the graph holds everything the informers listed. */
  async run(signal: AbortSignal): Promise<void> {
    await this.graph.idle();
    this.deletePool.start(signal);
    this.orphanPool.start(signal);
  }

  async close(): Promise<void> {
    this.graph.close();
    await Promise.all([this.deletePool.close(), this.orphanPool.close()]);
  }

  /** The graph, for tests. */
  get dependencyGraph(): DependencyGraph {
    return this.graph;
  }

  // ------------------------------------------------------------------ attemptToDelete

  /** Upstream attemptToDeleteItem for the node with this uid. */
  async attemptToDelete(uid: string, signal: AbortSignal): Promise<void> {
    const item = this.graph.node(uid);
    if (!item) return;
    // Being deleted is a one-way trip: wait for the final delete, then handle its dependents.
    if (item.beingDeleted && !item.deletingDependents) return;

    const latest = await this.getObject(item.identity, signal);
    if (!latest || latest.metadata?.uid !== item.identity.uid) {
      // Gone (or replaced by a new object of the same name): tell the graph.
      this.graph.enqueue({ type: 'virtualDelete', identity: item.identity });
      return;
    }
    if (item.virtual) {
      // It exists but no informer has reported it yet: look again later.
      throw new Error(`object ${describe(item.identity)} exists but has not been observed yet`);
    }
    if (item.deletingDependents) {
      await this.processDeletingDependents(item, signal);
      return;
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;

    const { solid, dangling, waiting } = await this.classifyReferences(item, refs, signal);
    if (solid.length) {
      if (dangling.length || waiting.length) {
        const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
        await this.patchOwnerReferences(item.identity, signal, (cur) => cur.filter((r) => !drop.has(r.uid)));
      }
      return;
    }
    if (waiting.length && item.dependents.size) {
      // Its owner waits for it in foreground, so it goes in foreground too. If one of its
      // dependents is itself deleting in foreground, unblock the owners (upstream's cycle guard).
      for (const dep of item.dependents) {
        if (dep.deletingDependents) {
          await this.patchOwnerReferences(item.identity, signal, (cur) => cur.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
          break;
        }
      }
      await this.deleteObject(item.identity, 'Foreground', signal);
      return;
    }
    const fins = latest.metadata?.finalizers ?? [];
    const policy: PropagationPolicy = fins.includes(FINALIZER_ORPHAN) ? 'Orphan' : fins.includes(FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
    this.log.debug({ object: describe(item.identity), policy }, 'deleting object whose owners are gone');
    await this.deleteObject(item.identity, policy, signal);
  }

  /** A foreground-deleting owner: drop its finalizer once no blocking dependents remain. */
  private async processDeletingDependents(item: GraphNode, signal: AbortSignal): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item.identity, FINALIZER_FOREGROUND, signal);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.deletePool.queue.add(dep.identity.uid);
  }

  /** Owner references whose owner exists (solid), is gone (dangling), or waits in foreground. */
  private async classifyReferences(
    item: GraphNode,
    refs: readonly OwnerReference[],
    signal: AbortSignal,
  ): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] }> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.getObject({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: item.identity.namespace, name: ref.name, uid: ref.uid }, signal);
      if (!owner || owner.metadata?.uid !== ref.uid) {
        dangling.push(ref);
        continue;
      }
      if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  // ------------------------------------------------------------------ attemptToOrphan

  /** Upstream attemptToOrphanWorker: drop references to the owner from its dependents, then the finalizer. */
  async attemptToOrphan(uid: string, signal: AbortSignal): Promise<void> {
    const owner = this.graph.node(uid);
    if (!owner) return;
    const errors: string[] = [];
    await Promise.all(
      [...owner.dependents].map(async (dep) => {
        try {
          await this.patchOwnerReferences(dep.identity, signal, (cur) => cur.filter((r) => r.uid !== uid));
        } catch (e) {
          if (!isNotFound(e)) errors.push(`${describe(dep.identity)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    if (errors.length) throw new Error(`orphaning dependents of ${describe(owner.identity)} failed: ${errors.join('; ')}`);
    await this.removeFinalizer(owner.identity, FINALIZER_ORPHAN, signal);
  }

  // ------------------------------------------------------------------ API calls

  private clientFor(id: ObjectIdentity): { gvr: GroupVersionResource; namespace: string | undefined } {
    const r = this.mapper.resourceFor(id.apiVersion, id.kind);
    return { gvr: r, namespace: r.namespaced ? id.namespace : undefined };
  }

  /** The live object's metadata; undefined when it does not exist. */
  private async getObject(id: ObjectIdentity, signal: AbortSignal): Promise<KubeObject | undefined> {
    const { gvr, namespace } = this.clientFor(id);
    if (gvr.namespaced && !namespace) return undefined; // a namespaced owner of a cluster-scoped object cannot exist
    try {
      return await this.client.metadata(gvr).get(id.name, { namespace, signal });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deleteObject(id: ObjectIdentity, policy: PropagationPolicy, signal: AbortSignal): Promise<void> {
    const { gvr, namespace } = this.clientFor(id);
    try {
      await this.client.metadata(gvr).delete(id.name, { namespace, propagationPolicy: policy, preconditions: { uid: id.uid }, signal });
    } catch (e) {
      if (isNotFound(e)) return;
      // A uid precondition failure means the object was replaced: the old one is gone.
      if (isConflict(e) && /Precondition failed: UID/.test((e as Error).message)) return;
      throw e;
    }
  }

  /** Rewrites metadata.ownerReferences with an optimistic-concurrency merge patch, retrying conflicts. */
  private async patchOwnerReferences(id: ObjectIdentity, signal: AbortSignal, edit: (cur: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const { gvr, namespace } = this.clientFor(id);
    const client = this.client.metadata(gvr);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getObject(id, signal);
      if (!cur || cur.metadata?.uid !== id.uid) return;
      const refs = cur.metadata?.ownerReferences ?? [];
      const next = edit(refs.map((r) => ({ ...r })));
      if (JSON.stringify(next) === JSON.stringify(refs)) return;
      try {
        await client.patch(
          id.name,
          'merge',
          { metadata: { ownerReferences: next.length ? next : null, resourceVersion: cur.metadata?.resourceVersion } },
          { namespace, signal },
        );
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 4) throw e;
      }
    }
  }

  private async removeFinalizer(id: ObjectIdentity, finalizer: string, signal: AbortSignal): Promise<void> {
    const { gvr, namespace } = this.clientFor(id);
    const client = this.client.metadata(gvr);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getObject(id, signal);
      if (!cur || cur.metadata?.uid !== id.uid) return;
      const fins = cur.metadata?.finalizers ?? [];
      if (!fins.includes(finalizer)) return;
      try {
        await client.patch(
          id.name,
          'merge',
          { metadata: { finalizers: fins.filter((f) => f !== finalizer), resourceVersion: cur.metadata?.resourceVersion } },
          { namespace, signal },
        );
        this.log.debug({ object: describe(id), finalizer }, 'finalizer removed');
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 4) throw e;
      }
    }
  }
}

function describe(id: ObjectIdentity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.uid})`;
}
