// The disruption controller (upstream pkg/controller/disruption): keeps each
// PodDisruptionBudget's status — how many selected pods are expected and healthy, how many are
// wanted healthy, and so how many may be disrupted now — which the eviction endpoint consults.

import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Condition, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import { splitKey } from '../../client/cache/indexer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isConflict } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { DEPLOYMENTS, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { getScaledValueFromIntOrPercent } from '../../machinery/intstr.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { getControllerOf } from '../shared/controller-ref.js';
import { isPodReady, objectKey, type PodObject } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';

export const NAME = 'disruption-controller';
export const COMPONENT = 'controllermanager';

/** Upstream DeletionTimeout: a pod in disruptedPods not deleted within this is counted again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export type DisruptionReason = 'SufficientPods' | 'InsufficientPods' | 'SyncFailed';

export type PDBObject = PodDisruptionBudget & KubeObject;
type RSObject = ReplicaSet & KubeObject;
type DeploymentObject = Deployment & KubeObject;
type StatefulSetObject = StatefulSet & KubeObject;
type RCObject = ReplicationController & KubeObject;
type MutableStatus = DeepMutable<PodDisruptionBudgetStatus>;

export function create(ctx: ControllerContext): Controller & DisruptionController {
  return new DisruptionController(ctx);
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  const i = v.indexOf('/');
  return i < 0 ? '' : v.slice(0, i);
}

function refIs(ref: OwnerReference, kind: string, groups: readonly string[]): boolean {
  return ref.kind === kind && groups.includes(groupOf(ref.apiVersion));
}

/** meta.SetStatusCondition: the transition time moves only when the status changes. */
function setCondition(conds: DeepMutable<Condition>[], c: DeepMutable<Condition>): DeepMutable<Condition>[] {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conds, c];
  const old = conds[i]!;
  const next = { ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : c.lastTransitionTime };
  return conds.map((x, j) => (j === i ? next : x));
}

