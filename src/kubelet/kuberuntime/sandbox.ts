// The pod sandbox: its CRI config (upstream kuberuntime_sandbox.go generatePodSandboxConfig and
// kuberuntime_sandbox_linux.go) and when it must be re-created (upstream PodSandboxChanged).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimePodStatus } from '../container/runtime.js';
import type { DNSConfig, PodSandboxConfig, PortMapping, Protocol, Req } from '../cri/types.js';
import { podHostname, podLogsDirectory } from './helpers.js';
import { newPodAnnotations, newPodLabels } from './labels.js';
import { podSysctls, sandboxSecurityContext } from './security-context.js';

export interface SandboxConfigInput {
  pod: Pod;
  attempt: number;
  podLogsDir: string;
  dns: DNSConfig;
  cgroupParent: string;
}

/** hostPort mappings of every container port that asks for one, without duplicates (upstream MakePortMappings). */
export function portMappings(pod: Pod): Req<PortMapping>[] {
  const out: Req<PortMapping>[] = [];
  const seen = new Set<string>();
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      const key = `${protocol}-${p.hostIP ?? ''}-${p.hostPort}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ protocol, containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

export function generatePodSandboxConfig(input: SandboxConfigInput): Req<PodSandboxConfig> {
  const { pod } = input;
  const md = pod.metadata ?? {};
  return {
    metadata: { name: md.name ?? '', namespace: md.namespace ?? '', uid: md.uid ?? '', attempt: input.attempt },
    hostname: podHostname(pod),
    logDirectory: podLogsDirectory(input.podLogsDir, md.namespace ?? '', md.name ?? '', md.uid ?? ''),
    dnsConfig: input.dns,
    portMappings: portMappings(pod),
    labels: newPodLabels(pod),
    annotations: newPodAnnotations(pod),
    linux: {
      cgroupParent: input.cgroupParent,
      securityContext: sandboxSecurityContext(pod),
      sysctls: podSysctls(pod),
    },
  };
}

export interface SandboxChange {
  /** The sandbox must be (re-)created; everything of the pod is killed first. */
  create: boolean;
  /** The attempt number of the sandbox to create. */
  attempt: number;
  /** The current (newest) sandbox, if any. */
  sandboxId: string;
}

/**
 * Upstream PodSandboxChanged: a new sandbox when there is none, when more than one is ready,
 * when the newest is not ready, or when a pod network sandbox lost its IP.
 */
export function podSandboxChanged(pod: Pod, status: RuntimePodStatus): SandboxChange {
  const sandboxes = status.sandboxStatuses;
  if (sandboxes.length === 0) return { create: true, attempt: 0, sandboxId: '' };
  const newest = sandboxes[0]!;
  const ready = sandboxes.filter((s) => s.state === 'ready').length;
  const next = newest.attempt + 1;
  if (ready > 1) return { create: true, attempt: next, sandboxId: newest.id };
  if (newest.state !== 'ready') return { create: true, attempt: next, sandboxId: newest.id };
  if (!pod.spec?.hostNetwork && !newest.ip) return { create: true, attempt: next, sandboxId: newest.id };
  return { create: false, attempt: newest.attempt, sandboxId: newest.id };
}
