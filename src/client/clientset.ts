// The clientset every component receives: resource clients over one REST transport, metadata
// clients, and discovery. Build one with createClient(config) or from a kubeconfig.

import { parse as parseYaml } from 'yaml';
import { RESTClient, type RESTConfig } from './rest/client.js';
import { ResourceClient, type GroupVersionResource, type KubeObject } from './rest/resource.js';
import { DiscoveryClient } from './dynamic/discovery.js';

/** What controllers need from a client; fakes implement the same shape. */
export interface Interface {
  /** Full objects of one resource. */
  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T>;
  /** PartialObjectMetadata of one resource (kind, apiVersion, metadata only). */
  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject>;
  readonly discovery: DiscoveryClient;
}

export class Clientset implements Interface {
  readonly rest: RESTClient;
  readonly discovery: DiscoveryClient;

  constructor(config: RESTConfig) {
    this.rest = new RESTClient(config);
    this.discovery = new DiscoveryClient(this.rest);
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, gvr);
  }

  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject> {
    return new ResourceClient<KubeObject>(this.rest, gvr, { metadataOnly: true });
  }

  /** Closes the transport's sockets. Idempotent. */
  close(): void {
    this.rest.close();
  }
}

/** A client for `{ server: 'https://127.0.0.1:PORT', caPem, certPem, keyPem }`. */
export function createClient(config: RESTConfig): Clientset {
  return new Clientset(config);
}

export class KubeconfigError extends Error {
  readonly code = 'KubeconfigError';
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface Kubeconfig {
  clusters?: { name: string; cluster: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
}

/** The REST config of a kubeconfig's current context (inline `-data` fields and tokens only). */
export function configFromKubeconfig(text: string, context?: string): RESTConfig {
  const kc = parseYaml(text) as Kubeconfig;
  const ctxName = context ?? kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new KubeconfigError(`context "${ctxName ?? ''}" not found in kubeconfig`);
  const cluster = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`cluster "${ctx.cluster}" has no server`);
  const user = kc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const b64 = (s: string | undefined): string | undefined => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server,
    caPem: b64(cluster['certificate-authority-data']),
    certPem: b64(user['client-certificate-data']),
    keyPem: b64(user['client-key-data']),
    bearerToken: user.token,
  };
}
