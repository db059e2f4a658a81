// The status a simulated node reports for a pod: what the kubelet's generateAPIPodStatus would
// produce for containers that start at once and (optionally) exit after a set time. Pure: the
// caller passes the clock, the addresses and a container-ID source.

import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { goDurationToMs } from '../../machinery/duration.js';
import { computeQOSClass } from '../../api/core/v1/qos.js';
export { computeQOSClass, type QOSClass } from '../../api/core/v1/qos.js';
import type { DeepMutable } from '../../util/mutable.js';

/** Go duration after which the containers of a non-`Always` pod exit. */
export const ANNOTATION_DURATION = 'k8ts.io/simulated-duration';
/** Exit code of those containers (default 0). */
export const ANNOTATION_EXIT_CODE = 'k8ts.io/simulated-exit-code';
/** Go duration after start before the containers report ready. */
export const ANNOTATION_READY_AFTER = 'k8ts.io/simulated-ready-after';

/** The prefix of container and image IDs, as a runtime name (`containerd://…`). */
export const RUNTIME_SCHEME = 'k8ts-simulated://';

/** Exit code of containers stopped by a pod's deletion (128 + SIGTERM, as a runtime reports it). */
export const KILLED_EXIT_CODE = 143;


type MutableStatus = DeepMutable<PodStatus>;
type MutableCondition = DeepMutable<PodCondition>;
type MutableContainerStatus = DeepMutable<ContainerStatus>;


/** The simulation knobs of a pod, read from its annotations. Malformed values are ignored. */
export interface SimulationKnobs {
  /** ms after start at which the containers exit; undefined = they run until deleted. */
  durationMs: number | undefined;
  exitCode: number;
  readyAfterMs: number;
}

