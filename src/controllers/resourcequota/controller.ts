// The resource quota controller (upstream pkg/controller/resourcequota): keeps every
// ResourceQuota's status — `hard` mirrors the spec, `used` is recomputed from the namespace's
// objects for the resources the quota names — when those objects change and on a full resync
// every five minutes. Enforcement is the admission plugin's business, not this loop's.

import type { ResourceQuota, ScopedResourceSelectorRequirement } from 'kubernetes-types/core/v1.js';
import type { Lister, SharedInformer } from '../../client/cache/informer.js';
import { splitKey } from '../../client/cache/indexer.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import {
  CONFIGMAPS,
  CONTROLLERREVISIONS,
  CRONJOBS,
  DAEMONSETS,
  DEPLOYMENTS,
  ENDPOINTS,
  ENDPOINTSLICES,
  EVENTS,
  HORIZONTALPODAUTOSCALERS,
  INGRESSES,
  JOBS,
  LEASES,
  LIMITRANGES,
  NETWORKPOLICIES,
  PERSISTENTVOLUMECLAIMS,
  PODDISRUPTIONBUDGETS,
  PODS,
  PODTEMPLATES,
  REPLICASETS,
  REPLICATIONCONTROLLERS,
  RESOURCEQUOTAS,
  SECRETS,
  SERVICEACCOUNTS,
  SERVICES,
  STATEFULSETS,
} from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { Quantity } from '../../machinery/quantity.js';
import { objectKey, type PodObject } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { addTo, objectCountEvaluator, podCountsForQuota, podEvaluator, pvcEvaluator, serviceEvaluator, zero, type Evaluator, type ResourceList } from './evaluators.js';

export const NAME = 'resourcequota-controller';
export const COMPONENT = 'resource-quota-controller';
/** Upstream --resource-quota-sync-period. */
export const FULL_RESYNC_MS = 5 * 60 * 1000;

export type ResourceQuotaObject = ResourceQuota & KubeObject;

export function create(ctx: ControllerContext): Controller & ResourceQuotaController {
  return new ResourceQuotaController(ctx);
}

/** The evaluators upstream registers for in-tree resources (pods, services, PVCs, object counts). */
export function defaultEvaluators(): Evaluator[] {
  return [
    podEvaluator(PODS),
    serviceEvaluator(SERVICES),
    pvcEvaluator(PERSISTENTVOLUMECLAIMS),
    objectCountEvaluator(CONFIGMAPS, 'configmaps'),
    objectCountEvaluator(SECRETS, 'secrets'),
    objectCountEvaluator(REPLICATIONCONTROLLERS, 'replicationcontrollers'),
    { ...objectCountEvaluator(RESOURCEQUOTAS, 'resourcequotas'), metadataOnly: false },
    ...[
      DEPLOYMENTS,
      REPLICASETS,
      STATEFULSETS,
      DAEMONSETS,
      CONTROLLERREVISIONS,
      JOBS,
      CRONJOBS,
      HORIZONTALPODAUTOSCALERS,
      PODDISRUPTIONBUDGETS,
      INGRESSES,
      NETWORKPOLICIES,
      ENDPOINTSLICES,
      LEASES,
      SERVICEACCOUNTS,
      ENDPOINTS,
      EVENTS,
      LIMITRANGES,
      PODTEMPLATES,
    ].map((gvr) => objectCountEvaluator(gvr)),
  ];
}

function parseList(m: Readonly<Record<string, unknown>> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(m ?? {})) {
    try {
      out.set(k, Quantity.fromJSON(v));
    } catch {
      // An unparsable value is not a limit anyone can be held to.
    }
  }
  return out;
}

/** quota.Equals: same names, equal values. */
function listsEqual(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || !o.equals(v)) return false;
  }
  return true;
}

function toRecord(l: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...l.keys()].sort()) out[k] = l.get(k)!.toString();
  return out;
}

/** spec.scopes as Exists requirements, plus spec.scopeSelector's (upstream getScopeSelectorsFromQuota). */
function scopeRequirements(q: ResourceQuotaObject): ScopedResourceSelectorRequirement[] {
  return [...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])];
}

export class ResourceQuotaController implements Controller {
  readonly name = NAME;
  private readonly pool: WorkerPool<string>;
  private readonly quotas: Lister<ResourceQuotaObject>;
  private readonly client: Interface;
  private readonly ctx: ControllerContext;
  private readonly log: Logger;
  private readonly evaluators: Evaluator[];
  private readonly informers = new Map<Evaluator, SharedInformer<KubeObject>>();
  private runSignal: AbortSignal | undefined;

