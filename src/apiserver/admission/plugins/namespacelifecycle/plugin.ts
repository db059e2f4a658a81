// NamespaceLifecycle admission (upstream plugin/pkg/admission/namespace/lifecycle): no new
// objects in a namespace that does not exist or is being terminated.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { StatusError, newNotFound, qualifiedResource, type GroupResource } from '../../../../machinery/errors.js';

export const NAME = 'NamespaceLifecycle';

/** Namespaces that may never be deleted (upstream's immortal namespaces). */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

export interface NamespaceLifecycleOptions {
  /** Reads a namespace; undefined when absent. */
  getNamespace(name: string): Promise<Namespace | undefined>;
}

export function create(opts: NamespaceLifecycleOptions) {
  return {
    /** Deleting default, kube-system or kube-public is forbidden. */
    admitNamespaceDelete(name: string): void {
      if (IMMORTAL_NAMESPACES.has(name)) {
        throw new StatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
      }
    },
    /** Only creates are checked, as upstream: updates and deletes in a terminating namespace go on. */
    async admitCreate(gr: GroupResource, namespace: string | undefined, name: string): Promise<void> {
      if (!namespace) return;
      const ns = await opts.getNamespace(namespace);
      if (!ns) throw newNotFound({ group: '', resource: 'namespaces' }, namespace);
      if (ns.status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp) {
        throw new StatusError(
          403,
          'Forbidden',
          `${qualifiedResource(gr)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
          {
            name,
            group: gr.group || undefined,
            kind: gr.resource,
            causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
          },
        );
      }
    },
  };
}
