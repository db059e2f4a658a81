// The deployment controller (upstream pkg/controller/deployment: deployment_controller.go,
// sync.go, rolling.go, recreate.go, progress.go): a Deployment owns ReplicaSets, one per pod
// template; the one whose template equals the deployment's is the "new" one, the others are
// old. A rollout grows the new ReplicaSet and shrinks the old ones (RollingUpdate within
// maxSurge/maxUnavailable, Recreate all old first); a scaling event resizes them
// proportionally. Pods are the replicaset controller's business: they are read only to know
// when a Recreate's old pods are gone. Rollback (`kubectl rollout undo`) needs nothing special:
// kubectl writes an old ReplicaSet's template back and that ReplicaSet becomes the new one.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Lister, SharedInformer } from '../../client/cache/informer.js';
import { splitKey } from '../../client/cache/indexer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../client/resources.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { isStatusError } from '../../machinery/errors.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { Logger } from '../../logging/index.js';
import { claimObjects, getControllerOf, newControllerRef, ownersSelecting, resolveControllerRef } from '../shared/controller-ref.js';
import { objectKey } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { computeHash } from '../shared/hash.js';
import {
  DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  MAX_REV_HISTORY_LENGTH_IN_CHARS,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_REPLICA_SET_REASON,
  NEW_RS_AVAILABLE_REASON,
  PAUSED_DEPLOY_REASON,
  REPLICA_SET_UPDATED_REASON,
  RESUMED_DEPLOY_REASON,
  REVISION_ANNOTATION,
  TIMED_OUT_REASON,
  byCreationTimestamp,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  cloneSelectorAndAddLabel,
  conditionUpdateTime,
  deploymentComplete,
  deploymentProgressing,
  deploymentReplicas,
  deploymentTimedOut,
  equalIgnoreHash,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getActualReplicaCountForReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getDeploymentCondition,
  getDesiredReplicasAnnotation,
  getProportion,
  getReadyReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newDeploymentCondition,
  newRSNewReplicas,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  replicasAnnotationsNeedUpdate,
  rsReplicas,
  setDeploymentCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  statusEqual,
  type DeploymentObject,
  type MutableDeploymentCondition,
  type MutableDeploymentStatus,
  type ReplicaSetObject,
} from './util.js';

export const NAME = 'deployment-controller';
/** The event source component (upstream's recorder for this controller). */
export const COMPONENT = 'deployment-controller';

const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';
/** Index of pods and ReplicaSets by the uid of their controller. */
const OWNER_UID_INDEX = 'deployment-controller:controllerUID';

type PodObject = Pod & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new DeploymentController(ctx);
}

export interface DeploymentControllerOptions {
  /** Concurrent deployment syncs (upstream --concurrent-deployment-syncs, 5). */
  workers?: number;
}

/** What one sync works on: a private copy of the deployment and the ReplicaSets it claimed. */
interface SyncState {
  d: DeploymentObject;
  namespace: string;
  signal: AbortSignal;
  /** Claimed ReplicaSets; entries are replaced by what the API returns after each write. */
  rsList: ReplicaSetObject[];
  /** Set when the progress deadline must be checked again later. */
  requeueAfterMs?: number;
}

interface NewAndOld {
  newRS: ReplicaSetObject | undefined;
  oldRSs: ReplicaSetObject[];
}

function controllerUIDIndex(obj: KubeObject): string[] {
  const ref = getControllerOf(obj);
  return ref?.uid ? [ref.uid] : [];
}

function hasStatusCause(e: unknown, cause: string): boolean {
  return isStatusError(e) && Boolean(e.details?.causes?.some((c) => c.reason === cause));
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sameOwnerRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (!a || !b) return a === b;
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.controller === b.controller;
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}

