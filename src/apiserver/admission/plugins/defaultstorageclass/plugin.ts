// DefaultStorageClass admission (upstream plugin/pkg/admission/storage/storageclass/setdefault):
// a PersistentVolumeClaim created without a class gets the default StorageClass — the one
// annotated `storageclass.kubernetes.io/is-default-class: "true"`, the newest when several are.

import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { newForbidden, type GroupResource } from '../../../../machinery/errors.js';

export const NAME = 'DefaultStorageClass';

export const ANN_IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_IS_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** The claim annotation that named a class before the field existed. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

const PVCS: GroupResource = { group: '', resource: 'persistentvolumeclaims' };

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface DefaultStorageClassOptions {
  /** Every StorageClass (there are few; upstream lists them from an informer per claim). */
  listStorageClasses(): Promise<StorageClass[]>;
}

export interface DefaultStorageClassPlugin {
  /** Sets `spec.storageClassName` of a claim being created that names no class. Throws Forbidden if the classes cannot be read. */
  admitClaim(operation: Operation, claim: PersistentVolumeClaim): Promise<void>;
}

function isDefault(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[ANN_IS_DEFAULT_CLASS] === 'true' || a[ANN_BETA_IS_DEFAULT_CLASS] === 'true';
}

/** Upstream GetDefaultClass: among the default classes the newest, ties by name. */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  let best: StorageClass | undefined;
  let bestTime = 0;
  for (const sc of classes) {
    if (!isDefault(sc)) continue;
    const t = Date.parse(sc.metadata?.creationTimestamp ?? '') || 0;
    if (!best || t > bestTime || (t === bestTime && (sc.metadata?.name ?? '') < (best.metadata?.name ?? ''))) {
      best = sc;
      bestTime = t;
    }
  }
  return best;
}

export function create(opts: DefaultStorageClassOptions): DefaultStorageClassPlugin {
  return {
    async admitClaim(operation, claim) {
      if (operation !== 'CREATE') return;
      // A class chosen in any way, "" included, is the user's (upstream PersistentVolumeClaimHasClass).
      if (claim.spec?.storageClassName != null || claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
      let classes: StorageClass[];
      try {
        classes = await opts.listStorageClasses();
      } catch (e) {
        throw newForbidden(PVCS, claim.metadata?.name ?? '', e instanceof Error ? e.message : String(e));
      }
      const def = defaultClass(classes);
      if (!def?.metadata?.name) return;
      const spec = (claim.spec ??= {}) as { storageClassName?: string };
      spec.storageClassName = def.metadata.name;
    },
  };
}