export class DisruptionController implements Controller {
  readonly name = NAME;
  private readonly pool: WorkerPool<string>;
  private readonly pdbs: Lister<PDBObject>;
  private readonly pods: Lister<PodObject>;
  private readonly rcs: Lister<RCObject>;
  private readonly rss: Lister<RSObject>;
  private readonly deployments: Lister<DeploymentObject>;
  private readonly statefulsets: Lister<StatefulSetObject>;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly selectors = new WeakMap<PDBObject, Selector | null>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = () => ctx.now();
    this.recorder = ctx.recorder(COMPONENT);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: 1, sync: (k, s) => this.sync(k, s) });
    const pdbInf = ctx.informers.forResource<PDBObject>(PODDISRUPTIONBUDGETS);
    const podInf = ctx.informers.forResource<PodObject>(PODS);
    this.pdbs = pdbInf.lister();
    this.pods = podInf.lister();
    this.rcs = ctx.informers.forResource<RCObject>(REPLICATIONCONTROLLERS).lister();
    this.rss = ctx.informers.forResource<RSObject>(REPLICASETS).lister();
    this.deployments = ctx.informers.forResource<DeploymentObject>(DEPLOYMENTS).lister();
    this.statefulsets = ctx.informers.forResource<StatefulSetObject>(STATEFULSETS).lister();
    const enqueue = (o: PDBObject): void => this.pool.queue.add(objectKey(o));
    pdbInf.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const onPod = (p: PodObject): void => {
      for (const b of this.pdbsForPod(p)) enqueue(b);
    };
    podInf.addEventHandler({
      onAdd: onPod,
      onUpdate: (old, cur) => {
        onPod(cur);
        // A relabelled pod leaves the budgets that selected it.
        if (!sameMap(old.metadata?.labels, cur.metadata?.labels ?? {})) onPod(old);
      },
      onDelete: onPod,
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

  private selectorOf(pdb: PDBObject): Selector | undefined {
    let s = this.selectors.get(pdb);
    if (s === undefined) {
      try {
        s = selectorFromLabelSelector(pdb.spec?.selector);
      } catch {
        s = null;
      }
      this.selectors.set(pdb, s);
    }
    return s ?? undefined;
  }

  /** Budgets in the pod's namespace whose selector matches it (policy/v1: an empty selector matches all). */
  private pdbsForPod(pod: PodObject): PDBObject[] {
    return this.pdbs.list(pod.metadata?.namespace).filter((b) => this.selectorOf(b)?.matches(pod.metadata?.labels ?? {}));
  }

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb, signal);
    } catch (e) {
      if (isConflict(e) || signal.aborted) throw e;
      const err = e instanceof Error ? e : new Error(String(e));
      this.log.warn({ key, err: err.message }, 'failed to sync PDB');
      // Fail safe: no disruptions while the budget cannot be computed.
      const status = structuredClone((pdb.status ?? {}) as MutableStatus);
      status.disruptionsAllowed = 0;
      status.conditions = setCondition(status.conditions ?? [], {
        type: DISRUPTION_ALLOWED_CONDITION,
        status: 'False',
        reason: 'SyncFailed',
        message: err.message,
        observedGeneration: status.observedGeneration,
        lastTransitionTime: rfc3339(this.now()),
      });
      await this.writeStatus(pdb, status, signal);
    }
  }

  private async trySync(pdb: PDBObject, signal: AbortSignal): Promise<void | SyncResult> {
    const selector = selectorFromLabelSelector(pdb.spec?.selector);
    const pods = this.pods.list(pdb.metadata?.namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let expected: number;
    let desiredHealthy: number;
    try {
      ({ expected, desiredHealthy } = this.expectedPodCount(pdb, pods));
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    const now = this.now();
    const { disrupted, recheckAt } = this.disruptedPods(pdb, pods, now);
    let healthy = 0;
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      const at = disrupted[p.metadata?.name ?? ''];
      if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
      if (isPodReady(p)) healthy++;
    }
    // expectedPods must be positive, so a budget whose pods just appeared starts safe.
    const allowed = expected <= 0 ? 0 : Math.max(0, healthy - desiredHealthy);
    await this.updateStatus(pdb, { currentHealthy: healthy, desiredHealthy, expectedPods: expected, disruptionsAllowed: allowed, disruptedPods: disrupted }, signal);
    if (recheckAt !== undefined) return { requeueAfterMs: Math.max(0, recheckAt - now) };
  }

  /** Upstream getExpectedPodCount: an int minAvailable counts the pods; percentages and maxUnavailable use the controllers' scale. */
  private expectedPodCount(pdb: PDBObject, pods: PodObject[]): { expected: number; desiredHealthy: number } {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const expected = this.expectedScale(pdb, pods);
      const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expected, true);
      return { expected, desiredHealthy: Math.max(0, expected - maxUnavailable) };
    }
    if (typeof spec.minAvailable === 'number') return { expected: pods.length, desiredHealthy: spec.minAvailable };
    if (typeof spec.minAvailable === 'string') {
      const expected = this.expectedScale(pdb, pods);
      return { expected, desiredHealthy: getScaledValueFromIntOrPercent(spec.minAvailable, expected, true) };
    }
    return { expected: 0, desiredHealthy: 0 };
  }

  /** The sum of the scales of the pods' controllers (each counted once); unmanaged pods are reported. */
  private expectedScale(pdb: PDBObject, pods: PodObject[]): number {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const p of pods) {
      const ref = getControllerOf(p);
      if (!ref) {
        unmanaged.push(p.metadata?.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = this.controllerScale(ref, p.metadata?.namespace);
      if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(p.metadata?.name ?? '')}`);
      scales.set(found.uid, found.scale);
    }
    if (unmanaged.length) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${formatSelector(pdb)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    let sum = 0;
    for (const n of scales.values()) sum += n;
    return sum;
  }

  /** Upstream finders, in order: ReplicationController, Deployment (via its ReplicaSet), ReplicaSet, StatefulSet. */
  private controllerScale(ref: OwnerReference, namespace: string | undefined): { uid: string; scale: number } | undefined {
    if (refIs(ref, 'ReplicationController', [''])) {
      const rc = this.rcs.get(namespace, ref.name);
      return rc && rc.metadata?.uid === ref.uid ? { uid: ref.uid, scale: rc.spec?.replicas ?? 1 } : undefined;
    }
    if (refIs(ref, 'ReplicaSet', ['apps', 'extensions'])) {
      const rs = this.rss.get(namespace, ref.name);
      if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
      const owner = getControllerOf(rs);
      if (owner && owner.kind === 'Deployment') {
        if (!refIs(owner, 'Deployment', ['apps', 'extensions'])) return undefined;
        const d = this.deployments.get(namespace, owner.name);
        return d && d.metadata?.uid === owner.uid ? { uid: owner.uid, scale: d.spec?.replicas ?? 1 } : undefined;
      }
      return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
    }
    if (refIs(ref, 'StatefulSet', ['apps'])) {
      const ss = this.statefulsets.get(namespace, ref.name);
      return ss && ss.metadata?.uid === ref.uid ? { uid: ref.uid, scale: ss.spec?.replicas ?? 1 } : undefined;
    }
    return undefined;
  }

  /** Upstream buildDisruptedPodMap: keeps entries of live pods still within the deletion timeout. */
  private disruptedPods(pdb: PDBObject, pods: PodObject[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
    const previous = pdb.status?.disruptedPods;
    const disrupted: Record<string, string> = {};
    let recheckAt: number | undefined;
    if (!previous) return { disrupted };
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      const at = previous[p.metadata?.name ?? ''];
      if (at === undefined) continue;
      const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expectedDeletion < now) {
        this.recorder.event(p, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata?.namespace ?? ''}/${pdb.metadata?.name ?? ''} to be deleted but it wasn't`);
      } else {
        if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
        disrupted[p.metadata!.name!] = at;
      }
    }
    return { disrupted, recheckAt };
  }

  private async updateStatus(
    pdb: PDBObject,
    s: { currentHealthy: number; desiredHealthy: number; expectedPods: number; disruptionsAllowed: number; disruptedPods: Record<string, string> },
    signal: AbortSignal,
  ): Promise<void> {
    const old = pdb.status;
    const generation = pdb.metadata?.generation ?? 0;
    const cond = old?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED_CONDITION);
    const wantStatus = s.disruptionsAllowed > 0 ? 'True' : 'False';
    const wantReason: DisruptionReason = s.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods';
    const upToDate =
      (old?.currentHealthy ?? 0) === s.currentHealthy &&
      (old?.desiredHealthy ?? 0) === s.desiredHealthy &&
      (old?.expectedPods ?? 0) === s.expectedPods &&
      (old?.disruptionsAllowed ?? 0) === s.disruptionsAllowed &&
      sameMap(old?.disruptedPods, s.disruptedPods) &&
      (old?.observedGeneration ?? 0) === generation &&
      cond?.status === wantStatus &&
      cond.reason === wantReason;
    if (upToDate) return;
    const status: MutableStatus = {
      currentHealthy: s.currentHealthy,
      desiredHealthy: s.desiredHealthy,
      expectedPods: s.expectedPods,
      disruptionsAllowed: s.disruptionsAllowed,
      observedGeneration: generation,
      conditions: setCondition(structuredClone((old?.conditions ?? []) as DeepMutable<Condition>[]), {
        type: DISRUPTION_ALLOWED_CONDITION,
        status: wantStatus,
        reason: wantReason,
        message: '',
        observedGeneration: generation,
        lastTransitionTime: rfc3339(this.now()),
      }),
    };
    if (Object.keys(s.disruptedPods).length) status.disruptedPods = s.disruptedPods;
    await this.writeStatus(pdb, status, signal);
  }

  /** One write, no retry: a failure goes back to the queue (upstream writePdbStatus). */
  private async writeStatus(pdb: PDBObject, status: MutableStatus, signal: AbortSignal): Promise<void> {
    const copy = structuredClone(pdb) as DeepMutable<PDBObject>;
    copy.status = status;
    await this.client.resource<PDBObject>(PODDISRUPTIONBUDGETS).updateStatus(copy as PDBObject, { namespace: pdb.metadata?.namespace, signal });
  }
}

function sameMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a![k] === b[k]);
}

/** Go's %v of a *LabelSelector (its generated String()), as upstream's UnmanagedPods message prints it. */
function formatSelector(pdb: PDBObject): string {
  const s = pdb.spec?.selector;
  if (!s) return 'nil';
  const ml = Object.keys(s.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${s.matchLabels![k]},`)
    .join('');
  const me = (s.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${me}},}`;
}