function isEmptySelector(d: DeploymentObject): boolean {
  const s = d.spec?.selector;
  return s !== undefined && s !== null && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

export class DeploymentController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly pool: WorkerPool<string>;
  private readonly dLister: Lister<DeploymentObject>;
  private readonly rsLister: Lister<ReplicaSetObject>;
  private readonly podLister: Lister<PodObject>;

  constructor(ctx: ControllerContext, opts: DeploymentControllerOptions = {}) {
    this.client = ctx.client;
    this.recorder = ctx.recorder(COMPONENT);
    this.log = ctx.logger;
    this.now = ctx.now;
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });

    const dInformer = ctx.informers.forResource<DeploymentObject>(DEPLOYMENTS);
    const rsInformer = ctx.informers.forResource<ReplicaSetObject>(REPLICASETS);
    const podInformer = ctx.informers.forResource<PodObject>(PODS);
    addIndex(rsInformer);
    addIndex(podInformer);
    this.dLister = dInformer.lister();
    this.rsLister = rsInformer.lister();
    this.podLister = podInformer.lister();

    dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (d) => this.enqueue(d),
    });
    rsInformer.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    podInformer.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  // ---- event handlers (enqueue only)

  private enqueue(d: KubeObject): void {
    this.pool.queue.add(objectKey(d));
  }

  private addReplicaSet(rs: ReplicaSetObject): void {
    if (rs.metadata?.deletionTimestamp) {
      // Seen already being deleted (e.g. after a restart): treat as a deletion.
      this.deleteReplicaSet(rs);
      return;
    }
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata?.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    // An orphan: every matching deployment may want to adopt it.
    for (const d of this.getDeploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSetObject, cur: ReplicaSetObject): void {
    // Periodic resyncs send the same version again.
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !sameOwnerRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    if (refChanged || !sameLabels(cur.metadata?.labels, old.metadata?.labels)) {
      for (const d of this.getDeploymentsForReplicaSet(cur)) this.enqueue(d);
    }
  }

  private deleteReplicaSet(rs: ReplicaSetObject): void {
    const ref = getControllerOf(rs);
    if (!ref) return;
    const d = this.resolveControllerRef(rs.metadata?.namespace, ref);
    if (d) this.enqueue(d);
  }

  /** A Recreate deployment waits for its old pods to be gone: sync it when the last one goes. */
  private deletePod(pod: PodObject): void {
    const d = this.getDeploymentForPod(pod);
    if (!d || d.spec?.strategy?.type !== 'Recreate') return;
    const rsList = this.rsLister.byIndex(OWNER_UID_INDEX, d.metadata?.uid ?? '').filter((rs) => rs.metadata?.namespace === d.metadata?.namespace);
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch {
      return;
    }
    const podMap = this.getPodMap(d.metadata?.namespace ?? '', selector, rsList);
    let n = 0;
    for (const pods of podMap.values()) n += pods.length;
    if (n === 0) this.enqueue(d);
  }

  private getDeploymentForPod(pod: PodObject): DeploymentObject | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsLister.get(pod.metadata?.namespace, ref.name);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const dRef = getControllerOf(rs);
    return dRef ? this.resolveControllerRef(rs.metadata?.namespace, dRef) : undefined;
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): DeploymentObject | undefined {
    return resolveControllerRef(this.dLister, namespace, ref, DEPLOYMENT_KIND.kind);
  }

  /** Deployments whose selector matches the ReplicaSet (an empty selector matches nothing here). */
  private getDeploymentsForReplicaSet(rs: ReplicaSetObject): DeploymentObject[] {
    return ownersSelecting(this.dLister, rs);
  }

  // ---- sync (deployment_controller.go syncDeployment)

  /** Reconciles deployment `namespace/name`. Throws to be retried with backoff. */
  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.dLister.get(namespace, name);
    if (!cached) return; // deleted: nothing to do
    // Never mutate the cache.
    const d = structuredClone(cached) as DeploymentObject;
    d.apiVersion = 'apps/v1';
    d.kind = 'Deployment';
    const st: SyncState = { d, namespace: namespace ?? '', signal, rsList: [] };
    try {
      await this.syncDeployment(st);
    } catch (e) {
      // Nothing can be created in a namespace being terminated: not worth retrying.
      if (hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE)) return;
      throw e;
    }
    return st.requeueAfterMs !== undefined ? { requeueAfterMs: st.requeueAfterMs } : undefined;
  }

  private async syncDeployment(st: SyncState): Promise<void> {
    const d = st.d;
    if (isEmptySelector(d)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata?.generation };
        await this.updateDeploymentStatus(st);
      }
      return;
    }
    st.rsList = await this.getReplicaSetsForDeployment(st);

    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly(st);

    // Paused and resumed deployments get an Unknown Progressing condition so the time spent
    // paused never counts against progressDeadlineSeconds.
    await this.checkPausedConditions(st);
    if (d.spec?.paused) return this.syncScale(st);

    if (await this.isScalingEvent(st)) return this.syncScale(st);

    const type = d.spec?.strategy?.type ?? 'RollingUpdate';
    switch (type) {
      case 'Recreate':
        return this.rolloutRecreate(st);
      case 'RollingUpdate':
        return this.rolloutRolling(st);
      default:
        throw new Error(`unexpected deployment strategy type: ${type}`);
    }
  }

  /** getReplicaSetsForDeployment: claims (adopts/releases) the ReplicaSets of the namespace. */
  private async getReplicaSetsForDeployment(st: SyncState): Promise<ReplicaSetObject[]> {
    const d = st.d;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch (e) {
      throw new Error(`deployment ${st.namespace}/${d.metadata?.name ?? ''} has invalid label selector: ${errorMessage(e)}`, { cause: e });
    }
    const all = this.rsLister.list(st.namespace);
    return claimObjects(all, {
      owner: d,
      kind: DEPLOYMENT_KIND,
      selector,
      client: this.rsClient(),
      signal: st.signal,
      // Re-read the deployment from the API before adopting (upstream RecheckDeletionTimestamp).
      recheckOwner: async () => {
        try {
          return await this.deploymentClient().get(d.metadata?.name ?? '', { namespace: st.namespace, signal: st.signal });
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      },
    });
  }

  /** Pods matching the selector, by the uid of the ReplicaSet (among rsList) controlling them. */
  private getPodMap(namespace: string, selector: Selector, rsList: readonly ReplicaSetObject[]): Map<string, PodObject[]> {
    const podMap = new Map<string, PodObject[]>();
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      // Inactive pods count too: Recreate must see that no old pod still runs.
      const pods = this.podLister.byIndex(OWNER_UID_INDEX, uid).filter((p) => p.metadata?.namespace === namespace && selector.matches(p.metadata?.labels ?? {}));
      podMap.set(uid, pods);
    }
    return podMap;
  }

  // ---- sync.go

  private rsClient() {
    return this.client.resource<ReplicaSetObject>(REPLICASETS);
  }

  private deploymentClient() {
    return this.client.resource<DeploymentObject>(DEPLOYMENTS);
  }

  /** Writes st.d's status (and annotations, which the status subresource of deployments keeps). */
  private async updateDeploymentStatus(st: SyncState): Promise<void> {
    const out = await this.deploymentClient().updateStatus(st.d, { namespace: st.namespace, signal: st.signal });
    // Keep working on the stored version so a later write in this sync does not conflict with ours.
    if (out.metadata?.resourceVersion) st.d.metadata = { ...st.d.metadata, resourceVersion: out.metadata.resourceVersion };
  }

  /** Updates a ReplicaSet (a modified copy) and puts the result into st.rsList. */
  private async writeReplicaSet(st: SyncState, rs: ReplicaSetObject): Promise<ReplicaSetObject> {
    rs.apiVersion = 'apps/v1';
    rs.kind = 'ReplicaSet';
    const out = await this.rsClient().update(rs, { namespace: st.namespace, signal: st.signal });
    const i = st.rsList.findIndex((x) => x.metadata?.uid === out.metadata?.uid);
    if (i >= 0) st.rsList[i] = out;
    return out;
  }

  private async syncStatusOnly(st: SyncState): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    await this.syncDeploymentStatus(st, [...oldRSs, newRS], newRS);
  }

  /** Upstream `sync`: scaling events and paused deployments. */
  private async syncScale(st: SyncState): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    await this.scale(st, newRS, oldRSs);
    // Old ReplicaSets are cleaned up only when paused (a rollout cleans up when complete).
    if (st.d.spec?.paused) await this.cleanupDeployment(st, oldRSs);
    await this.syncDeploymentStatus(st, [...oldRSs, newRS], newRS);
  }

  private async checkPausedConditions(st: SyncState): Promise<void> {
    const d = st.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getDeploymentCondition(d.status, 'Progressing');
    // A reported lack of progress is never overwritten by a paused condition.
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedCondExists = cond?.reason === PAUSED_DEPLOY_REASON;
    d.status ??= {};
    if (d.spec?.paused && !pausedCondExists) {
      setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', this.now()));
    } else if (!d.spec?.paused && pausedCondExists) {
      setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.now()));
    } else {
      return;
    }
    await this.updateDeploymentStatus(st);
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and missing) with
   * its revision raised above every old one, and the old ReplicaSets.
   */
  private async getAllReplicaSetsAndSyncRevision(st: SyncState, createIfNotExisted: boolean): Promise<NewAndOld> {
    const oldRSs = findOldReplicaSets(st.d, st.rsList);
    const newRS = await this.getNewReplicaSet(st, oldRSs, createIfNotExisted);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(st: SyncState, oldRSs: ReplicaSetObject[], createIfNotExisted: boolean): Promise<ReplicaSetObject | undefined> {
    const d = st.d;
    const existing = findNewReplicaSet(d, [...st.rsList]);
    const newRevision = String(maxRevision(oldRSs) + 1);

    if (existing) {
      const rsCopy = structuredClone(existing) as ReplicaSetObject;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true, MAX_REV_HISTORY_LENGTH_IN_CHARS);
      const minReadySecondsNeedsUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadySecondsNeedsUpdate) {
        rsCopy.spec ??= { selector: {} };
        if (d.spec?.minReadySeconds) rsCopy.spec.minReadySeconds = d.spec.minReadySeconds;
        else delete rsCopy.spec.minReadySeconds;
        return this.writeReplicaSet(st, rsCopy);
      }
      // The deployment carries the revision of its new ReplicaSet.
      let needsUpdate = setDeploymentRevision(d, rsCopy.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      // A deployment that never had a Progressing condition starts counting from now.
      if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${rsCopy.metadata?.name ?? ''}"`, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateDeploymentStatus(st);
      return rsCopy;
    }

    if (!createIfNotExisted) return undefined;

    // The new ReplicaSet: template plus pod-template-hash, named after it so creation is idempotent.
    const template = structuredClone(d.spec!.template) as NonNullable<ReplicaSetObject['spec']>['template'] & object;
    const hash = computeHash(d.spec!.template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash } };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const newRS: ReplicaSetObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: st.namespace,
        ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)],
        labels: { ...template.metadata.labels },
      },
      spec: {
        replicas: 0,
        selector: cloneSelectorAndAddLabel(d.spec!.selector, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, hash),
        template,
      },
    };
    if (d.spec?.minReadySeconds) newRS.spec!.minReadySeconds = d.spec.minReadySeconds;
    const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = newReplicasCount;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false, MAX_REV_HISTORY_LENGTH_IN_CHARS);

    let created: ReplicaSetObject;
    let alreadyExists = false;
    try {
      created = await this.rsClient().create(newRS, { namespace: st.namespace, signal: st.signal });
    } catch (e) {
      if (isAlreadyExists(e)) {
        // A slow cache, or a hash collision with a ReplicaSet of another template.
        alreadyExists = true;
        const rs = this.rsLister.get(st.namespace, name);
        if (!rs) throw new Error(`replicaset ${st.namespace}/${name} already exists but is not in the cache yet`, { cause: e });
        const ref = getControllerOf(rs);
        if (ref && ref.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
          created = rs;
        } else {
          // Bump collisionCount so the next sync computes another name; retry by failing.
          const pre = d.status?.collisionCount ?? 0;
          d.status = { ...(d.status ?? {}), collisionCount: pre + 1 };
          try {
            await this.updateDeploymentStatus(st);
            this.log.info({ deployment: objectKey(d), oldCollisionCount: pre, newCollisionCount: pre + 1 }, 'found a hash collision for deployment, bumping collisionCount to resolve it');
          } catch {
            // The original error below is what matters.
          }
          throw e;
        }
      } else if (hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE)) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${name}": ${errorMessage(e)}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'False', FAILED_RS_CREATE_REASON, msg, this.now()));
          try {
            await this.updateDeploymentStatus(st);
          } catch {
            // The creation failure is the bigger issue to report.
          }
        }
        this.recorder.event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
        throw e;
      }
    }
    if (!st.rsList.some((rs) => rs.metadata?.uid === created.metadata?.uid)) st.rsList.push(created);
    if (!alreadyExists && newReplicasCount > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} from 0 to ${newReplicasCount}`);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', NEW_REPLICA_SET_REASON, `Created new replica set "${created.metadata?.name ?? ''}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateDeploymentStatus(st);
    return created;
  }

  /**
   * scale: a single active (or the newest) ReplicaSet takes the whole size; a saturated new
   * ReplicaSet makes the old ones go to zero; otherwise a rolling deployment spreads the
   * difference over its active ReplicaSets in proportion to their sizes.
   */
  private async scale(st: SyncState, newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): Promise<void> {
    const d = st.d;
    const replicas = deploymentReplicas(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (rsReplicas(activeOrLatest) === replicas) return;
      await this.scaleReplicaSetAndRecordEvent(st, activeOrLatest, replicas);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActiveReplicaSets(oldRSs)) await this.scaleReplicaSetAndRecordEvent(st, old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;

    const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
    const allRSsReplicas = getReplicaCountForReplicaSets(allRSs);
    const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
    // Replicas to add (or remove, when negative), spread from the larger to the smaller
    // ReplicaSet; on ties newer ones grow first and older ones shrink first.
    const toAdd = allowedSize - allRSsReplicas;
    if (toAdd > 0) allRSs.sort(bySizeNewer);
    else if (toAdd < 0) allRSs.sort(bySizeOlder);

    let added = 0;
    const nameToSize = new Map<string, number>();
    for (const rs of allRSs) {
      const n = rs.metadata?.name ?? '';
      if (toAdd !== 0) {
        const proportion = getProportion(rs, d, toAdd, added);
        nameToSize.set(n, rsReplicas(rs) + proportion);
        added += proportion;
      } else {
        nameToSize.set(n, rsReplicas(rs));
      }
    }
    for (let i = 0; i < allRSs.length; i++) {
      const rs = allRSs[i]!;
      const n = rs.metadata?.name ?? '';
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) nameToSize.set(n, Math.max(0, nameToSize.get(n)! + toAdd - added));
      await this.scaleReplicaSet(st, rs, nameToSize.get(n)!);
    }
  }

  private async scaleReplicaSetAndRecordEvent(st: SyncState, rs: ReplicaSetObject, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
    if (rsReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(st, rs, newScale);
  }

  /** Sets the size and the replica annotations of a ReplicaSet; an event when the size changed. */
  private async scaleReplicaSet(st: SyncState, rs: ReplicaSetObject, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
    const d = st.d;
    const desired = deploymentReplicas(d);
    const max = desired + maxSurge(d);
    const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    const copy = structuredClone(rs) as ReplicaSetObject;
    copy.spec ??= { selector: {} };
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.writeReplicaSet(st, copy);
    if (!sizeNeedsUpdate) return { scaled: false, rs: updated };
    const op = oldScale < newScale ? 'up' : 'down';
    this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata?.name ?? ''} from ${oldScale} to ${newScale}`);
    return { scaled: true, rs: updated };
  }

  /**
   * cleanupDeployment: keeps the newest revisionHistoryLimit old ReplicaSets, deleting older
   * ones only when they are scaled to zero, have no pods left and their controller has caught up.
   */
  private async cleanupDeployment(st: SyncState, oldRSs: readonly ReplicaSetObject[]): Promise<void> {
    const d = st.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - d.spec!.revisionHistoryLimit!;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i]!;
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
      try {
        await this.rsClient().delete(rs.metadata?.name ?? '', { namespace: st.namespace, signal: st.signal });
      } catch (e) {
        // Stop at the first failure rather than keep loading the API server.
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async syncDeploymentStatus(st: SyncState, allRSs: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined): Promise<void> {
    const next = this.calculateStatus(allRSs, newRS, st.d);
    if (statusEqual(st.d.status, next)) return;
    st.d.status = next;
    await this.updateDeploymentStatus(st);
  }

  /** calculateStatus: counts from the ReplicaSets' status, the Available condition, other conditions kept. */
  private calculateStatus(allRSs: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined, d: DeploymentObject): MutableDeploymentStatus {
    const available = getAvailableReplicaCountForReplicaSets(allRSs);
    const total = getReplicaCountForReplicaSets(allRSs);
    // More available than desired happens while scaling down: never negative.
    const unavailable = Math.max(0, total - available);
    const counts: Record<string, number | undefined> = {
      observedGeneration: d.metadata?.generation,
      replicas: getActualReplicaCountForReplicaSets(allRSs),
      updatedReplicas: getActualReplicaCountForReplicaSets([newRS]),
      readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
      availableReplicas: available,
      unavailableReplicas: unavailable,
    };
    const status: MutableDeploymentStatus = {};
    // Zero counts are omitted on the wire, as Go's omitempty does.
    for (const [k, v] of Object.entries(counts)) if (v) (status as Record<string, unknown>)[k] = v;
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
    if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
      setDeploymentCondition(status, newDeploymentCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', this.now()));
    } else {
      setDeploymentCondition(status, newDeploymentCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', this.now()));
    }
    return status;
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different deployment size. */
  private async isScalingEvent(st: SyncState): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    const replicas = deploymentReplicas(st.d);
    for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
      const desired = getDesiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicas) return true;
    }
    return false;
  }

  // ---- rolling.go

  private async rolloutRolling(st: SyncState): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, true);
    const created = newRS!;
    const allRSs = [...oldRSs, created];

    if (await this.reconcileNewReplicaSet(st, allRSs, created)) return this.syncRolloutStatus(st, allRSs, created);
    if (await this.reconcileOldReplicaSets(st, allRSs, filterActiveReplicaSets(oldRSs), created)) return this.syncRolloutStatus(st, allRSs, created);
    if (deploymentComplete(st.d, st.d.status)) await this.cleanupDeployment(st, oldRSs);
    return this.syncRolloutStatus(st, allRSs, created);
  }

  private async reconcileNewReplicaSet(st: SyncState, allRSs: readonly ReplicaSetObject[], newRS: ReplicaSetObject): Promise<boolean> {
    const replicas = deploymentReplicas(st.d);
    if (rsReplicas(newRS) === replicas) return false;
    if (rsReplicas(newRS) > replicas) return (await this.scaleReplicaSetAndRecordEvent(st, newRS, replicas)).scaled;
    const count = newRSNewReplicas(st.d, allRSs, newRS);
    return (await this.scaleReplicaSetAndRecordEvent(st, newRS, count)).scaled;
  }

  /**
   * reconcileOldReplicaSets: old ReplicaSets may shrink by what exceeds the minimum available
   * plus the new ReplicaSet's unavailable pods — unhealthy replicas first, then healthy ones.
   */
  private async reconcileOldReplicaSets(st: SyncState, allRSs: readonly ReplicaSetObject[], oldRSs: ReplicaSetObject[], newRS: ReplicaSetObject): Promise<boolean> {
    const d = st.d;
    if (getReplicaCountForReplicaSets(oldRSs) === 0) return false;
    const allPodsCount = getReplicaCountForReplicaSets(allRSs);
    const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
    const newRSUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPodsCount - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;

    let cleaned: { oldRSs: ReplicaSetObject[]; count: number };
    try {
      // Unhealthy replicas first, else they would block the rollout until its deadline.
      cleaned = await this.cleanupUnhealthyReplicas(st, oldRSs, maxScaledDown);
    } catch (e) {
      // As upstream: a failure here only ends this pass; the ReplicaSet's update event brings the next.
      this.log.debug({ deployment: objectKey(d), err: errorMessage(e) }, 'cleaning up unhealthy replicas failed');
      return false;
    }
    let scaledDown: number;
    try {
      scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate(st, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
    } catch (e) {
      this.log.debug({ deployment: objectKey(d), err: errorMessage(e) }, 'scaling down old replica sets failed');
      return false;
    }
    return cleaned.count + scaledDown > 0;
  }

  private async cleanupUnhealthyReplicas(st: SyncState, oldRSs: ReplicaSetObject[], maxCleanupCount: number): Promise<{ oldRSs: ReplicaSetObject[]; count: number }> {
    oldRSs.sort(byCreationTimestamp);
    let total = 0;
    for (let i = 0; i < oldRSs.length; i++) {
      if (total >= maxCleanupCount) break;
      const rs = oldRSs[i]!;
      const replicas = rsReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const scaleDown = Math.min(maxCleanupCount - total, replicas - available);
      const newCount = replicas - scaleDown;
      if (newCount > replicas) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${st.namespace}/${rs.metadata?.name ?? ''} ${replicas} -> ${newCount}`);
      const { rs: updated } = await this.scaleReplicaSetAndRecordEvent(st, rs, newCount);
      total += scaleDown;
      oldRSs[i] = updated;
    }
    return { oldRSs, count: total };
  }

  private async scaleDownOldReplicaSetsForRollingUpdate(st: SyncState, allRSs: readonly ReplicaSetObject[], oldRSs: ReplicaSetObject[]): Promise<number> {
    const d = st.d;
    const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
    const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
    if (availablePodCount <= minAvailable) return 0;
    oldRSs.sort(byCreationTimestamp);
    let total = 0;
    const totalScaleDown = availablePodCount - minAvailable;
    for (const rs of oldRSs) {
      if (total >= totalScaleDown) break;
      const replicas = rsReplicas(rs);
      if (replicas === 0) continue;
      const scaleDown = Math.min(replicas, totalScaleDown - total);
      await this.scaleReplicaSetAndRecordEvent(st, rs, replicas - scaleDown);
      total += scaleDown;
    }
    return total;
  }

  // ---- recreate.go

  private async rolloutRecreate(st: SyncState): Promise<void> {
    // The new ReplicaSet is not created before the old pods are gone: never both at once.
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    let allRSs = [...oldRSs, newRS];

    let scaledDown = false;
    for (const rs of filterActiveReplicaSets(oldRSs)) {
      if ((await this.scaleReplicaSetAndRecordEvent(st, rs, 0)).scaled) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(st, allRSs, newRS);

    if (this.oldPodsRunning(st, newRS, oldRSs)) return this.syncRolloutStatus(st, allRSs, newRS);

    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, true));
      allRSs = [...oldRSs, newRS];
    }
    await this.scaleReplicaSetAndRecordEvent(st, newRS!, deploymentReplicas(st.d));
    if (deploymentComplete(st.d, st.d.status)) await this.cleanupDeployment(st, oldRSs);
    return this.syncRolloutStatus(st, allRSs, newRS);
  }

  /** Whether an old ReplicaSet still reports replicas or any of its pods is not terminal. */
  private oldPodsRunning(st: SyncState, newRS: ReplicaSetObject | undefined, oldRSs: readonly ReplicaSetObject[]): boolean {
    if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
    const selector = selectorFromLabelSelector(st.d.spec?.selector);
    const podMap = this.getPodMap(st.namespace, selector, st.rsList);
    const newUID = newRS?.metadata?.uid;
    for (const [uid, pods] of podMap) {
      if (newUID !== undefined && uid === newUID) continue;
      // Unknown counts as running: it cannot be known not to run.
      if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
    }
    return false;
  }

  // ---- progress.go

  /**
   * syncRolloutStatus: the status plus the Progressing condition (progressing, complete or
   * timed out against progressDeadlineSeconds) and any ReplicaFailure of the ReplicaSets.
   */
  private async syncRolloutStatus(st: SyncState, allRSs: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined): Promise<void> {
    const d = st.d;
    const next = this.calculateStatus(allRSs, newRS, d);
    if (!hasProgressDeadline(d)) removeDeploymentCondition(next, 'Progressing');

    const currentCond = getDeploymentCondition(d.status, 'Progressing');
    const isCompleteDeployment = next.replicas === next.updatedReplicas && currentCond?.reason === NEW_RS_AVAILABLE_REASON;
    if (hasProgressDeadline(d) && !isCompleteDeployment) {
      const dName = d.metadata?.name ?? '';
      const rsName = newRS?.metadata?.name;
      if (deploymentComplete(d, next)) {
        const msg = rsName !== undefined ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${dName}" has successfully progressed.`;
        setDeploymentCondition(next, newDeploymentCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, msg, this.now()));
      } else if (deploymentProgressing(d, next)) {
        // Progress moves lastUpdateTime even with an unchanged reason; lastTransitionTime stays while True.
        const msg = rsName !== undefined ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${dName}" is progressing.`;
        const cond = newDeploymentCondition('Progressing', 'True', REPLICA_SET_UPDATED_REASON, msg, this.now());
        if (currentCond) {
          if (currentCond.status === 'True') cond.lastTransitionTime = currentCond.lastTransitionTime;
          removeDeploymentCondition(next, 'Progressing');
        }
        setDeploymentCondition(next, cond);
      } else if (deploymentTimedOut(d, next, this.now())) {
        const msg = rsName !== undefined ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${dName}" has timed out progressing.`;
        setDeploymentCondition(next, newDeploymentCondition('Progressing', 'False', TIMED_OUT_REASON, msg, this.now()));
      }
    }

    const failures = this.getReplicaFailures(allRSs, newRS);
    if (failures.length > 0) setDeploymentCondition(next, failures[0]!);
    else removeDeploymentCondition(next, 'ReplicaFailure');

    if (statusEqual(d.status, next)) {
      this.requeueStuckDeployment(st, next);
      return;
    }
    d.status = next;
    await this.updateDeploymentStatus(st);
  }

  /** ReplicaFailure conditions of the new ReplicaSet, else of any ReplicaSet. */
  private getReplicaFailures(allRSs: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined): MutableDeploymentCondition[] {
    const from = (rs: ReplicaSetObject | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map(replicaSetToDeploymentCondition);
    const own = from(newRS);
    if (own.length) return own;
    return allRSs.flatMap(from);
  }

  /**
   * requeueStuckDeployment: a rollout that shows no progress is looked at again when its
   * deadline passes (lastUpdateTime + progressDeadlineSeconds, plus a second against skew).
   */
  private requeueStuckDeployment(st: SyncState, next: MutableDeploymentStatus): void {
    const d = st.d;
    const current = getDeploymentCondition(d.status, 'Progressing');
    if (!hasProgressDeadline(d) || !current) return;
    if (deploymentComplete(d, next) || current.reason === TIMED_OUT_REASON) return;
    const after = conditionUpdateTime(current) + d.spec!.progressDeadlineSeconds! * 1000 - this.now();
    st.requeueAfterMs = Math.max(0, after) + 1000;
  }
}

function addIndex<T extends KubeObject>(informer: SharedInformer<T>): void {
  try {
    informer.addIndexers({ [OWNER_UID_INDEX]: controllerUIDIndex });
  } catch {
    // Already added by another instance of this controller on the same informer factory.
  }
}
