// The lookups token validation needs (upstream ServiceAccountTokenGetter), and an implementation
// over the registry's stores: the watch cache first, a consistent read when the cache misses (an
// object created a moment ago), as upstream's getter falls back from the informer to storage.

import type { Node, Pod, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { GenericStore, RequestContext } from '../registry/generic/store.js';

/** Each returns undefined when the object does not exist; other failures throw. */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  getNode(name: string): Promise<Node | undefined>;
}

export interface StoreTokenGetterOptions {
  serviceAccounts: GenericStore;
  pods: GenericStore;
  secrets: GenericStore;
  nodes: GenericStore;
}

const system = (namespace: string | undefined): RequestContext => ({
  user: { name: 'system:apiserver', groups: ['system:masters'] },
  namespace,
  dryRun: false,
  warnings: [],
});

/** Reads from the cache (resourceVersion 0), then from storage on a miss. */
export async function getFromStore<T>(store: GenericStore, namespace: string | undefined, name: string): Promise<T | undefined> {
  if (!name) return undefined;
  for (const rv of ['0', undefined]) {
    try {
      return (await store.get(system(namespace), name, rv, { shared: true })) as T;
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  return undefined;
}

export function storeTokenGetter(opts: StoreTokenGetterOptions): ServiceAccountTokenGetter {
  return {
    getServiceAccount: (ns, name) => getFromStore<ServiceAccount>(opts.serviceAccounts, ns, name),
    getPod: (ns, name) => getFromStore<Pod>(opts.pods, ns, name),
    getSecret: (ns, name) => getFromStore<Secret>(opts.secrets, ns, name),
    getNode: (name) => getFromStore<Node>(opts.nodes, undefined, name),
  };
}
