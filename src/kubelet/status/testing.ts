// Builders for tests of the kubelet: runtime statuses and probe results without probes.

import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { RuntimeContainerStatus, RuntimePodStatus, RuntimeSandboxStatus } from '../container/runtime.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function runtimeContainer(name: string, over: Partial<RuntimeContainerStatus> = {}): RuntimeContainerStatus {
  return {
    id: { type: 'containerd', id: `${name}-${over.restartCount ?? 0}` },
    name,
    state: 'running',
    createdAt: T0 + (over.restartCount ?? 0) * 1000,
    startedAt: T0 + (over.restartCount ?? 0) * 1000 + 100,
    finishedAt: 0,
    exitCode: 0,
    image: 'busybox',
    imageRef: 'sha256:abc',
    hash: 'h',
    restartCount: 0,
    reason: '',
    message: '',
    ...over,
  };
}

export function readySandbox(ip = '10.42.0.5', over: Partial<RuntimeSandboxStatus> = {}): RuntimeSandboxStatus {
  return { id: 'sb1', state: 'ready', createdAt: T0, attempt: 0, ip, additionalIPs: [], ...over };
}

export function runtimePod(pod: Pod, containers: RuntimeContainerStatus[], sandboxes: RuntimeSandboxStatus[] = [readySandbox()]): RuntimePodStatus {
  return {
    uid: pod.metadata?.uid ?? '',
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    ips: sandboxes[0]?.state === 'ready' && sandboxes[0].ip ? [sandboxes[0].ip, ...sandboxes[0].additionalIPs] : [],
    sandboxStatuses: sandboxes,
    containerStatuses: containers,
    timestamp: T0,
  };
}

/** What upstream's prober UpdatePodStatus does for containers without probes. */
export const noProbes = {
  updatePodStatus(pod: Pod, status: PodStatus): void {
    const s = status as DeepMutable<PodStatus>;
    for (const c of s.containerStatuses ?? []) {
      c.started = Boolean(c.state?.running);
      c.ready = Boolean(c.state?.running);
    }
    const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
    for (const c of s.initContainerStatuses ?? []) {
      c.started = Boolean(c.state?.running);
      c.ready = sidecars.has(c.name) ? Boolean(c.state?.running) : c.state?.terminated?.exitCode === 0;
    }
  },
};

export function testPod(over: DeepMutable<Pod> = {}): DeepMutable<Pod> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...over,
    metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', ...over.metadata },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }], ...over.spec },
    status: over.status ?? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] },
  };
}
