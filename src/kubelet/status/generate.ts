// The API PodStatus the kubelet reports for a pod, from what the runtime says about it
// (upstream kubelet_pods.go generateAPIPodStatus, convertToAPIContainerStatuses, getPhase and
// status/generate.go for the conditions, as of v1.32). Pure apart from the probe results.

import { isIPv4, isIPv6 } from 'node:net';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { computeQOSClass } from '../../api/core/v1/qos.js';
import type { DeepMutable } from '../../util/mutable.js';
import { formatContainerID, type ProbeResults, type RuntimeContainerStatus, type RuntimePodStatus } from '../container/runtime.js';

export type MutablePodStatus = DeepMutable<PodStatus>;
type MutableContainerStatus = DeepMutable<ContainerStatus>;
type MutableCondition = DeepMutable<PodCondition>;
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** Waiting reasons of containers that have not started yet (upstream kubelet constants). */
export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';

/** Condition reasons (upstream status/generate.go). */
export const UNKNOWN_CONTAINER_STATUSES = 'UnknownContainerStatuses';
export const POD_COMPLETED = 'PodCompleted';
export const POD_FAILED = 'PodFailed';
export const CONTAINERS_NOT_READY = 'ContainersNotReady';
export const CONTAINERS_NOT_INITIALIZED = 'ContainersNotInitialized';
export const READINESS_GATES_NOT_READY = 'ReadinessGatesNotReady';

/** Condition types the kubelet owns (upstream kubetypes.PodConditionByKubelet). */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

/** Why a container could not be started in the last sync (upstream reasonCache entry). */
export interface ContainerWaitingReason {
  reason: string;
  message: string;
}

