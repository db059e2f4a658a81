// The dependency graph of the garbage collector (upstream graph.go + graph_builder.go): one node
// per object uid, edges from ownerReferences. Informer events are queued and applied by one
// drain loop; transitions that need work put node uids on the attemptToDelete and
// attemptToOrphan queues.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { Logger } from '../../logging/index.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects (and for owners whose scope is not known yet). */
  namespace: string;
  name: string;
  uid: string;
}

export class GraphNode {
  /** Owners as last observed on the object. */
  owners: OwnerReference[] = [];
  readonly dependents = new Set<GraphNode>();
  /** Created from an ownerReference, never seen by an informer. */
  virtual: boolean;
  /** Has deletionTimestamp. */
  beingDeleted = false;
  /** Being deleted in foreground: waits for its blocking dependents. */
  deletingDependents = false;

  constructor(
    public identity: ObjectIdentity,
    virtual: boolean,
  ) {
    this.virtual = virtual;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion (upstream blockingDependents). */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents) {
      if (d.owners.some((r) => r.uid === this.identity.uid && r.blockOwnerDeletion === true)) out.push(d);
    }
    return out;
  }
}

export type GraphEvent =
  | { type: 'add' | 'update'; obj: KubeObject; apiVersion: string; kind: string }
  | { type: 'delete'; obj: KubeObject; apiVersion: string; kind: string }
  /** attemptToDelete found a virtual node's object absent. */
  | { type: 'virtualDelete'; identity: ObjectIdentity };

export interface GraphQueues {
  attemptToDelete(uid: string): void;
  attemptToOrphan(uid: string): void;
}

/** Events applied per drain turn before yielding the event loop. */
const BATCH = 500;

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private pending: GraphEvent[] = [];
  private head = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly queues: GraphQueues,
    private readonly log: Logger,
  ) {}

  node(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Queues a change; applied asynchronously in arrival order. */
  enqueue(ev: GraphEvent): void {
    if (this.closed) return;
    this.pending.push(ev);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Resolves once every queued change has been applied. */
  idle(): Promise<void> {
    if (this.head >= this.pending.length && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.pending = [];
    this.head = 0;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  private drain(): void {
    this.scheduled = false;
    const end = Math.min(this.pending.length, this.head + BATCH);
    for (; this.head < end; this.head++) {
      const ev = this.pending[this.head]!;
      try {
        this.apply(ev);
      } catch (e) {
        this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'graph change failed');
      }
    }
    if (this.head < this.pending.length) {
      this.scheduled = true;
      setImmediate(() => this.drain());
      return;
    }
    this.pending = [];
    this.head = 0;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /** Applies one change (upstream processGraphChanges). Exposed for tests. */
  apply(ev: GraphEvent): void {
    if (ev.type === 'virtualDelete') {
      const n = this.nodes.get(ev.identity.uid);
      if (!n) return;
      if (!n.virtual) {
        // Observed meanwhile: the dependents that pointed at it with other coordinates get re-checked.
        for (const d of n.dependents) this.queues.attemptToDelete(d.identity.uid);
        return;
      }
      this.removeNode(n);
      return;
    }
    const meta = ev.obj.metadata ?? {};
    const uid = meta.uid;
    if (!uid) return;
    const identity: ObjectIdentity = { apiVersion: ev.apiVersion, kind: ev.kind, namespace: meta.namespace ?? '', name: meta.name ?? '', uid };
    const existing = this.nodes.get(uid);

    if (ev.type === 'delete') {
      if (existing) this.removeNode(existing);
      return;
    }

    const owners = (meta.ownerReferences ?? []).map((r) => ({ ...r }));
    if (!existing) {
      const n = new GraphNode(identity, false);
      n.owners = owners;
      n.beingDeleted = Boolean(meta.deletionTimestamp);
      this.nodes.set(uid, n);
      this.addToOwners(n, owners);
      this.processTransitions(ev.obj, n);
      return;
    }

    existing.identity = identity;
    existing.virtual = false;
    const { added, removed, changed } = referencesDiff(existing.owners, owners);
    if (added.length || removed.length || changed.length) {
      // Owners waiting in foreground may proceed once a blocking reference goes away.
      for (const r of [...removed.filter((x) => x.blockOwnerDeletion), ...changed.filter((c) => c.old.blockOwnerDeletion && !c.new.blockOwnerDeletion).map((c) => c.old)]) {
        const o = this.nodes.get(r.uid);
        if (o?.deletingDependents) this.queues.attemptToDelete(o.identity.uid);
      }
      existing.owners = owners;
      this.addToOwners(existing, added);
      for (const r of removed) this.nodes.get(r.uid)?.dependents.delete(existing);
    }
    if (meta.deletionTimestamp) existing.beingDeleted = true;
    this.processTransitions(ev.obj, existing);
  }

  /**
   * Owners that start orphaning or foreground deletion get their work queued (upstream
   * processTransitions). Level-triggered: every event of a deleting owner re-queues it, which
   * the work queues de-duplicate.
   */
  private processTransitions(obj: KubeObject, n: GraphNode): void {
    const meta = obj.metadata ?? {};
    if (!meta.deletionTimestamp) return;
    const fins = meta.finalizers ?? [];
    if (fins.includes(FINALIZER_ORPHAN)) {
      this.queues.attemptToOrphan(n.identity.uid);
      return;
    }
    if (fins.includes(FINALIZER_FOREGROUND)) {
      if (!n.deletingDependents) {
        n.deletingDependents = true;
        for (const d of n.dependents) this.queues.attemptToDelete(d.identity.uid);
      }
      this.queues.attemptToDelete(n.identity.uid);
    }
  }

  private addToOwners(n: GraphNode, refs: readonly OwnerReference[]): void {
    for (const r of refs) {
      let owner = this.nodes.get(r.uid);
      if (!owner) {
        // Not seen yet: a virtual node, verified against the API by attemptToDelete.
        owner = new GraphNode({ apiVersion: r.apiVersion, kind: r.kind, namespace: n.identity.namespace, name: r.name, uid: r.uid }, true);
        this.nodes.set(r.uid, owner);
        this.queues.attemptToDelete(r.uid);
      }
      owner.dependents.add(n);
    }
  }

  private removeNode(n: GraphNode): void {
    this.nodes.delete(n.identity.uid);
    for (const r of n.owners) {
      const o = this.nodes.get(r.uid);
      if (!o) continue;
      o.dependents.delete(n);
      if (o.deletingDependents) this.queues.attemptToDelete(o.identity.uid);
    }
    // Its dependents may now be garbage.
    for (const d of n.dependents) this.queues.attemptToDelete(d.identity.uid);
  }
}

function referencesDiff(
  old: readonly OwnerReference[],
  next: readonly OwnerReference[],
): { added: OwnerReference[]; removed: OwnerReference[]; changed: { old: OwnerReference; new: OwnerReference }[] } {
  const oldByUID = new Map(old.map((r) => [r.uid, r]));
  const newByUID = new Map(next.map((r) => [r.uid, r]));
  const added = next.filter((r) => !oldByUID.has(r.uid));
  const removed = old.filter((r) => !newByUID.has(r.uid));
  const changed: { old: OwnerReference; new: OwnerReference }[] = [];
  for (const r of next) {
    const o = oldByUID.get(r.uid);
    if (o && (o.blockOwnerDeletion !== r.blockOwnerDeletion || o.controller !== r.controller || o.name !== r.name || o.kind !== r.kind || o.apiVersion !== r.apiVersion)) changed.push({ old: o, new: r });
  }
  return { added, removed, changed };
}
