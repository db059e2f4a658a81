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
