export { MetricsAPI, ANNOTATION_SIMULATED, METRICS_WINDOW, isSimulatedNode, usageOf, type MetricsAPIOptions } from './handler.js';
export { metricsAPIGroup, metricsAPIResourceList, metricsAggregatedDiscoveryItem, metricsDiscoveryGroup, metricsGroupEntry } from './discovery.js';
export { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION } from './types.js';
export type { ContainerMetrics, MetricsList, MetricsSummary, NodeMetrics, PodMetrics, ResourceUsage } from './types.js';