export interface GenerateOptions {
  /** The status the kubelet reported last (the status manager's), else the API's. */
  oldStatus?: PodStatus;
  /** Start failures by container name (ErrImagePull, CrashLoopBackOff, CreateContainerConfigError…). */
  syncErrors?: ReadonlyMap<string, ContainerWaitingReason>;
  /** Sets `ready` and `started`; without it containers are neither. */
  probes?: Pick<ProbeResults, 'updatePodStatus'>;
  /** The node's IPs, primary first (for hostIP/hostIPs and host-network pod IPs). */
  hostIPs?: readonly string[];
  /** The pod worker has decided the pod is terminal: stopped containers will not restart. */
  podIsTerminal?: boolean;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const isRestartableInit = (c: Container): boolean => c.restartPolicy === 'Always';
const goList = (names: readonly string[]): string => `[${names.join(' ')}]`;

/** Upstream generateAPIPodStatus (without eviction handlers, resize and resource status). */
export function generateAPIPodStatus(pod: Pod, runtime: RuntimePodStatus, opts: GenerateOptions = {}): MutablePodStatus {
  const apiStatus = pod.status ?? {};
  const old = opts.oldStatus ?? apiStatus;
  const hostIPs = opts.hostIPs ?? [];
  const spec = pod.spec ?? { containers: [] };
  const s: MutablePodStatus = {};

  const podIPs = sortPodIPs(runtime.ips, hostIPs[0]);
  if (podIPs.length > 0) {
    s.podIP = podIPs[0];
    s.podIPs = podIPs.map((ip) => ({ ip }));
  }
  s.qosClass = computeQOSClass(pod);
  const hasInit = (spec.initContainers ?? []).length > 0;
  const errors = opts.syncErrors ?? new Map<string, ContainerWaitingReason>();
  s.containerStatuses = convertContainerStatuses(pod, runtime, old.containerStatuses ?? [], spec.containers, hasInit, false, errors);
  s.initContainerStatuses = convertContainerStatuses(pod, runtime, old.initContainerStatuses ?? [], spec.initContainers ?? [], hasInit, true, errors);
  if (!hasInit) delete s.initContainerStatuses;

  const all = [...s.containerStatuses, ...(s.initContainerStatuses ?? [])];
  let phase = getPhase(pod, all, Boolean(opts.podIsTerminal));
  // Three-way merge: a terminal phase reported before (by us or in the API) stays.
  if (phase !== 'Failed' && phase !== 'Succeeded') {
    if (old.phase === 'Failed' || old.phase === 'Succeeded') phase = old.phase;
    else if (apiStatus.phase === 'Failed' || apiStatus.phase === 'Succeeded') phase = apiStatus.phase;
  }
  s.phase = phase;
  if (phase === old.phase) {
    // The reason and message belong to the phase.
    const reason = old.reason || apiStatus.reason;
    const message = old.message || apiStatus.message;
    if (reason) s.reason = reason;
    if (message) s.message = message;
  }
  // Pods never leave a terminal phase the API server shows.
  if ((apiStatus.phase === 'Failed' || apiStatus.phase === 'Succeeded') && s.phase !== apiStatus.phase) s.phase = apiStatus.phase;

  opts.probes?.updatePodStatus(pod, s as PodStatus);

  // Conditions: those the kubelet does not own are kept, DisruptionTarget is carried over.
  const conditions: MutableCondition[] = (apiStatus.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type)).map((c) => ({ ...c }));
  const disruption = (old.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
  if (disruption) {
    const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
    if (i >= 0) conditions[i] = { ...disruption };
    else conditions.push({ ...disruption });
  }
  const allStatuses = [...(s.initContainerStatuses ?? []), ...s.containerStatuses];
  conditions.push(podReadyToStartContainersCondition(pod, runtime));
  conditions.push(podInitializedCondition(pod, allStatuses, phase));
  conditions.push(podReadyCondition(pod, conditions, allStatuses, phase));
  conditions.push(containersReadyCondition(pod, allStatuses, phase));
  conditions.push({ type: 'PodScheduled', status: 'True' });
  s.conditions = conditions;

  if (hostIPs.length > 0) {
    s.hostIP = hostIPs[0];
    s.hostIPs = hostIPs.slice(0, 2).map((ip) => ({ ip }));
    if (spec.hostNetwork) {
      // Host-network pods take the node's IPs; once set they stay.
      if (!s.podIP) {
        s.podIP = hostIPs[0];
        s.podIPs = [{ ip: hostIPs[0]! }];
      }
      if (hostIPs.length === 2 && s.podIPs?.length === 1 && isIPv4(s.podIPs[0]!.ip ?? '') !== isIPv4(hostIPs[1]!)) s.podIPs.push({ ip: hostIPs[1]! });
    }
  } else {
    if (apiStatus.hostIP) s.hostIP = apiStatus.hostIP;
    if (apiStatus.hostIPs) s.hostIPs = apiStatus.hostIPs.map((h) => ({ ...h }));
  }
  if (old.startTime) s.startTime = old.startTime;
  return s;
}

/** The first IP of the node's family, then the first of the other family (upstream sortPodIPs). */
export function sortPodIPs(ips: readonly string[], nodeIP: string | undefined): string[] {
  const v6First = nodeIP !== undefined && isIPv6(nodeIP);
  const primary = ips.find((ip) => (v6First ? isIPv6(ip) : isIPv4(ip)));
  const secondary = ips.find((ip) => (v6First ? isIPv4(ip) : isIPv6(ip)));
  return [primary, secondary].filter((ip): ip is string => ip !== undefined);
}

/**
 * Upstream kubecontainer.ShouldContainerBeRestarted: whether the next sync starts the
 * container (again), so that a recorded start failure is its waiting reason.
 */
export function shouldContainerBeRestarted(container: Container, pod: Pod, runtime: RuntimePodStatus): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const st = latestStatus(runtime, container.name);
  if (!st) return true;
  if (st.state === 'running') return false;
  if (st.state === 'unknown' || st.state === 'created') return true;
  if (isRestartableInit(container)) return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && st.exitCode === 0) return false;
  return true;
}

function latestStatus(runtime: RuntimePodStatus, name: string): RuntimeContainerStatus | undefined {
  let best: RuntimeContainerStatus | undefined;
  for (const c of runtime.containerStatuses) if (c.name === name && (!best || c.createdAt > best.createdAt)) best = c;
  return best;
}

