// Pod and container security contexts → CRI (upstream kuberuntime/security_context.go,
// pkg/securitycontext, kuberuntime_sandbox_linux.go): the effective context is the pod's
// fields overridden by the container's; namespaces follow hostNetwork/hostPID/hostIPC.
import type { Container, Pod, PodSecurityContext, SeccompProfile, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { LinuxContainerSecurityContext, LinuxSandboxSecurityContext, NamespaceOption, Req, SecurityProfile } from '../cri/types.js';

/** Upstream securitycontext defaultMaskedPaths / defaultReadonlyPaths (procMount Default). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Upstream NamespacesForPod. */
export function namespacesForPod(pod: Pod): Req<NamespaceOption> {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'NODE' : 'POD',
    pid: s?.hostPID ? 'NODE' : s?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC ? 'NODE' : 'POD',
  };
}

/** Pod-level fields overridden by the container's (upstream DetermineEffectiveSecurityContext). */
export function effectiveSecurityContext(pod: Pod, container: Container): SecurityContext {
  const p: PodSecurityContext = pod.spec?.securityContext ?? {};
  const c: SecurityContext = container.securityContext ?? {};
  return {
    ...c,
    seLinuxOptions: c.seLinuxOptions ?? p.seLinuxOptions,
    runAsUser: c.runAsUser ?? p.runAsUser,
    runAsGroup: c.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    seccompProfile: c.seccompProfile ?? p.seccompProfile,
    appArmorProfile: c.appArmorProfile ?? p.appArmorProfile,
  };
}

export class RunAsNonRootError extends Error {
  override readonly name = 'RunAsNonRootError';
  readonly code = 'ERR_RUN_AS_NON_ROOT';
}

/**
 * Upstream verifyRunAsNonRoot: with runAsNonRoot the container must run as a known non-zero
 * uid, from its security context or, without one there, from the image.
 */
export function verifyRunAsNonRoot(pod: Pod, container: Container, imageUid: number | undefined, imageUsername: string): void {
  const sc = effectiveSecurityContext(pod, container);
  if (!sc.runAsNonRoot) return;
  const who = `(pod: "${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})", container: ${container.name})`;
  if (sc.runAsUser != null) {
    if (sc.runAsUser === 0) throw new RunAsNonRootError(`container's runAsUser breaks non-root policy ${who}`);
    return;
  }
  if (imageUid !== undefined) {
    if (imageUid === 0) throw new RunAsNonRootError(`container has runAsNonRoot and image will run as root ${who}`);
    return;
  }
  if (imageUsername) {
    throw new RunAsNonRootError(`container has runAsNonRoot and image has non-numeric user (${imageUsername}), cannot verify user is non-root ${who}`);
  }
  throw new RunAsNonRootError(`container has runAsNonRoot and image will run as root ${who}`);
}

function seccompProfile(profile: SeccompProfile | undefined, root: string): Req<SecurityProfile> {
  switch (profile?.type) {
    case 'RuntimeDefault':
      return { profileType: 'RuntimeDefault' };
    case 'Localhost':
      return { profileType: 'Localhost', localhostRef: `${root}/${profile.localhostProfile ?? ''}` };
    default:
      // Without a profile the kubelet's seccompDefault (off by default) decides: Unconfined.
      return { profileType: 'Unconfined' };
  }
}

function supplementalGroups(pod: Pod): number[] {
  const p = pod.spec?.securityContext;
  const out: number[] = [];
  if (p?.fsGroup != null) out.push(p.fsGroup);
  for (const g of p?.supplementalGroups ?? []) out.push(g);
  return out;
}

/** The CRI security context of a container (upstream determineEffectiveSecurityContext + convertToRuntimeSecurityContext). */
export function containerSecurityContext(pod: Pod, container: Container, seccompProfileRoot: string): Req<LinuxContainerSecurityContext> {
  const sc = effectiveSecurityContext(pod, container);
  const privileged = sc.privileged === true;
  const unmasked = sc.procMount === 'Unmasked';
  const out: Req<LinuxContainerSecurityContext> = {
    privileged,
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    namespaceOptions: namespacesForPod(pod),
    supplementalGroups: supplementalGroups(pod),
    // Upstream AddNoNewPrivileges: only an explicit allowPrivilegeEscalation=false sets it.
    noNewPrivs: sc.allowPrivilegeEscalation === false,
    maskedPaths: privileged || unmasked ? [] : [...DEFAULT_MASKED_PATHS],
    readonlyPaths: privileged || unmasked ? [] : [...DEFAULT_READONLY_PATHS],
    seccomp: seccompProfile(sc.seccompProfile, seccompProfileRoot),
  };
  if (sc.runAsUser != null) out.runAsUser = { value: sc.runAsUser };
  if (sc.runAsGroup != null) out.runAsGroup = { value: sc.runAsGroup };
  if (sc.capabilities) {
    // The API names capabilities without `CAP_`; upstream passes them through and the runtime
    // (containerd) adds the prefix and handles `ALL`.
    out.capabilities = {
      addCapabilities: (sc.capabilities.add ?? []).map(String),
      dropCapabilities: (sc.capabilities.drop ?? []).map(String),
    };
  }
  if (sc.seLinuxOptions) {
    out.selinuxOptions = {
      user: sc.seLinuxOptions.user ?? '',
      role: sc.seLinuxOptions.role ?? '',
      type: sc.seLinuxOptions.type ?? '',
      level: sc.seLinuxOptions.level ?? '',
    };
  }
  return out;
}

/** True when any container of the pod is privileged (upstream HasPrivilegedContainer). */
export function hasPrivilegedContainer(pod: Pod): boolean {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  return all.some((c) => c.securityContext?.privileged === true);
}

/** The sandbox's security context (upstream generatePodSandboxLinuxConfig). */
export function sandboxSecurityContext(pod: Pod): Req<LinuxSandboxSecurityContext> {
  const p = pod.spec?.securityContext;
  const out: Req<LinuxSandboxSecurityContext> = {
    privileged: hasPrivilegedContainer(pod),
    namespaceOptions: namespacesForPod(pod),
    supplementalGroups: supplementalGroups(pod),
  };
  if (p?.runAsUser != null) out.runAsUser = { value: p.runAsUser };
  if (p?.runAsGroup != null) out.runAsGroup = { value: p.runAsGroup };
  if (p?.seLinuxOptions) {
    out.selinuxOptions = { user: p.seLinuxOptions.user ?? '', role: p.seLinuxOptions.role ?? '', type: p.seLinuxOptions.type ?? '', level: p.seLinuxOptions.level ?? '' };
  }
  return out;
}

/** pod.spec.securityContext.sysctls as a map (names as written; the runtime accepts dots and slashes). */
export function podSysctls(pod: Pod): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) out[s.name] = s.value;
  return out;
}
