// The EndpointSlice controller (upstream pkg/controller/endpointslice): every Service with a
// selector gets discovery.k8s.io/v1 EndpointSlices (at most 100 endpoints each) listing its
// pods, with ready/serving/terminating conditions, node, zone and hostname per endpoint.

import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { splitKey } from '../../client/cache/indexer.js';
import { selectorFromSet } from '../../machinery/labels.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { EndpointSliceTracker, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, Reconciler, type SliceObject } from './reconciler.js';
import { TriggerTimeTracker, servicesForLabels, servicesToUpdateOnPodChange, type PodObject, type ServiceObject } from '../shared/endpoints-util.js';

export const NAME = 'endpointslice-controller';
/** The event source upstream's EndpointSlice controller records with. */
export const COMPONENT = 'endpoint-slice-controller';
/** The managed-by label value of the slices this controller owns. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** How soon a sync that found the cache behind our own writes looks again. */
const STALE_CACHE_RETRY_MS = 100;

export function create(ctx: ControllerContext): Controller {
  return new EndpointSliceController(ctx);
}

export interface EndpointSliceControllerOptions {
  /** Upstream --concurrent-service-endpoint-syncs (5). */
  workers?: number;
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController implements Controller {
  readonly name = NAME;
  private readonly recorder: EventRecorder;
  private readonly services: Lister<ServiceObject>;
  private readonly pods: Lister<PodObject>;
  private readonly slices: Lister<SliceObject>;
  private readonly pool: WorkerPool<string>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly tracker = new EndpointSliceTracker();
  private readonly reconciler: Reconciler;

  constructor(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}) {
    this.recorder = ctx.recorder(COMPONENT);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const svcInf = ctx.informers.forResource<ServiceObject>(SERVICES);
    const podInf = ctx.informers.forResource<PodObject>(PODS);
    const sliceInf = ctx.informers.forResource<SliceObject>(ENDPOINTSLICES);
    const nodeInf = ctx.informers.forResource<Node & KubeObject>(NODES);
    this.services = svcInf.lister();
    this.pods = podInf.lister();
    this.slices = sliceInf.lister();
    this.reconciler = new Reconciler({
      client: ctx.client,
      nodes: nodeInf.lister(),
      maxEndpointsPerSlice: opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE,
      tracker: this.tracker,
      controllerName: CONTROLLER_NAME,
    });

    const enqueue = (o: KubeObject): void => this.pool.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    svcInf.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const podMemberships = (pod: PodObject): void => {
      for (const k of servicesForLabels(this.services, pod.metadata?.namespace ?? '', pod.metadata?.labels)) this.pool.queue.add(k);
    };
    podInf.addEventHandler({
      onAdd: podMemberships,
      onUpdate: (o, n) => {
        for (const k of servicesToUpdateOnPodChange(this.services, o, n)) this.pool.queue.add(k);
      },
      onDelete: podMemberships,
    });
    const managed = (s: SliceObject): boolean => s.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME;
    const queueFor = (s: SliceObject): void => {
      const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
      if (svc) this.pool.queue.add(`${s.metadata?.namespace ?? ''}/${svc}`);
    };
    // Our own writes come back as events; only changes made by others need a sync.
    sliceInf.addEventHandler({
      onAdd: (s) => {
        if (managed(s) && this.tracker.shouldSync(s)) queueFor(s);
      },
      onUpdate: (o, n) => {
        if (o.metadata?.labels?.[LABEL_SERVICE_NAME] !== n.metadata?.labels?.[LABEL_SERVICE_NAME]) {
          queueFor(n);
          queueFor(o);
        } else if (managed(o) !== managed(n) || (managed(n) && this.tracker.shouldSync(n))) {
          queueFor(n);
        }
      },
      onDelete: (s) => {
        if (managed(s) && !this.tracker.handleDeletion(s)) queueFor(s);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const { namespace = '', name } = splitKey(key);
    const service = this.services.get(namespace, name);
    if (!service) {
      // The slices go with their owner through the garbage collector.
      this.triggerTimes.deleteService(namespace, name);
      this.tracker.deleteService(namespace, name);
      return;
    }
    if (service.spec?.type === 'ExternalName' || !service.spec?.selector) return;

    const selector = selectorFromSet(service.spec.selector);
    const pods = this.pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    const slices = this.slices
      .list(namespace)
      .filter((s) => s.metadata?.labels?.[LABEL_SERVICE_NAME] === name && s.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME && !s.metadata?.deletionTimestamp);
    if (this.tracker.staleSlices(service, slices)) return { requeueAfterMs: STALE_CACHE_RETRY_MS };
    const triggerTime = this.triggerTimes.compute(namespace, service, pods);
    try {
      await this.reconciler.reconcile(service, pods, slices, triggerTime, signal);
    } catch (e) {
      if (!signal.aborted) this.recorder.event(service, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${namespace}/${name}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
}
