// The engine behind the ReplicaSet and ReplicationController controllers (upstream
// pkg/controller/replicaset, which serves both kinds): keep `spec.replicas` active pods that
// match the owner's selector — claim (adopt/release) pods, create the missing ones in slow-start
// batches, delete the surplus in upstream's preference order — and publish the counts in status.
// The two kinds differ only in resource, kind, event source and how the selector is read.

import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Lister, SharedInformer } from '../../client/cache/informer.js';
import { splitKey } from '../../client/cache/indexer.js';
import type { Interface } from '../../client/clientset.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Selector } from '../../machinery/labels.js';
import { selectorFromSet } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { claimObjects, getControllerOf, newControllerRef, resolveControllerRef, type OwnerKind } from './controller-ref.js';
import { Expectations } from './expectations.js';
import { PodControl } from './pod-control.js';
import { getPodCondition, isPodActive, isPodAvailable, isPodReady, objectKey, type PodObject } from './podutil.js';
import type { Controller, ControllerContext, SyncResult } from './types.js';
import { WorkerPool } from './workers.js';

/** Upstream BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
/** Upstream SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface ReplicaOwnerCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What ReplicaSetStatus and ReplicationControllerStatus have in common (everything). */
export interface ReplicaOwnerStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaOwnerCondition[];
}

/** A ReplicaSet or a ReplicationController, seen through the fields both have. */
export interface ReplicaOwner extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    template?: PodTemplateSpec;
    selector?: unknown;
  };
  status?: ReplicaOwnerStatus;
}

export interface ReplicaManagerOptions<T extends ReplicaOwner> {
  /** Controller name in the manager (`replicaset`, `replicationcontroller`). */
  name: string;
  /** The owners' resource. */
  gvr: GroupVersionResource;
  /** apiVersion/kind written into the pods' controller references. */
  kind: OwnerKind;
  /** Event source component (`replicaset-controller`, `replication-controller`). */
  component: string;
  /** The owner's pod selector; throws when it is invalid (the owner is then skipped). */
  selector(owner: T): Selector;
  burstReplicas?: number;
  /** Concurrent syncs (upstream --concurrent-replicaset-syncs / --concurrent-rc-syncs = 5). */
  workers?: number;
}

/** The selector of a ReplicationController: its map, or the template's labels if unset. */
export function selectorFromMap(set: Readonly<Record<string, string>> | undefined, template?: PodTemplateSpec): Selector {
  const labels = set && Object.keys(set).length ? set : template?.metadata?.labels;
  if (!labels || Object.keys(labels).length === 0) throw new Error('selector is empty');
  return selectorFromSet(labels);
}

/**
 * Expectations whose deletions are tracked by pod key (upstream
 * UIDTrackingControllerExpectations): a pod is counted once whether its deletion is seen as a
 * deletionTimestamp update, a delete event, or both.
 */
export class TrackingExpectations {
  private readonly counts: Expectations;
  private readonly pendingDeletes = new Map<string, Set<string>>();

  constructor(now: () => number) {
    this.counts = new Expectations(now);
  }
  satisfied(key: string): boolean {
    return this.counts.satisfied(key);
  }
  expectCreations(key: string, n: number): void {
    this.pendingDeletes.delete(key);
    this.counts.expectCreations(key, n);
  }
  creationObserved(key: string): void {
    this.counts.creationObserved(key);
  }
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.pendingDeletes.set(key, new Set(podKeys));
    this.counts.expectDeletions(key, podKeys.length);
  }
  deletionObserved(key: string, podKey: string): void {
    const pending = this.pendingDeletes.get(key);
    if (pending?.delete(podKey)) this.counts.deletionObserved(key);
  }
  delete(key: string): void {
    this.pendingDeletes.delete(key);
    this.counts.delete(key);
  }
}

