// metrics.k8s.io/v1beta1 (k8s.io/metrics pkg/apis/metrics/v1beta1) and the part of the
// kubelet's /stats/summary (stats/v1alpha1) it is computed from. The summary shape is declared
// here, not imported, because the API server does not depend on the kubelet: the kubelet's
// Summary is a structural superset of MetricsSummary.

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

export interface ResourceUsage {
  /** Nanocores, e.g. `1234567n`. */
  cpu: string;
  /** Working set bytes in binary SI, e.g. `12345Ki`. */
  memory: string;
}

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

export interface MetricsList<T> {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: Record<string, never>;
  items: T[];
}

interface CPU {
  time: string;
  usageNanoCores?: number;
}
interface Memory {
  time: string;
  workingSetBytes?: number;
}

/** What the metrics API reads of a kubelet's /stats/summary. */
export interface MetricsSummary {
  node: { nodeName: string; cpu?: CPU; memory?: Memory };
  pods: {
    podRef: { name: string; namespace: string; uid: string };
    containers: { name: string; cpu?: CPU; memory?: Memory }[];
  }[];
}