function convertContainerStatus(cs: RuntimeContainerStatus, old: ContainerStatus | undefined): MutableContainerStatus {
  const cid = formatContainerID(cs.id);
  const status: MutableContainerStatus = {
    name: cs.name,
    restartCount: cs.restartCount,
    image: cs.image,
    imageID: cs.imageRef,
    containerID: cid,
    ready: false,
    state: {},
    lastState: {},
  };
  switch (cs.state) {
    case 'running':
      status.state = { running: cs.startedAt ? { startedAt: rfc3339(cs.startedAt) } : {} };
      break;
    case 'created':
      status.state = { waiting: {} };
      break;
    case 'exited': {
      const t: NonNullable<MutableContainerStatus['state']>['terminated'] = { exitCode: cs.exitCode, containerID: cid };
      if (cs.reason) t.reason = cs.reason;
      if (cs.message) t.message = cs.message;
      if (cs.startedAt) t.startedAt = rfc3339(cs.startedAt);
      if (cs.finishedAt) t.finishedAt = rfc3339(cs.finishedAt);
      status.state = { terminated: orderTerminated(t) };
      break;
    }
    default:
      if (old?.state?.running) {
        // It ran and vanished: not "never ran" (which would make a run-once pod run twice).
        status.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } };
        status.restartCount = (old.restartCount ?? 0) + 1;
      } else status.state = { waiting: {} };
  }
  return status;
}

/** Field order of ContainerStateTerminated on the wire. */
function orderTerminated(t: DeepMutable<NonNullable<ContainerState['terminated']>>): DeepMutable<NonNullable<ContainerState['terminated']>> {
  const o: DeepMutable<NonNullable<ContainerState['terminated']>> = { exitCode: t.exitCode };
  if (t.reason) o.reason = t.reason;
  if (t.message) o.message = t.message;
  if (t.startedAt) o.startedAt = t.startedAt;
  if (t.finishedAt) o.finishedAt = t.finishedAt;
  if (t.containerID) o.containerID = t.containerID;
  return o;
}

