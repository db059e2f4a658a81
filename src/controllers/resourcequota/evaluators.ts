// Quota usage of objects (upstream pkg/quota/v1/evaluator/core and generic): which quota
// resource names an evaluator tracks, and what one object uses of them. Sums are Quantity
// additions, so `used` prints as upstream does (`300m`, `1536Mi`).

import type { Container, PersistentVolumeClaim, Pod, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { Quantity } from '../../machinery/quantity.js';

export type ResourceList = Map<string, Quantity>;

const ONE = (): Quantity => Quantity.fromInt(1);

/** quota.Add: the union, values summed (a zero value takes the other's format). */
export function addTo(into: ResourceList, add: ResourceList): void {
  for (const [k, v] of add) {
    const cur = into.get(k);
    into.set(k, cur ? cur.add(v) : v);
  }
}

/** A zero DecimalSI quantity, upstream's starting point for each tracked resource. */
export function zero(): Quantity {
  return Quantity.fromInt(0);
}

export interface Evaluator {
  readonly gvr: GroupVersionResource;
  /** Only metadata is needed (object counts). */
  readonly metadataOnly: boolean;
  /** The hard resource names this evaluator computes. */
  matches(resourceName: string): boolean;
  /** Whether `obj` falls under a scope requirement (only pods have scopes). */
  matchesScope(obj: KubeObject, req: ScopedResourceSelectorRequirement, now: number): boolean;
  usage(obj: KubeObject, now: number): ResourceList;
}

const noScope = (): boolean => false;

/** `count/<resource>` or `count/<resource>.<group>`. */
export function countName(gvr: GroupVersionResource): string {
  return gvr.group ? `count/${gvr.resource}.${gvr.group}` : `count/${gvr.resource}`;
}

/** The generic object-count evaluator (plus the legacy bare name of some core resources). */
export function objectCountEvaluator(gvr: GroupVersionResource, legacyName?: string): Evaluator {
  const names = new Set([countName(gvr), ...(legacyName ? [legacyName] : [])]);
  return {
    gvr,
    metadataOnly: true,
    matches: (r) => names.has(r),
    matchesScope: noScope,
    usage: () => new Map([...names].map((n) => [n, ONE()])),
  };
}

// ---- pods

const POD_RESOURCES = new Set([
  'pods',
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

/** Names with a domain outside kubernetes.io, not `requests.`-prefixed (helper.IsExtendedResourceName). */
function isExtendedResourceName(name: string): boolean {
  if (name.startsWith('requests.') || !name.includes('/')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

function podMatchesResource(r: string): boolean {
  if (POD_RESOURCES.has(r)) return true;
  if (r.startsWith('hugepages-') || r.startsWith('requests.hugepages-')) return true;
  return r.startsWith('requests.') && isExtendedResourceName(r.slice('requests.'.length));
}

function parse(v: unknown): Quantity | undefined {
  try {
    return Quantity.fromJSON(v);
  } catch {
    return undefined;
  }
}

function listOf(m: Readonly<Record<string, unknown>> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(m ?? {})) {
    const q = parse(v);
    if (q) out.set(k, q);
  }
  return out;
}

function maxInto(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of other) {
    const cur = into.get(k);
    if (!cur || v.cmp(cur) > 0) into.set(k, v);
  }
}

/**
 * resourcehelper.PodRequests / PodLimits: containers summed; init containers run one at a time
 * (their max counts) while restartable (sidecar) init containers keep running; plus overhead
 * (for limits only where a limit exists).
 */
export function podResources(pod: Pod, which: 'requests' | 'limits'): ResourceList {
  const of = (c: Container): ResourceList => listOf(c.resources?.[which]);
  const total: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addTo(total, of(c));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === 'Always') {
      addTo(total, own);
      addTo(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const tmp: ResourceList = new Map();
      addTo(tmp, own);
      addTo(tmp, sidecars);
      maxInto(initMax, tmp);
    }
  }
  maxInto(total, initMax);
  const overhead = listOf(pod.spec?.overhead);
  if (which === 'requests') addTo(total, overhead);
  else for (const [k, v] of overhead) if (total.has(k)) total.set(k, total.get(k)!.add(v));
  return total;
}

/** QuotaV1Pod: terminal pods, and pods past their deletion grace, no longer use compute quota. */
export function podCountsForQuota(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const del = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (del && grace !== undefined && grace !== null && now > Date.parse(del) + grace * 1000) return false;
  return true;
}

/** v1 QOS class BestEffort: no cpu/memory request or limit anywhere (status.qosClass wins when set). */
export function isBestEffort(pod: Pod): boolean {
  if (pod.status?.qosClass) return pod.status.qosClass === 'BestEffort';
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const which of ['requests', 'limits'] as const) {
      for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
        if ((k === 'cpu' || k === 'memory') && !parse(v)?.isZero()) return false;
      }
    }
  }
  return true;
}

function crossNamespaceAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  for (const group of [a?.podAffinity, a?.podAntiAffinity]) {
    const terms = [...(group?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(group?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm)];
    if (terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector)) return true;
  }
  return false;
}

/** podMatchesScopeFunc: Terminating/NotTerminating, BestEffort/NotBestEffort, PriorityClass, CrossNamespacePodAffinity. */
export function podMatchesScope(pod: Pod, req: ScopedResourceSelectorRequirement): boolean {
  const deadline = pod.spec?.activeDeadlineSeconds;
  const terminating = deadline !== undefined && deadline !== null && deadline >= 0;
  switch (req.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceAffinity(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      // The class name is a label that is always present (possibly empty).
      switch (req.operator) {
        case 'Exists':
          return pc !== '';
        case 'DoesNotExist':
          return false;
        case 'In':
          return (req.values ?? []).includes(pc);
        case 'NotIn':
          return !(req.values ?? []).includes(pc);
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

export function podEvaluator(gvr: GroupVersionResource): Evaluator {
  return {
    gvr,
    metadataOnly: false,
    matches: podMatchesResource,
    matchesScope: (obj, req) => podMatchesScope(obj as Pod, req),
    usage: (obj, now) => {
      const pod = obj as Pod;
      // count/pods tracks every pod in storage; the rest only live ones.
      const out: ResourceList = new Map([['count/pods', ONE()]]);
      if (!podCountsForQuota(pod, now)) return out;
      out.set('pods', ONE());
      const requests = podResources(pod, 'requests');
      const limits = podResources(pod, 'limits');
      for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
        const req = requests.get(r);
        if (req) {
          out.set(r, req);
          out.set(`requests.${r}`, req);
        }
        const lim = limits.get(r);
        if (lim) out.set(`limits.${r}`, lim);
      }
      for (const [r, q] of requests) {
        if (r.startsWith('hugepages-')) {
          out.set(r, q);
          out.set(`requests.${r}`, q);
        } else if (isExtendedResourceName(r)) {
          out.set(`requests.${r}`, q);
        }
      }
      return out;
    },
  };
}

// ---- services

export function serviceEvaluator(gvr: GroupVersionResource): Evaluator {
  const names = new Set(['services', 'count/services', 'services.nodeports', 'services.loadbalancers']);
  return {
    gvr,
    metadataOnly: false,
    matches: (r) => names.has(r),
    matchesScope: noScope,
    usage: (obj) => {
      const svc = obj as Service;
      const out: ResourceList = new Map([
        ['services', ONE()],
        ['count/services', ONE()],
      ]);
      const ports = svc.spec?.ports ?? [];
      if (svc.spec?.type === 'NodePort') out.set('services.nodeports', Quantity.fromInt(ports.length));
      if (svc.spec?.type === 'LoadBalancer') {
        const nodePorts = svc.spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
        out.set('services.nodeports', Quantity.fromInt(nodePorts));
        out.set('services.loadbalancers', ONE());
      }
      return out;
    },
  };
}

// ---- persistent volume claims

const SC_SUFFIX = '.storageclass.storage.k8s.io/';

export function pvcEvaluator(gvr: GroupVersionResource): Evaluator {
  const names = new Set(['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage']);
  return {
    gvr,
    metadataOnly: false,
    matches: (r) => names.has(r) || (r.includes(SC_SUFFIX) && (r.endsWith('/requests.storage') || r.endsWith('/persistentvolumeclaims'))),
    matchesScope: noScope,
    usage: (obj) => {
      const pvc = obj as PersistentVolumeClaim;
      const out: ResourceList = new Map([
        ['persistentvolumeclaims', ONE()],
        ['count/persistentvolumeclaims', ONE()],
      ]);
      const sc = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
      if (sc) out.set(`${sc}${SC_SUFFIX}persistentvolumeclaims`, ONE());
      const storage = parse(pvc.spec?.resources?.requests?.storage);
      if (storage) {
        out.set('requests.storage', storage);
        if (sc) out.set(`${sc}${SC_SUFFIX}requests.storage`, storage);
      }
      return out;
    },
  };
}
