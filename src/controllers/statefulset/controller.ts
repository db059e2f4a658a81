// The StatefulSet controller (upstream pkg/controller/statefulset: stateful_set.go,
// stateful_set_control.go, stateful_pod_control.go): pods with stable names, hostnames and
// claims, created in ordinal order (OrderedReady) or all at once (Parallel), updated from the
// highest ordinal down to the partition, with the template history kept in ControllerRevisions.

import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS } from '../../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest/errors.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { claimObjects, getControllerOf, newControllerRef, ownersSelecting, resolveControllerRef } from '../shared/controller-ref.js';
import {
  applyRevision,
  CONTROLLER_REVISION_HASH_LABEL,
  ensureControllerIndex,
  equalRevision,
  findEqualRevisions,
  History,
  newControllerRevision,
  nextRevision,
  ownedAndOrphans,
  revisionsToTruncate,
  sortRevisions,
  templatePatch,
  type ControllerRevisionObject,
} from '../shared/history.js';
import { objectKey, type PodObject } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import {
  allowsBurst,
  claimOwnerMatchesSetAndPod,
  claimOwnerRefsFor,
  claimsFor,
  CONTROLLER_KIND,
  descendingOrdinal,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  identityMatches,
  isCreated,
  isFailed,
  isMemberOf,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  replicasOf,
  retentionPolicy,
  storageMatches,
  updateIdentity,
  updateStorage,
  type ClaimObject,
  type StatefulSetObject,
} from './utils.js';

export const NAME = 'statefulset-controller';
/** Source component of the controller's events. */
export const COMPONENT = 'statefulset-controller';
const FIELD_MANAGER = 'kube-controller-manager';
/** Upstream MaxBatchSize of slowStartBatch. */
const MAX_BATCH_SIZE = 500;

export function create(ctx: ControllerContext): Controller {
  return new StatefulSetController(ctx);
}

export interface StatefulSetControllerOptions {
  /** Concurrent set syncs (kube-controller-manager --concurrent-statefulset-syncs, 5). */
  workers?: number;
}

type Status = DeepMutable<StatefulSetStatus> & { replicas: number };

