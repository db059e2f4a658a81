// The client library: REST transport, resource clients, discovery, informers and work queues.
// Every component other than the API server reaches cluster state through it.

export { Clientset, createClient, configFromKubeconfig, KubeconfigError } from './clientset.js';
export type { Interface } from './clientset.js';
export { RESTClient } from './rest/client.js';
export type { RESTConfig, RequestOptions, RawWatchEvent, QueryValue } from './rest/client.js';
export {
  APIStatusError,
  TransportError,
  errorFromResponse,
  errorFromStatus,
  isAbortError,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isMethodNotSupported,
  isNotFound,
  isResourceExpired,
} from './rest/errors.js';
export { ResourceClient } from './rest/resource.js';
export type {
  DeleteOptions,
  GetOptions,
  GroupVersionResource,
  KubeList,
  KubeObject,
  ListOptions,
  PatchType,
  Preconditions,
  PropagationPolicy,
  WatchEvent,
  WatchEventType,
  WatchOptions,
  WriteOptions,
} from './rest/resource.js';
export { DiscoveryClient, GroupDiscoveryFailedError, supportingVerbs } from './dynamic/discovery.js';
export type { ServedResource, DiscoveryOptions } from './dynamic/discovery.js';
export * from './resources.js';
export * from './cache/index.js';
export * from './workqueue/index.js';
export * from './record/index.js';
