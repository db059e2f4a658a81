// The endpoints controller (upstream pkg/controller/endpoint): every Service with a selector gets
// an Endpoints object of the same name listing the IPs and ports of the pods it selects, ready
// ones under `addresses` and the others under `notReadyAddresses`.

import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { isNotFound } from '../../client/rest/errors.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import { splitKey } from '../../client/cache/indexer.js';
import { isStatusError } from '../../machinery/errors.js';
import { selectorFromSet } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { isPodReady } from '../shared/podutil.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { repackSubsets, type Subset } from './repack.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_HEADLESS,
  TriggerTimeTracker,
  findPort,
  formatRFC3339Nano,
  isIPv6,
  isServiceIPSet,
  servicesForLabels,
  servicesToUpdateOnPodChange,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type PodObject,
  type ServiceObject,
} from '../shared/endpoints-util.js';

export const NAME = 'endpoints-controller';
/** The event source upstream's endpoints controller records with. */
export const COMPONENT = 'endpoint-controller';

/** Upstream maxCapacity: addresses beyond it are truncated. */
export const MAX_CAPACITY = 1000;
/** Upstream v1.EndpointsOverCapacity. */
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** Endpoints used as leader-election locks carry this; they never belong to a service. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

type EndpointsObject = Endpoints & KubeObject;
type MutableEndpoints = DeepMutable<Endpoints> & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new EndpointsController(ctx);
}

export interface EndpointsControllerOptions {
  /** Upstream --concurrent-endpoint-syncs (5). */
  workers?: number;
}

