// Small pod helpers shared by the kubelet's parts.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';

/** A Pod as the client library types objects. */
export type PodObject = Pod & KubeObject;

/** `namespace/name`, for logs. */
export function podKey(pod: { metadata?: { namespace?: string; name?: string } } | undefined): string {
  return `${pod?.metadata?.namespace ?? ''}/${pod?.metadata?.name ?? ''}`;
}

export function podUID(pod: Pod): string {
  return pod.metadata?.uid ?? '';
}

/** Effective termination grace period, s (upstream: deletionGracePeriodSeconds, else the spec's, default 30). */
export function podGracePeriodSeconds(pod: Pod | undefined): number {
  const g = pod?.metadata?.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g);
}

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

// ---- pod sources, static and mirror pods (upstream pkg/kubelet/types/pod_update.go) ----

/** Where the pod came from: `file`, `http` or `api`. */
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
/** The static pod's config hash (its UID); mirror pods carry it in CONFIG_MIRROR_ANNOTATION too. */
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
/** When the kubelet first saw the pod (RFC 3339 with nanoseconds). */
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
/** Marks a mirror pod; the value is the hash of the static pod it mirrors. */
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const FILE_SOURCE = 'file';
export const API_SOURCE = 'api';

type MetaOnly = { metadata?: { annotations?: { readonly [k: string]: string }; name?: string; namespace?: string } } | undefined;

/** A mirror pod: the API object that shows a static pod (upstream IsMirrorPod). */
export function isMirrorPod(pod: MetaOnly): boolean {
  return pod?.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/** A pod from a file or URL rather than the API (upstream IsStaticPod). */
export function isStaticPod(pod: MetaOnly): boolean {
  const source = pod?.metadata?.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return source !== undefined && source !== API_SOURCE;
}

/** `name_namespace`, the key upstream matches static and mirror pods by (GetPodFullName). */
export function podFullName(pod: MetaOnly): string {
  return `${pod?.metadata?.name ?? ''}_${pod?.metadata?.namespace ?? ''}`;
}

/** Is `mirror` the mirror of `staticPod`: same name and namespace, and the static pod's hash (upstream IsMirrorPodOf)? */
export function isMirrorPodOf(mirror: MetaOnly, staticPod: MetaOnly): boolean {
  if (!mirror || !staticPod) return false;
  if (podFullName(mirror) !== podFullName(staticPod)) return false;
  const hash = mirror.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION];
  return hash !== undefined && hash === staticPod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
}
