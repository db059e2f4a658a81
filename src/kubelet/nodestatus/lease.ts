// The node's heartbeat Lease (upstream component-helpers lease controller as the kubelet uses
// it): kube-node-lease/<node>, holder the node, 40 s duration, owned by the Node so it goes
// with it. The last written Lease is PUT again; only when that fails is it read (or created).

import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import type { Interface } from '../../client/clientset.js';
import { LEASES } from '../../client/resources.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import type { KubeObject, ResourceClient } from '../../client/rest/resource.js';

type Lease = WireLease & KubeObject;

export const LEASE_NAMESPACE = 'kube-node-lease';
/** Upstream kubelet nodeLeaseDurationSeconds. */
export const LEASE_DURATION_SECONDS = 40;

/** metav1.MicroTime's wire form: RFC 3339 in UTC with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeLease {
  private readonly leases: ResourceClient<Lease>;
  private latest: Lease | undefined;

  constructor(
    client: Interface,
    private readonly nodeName: string,
    private readonly now: () => number,
    /** The Node's uid once known: the owner reference needs it. */
    private readonly nodeUID: () => string | undefined,
  ) {
    this.leases = client.resource<Lease>(LEASES);
  }

  /** Renews (or creates) the Lease once; throws when the API refuses. */
  async renew(signal?: AbortSignal): Promise<Lease> {
    if (this.latest) {
      try {
        this.latest = await this.leases.update(this.renewed(this.latest), { signal });
        return this.latest;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        this.latest = undefined;
      }
    }
    let lease: Lease;
    try {
      const existing = await this.leases.get(this.nodeName, { namespace: LEASE_NAMESPACE, signal });
      lease = await this.leases.update(this.renewed(existing), { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      lease = await this.leases.create(this.renewed({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, namespace: LEASE_NAMESPACE } }), { signal });
    }
    this.latest = lease;
    return lease;
  }

  private renewed(lease: Lease): Lease {
    const uid = this.nodeUID();
    const refs = lease.metadata?.ownerReferences ?? [];
    return {
      ...lease,
      // Objects read back may lack apiVersion and kind, which a PUT needs.
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...lease.metadata,
        ...(refs.length || !uid ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }] }),
      },
      spec: { ...lease.spec, holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(this.now()) },
    };
  }
}
