// Desired replicas from resource metrics (upstream pkg/controller/podautoscaler/
// replica_calculator.go and metrics/client.go): pod usage from metrics.k8s.io PodMetrics,
// requests from the pod specs, a tolerance band around the target, and the rules for pods
// without metrics (assumed at 100 % or the target when scaling down, 0 when scaling up) and
// for not-yet-ready pods (assumed at 0 when scaling up).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { StatusError } from '../../machinery/errors.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { goDurationToMs } from '../../machinery/duration.js';
import type { Selector } from '../../machinery/labels.js';
import { Quantity } from '../../machinery/quantity.js';

export const POD_METRICS: GroupVersionResource = { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespaced: true };

/** Upstream --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
const INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodMetric {
  timestamp: number;
  windowMs: number;
  /** Milli-units. */
  value: number;
}
export type PodMetricsInfo = Map<string, PodMetric>;

interface PodMetricsObject extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** The message client-go gives a StatusError, with its `(get pods.metrics.k8s.io)` suffix. */
function describeMetricsError(e: unknown): string {
  if (e instanceof StatusError) {
    if (e.code === 404) return 'the server could not find the requested resource (get pods.metrics.k8s.io)';
    if (e.code === 503) return 'the server is currently unable to handle the request (get pods.metrics.k8s.io)';
    return `${e.message} (get pods.metrics.k8s.io)`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Upstream resourceMetricsClient.GetResourceMetric: per-pod usage sums, milli-units. */
export async function getResourceMetric(client: Interface, resource: string, namespace: string, selector: Selector, signal?: AbortSignal): Promise<{ metrics: PodMetricsInfo; timestamp: number }> {
  let items: PodMetricsObject[];
  try {
    items = (await client.resource<PodMetricsObject>(POD_METRICS).list({ namespace, labelSelector: selector.toString(), signal })).items;
  } catch (e) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${describeMetricsError(e)}`, { cause: e });
  }
  if (!items.length) throw new Error('no metrics returned from resource metrics API');
  const metrics: PodMetricsInfo = new Map();
  let timestamp = 0;
  for (const m of items) {
    const containers = m.containers ?? [];
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const q = c.usage?.[resource];
      const v = q !== undefined ? Quantity.tryParse(String(q)) : undefined;
      if (!v) {
        missing = true;
        break;
      }
      sum += v.milliValue();
    }
    if (missing) continue;
    const ts = Date.parse(m.timestamp ?? '') || 0;
    timestamp = ts;
    let windowMs = 0;
    try {
      windowMs = m.window ? goDurationToMs(m.window) : 0;
    } catch {
      windowMs = 0;
    }
    metrics.set(m.metadata?.name ?? '', { timestamp: ts, windowMs, value: sum });
  }
  return { metrics, timestamp };
}

interface Grouped {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Upstream groupPods: which pods count, which are unready, which lack metrics, which are ignored. */
function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, now: number): Grouped {
  const g: Grouped = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = Date.parse(pod.status?.startTime ?? '');
      let unready: boolean;
      if (!cond || Number.isNaN(start)) {
        unready = true;
      } else {
        const transition = Date.parse(cond.lastTransitionTime ?? '') || 0;
        if (start + CPU_INITIALIZATION_PERIOD_MS > now) {
          // In the initialization period: ignore unready pods and samples from before readiness.
          unready = cond.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Afterwards: ignore only pods that have never been ready.
          unready = cond.status === 'False' && start + INITIAL_READINESS_DELAY_MS > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Upstream calculatePodRequests: per-pod request sums of `resource`, milli-units. */
function podRequests(pods: readonly Pod[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      const q = c.resources?.requests?.[resource];
      const v = q !== undefined ? Quantity.tryParse(String(q)) : undefined;
      if (!v) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      sum += v.milliValue();
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** Upstream GetResourceUtilizationRatio. */
function utilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** Upstream GetMetricUsageRatio (average value targets). */
function usageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

export interface ResourceReplicas {
  replicas: number;
  /** Percent of request (utilization targets). */
  utilization?: number;
  /** Average per pod, milli-units. */
  rawAverage: number;
  timestamp: number;
}

export interface CalculatorInput {
  client: Interface;
  pods: readonly Pod[];
  currentReplicas: number;
  resource: string;
  namespace: string;
  selector: Selector;
  now: number;
  signal?: AbortSignal;
}

/**
 * The pods' metrics for the input's resource with ignored and unready pods left out, and the
 * pods grouped as upstream's groupPods does; the errors upstream's calculators return first.
 */
async function readyPodMetrics(input: CalculatorInput): Promise<{ metrics: PodMetricsInfo; timestamp: number; g: ReturnType<typeof groupPods> }> {
  const { resource } = input;
  let fetched: { metrics: PodMetricsInfo; timestamp: number };
  try {
    fetched = await getResourceMetric(input.client, resource, input.namespace, input.selector, input.signal);
  } catch (e) {
    throw new Error(`unable to get metrics for resource ${resource}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const { metrics, timestamp } = fetched;
  if (!input.pods.length) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(input.pods, metrics, resource, input.now);
  for (const n of g.ignored) metrics.delete(n);
  for (const n of g.unready) metrics.delete(n);
  if (!metrics.size) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  return { metrics, timestamp, g };
}

/** Upstream GetResourceReplicas: a target utilization (percent of request). */
export async function getResourceReplicas(input: CalculatorInput, targetUtilization: number): Promise<ResourceReplicas> {
  const { resource, currentReplicas } = input;
  const { metrics, timestamp, g } = await readyPodMetrics(input);
  const requests = podRequests(input.pods, resource);
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, utilization, rawAverage, timestamp };
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage, timestamp };
  }
  if (g.missing.size) {
    if (ratio < 1) {
      // Scaling down: assume pods without metrics use their request (or the target when above 100 %).
      const fallback = Math.max(100, targetUtilization);
      for (const n of g.missing) metrics.set(n, { timestamp: 0, windowMs: 0, value: ((requests.get(n) ?? 0) * fallback) / 100 });
    } else if (ratio > 1) {
      for (const n of g.missing) metrics.set(n, { timestamp: 0, windowMs: 0, value: 0 });
    }
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, { timestamp: 0, windowMs: 0, value: 0 });
  const next = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, utilization, rawAverage, timestamp };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization, rawAverage, timestamp };
  return { replicas, utilization, rawAverage, timestamp };
}

/** Upstream GetRawResourceReplicas: a target average value per pod (milli-units). */
export async function getRawResourceReplicas(input: CalculatorInput, targetMilli: number): Promise<ResourceReplicas> {
  const { currentReplicas } = input;
  const { metrics, timestamp, g } = await readyPodMetrics(input);
  // Upstream calcPlainMetricReplicas.
  const { ratio, usage } = usageRatio(metrics, targetMilli);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, rawAverage: usage, timestamp };
    return { replicas: Math.ceil(ratio * g.readyPodCount), rawAverage: usage, timestamp };
  }
  if (g.missing.size) {
    const fill = ratio < 1 ? targetMilli : ratio > 1 ? 0 : undefined;
    if (fill !== undefined) for (const n of g.missing) metrics.set(n, { timestamp: 0, windowMs: 0, value: fill });
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, { timestamp: 0, windowMs: 0, value: 0 });
  const next = usageRatio(metrics, targetMilli).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, rawAverage: usage, timestamp };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, rawAverage: usage, timestamp };
  return { replicas, rawAverage: usage, timestamp };
}
