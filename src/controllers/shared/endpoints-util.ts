// What the endpoints and EndpointSlice controllers share (upstream staging
// k8s.io/endpointslice/util): which pods belong in endpoints, which services a pod change
// concerns, port resolution and the last-change trigger time.

import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { selectorFromSet } from '../../machinery/labels.js';
import { getPodCondition, isPodReady, isPodTerminal } from './podutil.js';

export type PodObject = Pod & KubeObject;
export type ServiceObject = Service & KubeObject;

/** Upstream v1.IsHeadlessService: the label on Endpoints/EndpointSlices of headless services. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** Upstream v1.EndpointsLastChangeTriggerTime. */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Terminal pods and pods without an IP never are; terminating ones only when asked (upstream ShouldPodBeInEndpoints). */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod's hostname is published when its subdomain names the service (upstream ShouldSetHostname). */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return Boolean(pod.spec?.hostname) && pod.spec?.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

/** ClusterIP set and not None (upstream helper.IsServiceIPSet). */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * The container port a service port targets on a pod (upstream FindPort): a number as is; a
 * name looked up among the containers' and restartable init containers' ports of the same
 * protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Keys of the services in the pod's namespace whose selector matches `labels` (nil selectors match nothing). */
export function servicesForLabels(services: Lister<ServiceObject>, namespace: string, labels: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const svc of services.list(namespace)) {
    const sel = svc.spec?.selector;
    if (!sel) continue;
    if (selectorFromSet(sel).matches(labels ?? {})) out.add(`${namespace}/${svc.metadata?.name ?? ''}`);
  }
  return out;
}

function podIPsEqual(a: Pod, b: Pod): boolean {
  const x = a.status?.podIPs ?? [];
  const y = b.status?.podIPs ?? [];
  if (x.length !== y.length) return false;
  return x.every((ip, i) => ip.ip === y[i]?.ip);
}

function labelsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

/**
 * The services to sync after a pod update (upstream GetPodUpdateProjectionKey + GetServicesToUpdate):
 * none on a resync or an irrelevant change; with changed labels (or hostname/subdomain) the
 * union of old and new memberships when the endpoint changed too, else their symmetric difference.
 */
export function servicesToUpdateOnPodChange(services: Lister<ServiceObject>, oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const labelsChanged =
    !labelsEqual(oldPod.metadata?.labels, newPod.metadata?.labels) || oldPod.spec?.hostname !== newPod.spec?.hostname || oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const podChanged =
    Boolean(oldPod.metadata?.deletionTimestamp) !== Boolean(newPod.metadata?.deletionTimestamp) ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    !podIPsEqual(oldPod, newPod) ||
    // A pod turning terminal leaves the endpoints even when its readiness was already false.
    isPodTerminal(oldPod) !== isPodTerminal(newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const ns = newPod.metadata?.namespace ?? '';
  const current = servicesForLabels(services, ns, newPod.metadata?.labels);
  if (!labelsChanged) return current;
  const old = servicesForLabels(services, ns, oldPod.metadata?.labels);
  if (podChanged) return new Set([...current, ...old]);
  const out = new Set<string>();
  for (const k of current) if (!old.has(k)) out.add(k);
  for (const k of old) if (!current.has(k)) out.add(k);
  return out;
}

interface ServiceState {
  lastServiceTriggerTime: number;
  lastPodTriggerTimes: Map<string, number>;
}

/**
 * Computes the EndpointsLastChangeTriggerTime annotation (upstream TriggerTimeTracker): the
 * service's creation time for a service seen the first time, else the earliest pod Ready
 * transition (or service creation) that changed since the previous sync; 0 = none.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  compute(namespace: string, service: Service, pods: readonly Pod[]): number {
    const key = `${namespace}/${service.metadata?.name ?? ''}`;
    const state = this.states.get(key);
    let minChanged = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = time(getPodCondition(pod, 'Ready')?.lastTransitionTime);
      if (!t) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (state?.lastPodTriggerTimes.get(name) ?? 0)) minChanged = minChanged === 0 || t < minChanged ? t : minChanged;
    }
    const svcTime = time(service.metadata?.creationTimestamp);
    if (svcTime > (state?.lastServiceTriggerTime ?? 0)) minChanged = minChanged === 0 || svcTime < minChanged ? svcTime : minChanged;
    this.states.set(key, { lastServiceTriggerTime: svcTime, lastPodTriggerTimes: podTimes });
    if (!state) return svcTime;
    return minChanged;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Go's time.Format(RFC3339Nano) in UTC: fractional seconds without trailing zeros. */
export function formatRFC3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
