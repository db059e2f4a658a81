// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every namespace has a ConfigMap `kube-root-ca.crt` holding the CA that verifies the API
// server, which pods mount through their kube-api-access volume; edits are put back.

import { isDeepStrictEqual } from 'node:util';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import { CONFIGMAPS, NAMESPACES } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';

export const NAME = 'root-ca-certificate-publisher-controller';

export const ROOT_CA_CONFIGMAP_NAME = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Upstream's text, word for word. */
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

export function create(ctx: ControllerContext): Controller {
  return new RootCACertPublisher(ctx);
}

export interface RootCACertPublisherOptions {
  /** Concurrent namespace syncs (upstream runs one worker). */
  workers?: number;
}

type NamespaceObject = Namespace & KubeObject;
type ConfigMapObject = ConfigMap & KubeObject;

export class RootCACertPublisher implements Controller {
  readonly name = NAME;
  private readonly cmLister: Lister<ConfigMapObject>;
  private readonly pool: WorkerPool<string>;
  private readonly client: Interface;
  private readonly rootCA: string | undefined;
  private readonly log: Logger;

  constructor(ctx: ControllerContext, opts: RootCACertPublisherOptions = {}) {
    this.client = ctx.client;
    this.rootCA = ctx.rootCA;
    this.log = ctx.logger;
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 1, sync: (k, s) => this.sync(k, s) });
    const cmInformer = ctx.informers.forResource<ConfigMapObject>(CONFIGMAPS);
    const nsInformer = ctx.informers.forResource<NamespaceObject>(NAMESPACES);
    this.cmLister = cmInformer.lister();
    const enqueueCM = (cm: ConfigMapObject): void => {
      if (cm.metadata?.name === ROOT_CA_CONFIGMAP_NAME && cm.metadata.namespace) this.pool.queue.add(cm.metadata.namespace);
    };
    cmInformer.addEventHandler({ onUpdate: (_old, cm) => enqueueCM(cm), onDelete: enqueueCM });
    const enqueueNs = (ns: NamespaceObject): void => {
      if (ns.metadata?.name) this.pool.queue.add(ns.metadata.name);
    };
    nsInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
  }

  async run(signal: AbortSignal): Promise<void> {
    // Without a CA there is nothing true to publish: stay idle rather than write an empty bundle.
    if (this.rootCA === undefined) {
      this.log.warn({}, 'no root CA configured, kube-root-ca.crt is not published');
      return;
    }
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Creates or repairs `kube-root-ca.crt` in namespace `key`. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    if (this.rootCA === undefined) return;
    const data = { 'ca.crt': this.rootCA };
    const configMaps = this.client.resource<ConfigMapObject>(CONFIGMAPS);
    const cm = this.cmLister.get(key, ROOT_CA_CONFIGMAP_NAME);
    if (!cm) {
      try {
        await configMaps.create(
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP_NAME, namespace: key, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data },
          { namespace: key, signal },
        );
      } catch (e) {
        // Not retried: the namespace is gone or being deleted (a later event brings it back if not).
        if (isStatusError(e) && (e.code === 404 || e.details?.causes?.some((c) => c.reason === NAMESPACE_TERMINATING_CAUSE))) return;
        throw e;
      }
      return;
    }
    // Upstream checks the data exactly and only that the description is present.
    if (isDeepStrictEqual(cm.data ?? {}, data) && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION]) return;
    const updated: ConfigMapObject = structuredClone(cm);
    updated.data = data;
    updated.metadata = { ...updated.metadata, annotations: { ...(updated.metadata?.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION } };
    await configMaps.update(updated, { namespace: key, signal });
  }
}
