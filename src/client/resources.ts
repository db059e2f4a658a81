// Well-known resources, for components that use them by name.

import type { GroupVersionResource } from './rest/resource.js';

const core = (resource: string, namespaced = true): GroupVersionResource => ({ group: '', version: 'v1', resource, namespaced });
const gvr = (group: string, version: string, resource: string, namespaced = true): GroupVersionResource => ({ group, version, resource, namespaced });

export const NAMESPACES = core('namespaces', false);
export const NODES = core('nodes', false);
export const PODS = core('pods');
export const CONFIGMAPS = core('configmaps');
export const SECRETS = core('secrets');
export const SERVICES = core('services');
export const ENDPOINTS = core('endpoints');
export const EVENTS = core('events');
export const SERVICEACCOUNTS = core('serviceaccounts');
export const REPLICATIONCONTROLLERS = core('replicationcontrollers');
export const RESOURCEQUOTAS = core('resourcequotas');
export const LIMITRANGES = core('limitranges');
export const PERSISTENTVOLUMES = core('persistentvolumes', false);
export const PERSISTENTVOLUMECLAIMS = core('persistentvolumeclaims');
export const PODTEMPLATES = core('podtemplates');

export const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
export const REPLICASETS = gvr('apps', 'v1', 'replicasets');
export const STATEFULSETS = gvr('apps', 'v1', 'statefulsets');
export const DAEMONSETS = gvr('apps', 'v1', 'daemonsets');
export const CONTROLLERREVISIONS = gvr('apps', 'v1', 'controllerrevisions');

export const JOBS = gvr('batch', 'v1', 'jobs');
export const CRONJOBS = gvr('batch', 'v1', 'cronjobs');

export const HORIZONTALPODAUTOSCALERS = gvr('autoscaling', 'v2', 'horizontalpodautoscalers');
export const PODDISRUPTIONBUDGETS = gvr('policy', 'v1', 'poddisruptionbudgets');
export const ENDPOINTSLICES = gvr('discovery.k8s.io', 'v1', 'endpointslices');
export const LEASES = gvr('coordination.k8s.io', 'v1', 'leases');
export const STORAGECLASSES = gvr('storage.k8s.io', 'v1', 'storageclasses', false);
export const CSINODES = gvr('storage.k8s.io', 'v1', 'csinodes', false);
export const PRIORITYCLASSES = gvr('scheduling.k8s.io', 'v1', 'priorityclasses', false);
export const RUNTIMECLASSES = gvr('node.k8s.io', 'v1', 'runtimeclasses', false);
export const INGRESSES = gvr('networking.k8s.io', 'v1', 'ingresses');
export const NETWORKPOLICIES = gvr('networking.k8s.io', 'v1', 'networkpolicies');