export class StatefulSetController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly setLister: Lister<StatefulSetObject>;
  private readonly podLister: Lister<PodObject>;
  private readonly claimLister: Lister<ClaimObject>;
  private readonly history: History;
  private readonly pool: WorkerPool<string>;

  constructor(ctx: ControllerContext, opts: StatefulSetControllerOptions = {}) {
    this.client = ctx.client;
    this.recorder = ctx.recorder(COMPONENT);
    this.now = ctx.now;
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const sets = ctx.informers.forResource<StatefulSetObject>(STATEFULSETS);
    const pods = ctx.informers.forResource<PodObject>(PODS);
    const revisions = ctx.informers.forResource<ControllerRevisionObject>(CONTROLLERREVISIONS);
    const claims = ctx.informers.forResource<ClaimObject>(PERSISTENTVOLUMECLAIMS);
    ensureControllerIndex(pods);
    ensureControllerIndex(revisions);
    this.setLister = sets.lister();
    this.podLister = pods.lister();
    this.claimLister = claims.lister();
    this.history = new History(ctx.client, revisions.lister(), FIELD_MANAGER);

    const enqueue = (s: StatefulSetObject): void => this.pool.queue.add(objectKey(s));
    sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    pods.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (o, n) => this.onPodUpdate(o, n),
      onDelete: (p) => this.onPodDelete(p),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  // ---- event handlers (enqueue only)

  private ownerOf(pod: PodObject, ref: OwnerReference): StatefulSetObject | undefined {
    return resolveControllerRef(this.setLister, pod.metadata?.namespace, ref, 'StatefulSet');
  }

  /** Sets whose selector matches an orphan (upstream getStatefulSetsForPod). */
  private setsForOrphan(pod: PodObject): StatefulSetObject[] {
    return ownersSelecting(this.setLister, pod);
  }

  private onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) return this.onPodDelete(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.ownerOf(pod, ref);
      if (set) this.pool.queue.add(objectKey(set));
      return;
    }
    for (const s of this.setsForOrphan(pod)) this.pool.queue.add(objectKey(s));
  }

  private onPodUpdate(old: PodObject, cur: PodObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    if (oldRef && (!curRef || oldRef.uid !== curRef.uid)) {
      const set = this.ownerOf(old, oldRef);
      if (set) this.pool.queue.add(objectKey(set));
    }
    if (curRef) {
      const set = this.ownerOf(cur, curRef);
      if (set) this.pool.queue.add(objectKey(set));
      return;
    }
    if (labelsChanged || oldRef) for (const s of this.setsForOrphan(cur)) this.pool.queue.add(objectKey(s));
  }

  private onPodDelete(pod: PodObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.ownerOf(pod, ref);
    if (set) this.pool.queue.add(objectKey(set));
  }

  // ---- sync

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const set = this.setLister.getByKey(key);
    if (!set) return;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(set.spec?.selector);
    } catch {
      return; // invalid selector: not retryable
    }
    await this.adoptOrphanRevisions(set, selector, signal);
    const pods = await this.claimPods(set, selector, signal);
    const status = await this.updateStatefulSet(set, pods, selector, signal);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status && (status.availableReplicas ?? 0) !== replicasOf(set)) return { requeueAfterMs: minReady * 1000 };
  }

  private recheckSet(set: StatefulSetObject, signal: AbortSignal): () => Promise<StatefulSetObject | undefined> {
    return async () => {
      try {
        return await this.client.resource<StatefulSetObject>(STATEFULSETS).get(set.metadata?.name ?? '', { namespace: set.metadata?.namespace, signal });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
  }

  private async adoptOrphanRevisions(set: StatefulSetObject, selector: Selector, signal: AbortSignal): Promise<void> {
    const orphans = this.history.list(set, selector).filter((r) => !getControllerOf(r));
    if (orphans.length === 0) return;
    const fresh = await this.recheckSet(set, signal)();
    if (!fresh || fresh.metadata?.uid !== set.metadata?.uid) throw new Error(`can't adopt ControllerRevisions: original StatefulSet ${objectKey(set)} is gone`);
    if (fresh.metadata?.deletionTimestamp) throw new Error(`can't adopt ControllerRevisions: StatefulSet ${objectKey(set)} has just been deleted`);
    for (const r of orphans) await this.history.adopt(set, CONTROLLER_KIND, r, signal);
  }

  /** Pods of the set: owned ones and matching orphans whose names make them members (adopted). */
  private async claimPods(set: StatefulSetObject, selector: Selector, signal: AbortSignal): Promise<PodObject[]> {
    const candidates = ownedAndOrphans(this.podLister, set.metadata?.namespace ?? '', set.metadata?.uid ?? '').filter((p) => getControllerOf(p) || isMemberOf(set, p));
    const claimed = await claimObjects(candidates, {
      owner: set,
      kind: CONTROLLER_KIND,
      selector,
      client: this.client.resource<PodObject>(PODS),
      recheckOwner: this.recheckSet(set, signal),
      signal,
      fieldManager: FIELD_MANAGER,
    });
    return claimed.filter((p) => isMemberOf(set, p));
  }

  /** Current and update revisions, creating or re-numbering one when the template changed (getStatefulSetRevisions). */
  private async revisions(
    set: StatefulSetObject,
    sorted: ControllerRevisionObject[],
    signal: AbortSignal,
  ): Promise<{ current: ControllerRevisionObject; update: ControllerRevisionObject; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newControllerRevision(set, CONTROLLER_KIND, set.spec?.template?.metadata?.labels, templatePatch(set.spec?.template), nextRevision(sorted), collisionCount);
    if (set.metadata?.annotations) (candidate.metadata as DeepMutable<typeof candidate.metadata>)!.annotations = { ...set.metadata.annotations };
    const equal = findEqualRevisions(sorted, candidate);
    let update: ControllerRevisionObject;
    const last = sorted[sorted.length - 1];
    if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) {
      update = last!;
    } else if (equal.length > 0) {
      // Back to an earlier template: that revision becomes the newest again (a rollback).
      update = await this.history.updateRevision(equal[equal.length - 1]!, candidate.revision ?? 0, signal);
    } else {
      const created = await this.history.create(set, candidate, collisionCount, signal);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** UpdateStatefulSet: revisions, pods, status, then history truncation. */
  private async updateStatefulSet(set: StatefulSetObject, pods: PodObject[], selector: Selector, signal: AbortSignal): Promise<Status | undefined> {
    const sorted = sortRevisions(this.history.list(set, selector));
    const { current, update, collisionCount } = await this.revisions(set, sorted, signal);
    const res = await this.updatePods(set, current, update, collisionCount, pods, signal);
    let err = res.error;
    try {
      await this.updateStatus(set, res.status, signal);
    } catch (e) {
      err ??= e;
    }
    try {
      await this.truncateHistory(set, pods, sorted, current, update, signal);
    } catch (e) {
      err ??= e;
    }
    if (err !== undefined) throw err;
    return res.status;
  }

  private async truncateHistory(
    set: StatefulSetObject,
    pods: PodObject[],
    sorted: ControllerRevisionObject[],
    current: ControllerRevisionObject | undefined,
    update: ControllerRevisionObject | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const live = new Set<string>();
    if (current?.metadata?.name) live.add(current.metadata.name);
    if (update?.metadata?.name) live.add(update.metadata.name);
    for (const p of pods) live.add(getPodRevision(p));
    for (const r of revisionsToTruncate(sorted, live, set.spec?.revisionHistoryLimit)) await this.history.delete(r, signal);
  }

  /** updateStatefulSet of upstream's defaultStatefulSetControl: returns the status and the first error. */
  private async updatePods(
    set: StatefulSetObject,
    currentRevision: ControllerRevisionObject,
    updateRevision: ControllerRevisionObject,
    collisionCount: number,
    pods: PodObject[],
    signal: AbortSignal,
  ): Promise<{ status: Status; error?: unknown }> {
    const now = this.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const currentName = currentRevision.metadata?.name ?? '';
    const updateName = updateRevision.metadata?.name ?? '';
    const status: Status = {
      observedGeneration: set.metadata?.generation,
      currentRevision: currentName,
      updateRevision: updateName,
      collisionCount,
      replicas: 0,
    };
    const replicaCount = replicasOf(set);
    const start = getStartOrdinal(set);
    const replicas: PodObject[] = new Array<PodObject>(replicaCount);
    const condemned: PodObject[] = [];
    for (const p of pods) {
      if (podInOrdinalRange(p, set)) replicas[getOrdinal(p) - start] = p;
      else if (getOrdinal(p) >= 0) condemned.push(p);
    }
    const ref = newControllerRef(set, CONTROLLER_KIND);
    for (let i = 0; i < replicaCount; i++) {
      replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, start + i, ref);
    }
    condemned.sort(descendingOrdinal);
    computeStatus(status, minReady, now, currentName, updateName, pods);

    let firstUnavailable: PodObject | undefined;
    for (const p of replicas) {
      if (isUnavailable(p, minReady, now)) {
        firstUnavailable = p;
        break;
      }
    }
    if (!firstUnavailable) {
      for (let i = condemned.length - 1; i >= 0; i--) {
        if (isUnavailable(condemned[i]!, minReady, now)) {
          firstUnavailable = condemned[i];
          break;
        }
      }
    }
    if (set.metadata?.deletionTimestamp) return { status };

    const monotonic = !allowsBurst(set);
    const finish = (error?: unknown) => {
      computeStatus(status, minReady, now, currentName, updateName, replicas, condemned);
      return { status, error };
    };

    try {
      if (await runForAll(replicas.length, (i) => this.processReplica(set, updateSet, monotonic, replicas, i, signal), monotonic)) return finish();
      const fixClaims = async (i: number): Promise<boolean> => {
        await this.updateClaimsForRetention(updateSet, condemned[i]!, signal);
        return false;
      };
      if (await runForAll(condemned.length, fixClaims, monotonic)) return finish();
      const processCondemned = async (i: number): Promise<boolean> => {
        const pod = condemned[i]!;
        if (isTerminating(pod)) return monotonic; // wait for the deletion to finish
        if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
        await this.deletePod(set, pod, signal);
        return true;
      };
      if (await runForAll(condemned.length, processCondemned, monotonic)) return finish();
    } catch (e) {
      return finish(e);
    }
    computeStatus(status, minReady, now, currentName, updateName, replicas, condemned);

    const strategy = set.spec?.updateStrategy;
    if (strategy?.type === 'OnDelete') return { status };
    // RollingUpdate: replace the highest-index pod not at the update revision, one at a time.
    const updateMin = strategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replicas[target]!;
      if (getPodRevision(pod) !== updateName && !isTerminating(pod)) {
        try {
          await this.deletePod(set, pod, signal);
        } catch (e) {
          if (!isNotFound(e)) return { status, error: e };
        }
        status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        return { status };
      }
      if (isUnavailable(pod, minReady, now)) return { status };
    }
    return { status };
  }

  /** One replica (upstream processReplica); true = stop here this round. */
  private async processReplica(set: StatefulSetObject, updateSet: StatefulSetObject, monotonic: boolean, replicas: PodObject[], i: number, signal: AbortSignal): Promise<boolean> {
    const pod = replicas[i]!;
    const minReady = set.spec?.minReadySeconds ?? 0;
    // A failed or succeeded pod is deleted; its replacement comes once it is gone.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await this.deletePod(set, pod, signal);
      return true;
    }
    if (!isCreated(pod)) {
      if (this.podClaimIsStale(set, pod)) return true;
      await this.createPod(set, pod, signal);
      return monotonic;
    }
    if (isPending(pod)) await this.createMissingClaims(set, pod, signal);
    if (monotonic && isTerminating(pod)) return true;
    if (monotonic && !isRunningAndReady(pod)) return true;
    if (monotonic && !isRunningAndAvailable(pod, minReady, this.now())) return true;
    if (!identityMatches(set, pod) || !storageMatches(set, pod)) await this.updatePod(updateSet, pod, signal);
    if (!this.claimsMatchRetention(updateSet, pod)) await this.updateClaimsForRetention(updateSet, pod, signal);
    return false;
  }

  // ---- pods and claims (upstream StatefulPodControl) with its events

  private podEvent(verb: 'create' | 'delete' | 'update', set: StatefulSetObject, pod: PodObject, err?: unknown): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    const name = pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    if (err === undefined) this.recorder.event(set, 'Normal', `Successful${title}`, `${verb} Pod ${name} in StatefulSet ${setName} successful`);
    else this.recorder.event(set, 'Warning', `Failed${title}`, `${verb} Pod ${name} in StatefulSet ${setName} failed error: ${errText(err)}`);
  }

  private claimEvent(set: StatefulSetObject, pod: PodObject, claim: ClaimObject, err?: unknown): void {
    const c = claim.metadata?.name ?? '';
    const p = pod.metadata?.name ?? '';
    const s = set.metadata?.name ?? '';
    if (err === undefined) this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${c} Pod ${p} in StatefulSet ${s} success`);
    else this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${c} for Pod ${p} in StatefulSet ${s} failed error: ${errText(err)}`);
  }

  /** Creates the pod's missing claims (upstream createPersistentVolumeClaims); errors are aggregated. */
  private async createMissingClaims(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    const errors: Error[] = [];
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const existing = this.claimLister.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (existing) {
        if (existing.metadata?.deletionTimestamp) errors.push(new Error(`pvc ${claim.metadata?.name ?? ''} is being deleted`));
        continue;
      }
      try {
        await this.client.resource<ClaimObject>(PERSISTENTVOLUMECLAIMS).create(claim, { namespace: claim.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
        this.claimEvent(set, pod, claim);
      } catch (e) {
        if (isAlreadyExists(e)) continue; // created meanwhile; the cache will catch up
        errors.push(new Error(`failed to create PVC ${claim.metadata?.name ?? ''}: ${errText(e)}`));
        this.claimEvent(set, pod, claim, e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join(', '));
  }

  private async createPod(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    try {
      await this.createMissingClaims(set, pod, signal);
    } catch (e) {
      this.podEvent('create', set, pod, e);
      throw e;
    }
    let created: PodObject;
    try {
      created = await this.client.resource<PodObject>(PODS).create(pod, { namespace: set.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (isAlreadyExists(e)) throw e; // the cache is behind: retry later, no event
      this.podEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.updateClaimsForRetention(set, created, signal);
    } catch (e) {
      this.podEvent('update', set, created, e);
      throw e;
    }
    this.podEvent('create', set, created);
  }

  private async deletePod(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    try {
      await this.client.resource(PODS).delete(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, signal });
    } catch (e) {
      this.podEvent('delete', set, pod, e);
      throw e;
    }
    this.podEvent('delete', set, pod);
  }

  /** Restores identity and storage of an existing pod (upstream UpdateStatefulPod). */
  private async updatePod(set: StatefulSetObject, cached: PodObject, signal: AbortSignal): Promise<void> {
    let pod = structuredClone(cached) as DeepMutable<PodObject>;
    const api = this.client.resource<PodObject>(PODS);
    let error: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!identityMatches(set, pod as PodObject)) updateIdentity(set, pod);
      if (!storageMatches(set, pod as PodObject)) {
        updateStorage(set, pod);
        try {
          await this.createMissingClaims(set, pod as PodObject, signal);
        } catch (e) {
          this.podEvent('update', set, pod as PodObject, e);
          throw e;
        }
      }
      try {
        await api.update(pod as PodObject, { namespace: set.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
        error = undefined;
        break;
      } catch (e) {
        error = e;
        if (!isConflict(e)) break;
        pod = (await api.get(pod.metadata?.name ?? '', { namespace: set.metadata?.namespace, signal })) as DeepMutable<PodObject>;
      }
    }
    this.podEvent('update', set, pod as PodObject, error);
    if (error !== undefined) throw error;
  }

  /** A claim still owned by an earlier pod of the same name must go before the pod is recreated (PodClaimIsStale). */
  private podClaimIsStale(set: StatefulSetObject, pod: PodObject): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const pvc = this.claimLister.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (pvc?.metadata?.ownerReferences?.some((r) => r.name === pod.metadata?.name && r.uid !== pod.metadata?.uid)) return true;
    }
    return false;
  }

  private claimsMatchRetention(set: StatefulSetObject, pod: PodObject): boolean {
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const pvc = this.claimLister.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (!pvc || hasUnexpectedController(pvc, set, pod)) continue;
      if (!claimOwnerMatchesSetAndPod(pvc, set, pod)) return false;
    }
    return true;
  }

  /** Puts the owner references the retention policy asks for on the pod's claims (UpdatePodClaimForRetentionPolicy). */
  private async updateClaimsForRetention(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const name = claim.metadata?.name ?? '';
      const pvc = this.claimLister.get(claim.metadata?.namespace, name);
      if (!pvc || hasUnexpectedController(pvc, set, pod) || claimOwnerMatchesSetAndPod(pvc, set, pod)) continue;
      const refs = claimOwnerRefsFor(pvc, set, pod);
      if (!refs) continue;
      try {
        await this.client
          .resource<ClaimObject>(PERSISTENTVOLUMECLAIMS)
          .patch(name, 'merge', { metadata: { ownerReferences: refs, resourceVersion: pvc.metadata?.resourceVersion } }, { namespace: pvc.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
      } catch (e) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errText(e)}`, { cause: e });
      }
    }
  }

  /** Writes the status when it changed (updateStatefulSetStatus + completeRollingUpdate), retrying on conflict. */
  private async updateStatus(set: StatefulSetObject, status: Status, signal: AbortSignal): Promise<void> {
    if (
      (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      status.updatedReplicas === status.replicas &&
      status.readyReplicas === status.replicas
    ) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    const cur: StatefulSetStatus = set.status ?? { replicas: 0 };
    const fields = ['replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;
    const changed = (status.observedGeneration ?? 0) > (cur.observedGeneration ?? 0) || fields.some((f) => (status[f] ?? 0) !== (cur[f] ?? 0));
    if (!changed) return;
    const api = this.client.resource<StatefulSetObject>(STATEFULSETS);
    let target: StatefulSetObject = set;
    for (let attempt = 0; ; attempt++) {
      const next = { ...structuredClone(target), status: { ...(target.status ?? {}), ...status } } as StatefulSetObject;
      try {
        await api.updateStatus(next, { namespace: set.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
        target = await api.get(set.metadata?.name ?? '', { namespace: set.metadata?.namespace, signal });
        if (target.metadata?.uid !== set.metadata?.uid) return;
      }
    }
  }
}

/** Upstream updateStatus/computeReplicaStatus over the given pod lists. */
function computeStatus(status: Status, minReady: number, now: number, currentName: string, updateName: string, ...lists: PodObject[][]): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const list of lists) {
    for (const pod of list) {
      if (!pod) continue;
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
        if (rev === currentName) status.currentReplicas++;
        if (rev === updateName) status.updatedReplicas++;
      }
    }
  }
}

/**
 * Runs `fn` over indexes 0..n-1: in order, stopping at the first that asks to (monotonic), or in
 * slow-start batches (1, 2, 4, … up to 500) that stop at the first failing batch (burst).
 * Returns true when the caller should stop this round.
 */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(1, n); batch > 0; batch = Math.min(2 * batch, n - next, MAX_BATCH_SIZE)) {
    const idx = Array.from({ length: batch }, (_, k) => next + k);
    next += batch;
    const results = await Promise.allSettled(idx.map((i) => fn(i)));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason instanceof Error ? r.reason : new Error(String(r.reason))));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join(', '));
  }
  return false;
}

/** The claim is controlled by something other than the set or the pod: leave it alone. */
function hasUnexpectedController(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): boolean {
  const ref = getControllerOf(claim);
  return Boolean(ref && ref.uid !== set.metadata?.uid && ref.uid !== pod.metadata?.uid);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