export function simulationKnobs(pod: Pod): SimulationKnobs {
  const a = pod.metadata?.annotations ?? {};
  const ms = (v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    try {
      const n = goDurationToMs(v.trim());
      return n >= 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const restartAlways = (pod.spec?.restartPolicy ?? 'Always') === 'Always';
  const exit = Number.parseInt(a[ANNOTATION_EXIT_CODE] ?? '0', 10);
  return {
    durationMs: restartAlways ? undefined : ms(a[ANNOTATION_DURATION]),
    exitCode: Number.isFinite(exit) ? exit : 0,
    readyAfterMs: ms(a[ANNOTATION_READY_AFTER]) ?? 0,
  };
}

export interface StatusInputs {
  now: number;
  hostIP: string;
  podIP: string;
  /** A fresh container ID (without the scheme). */
  newContainerID: () => string;
  /** The pod is being deleted: containers still running are stopped now. */
  killed?: boolean;
}

export interface ComputedStatus {
  status: MutableStatus;
  /** When the status will change by itself next (ready-after, duration), ms; undefined = never. */
  nextChangeAt: number | undefined;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

function formatGoList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

/**
 * The desired status of a pod bound to a simulated node, given its current status: times and
 * container IDs already reported are kept, so computing again without a change yields an equal
 * status (see `statusDiffers`).
 */
export function computePodStatus(pod: Pod, inp: StatusInputs): ComputedStatus {
  const cur = pod.status ?? {};
  const knobs = simulationKnobs(pod);
  const prior = new Map<string, ContainerStatus>();
  for (const s of [...(cur.initContainerStatuses ?? []), ...(cur.containerStatuses ?? [])]) prior.set(s.name, s);

  const startedOf = (s: ContainerStatus | undefined): number | undefined => {
    const t = s?.state?.running?.startedAt ?? s?.state?.terminated?.startedAt;
    return t ? Date.parse(t) : undefined;
  };
  const firstPrior = (pod.spec?.containers ?? []).map((c) => startedOf(prior.get(c.name))).find((t) => t !== undefined);
  const startTime = cur.startTime ? Date.parse(cur.startTime) : inp.now;
  const startedAt = firstPrior ?? inp.now;

  // Terminated already (by the duration, or killed before), or terminating now.
  const wasTerminated = (pod.spec?.containers ?? []).length > 0 && (pod.spec?.containers ?? []).every((c) => prior.get(c.name)?.state?.terminated);
  const durationDone = knobs.durationMs !== undefined && inp.now >= startedAt + knobs.durationMs;
  const terminated = wasTerminated || durationDone || Boolean(inp.killed);
  const ready = !terminated && inp.now >= startedAt + knobs.readyAfterMs;

  const idOf = (name: string): string => prior.get(name)?.containerID ?? `${RUNTIME_SCHEME}${inp.newContainerID()}`;
  const base = (c: Container): MutableContainerStatus => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `${RUNTIME_SCHEME}${c.image ?? ''}`,
    containerID: idOf(c.name),
    restartCount: prior.get(c.name)?.restartCount ?? 0,
    ready: false,
    started: false,
    state: {},
  });

  const terminatedState = (c: Container): MutableContainerStatus['state'] => {
    const old = prior.get(c.name)?.state?.terminated;
    if (old) return { terminated: { ...old } };
    // A duration exit happens at its time; a kill happens now.
    const byDuration = durationDone && !inp.killed;
    const exitCode = byDuration ? knobs.exitCode : KILLED_EXIT_CODE;
    const finishedAt = byDuration ? startedAt + knobs.durationMs! : inp.now;
    return {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: rfc3339(startedAt),
        finishedAt: rfc3339(finishedAt),
        containerID: idOf(c.name),
      },
    };
  };

  const containerStatuses: MutableContainerStatus[] = (pod.spec?.containers ?? []).map((c) => {
    const s = base(c);
    if (terminated) s.state = terminatedState(c);
    else {
      s.state = { running: { startedAt: rfc3339(startedAt) } };
      s.ready = ready;
      s.started = true;
    }
    return s;
  });
  const initContainerStatuses: MutableContainerStatus[] = (pod.spec?.initContainers ?? []).map((c) => {
    const s = base(c);
    if (isSidecar(c)) {
      if (terminated) s.state = terminatedState(c);
      else {
        s.state = { running: { startedAt: rfc3339(startedOf(prior.get(c.name)) ?? startedAt) } };
        s.ready = ready;
        s.started = true;
      }
      return s;
    }
    const t = rfc3339(startTime);
    s.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: s.containerID } };
    s.ready = true;
    return s;
  });

  // Upstream getPhase: all containers exited → Succeeded when every exit code is 0, else Failed.
  let phase: MutableStatus['phase'] = 'Running';
  if (terminated) {
    // Sidecars (restartable init containers) do not decide the phase.
    const allZero = containerStatuses.every((s) => (s.state?.terminated?.exitCode ?? 0) === 0);
    phase = containerStatuses.length > 0 && allZero ? 'Succeeded' : 'Failed';
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  // Conditions (upstream status/generate.go), keeping the ones the kubelet does not own.
  const owned = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  const oldConds = new Map<string, PodCondition>();
  for (const c of cur.conditions ?? []) oldConds.set(c.type, c);
  const cond = (type: string, status: 'True' | 'False', reason?: string, message?: string): MutableCondition => {
    const old = oldConds.get(type);
    const c: MutableCondition = { type, status };
    c.lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(inp.now);
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };

  const terminalReason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  let containersReady: MutableCondition;
  if (terminal) containersReady = cond('ContainersReady', 'False', terminalReason);
  else {
    // All containers become ready together, so either none or all of them are unready.
    const unready = ready ? [] : [...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])].map((c) => c.name);
    containersReady = unready.length
      ? cond('ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: ${formatGoList(unready)}`)
      : cond('ContainersReady', 'True');
  }
  let podReady: MutableCondition;
  if (containersReady.status !== 'True') podReady = cond('Ready', 'False', containersReady.reason, containersReady.message);
  else {
    const gates: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = oldConds.get(g.conditionType);
      if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    podReady = gates.length ? cond('Ready', 'False', 'ReadinessGatesNotReady', gates.join(', ')) : cond('Ready', 'True');
  }

  const conditions: MutableCondition[] = [
    cond('PodReadyToStartContainers', terminal ? 'False' : 'True'),
    phase === 'Succeeded' ? cond('Initialized', 'True', 'PodCompleted') : cond('Initialized', 'True'),
    podReady,
    containersReady,
    (oldConds.get('PodScheduled') as MutableCondition | undefined) ?? cond('PodScheduled', 'True'),
  ];
  for (const c of cur.conditions ?? []) if (!owned.has(c.type)) conditions.push(structuredClone(c) as MutableCondition);

  const status: MutableStatus = {
    ...(structuredClone(cur) as MutableStatus),
    phase,
    conditions,
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    podIP: inp.podIP,
    podIPs: [{ ip: inp.podIP }],
    startTime: rfc3339(startTime),
    qosClass: computeQOSClass(pod),
    containerStatuses,
  };
  if (initContainerStatuses.length) status.initContainerStatuses = initContainerStatuses;
  else delete status.initContainerStatuses;
  delete status.reason;
  delete status.message;

  let nextChangeAt: number | undefined;
  if (!terminated) {
    if (!ready) nextChangeAt = startedAt + knobs.readyAfterMs;
    if (knobs.durationMs !== undefined) {
      const end = startedAt + knobs.durationMs;
      nextChangeAt = nextChangeAt === undefined ? end : Math.min(nextChangeAt, end);
    }
  }
  return { status, nextChangeAt };
}

/**
 * Whether two statuses differ in what the simulated kubelet reports. Compares meaning, not
 * bytes: the server may drop empty fields or reorder, and a byte comparison would make the
 * node write the same status again and again.
 */
export function statusDiffers(a: PodStatus | undefined, b: PodStatus): boolean {
  if ((a?.phase ?? '') !== (b.phase ?? '')) return true;
  if ((a?.podIP ?? '') !== (b.podIP ?? '') || (a?.hostIP ?? '') !== (b.hostIP ?? '')) return true;
  if ((a?.qosClass ?? '') !== (b.qosClass ?? '')) return true;
  if (!a?.startTime !== !b.startTime) return true;
  const condKey = (c: PodCondition): string => `${c.type}|${c.status}|${c.reason ?? ''}|${c.message ?? ''}`;
  const conds = (s: PodStatus | undefined): string => (s?.conditions ?? []).map(condKey).sort().join('\n');
  if (conds(a) !== conds(b)) return true;
  const csKey = (s: ContainerStatus): string => {
    const st = s.state?.running ? 'running' : s.state?.terminated ? `terminated:${s.state.terminated.exitCode}` : 'waiting';
    return `${s.name}|${s.ready}|${s.started ?? false}|${st}|${s.containerID ?? ''}`;
  };
  const cs = (l: readonly ContainerStatus[] | undefined): string => (l ?? []).map(csKey).sort().join('\n');
  return cs(a?.containerStatuses) !== cs(b.containerStatuses) || cs(a?.initContainerStatuses) !== cs(b.initContainerStatuses);
}

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