  constructor(ctx: ControllerContext, opts: { evaluators?: Evaluator[]; workers?: number } = {}) {
    this.ctx = ctx;
    this.client = ctx.client;
    this.log = ctx.logger;
    this.evaluators = opts.evaluators ?? defaultEvaluators();
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const rqInf = ctx.informers.forResource<ResourceQuotaObject>(RESOURCEQUOTAS);
    this.quotas = rqInf.lister();
    const enqueue = (q: ResourceQuotaObject): void => this.pool.queue.add(objectKey(q));
    rqInf.addEventHandler(
      {
        onAdd: enqueue,
        onUpdate: (old, cur) => {
          // A resync (old === cur) or a changed spec; our own status writes need no recount.
          if (old === cur || old.metadata?.generation !== cur.metadata?.generation || !listsEqual(parseList(cur.spec?.hard), parseList(cur.status?.hard))) enqueue(cur);
        },
      },
      FULL_RESYNC_MS,
    );
    // Pods are what quotas track most; their informer is shared with every workload controller.
    this.informerFor(this.evaluators.find((e) => e.gvr.resource === 'pods' && !e.gvr.group)!);
  }

  /** The work queue (tests look at what handlers enqueued). */
  get queue(): WorkerPool<string>['queue'] {
    return this.pool.queue;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * The evaluator's informer, created the first time a quota names one of its resources (so
   * nobody lists every secret of the cluster when no quota counts secrets).
   */
  private informerFor(ev: Evaluator): SharedInformer<KubeObject> {
    let inf = this.informers.get(ev);
    if (inf) return inf;
    inf = this.ctx.informers.forResource<KubeObject>(ev.gvr, { metadataOnly: ev.metadataOnly });
    this.informers.set(ev, inf);
    const isPods = ev.gvr.resource === 'pods' && !ev.gvr.group;
    const touch = (o: KubeObject): void => this.enqueueQuotasTracking(o.metadata?.namespace, ev);
    inf.addEventHandler({
      onAdd: touch,
      onUpdate: (old, cur) => {
        if (old === cur) return;
        // A pod's usage changes when it ends or is deleted, not with every status update.
        if (isPods && !podUsageChanged(old as PodObject, cur as PodObject, this.ctx.now())) return;
        touch(cur);
      },
      onDelete: touch,
    });
    if (this.runSignal && !this.runSignal.aborted) this.ctx.informers.start(this.runSignal);
    return inf;
  }

  private enqueueQuotasTracking(namespace: string | undefined, ev: Evaluator): void {
    if (!namespace) return;
    for (const q of this.quotas.list(namespace)) {
      if (Object.keys(q.spec?.hard ?? {}).some((r) => ev.matches(r))) this.pool.queue.add(objectKey(q));
    }
  }

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const { namespace, name } = splitKey(key);
    const quota = this.quotas.get(namespace, name);
    if (!quota) return;
    const hard = parseList(quota.spec?.hard);
    const hardNames = [...hard.keys()];
    const scopes = scopeRequirements(quota);
    const now = this.ctx.now();

    // Previous observations are kept for resources no evaluator computes (masked to hard).
    const used: ResourceList = new Map();
    for (const [k, v] of parseList(quota.status?.used)) if (hard.has(k)) used.set(k, v);
    for (const ev of this.evaluators) {
      const tracked = hardNames.filter((r) => ev.matches(r));
      if (tracked.length === 0) continue;
      const inf = this.informerFor(ev);
      if (this.runSignal && !inf.hasSynced() && !(await inf.waitForSync(signal))) return;
      const sum: ResourceList = new Map(tracked.map((r) => [r, zero()]));
      for (const obj of inf.lister().list(namespace)) {
        if (!scopes.every((s) => ev.matchesScope(obj, s, now))) continue;
        addTo(sum, ev.usage(obj, now));
      }
      for (const r of tracked) used.set(r, sum.get(r)!);
    }

    const dirty = !quota.status?.used || !listsEqual(hard, parseList(quota.status?.hard)) || !listsEqual(used, parseList(quota.status.used));
    if (!dirty) return;
    const copy = structuredClone(quota) as ResourceQuotaObject & { status?: unknown };
    copy.status = { hard: toRecord(hard), used: toRecord(used) };
    await this.client.resource<ResourceQuotaObject>(RESOURCEQUOTAS).updateStatus(copy, { namespace, signal });
    this.log.debug({ key }, 'quota usage updated');
  }
}

/** Upstream's pod replenishment check: the pod stopped counting, or its resources changed. */
function podUsageChanged(old: PodObject, cur: PodObject, now: number): boolean {
  if (podCountsForQuota(old, now) !== podCountsForQuota(cur, now)) return true;
  if (old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp) return true;
  if (old.status?.qosClass !== cur.status?.qosClass) return true;
  const res = (p: PodObject): string => JSON.stringify([p.spec?.containers?.map((c) => c.resources), p.spec?.initContainers?.map((c) => c.resources)]);
  return res(old) !== res(cur);
}
