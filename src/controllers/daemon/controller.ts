// The DaemonSet controller (upstream pkg/controller/daemon: daemon_controller.go, update.go): one
// pod per eligible node, pinned to it through a node-name affinity the default scheduler honours;
// pods on nodes no longer eligible are deleted, failed ones replaced with back-off; templates are
// rolled out with RollingUpdate (maxUnavailable / maxSurge) or OnDelete, remembered in
// ControllerRevisions labelled with their `controller-revision-hash`.

import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS } from '../../client/resources.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import { isStatusError } from '../../machinery/errors.js';
import { getScaledValueFromIntOrPercent } from '../../machinery/intstr.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { claimObjects, getControllerOf, newControllerRef, ownersSelecting, resolveControllerRef } from '../shared/controller-ref.js';
import { Expectations } from '../shared/expectations.js';
import {
  sortedJSON,
  CONTROLLER_REVISION_HASH_LABEL,
  ensureControllerIndex,
  maxRevision,
  ownedAndOrphans,
  sortRevisions,
  templatePatch,
  type ControllerRevisionObject,
} from '../shared/history.js';
import { computeHash } from '../shared/hash.js';
import { PodControl } from '../shared/pod-control.js';
import { isPodAvailable, isPodReady, objectKey, type PodObject } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import {
  Backoff,
  byCreationTimestampAndPhase,
  daemonPodTemplate,
  isPodUpdated,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  targetNodeName,
  templateGeneration,
  type DaemonSetObject,
  type NodeObject,
} from './util.js';

export const NAME = 'daemonset-controller';
/** Source component of the controller's events. */
export const COMPONENT = 'daemonset-controller';
const FIELD_MANAGER = 'kube-controller-manager';
const CONTROLLER_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
/** Upstream BurstReplicas: creations/deletions per sync. */
const BURST_REPLICAS = 250;
/** controller.SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;
/** Failed-pod back-off (upstream 1 s doubling to 15 min). */
const FAILED_POD_BACKOFF_INITIAL_MS = 1_000;
const FAILED_POD_BACKOFF_MAX_MS = 15 * 60_000;
/** Upstream StatusUpdateRetries. */
const STATUS_UPDATE_RETRIES = 1;

export function create(ctx: ControllerContext): Controller {
  return new DaemonSetsController(ctx);
}

export interface DaemonSetsControllerOptions {
  /** Concurrent set syncs (kube-controller-manager --concurrent-daemonset-syncs, 2). */
  workers?: number;
}

type NodeToPods = Map<string, PodObject[]>;

