// StatefulSet identity and storage rules (upstream pkg/controller/statefulset/stateful_set_utils.go):
// pods named `<set>-<ordinal>` with hostname and subdomain, claims named
// `<template>-<set>-<ordinal>`, revisions through the `controller-revision-hash` label.

import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { DeepMutable } from '../../util/mutable.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../shared/history.js';
import { isPodAvailable, isPodReady, type PodObject } from '../shared/podutil.js';
import { podFromTemplate } from '../shared/pod-control.js';

export type StatefulSetObject = StatefulSet & KubeObject;
export type ClaimObject = PersistentVolumeClaim & KubeObject;

/** apps/v1 StatefulSetPodNameLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps/v1 PodIndexLabel. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const CONTROLLER_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

const NAME_AND_ORDINAL = /^(.*)-([0-9]+)$/;

/** The parent name and ordinal of a stateful pod name, ordinal -1 when it has none. */
export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = NAME_AND_ORDINAL.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  // Go parses into int32: larger numbers are not ordinals.
  return Number.isSafeInteger(n) && n <= 2147483647 ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export function getOrdinal(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

export function getStartOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + replicasOf(set) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= getStartOrdinal(set) && o <= getEndOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`;
}

/** The pod's name says it belongs to `set`. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata?.name;
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    set.metadata?.name === parent &&
    pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata?.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, Volume>();
  for (const v of pod.spec?.volumes ?? []) volumes.set(v.name, v);
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata?.name ?? '');
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== claimName(set, t, ordinal)) return false;
  }
  return true;
}

/**
 * The claims the pod of `ordinal` needs, by template name (upstream getPersistentVolumeClaims):
 * each template under its per-pod name with the set's selector labels added.
 */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, ClaimObject> {
  const out = new Map<string, ClaimObject>();
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claim: DeepMutable<ClaimObject> = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, t, ordinal),
        namespace: set.metadata?.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...matchLabels },
      },
      spec: structuredClone(t.spec ?? {}) as DeepMutable<ClaimObject>['spec'],
    };
    if (t.metadata?.annotations) claim.metadata!.annotations = { ...t.metadata.annotations };
    out.set(t.metadata?.name ?? '', claim as ClaimObject);
  }
  return out;
}

/** Sets name, namespace and identity labels (upstream updateIdentity). */
export function updateIdentity(set: StatefulSet, pod: DeepMutable<Pod>): void {
  const ordinal = getOrdinal(pod as Pod);
  pod.metadata ??= {};
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata?.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** Points the pod's template volumes at its claims, keeping its other volumes (upstream updateStorage). */
export function updateStorage(set: StatefulSet, pod: DeepMutable<Pod>): void {
  const ordinal = getOrdinal(pod as Pod);
  const claims = claimsFor(set, ordinal);
  const volumes: DeepMutable<Volume>[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata?.name ?? '', readOnly: false } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec ??= { containers: [] };
  pod.spec.volumes = volumes;
}

/** A new pod of `set` at `ordinal` (upstream newStatefulSetPod). */
export function newStatefulSetPod(set: StatefulSetObject, ordinal: number, controllerRef: OwnerReference): PodObject {
  const pod = podFromTemplate(set.spec?.template, set, controllerRef) as DeepMutable<PodObject>;
  pod.metadata!.name = podName(set, ordinal);
  delete pod.metadata!.generateName;
  updateIdentity(set, pod);
  pod.spec!.hostname = pod.metadata!.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod as PodObject;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

export function setPodRevision(pod: DeepMutable<Pod>, revision: string): void {
  pod.metadata ??= {};
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: revision };
}

/**
 * The pod for `ordinal` at the revision the update strategy wants there (upstream
 * newVersionedStatefulSetPod): below the partition (or below currentReplicas without a
 * rollingUpdate block) the current revision, else the update revision.
 */
export function newVersionedStatefulSetPod(
  currentSet: StatefulSetObject,
  updateSet: StatefulSetObject,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
  controllerRef: OwnerReference,
): PodObject {
  const us = currentSet.spec?.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const useCurrent =
    (us?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    ((!us?.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) || (us?.rollingUpdate !== undefined && ordinal < start + (us.rollingUpdate.partition ?? 0)));
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal, controllerRef) as DeepMutable<PodObject>;
  setPodRevision(pod, useCurrent ? currentRevision : updateRevision);
  return pod as PodObject;
}

/** A pod the API has accepted (the API server gives every created pod a phase). */
export function isCreated(pod: Pod): boolean {
  return Boolean(pod.status?.phase);
}
export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}
export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}
export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}
export function isTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}
export function isUnavailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, nowMs) || isTerminating(pod);
}
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

// ---- PersistentVolumeClaim retention (StatefulSetAutoDeletePVC)

export type RetentionType = 'Retain' | 'Delete';

export function retentionPolicy(set: StatefulSet): { whenDeleted: RetentionType; whenScaled: RetentionType } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p?.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

function hasOwnerRef(obj: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return (obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** The claim's owner references agree with the retention policy (upstream claimOwnerMatchesSetAndPod). */
export function claimOwnerMatchesSetAndPod(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): boolean {
  const p = retentionPolicy(set);
  const setRef = hasOwnerRef(claim, set);
  const podRef = hasOwnerRef(claim, pod);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return !setRef && !podRef;
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') return setRef && !podRef;
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') return !setRef && scaledDown === podRef;
  return scaledDown !== setRef && scaledDown === podRef;
}

/**
 * The owner references the claim should carry under the policy (upstream
 * updateClaimOwnerRefForSetAndPod): the set's when claims go with the set, the pod's when a
 * scaled-down pod takes its claims along. Returns undefined when nothing changes.
 */
export function claimOwnerRefsFor(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): OwnerReference[] | undefined {
  const p = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const wantSet = p.whenDeleted === 'Delete' && !(p.whenScaled === 'Delete' && scaledDown);
  const wantPod = p.whenScaled === 'Delete' && scaledDown;
  let refs = [...(claim.metadata?.ownerReferences ?? [])];
  const before = JSON.stringify(refs);
  const setUID = set.metadata?.uid;
  const podUID = pod.metadata?.uid;
  refs = refs.filter((r) => (r.uid !== setUID || wantSet) && (r.uid !== podUID || wantPod));
  if (wantSet && !refs.some((r) => r.uid === setUID)) refs.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: setUID ?? '' });
  if (wantPod && podUID && !refs.some((r) => r.uid === podUID)) refs.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: podUID });
  return JSON.stringify(refs) === before ? undefined : refs;
}

/** Orders pods by descending ordinal (condemned pods go highest first). */
export function descendingOrdinal(a: Pod, b: Pod): number {
  return getOrdinal(b) - getOrdinal(a);
}
