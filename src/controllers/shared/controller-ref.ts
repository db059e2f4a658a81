// Controller references (upstream pkg/controller/controller_ref_manager.go): the owner
// reference with `controller: true` that ties a pod (or ReplicaSet, ControllerRevision…) to
// the one controller that manages it, and claiming — adopting orphans that match the owner's
// selector and releasing owned objects that no longer match.

import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject, ResourceClient } from '../../client/rest/resource.js';
import { isNotFound } from '../../client/rest/errors.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

/** The controller reference an owner puts on what it creates. */
export function newControllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference with `controller: true`, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  kind: OwnerKind;
  selector: Selector;
  /** The client of the claimed objects' resource, for the adopt/release patches. */
  client: ResourceClient<T>;
  /**
   * Re-reads the owner from the API before the first adoption (upstream's canAdopt
   * RecheckDeletionTimestamp): adoption is refused when it is gone, replaced or being deleted.
   */
  recheckOwner?: () => Promise<KubeObject | undefined>;
  signal?: AbortSignal;
  fieldManager?: string;
}

/**
 * Returns the objects the owner controls after adopting matching orphans and releasing owned
 * objects whose labels no longer match. Errors of individual adopt/release patches are
 * collected and thrown together after every object was tried.
 */
export async function claimObjects<T extends KubeObject>(objects: readonly T[], o: ClaimOptions<T>): Promise<T[]> {
  const ownerUID = o.owner.metadata?.uid;
  const ownerDeleting = Boolean(o.owner.metadata?.deletionTimestamp);
  const claimed: T[] = [];
  const errors: Error[] = [];
  let adoptionChecked: Promise<boolean> | undefined;
  const canAdopt = (): Promise<boolean> => {
    adoptionChecked ??= (async () => {
      if (ownerDeleting) return false;
      if (!o.recheckOwner) return true;
      const fresh = await o.recheckOwner();
      return Boolean(fresh && fresh.metadata?.uid === ownerUID && !fresh.metadata?.deletionTimestamp);
    })();
    return adoptionChecked;
  };
  for (const obj of objects) {
    const ref = getControllerOf(obj);
    const matches = o.selector.matches(obj.metadata?.labels ?? {});
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace;
    try {
      if (ref) {
        if (ref.uid !== ownerUID) continue;
        if (matches) {
          claimed.push(obj);
          continue;
        }
        // Owned but no longer selected: release (unless the owner is going away anyway).
        if (ownerDeleting) continue;
        await o.client.patch(name, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUID }], uid: obj.metadata?.uid } }, { namespace, signal: o.signal, fieldManager: o.fieldManager });
        continue;
      }
      // An orphan: adopt when it matches and neither side is being deleted.
      if (!matches || obj.metadata?.deletionTimestamp || !(await canAdopt())) continue;
      const adopted = await o.client.patch(
        name,
        'strategic',
        { metadata: { ownerReferences: [newControllerRef(o.owner, o.kind)], uid: obj.metadata?.uid } },
        { namespace, signal: o.signal, fieldManager: o.fieldManager },
      );
      claimed.push(adopted);
    } catch (e) {
      if (isNotFound(e)) continue; // gone meanwhile: neither ours nor an error
      errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
  return claimed;
}

/** What owner lookups need of a lister. */
interface OwnerLister<O extends KubeObject> {
  get(namespace: string | undefined, name: string): O | undefined;
  list(namespace?: string): O[];
}

/**
 * The owner a controller reference names (upstream resolveControllerRef): of `kind`, present in
 * the cache, and the same object (uid), else undefined.
 */
export function resolveControllerRef<O extends KubeObject>(lister: OwnerLister<O>, namespace: string | undefined, ref: Pick<OwnerReference, 'kind' | 'name' | 'uid'> | undefined, kind: string): O | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = lister.get(namespace, ref.name);
  return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
}

/**
 * Owners in the object's namespace whose label selector (`spec.selector` by default) selects
 * it — who may adopt an orphan. An empty or invalid selector selects nothing.
 */
export function ownersSelecting<O extends KubeObject>(lister: OwnerLister<O>, obj: KubeObject, selectorOf: (o: O) => LabelSelector | undefined = (o) => (o as { spec?: { selector?: LabelSelector } }).spec?.selector): O[] {
  const labels = obj.metadata?.labels;
  if (!labels || Object.keys(labels).length === 0) return [];
  return lister.list(obj.metadata?.namespace ?? '').filter((o) => {
    try {
      const sel = selectorFromLabelSelector(selectorOf(o));
      return !sel.empty() && sel.matches(labels);
    } catch {
      return false;
    }
  });
}
