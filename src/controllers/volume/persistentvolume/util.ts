// Storage helpers of the PV binder (upstream pkg/controller/volume/persistentvolume/util and
// component-helpers/storage/volume): class lookup, binding checks and the volume matcher.

import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { selectorFromLabelSelector, type Selector } from '../../../machinery/labels.js';
import { Quantity } from '../../../machinery/quantity.js';

export type PVObject = PersistentVolume & KubeObject;
export type PVCObject = PersistentVolumeClaim & KubeObject;
export type StorageClassObject = StorageClass & KubeObject;

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_IS_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

/** The claim's class: the beta annotation wins over the field (upstream GetPersistentVolumeClaimClass). */
export function claimClass(claim: PersistentVolumeClaim): string {
  const beta = claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return claim.spec?.storageClassName ?? '';
}

/** Whether the user chose a class at all, even "" (upstream PersistentVolumeClaimHasClass). */
export function claimHasClass(claim: PersistentVolumeClaim): boolean {
  return claim.spec?.storageClassName != null || claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined;
}

export function volumeClass(pv: PersistentVolume): string {
  const beta = pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return pv.spec?.storageClassName ?? '';
}

function isDefault(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[ANN_IS_DEFAULT_CLASS] === 'true' || a[ANN_BETA_IS_DEFAULT_CLASS] === 'true';
}

/** The default class: newest of those marked default, then by name (upstream GetDefaultClass, 1.28+). */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  let best: StorageClass | undefined;
  for (const sc of classes) {
    if (!isDefault(sc)) continue;
    if (!best) {
      best = sc;
      continue;
    }
    const tb = Date.parse(best.metadata?.creationTimestamp ?? '') || 0;
    const ts = Date.parse(sc.metadata?.creationTimestamp ?? '') || 0;
    if (ts > tb || (ts === tb && (sc.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = sc;
  }
  return best;
}

/** The volume's claimRef names this claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

export function volumeModeMismatch(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/** Every access mode the claim asks for is offered by the volume. */
export function accessModesSatisfied(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

export function storageOf(list: Record<string, unknown> | undefined): Quantity {
  const v = list?.storage;
  return (typeof v === 'string' || typeof v === 'number' ? Quantity.tryParse(String(v)) : undefined) ?? Quantity.fromInt(0);
}

/** Why a volume the claim names cannot be bound to it, or undefined (upstream checkVolumeSatisfyClaim). */
export function checkVolumeSatisfyClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (pv.metadata?.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name ?? ''}"`;
  if (storageOf(pv.spec?.capacity).cmp(storageOf(claim.spec?.resources?.requests)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, pv)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, pv)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The volume for an unbound claim (upstream findBestMatchForClaim + FindMatchingVolume): one
 * pre-bound to the claim wins; else, among the volumes with the fewest access modes, the smallest Available volume with enough capacity, all the
 * access modes, the same class and volume mode, matching the claim's selector. With delayed
 * binding only pre-bound volumes count (the scheduler binds the others). Throws on a bad selector.
 */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const requested = storageOf(claim.spec?.resources?.requests);
  const requestedClass = claimClass(claim);
  const selector: Selector | undefined = claim.spec?.selector ? selectorFromLabelSelector(claim.spec.selector) : undefined;
  let smallest: PersistentVolume | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) continue;
    if (!accessModesSatisfied(claim, pv)) continue;
    const qty = storageOf(pv.spec?.capacity);
    if (qty.cmp(requested) < 0) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(pv, claim)) return pv;
    if (delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata?.labels ?? {})) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    // The index upstream searches goes by access-mode sets, fewest modes first, then by size.
    const modes = new Set(pv.spec?.accessModes ?? []).size;
    const bestModes = smallest ? new Set(smallest.spec?.accessModes ?? []).size : 0;
    if (!smallest || modes < bestModes || (modes === bestModes && smallestQty!.cmp(qty) > 0)) {
      smallest = pv;
      smallestQty = qty;
    }
  }
  return smallest;
}
