// The discovery documents of metrics.k8s.io/v1beta1, shaped as metrics-server's aggregated API
// appears through kube-apiserver: a group with one version, resources nodes (cluster) and pods
// (namespaced), verbs get and list.

import type { ExtraDiscoveryGroup } from '../endpoints/discovery.js';
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION } from './types.js';

const RESOURCES = [
  { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', kind: 'PodMetrics', namespaced: true },
] as const;
const VERBS = ['get', 'list'];

/** The entry for GET /apis (APIGroupList.groups[]), and the body of GET /apis/metrics.k8s.io without kind/apiVersion. */
export function metricsGroupEntry(): Record<string, unknown> {
  const version = { groupVersion: METRICS_API_VERSION, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

/** GET /apis/metrics.k8s.io */
export function metricsAPIGroup(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...metricsGroupEntry() };
}

/** GET /apis/metrics.k8s.io/v1beta1 */
export function metricsAPIResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_API_VERSION,
    resources: RESOURCES.map((r) => ({ name: r.name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: [...VERBS] })),
  };
}

/** The item for aggregated discovery of /apis (APIGroupDiscoveryList.items[], v2 and v2beta1 alike). */
export function metricsAggregatedDiscoveryItem(): Record<string, unknown> {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        resources: RESOURCES.map((r) => ({
          resource: r.name,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: '',
          verbs: [...VERBS],
        })),
        freshness: 'Current',
      },
    ],
  };
}

/** All of the above, as the API server's discovery takes a group served beside the catalogue. */
export function metricsDiscoveryGroup(): ExtraDiscoveryGroup {
  return {
    name: METRICS_GROUP,
    groupEntry: metricsGroupEntry(),
    resourceLists: { [METRICS_VERSION]: metricsAPIResourceList() },
    aggregatedItem: metricsAggregatedDiscoveryItem(),
  };
}