export class EndpointsController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly services: Lister<ServiceObject>;
  private readonly pods: Lister<PodObject>;
  private readonly endpoints: Lister<EndpointsObject>;
  private readonly pool: WorkerPool<string>;
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext, opts: EndpointsControllerOptions = {}) {
    this.client = ctx.client;
    this.recorder = ctx.recorder(COMPONENT);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const svcInf = ctx.informers.forResource<ServiceObject>(SERVICES);
    const podInf = ctx.informers.forResource<PodObject>(PODS);
    const epInf = ctx.informers.forResource<EndpointsObject>(ENDPOINTS);
    this.services = svcInf.lister();
    this.pods = podInf.lister();
    this.endpoints = epInf.lister();
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
    epInf.addEventHandler({ onDelete: enqueue });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
    // Endpoints left behind by services deleted while no controller ran (upstream checkLeftoverEndpoints).
    for (const ep of this.endpoints.list()) {
      if (ep.metadata?.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      this.pool.queue.add(`${ep.metadata?.namespace ?? ''}/${ep.metadata?.name ?? ''}`);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  async sync(key: string, signal: AbortSignal): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const service = this.services.get(namespace, name);
    const epClient = this.client.resource<EndpointsObject>(ENDPOINTS);
    if (!service) {
      try {
        await epClient.delete(name, { namespace, signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.triggerTimes.deleteService(namespace, name);
      return;
    }
    // ExternalName services and services without a selector get no endpoints from here; the
    // latter's Endpoints are written by users.
    if (service.spec?.type === 'ExternalName' || !service.spec?.selector) return;

    const pods = this.pods.list(namespace).filter((p) => selectorFromSet(service.spec!.selector).matches(p.metadata?.labels ?? {}));
    // Computed on every sync so the tracker's state follows even a no-op sync.
    const triggerTime = this.triggerTimes.compute(namespace, service, pods);
    const publishNotReady = service.spec.publishNotReadyAddresses === true;
    const raw: EndpointSubset[] = [];
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
      const addr = podToEndpointAddress(service, pod);
      if (!addr) continue;
      if (shouldSetHostname(pod, service)) addr.hostname = pod.spec?.hostname;
      const ready = publishNotReady || isPodReady(pod);
      const ports = service.spec.ports ?? [];
      if (ports.length === 0) {
        // Headless services may have no ports.
        if (service.spec.clusterIP === 'None') raw.push(ready ? { addresses: [addr], ports: [] } : { notReadyAddresses: [addr], ports: [] });
        continue;
      }
      for (const sp of ports) {
        const portNum = findPort(pod, sp);
        if (portNum === undefined) continue;
        const port: DeepMutable<EndpointPort> = { port: portNum, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) port.name = sp.name;
        if (sp.appProtocol) port.appProtocol = sp.appProtocol;
        raw.push(ready ? { addresses: [addr], ports: [port] } : { notReadyAddresses: [addr], ports: [port] });
      }
    }
    const subsets = repackSubsets(raw);
    const truncated = truncateEndpoints(subsets);

    const current = this.endpoints.get(namespace, name);
    const svcLabels = service.metadata?.labels ?? {};
    if (current) {
      const compareLabels = { ...current.metadata?.labels };
      delete compareLabels[LABEL_HEADLESS];
      const overCapacitySet = current.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY] !== undefined;
      if (semanticEqual(stripTargetRefVersions(current.subsets ?? []), subsets) && semanticEqual(compareLabels, svcLabels) && overCapacitySet === truncated) return;
    }

    const next: MutableEndpoints = current
      ? (structuredClone(current) as MutableEndpoints)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.apiVersion ??= 'v1';
    next.kind ??= 'Endpoints';
    next.subsets = subsets;
    const meta = next.metadata!;
    const annotations: Record<string, string> = { ...meta.annotations };
    if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
    else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    if (Object.keys(annotations).length) meta.annotations = annotations;
    else delete meta.annotations;
    const labels: Record<string, string> = { ...svcLabels };
    if (!isServiceIPSet(service)) labels[LABEL_HEADLESS] = '';
    else delete labels[LABEL_HEADLESS];
    meta.labels = labels;

    try {
      if (current) await epClient.update(next, { namespace, signal });
      else await epClient.create(next, { namespace, signal });
    } catch (e) {
      // Creates keep failing in a terminating namespace: drop the key.
      if (!current && isStatusError(e) && e.code === 403 && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
      const msg = e instanceof Error ? e.message : String(e);
      if (current) this.recorder.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${msg}`);
      else this.recorder.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${msg}`);
      throw e;
    }
  }
}

/** The pod's IP of the service's (first) family, with node and target (upstream podToEndpointAddressForService). */
function podToEndpointAddress(svc: ServiceObject, pod: PodObject): DeepMutable<EndpointAddress> | undefined {
  let v6: boolean;
  if (svc.spec?.ipFamilies?.length) v6 = svc.spec.ipFamilies[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec!.clusterIP!);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip ?? '').filter(Boolean) : pod.status?.podIP ? [pod.status.podIP] : [];
  const ip = ips.find((i) => isIPv6(i) === v6);
  if (!ip) return undefined;
  return {
    ip,
    nodeName: pod.spec?.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
}

/**
 * Keeps at most MAX_CAPACITY addresses, each subset its proportional share (rounded up),
 * ready addresses first (upstream truncateEndpoints). Returns whether it truncated.
 */
export function truncateEndpoints(subsets: Subset[]): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      if (s.addresses) s.addresses = s.addresses.slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= s.addresses?.length ?? 0;
    } else {
      if (s.notReadyAddresses) s.notReadyAddresses = s.notReadyAddresses.slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** Subsets with the pods' resourceVersions left out of target refs (pod updates we don't care about). */
function stripTargetRefVersions(subsets: readonly EndpointSubset[]): unknown {
  const strip = (a: EndpointAddress) => (a.targetRef?.resourceVersion ? { ...a, targetRef: { ...a.targetRef, resourceVersion: undefined } } : a);
  return subsets.map((s) => ({ ...s, addresses: s.addresses?.map(strip), notReadyAddresses: s.notReadyAddresses?.map(strip) }));
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every((x) => x === undefined);
  return false;
}

/** apimachinery's Semantic.DeepEqual for JSON: key order ignored, nil equals empty. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => semanticEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}
