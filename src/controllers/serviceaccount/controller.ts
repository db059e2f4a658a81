// The service accounts controller (upstream pkg/controller/serviceaccount
// ServiceAccountsController): every active namespace has a ServiceAccount named `default`,
// created with the namespace and again whenever it is deleted.

import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import { NAMESPACES } from '../../client/resources.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';

export const NAME = 'serviceaccount-controller';

export const SERVICEACCOUNTS: GroupVersionResource = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true };

/** The cause the API server gives when a namespace is being terminated. */
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

export function create(ctx: ControllerContext): Controller {
  return new ServiceAccountsController(ctx);
}

export interface ServiceAccountsControllerOptions {
  /** Accounts every namespace gets (upstream default: just `default`). */
  serviceAccounts?: readonly string[];
  /** Concurrent namespace syncs (upstream runs one worker). */
  workers?: number;
}

type NamespaceObject = Namespace & KubeObject;
type ServiceAccountObject = ServiceAccount & KubeObject;

export class ServiceAccountsController implements Controller {
  readonly name = NAME;
  private readonly nsLister: Lister<NamespaceObject>;
  private readonly saLister: Lister<ServiceAccountObject>;
  private readonly pool: WorkerPool<string>;
  private readonly client: Interface;
  private readonly ensure: readonly string[];

  constructor(ctx: ControllerContext, opts: ServiceAccountsControllerOptions = {}) {
    this.client = ctx.client;
    this.ensure = opts.serviceAccounts ?? ['default'];
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 1, sync: (k, s) => this.sync(k, s) });
    const saInformer = ctx.informers.forResource<ServiceAccountObject>(SERVICEACCOUNTS);
    const nsInformer = ctx.informers.forResource<NamespaceObject>(NAMESPACES);
    this.saLister = saInformer.lister();
    this.nsLister = nsInformer.lister();
    // Only deletions of accounts matter (one of ours may be gone); namespaces on add and update.
    saInformer.addEventHandler({
      onDelete: (sa) => {
        if (sa.metadata?.namespace) this.pool.queue.add(sa.metadata.namespace);
      },
    });
    const enqueueNs = (ns: NamespaceObject): void => {
      if (ns.metadata?.name) this.pool.queue.add(ns.metadata.name);
    };
    nsInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Creates the missing accounts of namespace `key` if it is active. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const ns = this.nsLister.get(undefined, key);
    // Nothing is created in a namespace that is gone or not (yet, or any more) active.
    if (!ns || ns.status?.phase !== 'Active') return;
    const failures: Error[] = [];
    for (const name of this.ensure) {
      if (this.saLister.get(key, name)) continue;
      const sa: ServiceAccountObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: key } };
      try {
        await this.client.resource<ServiceAccountObject>(SERVICEACCOUNTS).create(sa, { namespace: key, signal });
      } catch (e) {
        if (isStatusError(e) && (e.code === 409 || e.details?.causes?.some((c) => c.reason === NAMESPACE_TERMINATING_CAUSE))) continue;
        failures.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => f.message).join(', '));
  }
}
