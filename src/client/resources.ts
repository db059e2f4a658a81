// Well-known resources, for components that use them by name.

import type { GroupVersionResource } from './rest/resource.js';

export const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };
export const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods', namespaced: true };
export const CONFIGMAPS: GroupVersionResource = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };
export const SECRETS: GroupVersionResource = { group: '', version: 'v1', resource: 'secrets', namespaced: true };
export const SERVICES: GroupVersionResource = { group: '', version: 'v1', resource: 'services', namespaced: true };
export const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
export const DEPLOYMENTS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
export const REPLICASETS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