/**
 * Runs `fn` `count` times in batches of 1, 2, 4, … (each batch concurrently), stopping after
 * the first batch with a failure (upstream slowStartBatch). Returns the successes and the first
 * error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length) {
      const e: unknown = failed[0]!.reason;
      return { successes, error: e instanceof Error ? e : new Error(String(e)) };
    }
    remaining -= size;
  }
  return { successes };
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function deletionCost(pod: PodObject): number {
  const v = pod.metadata?.annotations?.[DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxRestarts(pod: PodObject): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n = Math.max(n, s.restartCount ?? 0);
  return n;
}

/** Floor of log2 of the age in nanoseconds (upstream logarithmicRankDiff), -1 when not positive. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/**
 * Negative when `a` should be deleted before `b` (upstream ActivePodsWithRanks.Less with
 * PodDeletionCost and LogarithmicScaleDown on, as in 1.32): unassigned < assigned; Pending <
 * Unknown < Running; not ready < ready; lower pod-deletion-cost; more colocated related pods;
 * ready for less time (log scale); more restarts; newer (log scale); ties by UID.
 */
function compareRanked(a: PodObject, rankA: number, b: PodObject, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  const byUID = (): number => ((a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : (a.metadata?.uid ?? '') > (b.metadata?.uid ?? '') ? 1 : 0);
  // Zero times come first; then the later (younger) one; both scaled logarithmically.
  const byTime = (ta: number, tb: number): number => {
    if (ta === 0 || tb === 0) return ta === 0 ? -1 : 1;
    const diff = logRank(ta, now) - logRank(tb, now);
    return diff === 0 ? byUID() : diff;
  };
  if (ra && rb) {
    const ta = time(getPodCondition(a, 'Ready')?.lastTransitionTime);
    const tb = time(getPodCondition(b, 'Ready')?.lastTransitionTime);
    if (ta !== tb) return byTime(ta, tb);
  }
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa !== xb) return xb - xa;
  const ka = time(a.metadata?.creationTimestamp);
  const kb = time(b.metadata?.creationTimestamp);
  if (ka !== kb) return byTime(ka, kb);
  return 0;
}

/**
 * The `diff` pods to delete first (upstream getPodsToDelete): ranked by how many active
 * related pods share their node, then compareRanked.
 */
