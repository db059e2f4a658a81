// Pure helpers of the runtime manager (upstream kuberuntime/helpers.go, helpers_linux.go,
// pkg/kubelet/container/helpers.go, pkg/kubelet/qos): the container hash, back-off keys, QoS
// class, linux resources, OOM score, pod hostname, and how a CRI error reads in messages.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../machinery/quantity.js';
import { isCRIError, type CRIErrorCode } from '../cri/service.js';
import type { LinuxContainerResources, Req } from '../cri/types.js';

/**
 * Upstream HashContainer since 1.31 hashes only the fields that may change on a running pod
 * (name and image): FNV-32a over their JSON, as hex. Other fields of a pod's containers are
 * immutable, and hashing only these keeps containers running across kubelet upgrades.
 */
export function hashContainer(container: Container): string {
  // Go's json.Marshal of a map sorts keys: image before name.
  const json = JSON.stringify({ image: container.image ?? '', name: container.name });
  let h = 0x811c9dc5;
  const bytes = Buffer.from(json, 'utf8');
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16);
}

/** `<pod>_<ns>(<uid>)`: upstream format.Pod. */
export function formatPod(pod: { metadata?: { name?: string; namespace?: string; uid?: string } }): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** The crash-loop back-off key (upstream getStableKey): `<pod>_<ns>_<uid>_<container>_<hash>`. */
export function getStableKey(pod: Pod, container: Container): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}_${pod.metadata?.uid ?? ''}_${container.name}_${hashContainer(container)}`;
}

/** `<root>/<ns>_<name>_<uid>`: upstream BuildPodLogsDirectory. */
export function podLogsDirectory(root: string, namespace: string, name: string, uid: string): string {
  return `${root}/${namespace}_${name}_${uid}`;
}

/** Upstream GRPC status string, which kubelet messages quote: `rpc error: code = NotFound desc = …`. */
export function grpcErrorString(err: unknown): string {
  if (isCRIError(err)) return `rpc error: code = ${GRPC_CODE_NAMES[err.code]} desc = ${criMessage(err)}`;
  return err instanceof Error ? err.message : String(err);
}

/** The runtime's own message of a CRI error (upstream grpcstatus.FromError(err).Message()). */
export function criMessage(err: unknown): string {
  if (isCRIError(err)) {
    const prefix = `${err.method}: `;
    return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

const GRPC_CODE_NAMES: Record<CRIErrorCode, string> = {
  OK: 'OK',
  CANCELLED: 'Canceled',
  UNKNOWN: 'Unknown',
  INVALID_ARGUMENT: 'InvalidArgument',
  DEADLINE_EXCEEDED: 'DeadlineExceeded',
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  PERMISSION_DENIED: 'PermissionDenied',
  RESOURCE_EXHAUSTED: 'ResourceExhausted',
  FAILED_PRECONDITION: 'FailedPrecondition',
  ABORTED: 'Aborted',
  OUT_OF_RANGE: 'OutOfRange',
  UNIMPLEMENTED: 'Unimplemented',
  INTERNAL: 'Internal',
  UNAVAILABLE: 'Unavailable',
  DATA_LOSS: 'DataLoss',
  UNAUTHENTICATED: 'Unauthenticated',
};

// ---- QoS and resources

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

function quantity(list: Record<string, string> | undefined, name: string): Quantity | undefined {
  const v = list?.[name];
  return v === undefined ? undefined : Quantity.tryParse(String(v));
}

/** Upstream qos.GetPodQOS over cpu and memory of every init and regular container. */
export function getPodQOS(pod: Pod): QOSClass {
  if (pod.status?.qosClass) return pod.status.qosClass as QOSClass;
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let isGuaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests as Record<string, string> | undefined;
    const lim = c.resources?.limits as Record<string, string> | undefined;
    for (const r of ['cpu', 'memory']) {
      const q = quantity(req, r);
      if (q && q.milliValue() !== 0) requests.set(r, (requests.get(r) ?? 0) + q.milliValue());
    }
    const found = new Set<string>();
    for (const r of ['cpu', 'memory']) {
      const q = quantity(lim, r);
      if (q && q.milliValue() !== 0) {
        found.add(r);
        limits.set(r, (limits.get(r) ?? 0) + q.milliValue());
      }
    }
    if (found.size !== 2) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [r, v] of requests) if (limits.get(r) !== v) isGuaranteed = false;
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const SHARES_PER_CPU = 1024;
const MILLI_CPU_TO_CPU = 1000;
/** Upstream's default CFS period (100 ms, in µs) and the smallest quota it sets. */
export const QUOTA_PERIOD = 100_000;
const MIN_QUOTA_PERIOD = 1000;

export function milliCPUToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  const shares = Math.floor((milli * SHARES_PER_CPU) / MILLI_CPU_TO_CPU);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

export function milliCPUToQuota(milli: number, period: number): number {
  if (milli === 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD, Math.floor((milli * period) / MILLI_CPU_TO_CPU));
}

const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** Upstream qos.GetContainerOOMScoreAdjust. */
export function containerOOMScoreAdjust(pod: Pod, container: Container, memoryCapacity: number): number {
  if ((pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return GUARANTEED_OOM_SCORE_ADJ;
  switch (getPodQOS(pod)) {
    case 'Guaranteed':
      return GUARANTEED_OOM_SCORE_ADJ;
    case 'BestEffort':
      return BEST_EFFORT_OOM_SCORE_ADJ;
    default:
      break;
  }
  const memReq = quantity(container.resources?.requests as Record<string, string> | undefined, 'memory')?.value() ?? 0;
  if (memoryCapacity <= 0) return BEST_EFFORT_OOM_SCORE_ADJ - 1;
  let adj = 1000 - Math.floor((1000 * memReq) / memoryCapacity);
  // Burstable containers stay strictly between Guaranteed and BestEffort.
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) adj = 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) adj -= 1;
  return adj;
}

/** Upstream generateLinuxContainerResources (cpu shares from requests, CFS quota from limits, memory limit, OOM score). */
export function linuxContainerResources(pod: Pod, container: Container, memoryCapacity: number): Req<LinuxContainerResources> {
  const req = container.resources?.requests as Record<string, string> | undefined;
  const lim = container.resources?.limits as Record<string, string> | undefined;
  const cpuReq = quantity(req, 'cpu')?.milliValue() ?? 0;
  const cpuLim = quantity(lim, 'cpu')?.milliValue() ?? 0;
  const memLim = quantity(lim, 'memory')?.value() ?? 0;
  // A limit without a request means the request equals the limit (API defaulting does this too).
  const shares = cpuReq === 0 && cpuLim !== 0 ? milliCPUToShares(cpuLim) : milliCPUToShares(cpuReq);
  const out: Req<LinuxContainerResources> = {
    cpuShares: shares,
    memoryLimitInBytes: memLim,
    oomScoreAdj: containerOOMScoreAdjust(pod, container, memoryCapacity),
  };
  if (cpuLim !== 0) {
    out.cpuPeriod = QUOTA_PERIOD;
    out.cpuQuota = milliCPUToQuota(cpuLim, QUOTA_PERIOD);
  }
  return out;
}

// ---- hostname

const HOSTNAME_MAX_LEN = 63;

/** Upstream truncatePodHostnameIfNeeded: at most 63 characters, without a trailing `-` or `.`. */
export function truncateHostname(name: string): string {
  if (name.length <= HOSTNAME_MAX_LEN) return name;
  return name.slice(0, HOSTNAME_MAX_LEN).replace(/[-.]+$/, '');
}

/** The sandbox hostname: spec.hostname or the pod name, truncated (hostNetwork pods use the node's, i.e. ''). */
export function podHostname(pod: Pod): string {
  if (pod.spec?.hostNetwork) return '';
  return truncateHostname(pod.spec?.hostname || pod.metadata?.name || '');
}

/** True when a pod's restart policy allows restarting failed containers (upstream shouldRestartOnFailure). */
export function shouldRestartOnFailure(pod: Pod): boolean {
  return pod.spec?.restartPolicy !== 'Never';
}

/** The container spec named `name` among regular and init containers. */
export function getContainerSpec(pod: Pod, name: string): { container: Container; init: boolean } | undefined {
  const c = pod.spec?.containers?.find((x) => x.name === name);
  if (c) return { container: c, init: false };
  const i = pod.spec?.initContainers?.find((x) => x.name === name);
  return i ? { container: i, init: true } : undefined;
}