export class DaemonSetsController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly dsLister: Lister<DaemonSetObject>;
  private readonly podLister: Lister<PodObject>;
  private readonly nodeLister: Lister<NodeObject>;
  private readonly revLister: Lister<ControllerRevisionObject>;
  readonly expectations: Expectations;
  private readonly backoff = new Backoff(FAILED_POD_BACKOFF_INITIAL_MS, FAILED_POD_BACKOFF_MAX_MS);
  private readonly pool: WorkerPool<string>;

  constructor(ctx: ControllerContext, opts: DaemonSetsControllerOptions = {}) {
    this.client = ctx.client;
    this.recorder = ctx.recorder(COMPONENT);
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.log = ctx.logger;
    this.now = ctx.now;
    this.expectations = new Expectations(ctx.now);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 2, sync: (k, s) => this.sync(k, s) });
    const sets = ctx.informers.forResource<DaemonSetObject>(DAEMONSETS);
    const pods = ctx.informers.forResource<PodObject>(PODS);
    const nodes = ctx.informers.forResource<NodeObject>(NODES);
    const revisions = ctx.informers.forResource<ControllerRevisionObject>(CONTROLLERREVISIONS);
    ensureControllerIndex(pods);
    ensureControllerIndex(revisions);
    this.dsLister = sets.lister();
    this.podLister = pods.lister();
    this.nodeLister = nodes.lister();
    this.revLister = revisions.lister();

    sets.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (_o, ds) => this.enqueue(ds),
      onDelete: (ds) => {
        this.expectations.delete(objectKey(ds));
        this.enqueue(ds);
      },
    });
    pods.addEventHandler({ onAdd: (p) => this.onPodAdd(p), onUpdate: (o, n) => this.onPodUpdate(o, n), onDelete: (p) => this.onPodDelete(p) });
    nodes.addEventHandler({ onAdd: (n) => this.onNodeAdd(n), onUpdate: (o, n) => this.onNodeUpdate(o, n), onDelete: () => this.enqueueAll() });
    const onRevision = (r: ControllerRevisionObject): void => {
      const ref = getControllerOf(r);
      const ds = ref && this.resolve(r.metadata?.namespace, ref);
      if (ds) this.enqueue(ds);
    };
    revisions.addEventHandler({ onAdd: onRevision, onUpdate: (_o, n) => onRevision(n), onDelete: onRevision });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  // ---- event handlers (enqueue and expectation bookkeeping only)

  private enqueue(ds: DaemonSetObject): void {
    this.pool.queue.add(objectKey(ds));
  }

  private enqueueAll(): void {
    for (const ds of this.dsLister.list()) this.enqueue(ds);
  }

  private resolve(namespace: string | undefined, ref: OwnerReference): DaemonSetObject | undefined {
    return resolveControllerRef(this.dsLister, namespace, ref, 'DaemonSet');
  }

  /** DaemonSets whose selector matches an orphan pod (getDaemonSetsForPod). */
  private setsForOrphan(pod: PodObject): DaemonSetObject[] {
    return ownersSelecting(this.dsLister, pod);
  }

  private onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) return this.onPodDelete(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolve(pod.metadata?.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(objectKey(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.setsForOrphan(pod)) this.enqueue(ds);
  }

  private onPodUpdate(old: PodObject, cur: PodObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    if (oldRef && (!curRef || oldRef.uid !== curRef.uid)) {
      const ds = this.resolve(old.metadata?.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolve(cur.metadata?.namespace, curRef);
      if (ds) this.enqueue(ds);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelsChanged || oldRef) for (const ds of this.setsForOrphan(cur)) this.enqueue(ds);
  }

  private onPodDelete(pod: PodObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const ds = this.resolve(pod.metadata?.namespace, ref);
    if (!ds) return;
    this.expectations.deletionObserved(objectKey(ds));
    this.enqueue(ds);
  }

  private onNodeAdd(node: NodeObject): void {
    for (const ds of this.dsLister.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
  }

  /** Only changes that can move a node in or out of a set's placement matter (shouldIgnoreNodeUpdate). */
  private onNodeUpdate(old: NodeObject, cur: NodeObject): void {
    if (
      sortedJSON(old.metadata?.labels ?? {}) === sortedJSON(cur.metadata?.labels ?? {}) &&
      sortedJSON(old.spec?.taints ?? []) === sortedJSON(cur.spec?.taints ?? [])
    ) {
      return;
    }
    for (const ds of this.dsLister.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  // ---- sync

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const ds = this.dsLister.getByKey(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const nodes = this.nodeLister.list();
    const sel = ds.spec?.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(sel);
    } catch {
      return;
    }
    // A set being deleted: its history may be going too; nothing reliable to compute.
    if (ds.metadata?.deletionTimestamp) return;
    this.backoff.gc(this.now());

    const { cur, old } = await this.constructHistory(ds, selector, signal);
    const hash = cur.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const requeue: number[] = [];

    if (!this.expectations.satisfied(key)) {
      // Only the status: the last creations/deletions have not been observed yet.
      const pods = await this.nodesToDaemonPods(ds, selector, signal);
      await this.updateStatus(ds, nodes, pods, hash, false, requeue, signal);
      return requeueResult(requeue);
    }

    let err: unknown;
    try {
      const pods = await this.nodesToDaemonPods(ds, selector, signal);
      await this.manage(ds, nodes, pods, hash, requeue, signal);
      if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        await this.rollingUpdate(ds, nodes, await this.nodesToDaemonPods(ds, selector, signal), hash, signal);
      }
      await this.cleanupHistory(ds, selector, old, signal);
    } catch (e) {
      err = e;
    }
    try {
      const pods = await this.nodesToDaemonPods(ds, selector, signal);
      await this.updateStatus(ds, nodes, pods, hash, true, requeue, signal);
    } catch (e) {
      if (err === undefined) throw e;
      this.log.warn({ daemonset: key, err: e instanceof Error ? e.message : String(e) }, 'failed to update status');
    }
    if (err !== undefined) throw err;
    return requeueResult(requeue);
  }

  private recheckSet(ds: DaemonSetObject, signal: AbortSignal): () => Promise<DaemonSetObject | undefined> {
    return async () => {
      try {
        return await this.client.resource<DaemonSetObject>(DAEMONSETS).get(ds.metadata?.name ?? '', { namespace: ds.metadata?.namespace, signal });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
  }

  /** The set's pods (adopting and releasing) grouped by the node they are for (getNodesToDaemonPods). */
  private async nodesToDaemonPods(ds: DaemonSetObject, selector: Selector, signal: AbortSignal): Promise<NodeToPods> {
    const candidates = ownedAndOrphans(this.podLister, ds.metadata?.namespace ?? '', ds.metadata?.uid ?? '');
    const claimed = await claimObjects(candidates, {
      owner: ds,
      kind: CONTROLLER_KIND,
      selector,
      client: this.client.resource<PodObject>(PODS),
      recheckOwner: this.recheckSet(ds, signal),
      signal,
      fieldManager: FIELD_MANAGER,
    });
    const out: NodeToPods = new Map();
    for (const pod of claimed) {
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    return out;
  }

  // ---- manage: create and delete per node

  private async manage(ds: DaemonSetObject, nodes: NodeObject[], nodeToPods: NodeToPods, hash: string, requeue: number[], signal: AbortSignal): Promise<void> {
    const needing: string[] = [];
    const toDelete: string[] = [];
    const surge = allowsSurge(ds);
    const now = this.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const nodeNames = new Set<string>();
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      nodeNames.add(nodeName);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(nodeName);
      if (shouldRun && !pods) {
        needing.push(nodeName);
        continue;
      }
      if (!pods) continue;
      if (!shouldContinueRunning) {
        for (const p of pods) if (!p.metadata?.deletionTimestamp) toDelete.push(p.metadata?.name ?? '');
        continue;
      }
      const running: PodObject[] = [];
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          // Daemons often fight a kubelet that rejects them: back off before replacing.
          const bkey = `${ds.metadata?.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
          if (this.backoff.inBackoffSinceUpdate(bkey, now)) {
            requeue.push(this.backoff.get(bkey));
            continue;
          }
          this.backoff.next(bkey, now);
          this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} on node ${nodeName}, will try to kill it`);
          toDelete.push(pod.metadata?.name ?? '');
        } else if (phase === 'Succeeded') {
          this.recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} on node ${nodeName}, will try to delete it`);
          toDelete.push(pod.metadata?.name ?? '');
        } else {
          running.push(pod);
        }
      }
      if (!surge) {
        // More than one daemon pod on the node: keep the oldest.
        if (running.length > 1) {
          running.sort(byCreationTimestampAndPhase);
          for (let i = 1; i < running.length; i++) toDelete.push(running[i]!.metadata?.name ?? '');
        }
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) needing.push(nodeName);
        continue;
      }
      // Surge: keep the oldest new and the oldest old pod while the new one is not yet available.
      running.sort(byCreationTimestampAndPhase);
      let oldestNew: PodObject | undefined;
      let oldestOld: PodObject | undefined;
      for (const pod of running) {
        if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        toDelete.push(pod.metadata?.name ?? '');
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) toDelete.push(oldestOld.metadata?.name ?? '');
    }
    // Unscheduled pods for nodes that no longer exist would never be scheduled nor collected.
    for (const [nodeName, pods] of nodeToPods) {
      if (nodeNames.has(nodeName)) continue;
      for (const p of pods) if (!p.spec?.nodeName) toDelete.push(p.metadata?.name ?? '');
    }
    await this.syncNodes(ds, toDelete, needing, hash, signal);
  }

  /** Deletes pods and creates pods for nodes, in slow-start batches under expectations (syncNodes). */
  private async syncNodes(ds: DaemonSetObject, toDelete: string[], needing: string[], hash: string, signal: AbortSignal): Promise<void> {
    const key = objectKey(ds);
    const createDiff = Math.min(needing.length, BURST_REPLICAS);
    const deleteDiff = Math.min(toDelete.length, BURST_REPLICAS);
    if (createDiff === 0 && deleteDiff === 0) return;
    this.expectations.expect(key, createDiff, deleteDiff);
    const errors: Error[] = [];
    const template = daemonPodTemplate(ds.spec?.template, templateGeneration(ds), hash);
    const ref = newControllerRef(ds, CONTROLLER_KIND);

    let pos = 0;
    for (let batch = Math.min(createDiff, SLOW_START_INITIAL_BATCH); pos < createDiff; batch = Math.min(2 * batch, createDiff - pos)) {
      const before = errors.length;
      const nodesInBatch = needing.slice(pos, pos + batch);
      pos += batch;
      await Promise.all(
        nodesInBatch.map(async (nodeName) => {
          try {
            await this.podControl.createPod(template, ds, ref, {
              signal,
              mutate: (pod) => {
                (pod.spec as DeepMutable<NonNullable<PodObject['spec']>>).affinity = replaceNodeNameAffinity(pod.spec?.affinity, nodeName) as DeepMutable<NonNullable<NonNullable<PodObject['spec']>['affinity']>>;
              },
            });
          } catch (e) {
            // A terminating namespace refuses every pod: nothing to retry.
            if (isStatusError(e) && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
            this.expectations.creationObserved(key);
            errors.push(e instanceof Error ? e : new Error(String(e)));
          }
        }),
      );
      const skipped = createDiff - pos;
      if (errors.length > before && skipped > 0) {
        // Slow start: stop after a failing batch; the skipped creations are not expected.
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
        break;
      }
    }

    await Promise.all(
      toDelete.slice(0, deleteDiff).map(async (name) => {
        try {
          await this.podControl.deletePod(ds.metadata?.namespace ?? '', name, ds, signal);
        } catch (e) {
          this.expectations.deletionObserved(key);
          errors.push(e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join(', '));
  }

  // ---- rolling update (update.go)

  private async rollingUpdate(ds: DaemonSetObject, nodes: NodeObject[], nodeToPods: NodeToPods, hash: string, signal: AbortSignal): Promise<void> {
    const now = this.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const generation = templateGeneration(ds);
    const available = (p: PodObject): boolean => isPodAvailable(p, minReady, now);
    // Every node that should run a pod is considered, even without pods yet (updatedDesiredNodeCounts).
    let desired = 0;
    const nodesByName = new Map<string, NodeObject>();
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      nodesByName.set(name, node);
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      desired++;
      if (!nodeToPods.has(name)) nodeToPods.set(name, []);
    }
    const ru = ds.spec?.updateStrategy?.rollingUpdate;
    let maxUnavailable = getScaledValueFromIntOrPercent(ru?.maxUnavailable ?? 1, desired, true);
    const maxSurge = getScaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired, true);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;

    if (maxSurge === 0) {
      // Delete just enough old pods to stay within maxUnavailable; manage() recreates them.
      let numUnavailable = 0;
      const allowedReplacement: string[] = [];
      const candidates: string[] = [];
      for (const pods of nodeToPods.values()) {
        const found = findUpdatedPodsOnNode(pods, hash, generation);
        if (!found) {
          numUnavailable++;
          continue;
        }
        const { newPod, oldPod } = found;
        if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
        else if (newPod) {
          if (!available(newPod)) numUnavailable++;
        } else if (oldPod) {
          if (!available(oldPod)) {
            allowedReplacement.push(oldPod.metadata?.name ?? '');
            numUnavailable++;
          } else if (numUnavailable < maxUnavailable) {
            candidates.push(oldPod.metadata?.name ?? '');
          }
        }
      }
      const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
      await this.syncNodes(ds, [...allowedReplacement, ...candidates.slice(0, remaining)], [], hash, signal);
      return;
    }

    // Surge: start new pods next to old ones (up to maxSurge), delete old ones once the new are available.
    const oldToDelete: string[] = [];
    const shouldNotRunToDelete: PodObject[] = [];
    const candidateNewNodes: string[] = [];
    const allowedNewNodes: string[] = [];
    let numSurge = 0;
    let numAvailable = 0;
    for (const [nodeName, pods] of nodeToPods) {
      const found = findUpdatedPodsOnNode(pods, hash, generation);
      if (!found) {
        numSurge++;
        continue;
      }
      const { newPod, oldPod } = found;
      if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
      if (!oldPod) continue;
      if (!newPod) {
        const node = nodesByName.get(nodeName);
        const shouldRun = node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
        if (!available(oldPod)) {
          if (!shouldRun) oldToDelete.push(oldPod.metadata?.name ?? '');
          else allowedNewNodes.push(nodeName);
        } else if (!shouldRun) {
          shouldNotRunToDelete.push(oldPod);
        } else if (numSurge < maxSurge) {
          candidateNewNodes.push(nodeName);
        }
        continue;
      }
      if (!available(newPod)) {
        numSurge++;
        continue;
      }
      oldToDelete.push(oldPod.metadata?.name ?? '');
    }
    // With surge the owner expects full availability: pods on nodes that left the placement go
    // only as new pods elsewhere become available.
    const deletable = Math.min(numAvailable - desired, shouldNotRunToDelete.length);
    for (let i = 0; i < deletable; i++) {
      const p = shouldNotRunToDelete[i]!;
      if (!p.metadata?.deletionTimestamp) oldToDelete.push(p.metadata?.name ?? '');
    }
    const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
    await this.syncNodes(ds, oldToDelete, [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)], hash, signal);
  }

  // ---- history (update.go constructHistory / snapshot / cleanupHistory)

  private async constructHistory(ds: DaemonSetObject, selector: Selector, signal: AbortSignal): Promise<{ cur: ControllerRevisionObject; old: ControllerRevisionObject[] }> {
    const revApi = this.client.resource<ControllerRevisionObject>(CONTROLLERREVISIONS);
    const histories = await claimObjects(ownedAndOrphans(this.revLister, ds.metadata?.namespace ?? '', ds.metadata?.uid ?? ''), {
      owner: ds,
      kind: CONTROLLER_KIND,
      selector,
      client: revApi,
      recheckOwner: this.recheckSet(ds, signal),
      signal,
      fieldManager: FIELD_MANAGER,
    });
    const want = sortedJSON(templatePatch(ds.spec?.template));
    const current: ControllerRevisionObject[] = [];
    const old: ControllerRevisionObject[] = [];
    for (let h of histories) {
      if (h.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === undefined) {
        // Older revisions lack the label: the name stands in for the hash.
        const upd = structuredClone(h) as DeepMutable<ControllerRevisionObject>;
        upd.metadata!.labels = { ...(upd.metadata!.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: upd.metadata!.name! };
        h = await revApi.update(upd as ControllerRevisionObject, { namespace: ds.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
      }
      if (sortedJSON(h.data) === want) current.push(h);
      else old.push(h);
    }
    const currRevision = maxRevision(old) + 1;
    let cur: ControllerRevisionObject;
    if (current.length === 0) {
      cur = await this.snapshot(ds, currRevision, signal);
    } else {
      cur = await this.dedupCurrent(ds, selector, current, signal);
      if ((cur.revision ?? 0) < currRevision) {
        cur = await revApi.update({ ...structuredClone(cur), revision: currRevision } as ControllerRevisionObject, { namespace: ds.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
      }
    }
    return { cur, old };
  }

  /** Keeps the newest of several revisions with the current template, relabelling pods of the others. */
  private async dedupCurrent(ds: DaemonSetObject, selector: Selector, current: ControllerRevisionObject[], signal: AbortSignal): Promise<ControllerRevisionObject> {
    if (current.length === 1) return current[0]!;
    let keep = current[0]!;
    for (const c of current) if ((c.revision ?? 0) >= (keep.revision ?? 0)) keep = c;
    const keepHash = keep.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    for (const c of current) {
      if (c === keep) continue;
      for (const pods of (await this.nodesToDaemonPods(ds, selector, signal)).values()) {
        for (const pod of pods) {
          if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === keepHash) continue;
          await this.client
            .resource<PodObject>(PODS)
            .patch(pod.metadata?.name ?? '', 'merge', { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash } } }, { namespace: ds.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
        }
      }
      await this.client.resource(CONTROLLERREVISIONS).delete(c.metadata?.name ?? '', { namespace: ds.metadata?.namespace, signal });
    }
    return keep;
  }

  /** Records the current template as revision `revision`; a name collision bumps status.collisionCount. */
  private async snapshot(ds: DaemonSetObject, revision: number, signal: AbortSignal): Promise<ControllerRevisionObject> {
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const name = `${ds.metadata?.name ?? ''}-${hash}`;
    const ns = ds.metadata?.namespace;
    const history: ControllerRevisionObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, CONTROLLER_KIND)],
      },
      data: templatePatch(ds.spec?.template) as ControllerRevisionObject['data'],
      revision,
    };
    const revApi = this.client.resource<ControllerRevisionObject>(CONTROLLERREVISIONS);
    try {
      return await revApi.create(history, { namespace: ns, signal, fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await revApi.get(name, { namespace: ns, signal });
      if (sortedJSON(existing.data) === sortedJSON(history.data)) return existing;
      const dsApi = this.client.resource<DaemonSetObject>(DAEMONSETS);
      const fresh = await dsApi.get(ds.metadata?.name ?? '', { namespace: ns, signal });
      if ((fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
        throw new Error(`found a stale collision count (${ds.status?.collisionCount ?? 0}, expected ${fresh.status?.collisionCount ?? 0}) of DaemonSet "${ds.metadata?.name ?? ''}" while processing; will retry until it is updated`, { cause: e });
      }
      const bumped = structuredClone(fresh) as DeepMutable<DaemonSetObject>;
      bumped.status = { ...(bumped.status ?? ({} as DeepMutable<DaemonSetStatus>)), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 } as DeepMutable<DaemonSetStatus>;
      await dsApi.updateStatus(bumped as DaemonSetObject, { namespace: ns, signal, fieldManager: FIELD_MANAGER });
      throw e;
    }
  }

  /** Deletes the oldest revisions no pod uses beyond revisionHistoryLimit. */
  private async cleanupHistory(ds: DaemonSetObject, selector: Selector, old: ControllerRevisionObject[], signal: AbortSignal): Promise<void> {
    let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const liveHashes = new Set<string>();
    for (const pods of (await this.nodesToDaemonPods(ds, selector, signal)).values()) {
      for (const p of pods) {
        const h = p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
        if (h) liveHashes.add(h);
      }
    }
    for (const h of sortRevisions(old)) {
      if (toKill <= 0) break;
      if (liveHashes.has(h.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) continue;
      try {
        await this.client.resource(CONTROLLERREVISIONS).delete(h.metadata?.name ?? '', { namespace: ds.metadata?.namespace, signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      toKill--;
    }
  }

  // ---- status

  private async updateStatus(ds: DaemonSetObject, nodes: NodeObject[], nodeToPods: NodeToPods, hash: string, updateObservedGen: boolean, requeue: number[], signal: AbortSignal): Promise<void> {
    const now = this.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const generation = templateGeneration(ds);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(node.metadata?.name ?? '');
      const scheduled = pods !== undefined && pods.length > 0;
      if (!shouldRun) {
        if (scheduled) misscheduled++;
        continue;
      }
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = [...pods].sort(byCreationTimestampAndPhase)[0]!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (isPodUpdated(pod, hash, generation)) updated++;
    }
    const next = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (minReady > 0 && ready !== available) requeue.push(minReady * 1000);
    const st = ds.status;
    const same = (s: DaemonSetStatus | undefined): boolean =>
      (s?.desiredNumberScheduled ?? 0) === next.desiredNumberScheduled &&
      (s?.currentNumberScheduled ?? 0) === next.currentNumberScheduled &&
      (s?.numberMisscheduled ?? 0) === next.numberMisscheduled &&
      (s?.numberReady ?? 0) === next.numberReady &&
      (s?.updatedNumberScheduled ?? 0) === next.updatedNumberScheduled &&
      (s?.numberAvailable ?? 0) === next.numberAvailable &&
      (s?.numberUnavailable ?? 0) === next.numberUnavailable;
    if (same(st) && (st?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0)) return;
    const api = this.client.resource<DaemonSetObject>(DAEMONSETS);
    let target = ds;
    for (let i = 0; ; i++) {
      const status = { ...(target.status ?? {}), ...next } as DeepMutable<DaemonSetStatus>;
      if (updateObservedGen) status.observedGeneration = ds.metadata?.generation;
      try {
        await api.updateStatus({ ...structuredClone(target), status } as DaemonSetObject, { namespace: ds.metadata?.namespace, signal, fieldManager: FIELD_MANAGER });
        return;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw new Error(`error storing status for daemon set ${objectKey(ds)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        target = await api.get(ds.metadata?.name ?? '', { namespace: ds.metadata?.namespace, signal });
      }
    }
  }
}

function allowsSurge(ds: DaemonSetObject): boolean {
  const ru = ds.spec?.updateStrategy;
  if ((ru?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const ms = ru?.rollingUpdate?.maxSurge;
  return ms !== undefined && getScaledValueFromIntOrPercent(ms, 1, true) > 0;
}

/** At most one old and one new non-deleted pod on the node; undefined when there are more (findUpdatedPodsOnNode). */
function findUpdatedPodsOnNode(pods: readonly PodObject[], hash: string, generation: number | undefined): { newPod?: PodObject; oldPod?: PodObject } | undefined {
  let newPod: PodObject | undefined;
  let oldPod: PodObject | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

function requeueResult(delays: number[]): SyncResult | undefined {
  const positive = delays.filter((d) => d > 0);
  return positive.length > 0 ? { requeueAfterMs: Math.min(...positive) } : undefined;
}