export function podsToDelete(pods: readonly PodObject[], related: readonly PodObject[], diff: number, now: number): PodObject[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => compareRanked(x.p, x.rank, y.p, y.rank, now));
  return ranked.slice(0, diff).map((r) => r.p);
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Upstream calculateStatus: counts over the claimed active pods and the ReplicaFailure condition. */
export function calculateStatus(owner: ReplicaOwner, pods: readonly PodObject[], manageErr: Error | undefined, now: number): ReplicaOwnerStatus {
  const status: ReplicaOwnerStatus = structuredClone(owner.status ?? { replicas: 0 });
  const template = owner.spec?.template?.metadata?.labels ?? {};
  const templateSel = selectorFromSet(template);
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (templateSel.matches(p.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    status.conditions = [...(status.conditions ?? []), { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message: manageErr.message }];
  } else if (!manageErr && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

function statusEqual(a: ReplicaOwnerStatus | undefined, b: ReplicaOwnerStatus): boolean {
  return (
    (a?.replicas ?? 0) === b.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}

function sameRef(a: ReturnType<typeof getControllerOf>, b: ReturnType<typeof getControllerOf>): boolean {
  if (!a || !b) return a === b;
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion;
}

function labelsEqual(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}

/** The ReplicaSet / ReplicationController control loop over one owner resource. */
export class ReplicaManager<T extends ReplicaOwner> implements Controller {
  readonly name: string;
  readonly expectations: TrackingExpectations;
  private readonly pool: WorkerPool<string>;
  private readonly owners: Lister<T>;
  private readonly ownerInformer: SharedInformer<T>;
  private readonly pods: Lister<PodObject>;
  private readonly client: Interface;
  private readonly podControl: PodControl;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly burst: number;
  private readonly uidIndex: string;
  /** Parsed selectors per cached owner object (cached objects are immutable). */
  private readonly selectors = new WeakMap<T, Selector | null>();

  constructor(
    ctx: ControllerContext,
    private readonly opts: ReplicaManagerOptions<T>,
  ) {
    this.name = opts.name;
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = () => ctx.now();
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.expectations = new TrackingExpectations(this.now);
    this.podControl = new PodControl(ctx.client, ctx.recorder(opts.component));
    this.pool = new WorkerPool<string>({ name: opts.name, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });

    this.ownerInformer = ctx.informers.forResource<T>(opts.gvr);
    this.owners = this.ownerInformer.lister();
    this.uidIndex = `${opts.name}:controllerUID`;
    try {
      this.ownerInformer.addIndexers({
        [this.uidIndex]: (o) => {
          const ref = getControllerOf(o);
          return ref?.uid ? [ref.uid] : [];
        },
      });
    } catch {
      // Already added by an earlier instance on the same informer: the same function.
    }
    this.ownerInformer.addEventHandler({
      onAdd: (o) => this.enqueue(o),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.onOwnerDelete(old);
        this.enqueue(cur);
      },
      onDelete: (o) => this.onOwnerDelete(o),
    });

    const podInformer = ctx.informers.forResource<PodObject>(PODS);
    this.pods = podInformer.lister();
    podInformer.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (p) => this.onPodDelete(p),
    });
  }

  /** The work queue (tests look at what handlers enqueued). */
  get queue(): WorkerPool<string>['queue'] {
    return this.pool.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  // ---- event handlers: bookkeeping and enqueue only

  private enqueue(o: KubeObject): void {
    this.pool.queue.add(objectKey(o));
  }

  private onOwnerDelete(o: T): void {
    const key = objectKey(o);
    this.expectations.delete(key);
    this.pool.queue.add(key);
  }

  private selectorOf(owner: T): Selector | undefined {
    let s = this.selectors.get(owner);
    if (s === undefined) {
      try {
        s = this.opts.selector(owner);
      } catch {
        s = null;
      }
      this.selectors.set(owner, s);
    }
    return s ?? undefined;
  }

  /** The owner a controller reference names, if it is of our kind and still the same object. */
  private resolve(namespace: string | undefined, ref: ReturnType<typeof getControllerOf>): T | undefined {
    return resolveControllerRef(this.owners, namespace, ref, this.opts.kind.kind);
  }

  /** Every owner whose selector matches an orphan pod, so it can adopt it. */
  private enqueueMatching(pod: PodObject): void {
    for (const o of this.owners.list(pod.metadata?.namespace)) {
      if (this.selectorOf(o)?.matches(pod.metadata?.labels ?? {})) this.enqueue(o);
    }
  }

  private onPodAdd(pod: PodObject): void {
    // A pod first seen already terminating (a restart) is no creation to observe.
    if (pod.metadata?.deletionTimestamp) {
      this.onPodDelete(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const owner = this.resolve(pod.metadata?.namespace, ref);
      if (!owner) return;
      const key = objectKey(owner);
      this.expectations.creationObserved(key);
      this.pool.queue.add(key);
      return;
    }
    this.enqueueMatching(pod);
  }

  private onPodUpdate(old: PodObject, cur: PodObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged = !labelsEqual(old.metadata?.labels, cur.metadata?.labels);
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion: replace the pod now rather than when the kubelet removes it.
      this.onPodDelete(cur);
      if (labelChanged) this.onPodDelete(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !sameRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const prev = this.resolve(old.metadata?.namespace, oldRef);
      if (prev) this.enqueue(prev);
    }
    if (curRef) {
      const owner = this.resolve(cur.metadata?.namespace, curRef);
      if (!owner) return;
      this.enqueue(owner);
      const minReady = owner.spec?.minReadySeconds ?? 0;
      // Becomes available minReadySeconds later: look again then (plus upstream's one second of skew).
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.pool.queue.addAfter(objectKey(owner), (minReady + 1) * 1000);
      return;
    }
    if (labelChanged || refChanged) this.enqueueMatching(cur);
  }

  private onPodDelete(pod: PodObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const owner = this.resolve(pod.metadata?.namespace, ref);
    if (!owner) return;
    const key = objectKey(owner);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.pool.queue.add(key);
  }

  // ---- reconcile

  /** Claims pods, creates or deletes the difference unless waiting on expectations, writes status. */
  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const { namespace, name } = splitKey(key);
    const owner = this.owners.get(namespace, name);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = this.selectorOf(owner);
    if (!selector) {
      this.log.warn({ key }, 'invalid selector, not syncing');
      return;
    }
    const active = this.pods.list(namespace).filter(isPodActive);
    const ownerClient = this.client.resource<T>(this.opts.gvr);
    const pods = await claimObjects(active, {
      owner,
      kind: this.opts.kind,
      selector,
      client: this.client.resource<PodObject>(PODS),
      signal,
      recheckOwner: async () => {
        try {
          return await ownerClient.get(name, { namespace, signal });
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      },
    });

    let manageErr: Error | undefined;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, pods, signal);
      } catch (e) {
        manageErr = e instanceof Error ? e : new Error(String(e));
      }
    }
    const status = calculateStatus(owner, pods, manageErr, this.now());
    const updated = await this.updateStatus(owner, status, signal);
    if (manageErr) throw manageErr;
    // A last line of defence against clock skew: look again once the ready pods should be available.
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const replicas = updated.spec?.replicas ?? 1;
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) === replicas && (updated.status?.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private async manageReplicas(key: string, owner: T, pods: PodObject[], signal: AbortSignal): Promise<void> {
    const replicas = owner.spec?.replicas ?? 1;
    let diff = pods.length - replicas;
    if (diff < 0) {
      diff = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, diff);
      const ref = newControllerRef(owner, this.opts.kind);
      const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPod(owner.spec?.template, owner, ref, { signal });
        } catch (e) {
          // Every creation fails in a terminating namespace: nothing to report.
          if (isStatusError(e) && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
          throw e;
        }
      });
      // What was never created will never be observed.
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff === 0) return;
    diff = Math.min(diff, this.burst);
    const victims = podsToDelete(pods, this.relatedPods(owner), diff, this.now());
    const podKeys = victims.map((p) => objectKey(p));
    this.expectations.expectDeletions(key, podKeys);
    // A deletion the informer delivered while we were claiming will not be delivered again.
    for (const p of victims) {
      const cached = this.pods.get(p.metadata?.namespace, p.metadata?.name ?? '');
      if (!cached || cached.metadata?.uid !== p.metadata?.uid || cached.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(p));
    }
    const results = await Promise.allSettled(
      victims.map(async (p) => {
        try {
          await this.podControl.deletePod(p.metadata?.namespace ?? '', p.metadata?.name ?? '', owner, signal);
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(p));
          throw e;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  /** Pods of every owner controlled by the same controller (a Deployment's ReplicaSets). */
  private relatedPods(owner: T): PodObject[] {
    const ref = getControllerOf(owner);
    if (!ref?.uid) return [];
    const seen = new Set<string>();
    const out: PodObject[] = [];
    for (const o of this.ownerInformer.indexer.byIndex(this.uidIndex, ref.uid)) {
      const sel = this.selectorOf(o);
      if (!sel) continue;
      for (const p of this.pods.list(o.metadata?.namespace)) {
        const uid = p.metadata?.uid ?? '';
        if (seen.has(uid) || !sel.matches(p.metadata?.labels ?? {})) continue;
        seen.add(uid);
        out.push(p);
      }
    }
    return out;
  }

  /** Upstream updateReplicaSetStatus: skipped when nothing changed; one GET-and-retry on failure. */
  private async updateStatus(owner: T, status: ReplicaOwnerStatus, signal: AbortSignal): Promise<T> {
    const generation = owner.metadata?.generation ?? 0;
    if (statusEqual(owner.status, status) && generation === (owner.status?.observedGeneration ?? 0)) return owner;
    const rc = this.client.resource<T>(this.opts.gvr);
    const namespace = owner.metadata?.namespace;
    const write = (o: T): Promise<T> => {
      const copy = structuredClone(o) as DeepMutable<T>;
      (copy as ReplicaOwner).status = { ...status, observedGeneration: generation };
      return rc.updateStatus(copy as T, { namespace, signal });
    };
    try {
      return await write(owner);
    } catch (e) {
      if (signal.aborted) throw e;
      const fresh = await rc.get(owner.metadata?.name ?? '', { namespace, signal });
      return await write(fresh);
    }
  }
}