/** Upstream convertToAPIContainerStatuses. */
function convertContainerStatuses(
  pod: Pod,
  runtime: RuntimePodStatus,
  previous: readonly ContainerStatus[],
  containers: readonly Container[],
  hasInit: boolean,
  isInit: boolean,
  errors: ReadonlyMap<string, ContainerWaitingReason>,
): MutableContainerStatus[] {
  const oldByName = new Map(previous.map((s) => [s.name, s]));
  const defaultWaiting = (): DeepMutable<ContainerState> => ({ waiting: { reason: hasInit ? POD_INITIALIZING : CONTAINER_CREATING } });
  const statuses = new Map<string, MutableContainerStatus>();

  for (const c of containers) {
    let st: MutableContainerStatus = { name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, state: defaultWaiting(), lastState: {} };
    const old = oldByName.get(c.name);
    if (old) {
      if (old.state?.terminated) st = structuredClone(old) as MutableContainerStatus;
      else {
        st.restartCount = old.restartCount ?? 0;
        st.lastState = structuredClone(old.lastState ?? {}) as MutableContainerStatus['lastState'];
      }
    }
    statuses.set(c.name, st);
  }

  // A container that was running and is gone from the runtime: it stopped, status unknown.
  const inRuntime = new Set(runtime.containerStatuses.map((c) => c.name));
  for (const c of containers) {
    if (inRuntime.has(c.name)) continue;
    const old = oldByName.get(c.name);
    if (!old || old.state?.terminated || !old.state?.running) continue;
    const st = statuses.get(c.name)!;
    const isDefault = st.state?.waiting?.reason === (hasInit ? POD_INITIALIZING : CONTAINER_CREATING);
    if (!isDefault || st.lastState?.terminated) continue;
    st.lastState = {
      terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' },
    };
    if (!pod.metadata?.deletionTimestamp) st.restartCount = (st.restartCount ?? 0) + 1;
  }

  // Newest first; the newest instance is the state, the one before it the last state.
  const sorted = [...runtime.containerStatuses].sort((a, b) => b.createdAt - a.createdAt);
  const seen = new Map<string, number>();
  for (const cs of sorted) {
    if (!statuses.has(cs.name)) continue;
    const n = seen.get(cs.name) ?? 0;
    if (n >= 2) continue;
    const conv = convertContainerStatus(cs, oldByName.get(cs.name));
    if (n === 0) statuses.set(cs.name, conv);
    else statuses.get(cs.name)!.lastState = conv.state;
    seen.set(cs.name, n + 1);
  }

  // Containers the next sync will (re)start are waiting, with the reason their start failed.
  for (const c of containers) {
    if (isInit) {
      const latest = latestStatus(runtime, c.name);
      if (latest && latest.state === 'exited' && latest.exitCode === 0) continue;
    }
    if (!shouldContainerBeRestarted(c, pod, runtime)) continue;
    const why = errors.get(c.name);
    if (!why) continue;
    const st = statuses.get(c.name)!;
    if (st.state?.terminated) st.lastState = st.state;
    st.state = { waiting: why.message ? { reason: why.reason, message: why.message } : { reason: why.reason } };
  }

  const out = containers.map((c) => statuses.get(c.name)!);
  // Regular container statuses are sorted by name (upstream SortedContainerStatuses); init containers keep spec order.
  if (!isInit) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** Upstream getPhase (v1.32). */
export function getPhase(pod: Pod, info: readonly ContainerStatus[], podIsTerminal: boolean): PodPhase {
  const spec = pod.spec ?? { containers: [] };
  const byName = new Map(info.map((s) => [s.name, s]));
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInit(c)) continue;
    const st = byName.get(c.name);
    if (!st) {
      pendingInitialization++;
      continue;
    }
    if (st.state?.running) pendingInitialization++;
    else if (st.state?.terminated) {
      if (st.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (st.state?.waiting) {
      if (st.lastState?.terminated) {
        if (st.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isRestartableInit(c)) continue;
    const st = byName.get(c.name);
    if (!st) {
      unknown++;
      continue;
    }
    if (st.state?.running) {
      if (!st.started) pendingInitialization++;
      running++;
    } else if (st.state?.terminated) {
      // Stopped sidecars do not count for the phase.
    } else if (st.state?.waiting) {
      if (!st.lastState?.terminated) {
        pendingInitialization++;
        waiting++;
      }
    } else {
      pendingInitialization++;
      unknown++;
    }
  }
  for (const c of spec.containers) {
    const st = byName.get(c.name);
    if (!st) {
      unknown++;
      continue;
    }
    if (st.state?.running) running++;
    else if (st.state?.terminated) {
      stopped++;
      if (st.state.terminated.exitCode === 0) succeeded++;
    } else if (st.state?.waiting) {
      if (st.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  const policy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(pod, info)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function hasAnyRegularContainerStarted(pod: Pod, statuses: readonly ContainerStatus[]): boolean {
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && Boolean(s.state?.running || s.state?.terminated));
}

/** True when the newest sandbox is ready with networking, so containers can start (upstream PodSandboxChanged). */
function podReadyToStartContainersCondition(pod: Pod, runtime: RuntimePodStatus): MutableCondition {
  const sandboxes = runtime.sandboxStatuses;
  const ready = sandboxes.filter((s) => s.state === 'ready').length;
  const newest = sandboxes[0];
  const ok = newest !== undefined && ready <= 1 && newest.state === 'ready' && (Boolean(pod.spec?.hostNetwork) || newest.ip !== '');
  return { type: 'PodReadyToStartContainers', status: ok ? 'True' : 'False' };
}

function podInitializedCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): MutableCondition {
  const inits = pod.spec?.initContainers ?? [];
  if (statuses.length === 0 && inits.length > 0) return { type: 'Initialized', status: 'False', reason: UNKNOWN_CONTAINER_STATUSES };
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const st = byName.get(c.name);
    if (!st) unknown.push(c.name);
    else if (isRestartableInit(c) ? !st.started : !st.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: POD_COMPLETED };
  if (hasAnyRegularContainerStarted(pod, statuses)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length > 0) return { type: 'Initialized', status: 'False', reason: CONTAINERS_NOT_INITIALIZED, message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

function containersReadyCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): MutableCondition {
  if (statuses.length === 0) return { type: 'ContainersReady', status: 'False', reason: UNKNOWN_CONTAINER_STATUSES };
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const unready: string[] = [];
  const consider = [...(pod.spec?.initContainers ?? []).filter(isRestartableInit), ...(pod.spec?.containers ?? [])];
  for (const c of consider) {
    const st = byName.get(c.name);
    if (!st) unknown.push(c.name);
    else if (!st.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: POD_COMPLETED };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: POD_FAILED };
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length > 0) return { type: 'ContainersReady', status: 'False', reason: CONTAINERS_NOT_READY, message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function podReadyCondition(pod: Pod, conditions: readonly PodCondition[], statuses: readonly ContainerStatus[], phase: PodPhase): MutableCondition {
  const cr = containersReadyCondition(pod, statuses, phase);
  if (cr.status !== 'True') {
    const c: MutableCondition = { type: 'Ready', status: cr.status };
    if (cr.reason) c.reason = cr.reason;
    if (cr.message) c.message = cr.message;
    return c;
  }
  const msgs: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length > 0) return { type: 'Ready', status: 'False', reason: READINESS_GATES_NOT_READY, message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}
