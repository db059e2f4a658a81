// The kubelet's runtime manager over CRI (upstream pkg/kubelet/kuberuntime): reads a pod's
// state from the runtime (sandboxes and containers found by their labels), computes what to
// change (upstream computePodActions) and does it one step per sync (SyncPod): sandbox,
// the next init container, the regular containers; kills pods with preStop hooks and grace
// periods, and garbage-collects exited containers, dead sandboxes and log directories.
import { rm, readdir, mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Container, LifecycleHandler, ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { Logger } from '../../logging/index.js';
import {
  ContainerConfigError,
  formatContainerID,
  type BackOff,
  type ContainerState,
  type PodSyncResult,
  type ProbeResults,
  type Runtime,
  type RunningPod,
  type RuntimeContainerStatus,
  type RuntimeHelper,
  type RuntimePodStatus,
  type RuntimeSandboxStatus,
  type SyncStepError,
} from '../container/runtime.js';
import { isNotFound, type ImageService, type RuntimeService } from '../cri/service.js';
import type { ContainerStatus as CRIContainerStatus, PodSandboxConfig, Req } from '../cri/types.js';
import { containerRef, goDuration, ImageManager, ImagePullError, ExponentialBackOff } from '../images/manager.js';
import {
  CREATE_CONTAINER_CONFIG_ERROR,
  generateContainerConfig,
  makeMounts,
  MAX_TERMINATION_MESSAGE_LENGTH,
  readAtMost,
  readLogTail,
  restartCountFromLogDir,
  terminationMessageMount,
} from './container.js';
import { criMessage, getContainerSpec, getStableKey, formatPod, grpcErrorString, hashContainer, podLogsDirectory, shouldRestartOnFailure } from './helpers.js';
import { getContainerInfoFromAnnotations, getContainerInfoFromLabels, POD_UID_LABEL } from './labels.js';
import { generatePodSandboxConfig, podSandboxChanged } from './sandbox.js';
import { verifyRunAsNonRoot } from './security-context.js';

/**
 * Runs a container's lifecycle handler (postStart, preStop): exec in the container, an HTTP
 * GET, or a sleep. Resolves with an error message when the handler failed, undefined when it
 * succeeded; never rejects. `containerID` is the runtime's raw id (no `containerd://`).
 */
export interface HookRunner {
  run(pod: Pod, container: Container, containerID: string, handler: LifecycleHandler, podIP: string): Promise<string | undefined>;
}

export interface KubeGenericRuntimeManagerOptions {
  runtime: RuntimeService;
  images: ImageService;
  helper: RuntimeHelper;
  probes: Pick<ProbeResults, 'shouldRestart'>;
  hooks: HookRunner;
  recorder: EventRecorder;
  logger: Logger;
  /** Root of the pod log directories (`/var/log/pods` upstream). */
  podLogsDir: string;
  /** ms since the epoch. */
  now?: () => number;
  /** cgroup parent of every sandbox (empty: the runtime's default). */
  cgroupParent?: string;
  /** The image manager; by default one over `images` with `imageBackOff`. */
  imageManager?: ImageManager;
  /** Image pull back-off (default 10 s doubling to 5 min). */
  imageBackOff?: BackOff;
  /** The `type` of container IDs (`containerd://…`). */
  runtimeName?: string;
  /** Node memory for the OOM score of Burstable containers (default: os.totalmem()). */
  machineMemoryBytes?: number;
  /** Where Localhost seccomp profiles live (`<kubelet root>/seccomp`). */
  seccompProfileRoot?: string;
}

/** Upstream minimumGracePeriodInSeconds: every container gets at least this long after SIGTERM. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;
/** Upstream's default pod termination grace period. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** Upstream MaxContainerBackOff: a back-off entry untouched for twice this long has expired. */
const MAX_CONTAINER_BACKOFF_MS = 300_000;

type KillReason = 'unknown' | 'livenessProbe' | 'startupProbe' | 'failedPostStartHook';

interface ContainerToKill {
  name: string;
  container: Container;
  message: string;
  reason: KillReason;
}

/** Upstream podActions. */
export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  sandboxId: string;
  attempt: number;
  nextInitContainer?: Container;
  /** Indexes into spec.containers. */
  containersToStart: number[];
  /** By raw container id. */
  containersToKill: Map<string, ContainerToKill>;
}

/** A failed step, thrown inside syncPod and turned into a SyncStepError. */
class StepError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function nsToMs(ns: number): number {
  return Math.floor(ns / 1e6);
}

function toState(s: string): ContainerState {
  switch (s) {
    case 'CONTAINER_CREATED':
      return 'created';
    case 'CONTAINER_RUNNING':
      return 'running';
    case 'CONTAINER_EXITED':
      return 'exited';
    default:
      return 'unknown';
  }
}

function podRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion };
}

function findStatus(status: RuntimePodStatus, name: string): RuntimeContainerStatus | undefined {
  return status.containerStatuses.find((c) => c.name === name);
}

/** Upstream ShouldContainerBeRestarted. */
function shouldContainerBeRestarted(container: Container, pod: Pod, status: RuntimePodStatus): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = findStatus(status, container.name);
  if (!s) return true;
  if (s.state === 'running') return false;
  if (s.state === 'unknown' || s.state === 'created') return true;
  if (pod.spec?.restartPolicy === 'Never') return false;
  if (pod.spec?.restartPolicy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

function isInitContainerFailed(s: RuntimeContainerStatus): boolean {
  return (s.state === 'exited' && s.exitCode !== 0) || s.state === 'unknown';
}

/**
 * Upstream findNextInitContainerToRun: the status of the last init container that ran, the
 * next init container to start, and whether initialization is done.
 */
export function findNextInitContainerToRun(pod: Pod, status: RuntimePodStatus): { last?: RuntimeContainerStatus; next?: Container; done: boolean } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  // A running regular container means initialization finished earlier.
  for (const c of pod.spec?.containers ?? []) {
    if (findStatus(status, c.name)?.state === 'running') return { done: true };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findStatus(status, inits[i]!.name);
    if (s && isInitContainerFailed(s)) return { last: s, next: inits[i], done: false };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findStatus(status, inits[i]!.name);
    if (!s) continue;
    if (s.state === 'running') return { done: false };
    if (s.state === 'exited') {
      if (i === inits.length - 1) return { done: true };
      return { last: s, next: inits[i + 1], done: false };
    }
  }
  return { next: inits[0], done: false };
}

function containerSucceeded(c: Container, status: RuntimePodStatus): boolean {
  const s = findStatus(status, c.name);
  return !!s && s.state === 'exited' && s.exitCode === 0;
}

export class KubeGenericRuntimeManager implements Runtime {
  readonly type: string;
  private readonly runtime: RuntimeService;
  private readonly imageService: ImageService;
  private readonly helper: RuntimeHelper;
  private readonly probes: Pick<ProbeResults, 'shouldRestart'>;
  private readonly hooks: HookRunner;
  private readonly recorder: EventRecorder;
  private readonly logger: Logger;
  private readonly podLogsDir: string;
  private readonly now: () => number;
  private readonly cgroupParent: string;
  private readonly imageManager: ImageManager;
  private readonly memoryCapacity: number;
  private readonly seccompProfileRoot: string;
  /** Termination-message host files by container id, for runtimes that do not report mounts. */
  private readonly terminationFiles = new Map<string, string>();
  /** The event time of the last crash-loop back-off `next` per key (for upstream's expiry rule). */
  private readonly backOffUpdated = new Map<string, number>();

  constructor(opts: KubeGenericRuntimeManagerOptions) {
    this.runtime = opts.runtime;
    this.imageService = opts.images;
    this.helper = opts.helper;
    this.probes = opts.probes;
    this.hooks = opts.hooks;
    this.recorder = opts.recorder;
    this.logger = opts.logger;
    this.podLogsDir = opts.podLogsDir;
    this.now = opts.now ?? Date.now;
    this.cgroupParent = opts.cgroupParent ?? '';
    this.type = opts.runtimeName ?? 'containerd';
    this.memoryCapacity = opts.machineMemoryBytes ?? totalmem();
    this.seccompProfileRoot = opts.seccompProfileRoot ?? '/var/lib/kubelet/seccomp';
    this.imageManager =
      opts.imageManager ??
      new ImageManager({ images: opts.images, recorder: opts.recorder, logger: opts.logger, backOff: opts.imageBackOff ?? new ExponentialBackOff(), now: this.now });
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    const v = await this.runtime.version();
    return { runtimeName: v.runtimeName, runtimeVersion: v.runtimeVersion };
  }

  containerLogPath(pod: { uid: string; name: string; namespace: string }, containerName: string, restartCount: number): string {
    return join(podLogsDirectory(this.podLogsDir, pod.namespace, pod.name, pod.uid), containerName, `${restartCount}.log`);
  }

  // ---- status

  async getPodStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus> {
    const timestamp = this.now();
    const sandboxes = await this.runtime.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } });
    sandboxes.sort((a, b) => b.createdAt - a.createdAt);
    const sandboxStatuses: RuntimeSandboxStatus[] = [];
    let ips: string[] = [];
    for (const [idx, sb] of sandboxes.entries()) {
      let resp;
      try {
        resp = await this.runtime.podSandboxStatus(sb.id);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const st = resp.status;
      if (!st) continue;
      const ip = st.network?.ip ?? '';
      const additionalIPs = (st.network?.additionalIps ?? []).map((a) => a.ip).filter((x) => x);
      const ready = st.state === 'SANDBOX_READY';
      sandboxStatuses.push({ id: st.id, state: ready ? 'ready' : 'notready', createdAt: nsToMs(st.createdAt), attempt: st.metadata?.attempt ?? 0, ip, additionalIPs });
      // Only the newest sandbox gives the pod its IPs.
      if (idx === 0 && ready) ips = [ip, ...additionalIPs].filter((x) => x);
    }

    const containers = await this.runtime.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } });
    const statuses = await Promise.all(
      containers.map(async (c) => {
        try {
          const resp = await this.runtime.containerStatus(c.id);
          return resp.status ? await this.toRuntimeContainerStatus(resp.status) : undefined;
        } catch (err) {
          // Removed between the listing and the status call: as if it had not been listed.
          if (isNotFound(err)) return undefined;
          throw err;
        }
      }),
    );
    const containerStatuses = statuses.filter((s): s is RuntimeContainerStatus => s !== undefined);
    containerStatuses.sort((a, b) => b.createdAt - a.createdAt);
    return { uid, name, namespace, ips, sandboxStatuses, containerStatuses, timestamp };
  }

  private async toRuntimeContainerStatus(s: CRIContainerStatus): Promise<RuntimeContainerStatus> {
    const annotated = getContainerInfoFromAnnotations(s.annotations);
    const labeled = getContainerInfoFromLabels(s.labels);
    const state = toState(s.state);
    const out: RuntimeContainerStatus = {
      id: { type: this.type, id: s.id },
      name: labeled.containerName || s.metadata?.name || '',
      state,
      createdAt: nsToMs(s.createdAt),
      startedAt: state !== 'created' ? nsToMs(s.startedAt) : 0,
      finishedAt: 0,
      exitCode: 0,
      image: s.image?.userSpecifiedImage || s.image?.image || '',
      imageRef: s.imageRef || s.imageId,
      hash: annotated.hash,
      restartCount: annotated.restartCount,
      reason: '',
      message: '',
    };
    if (state !== 'exited') return out;
    out.reason = s.reason;
    out.message = s.message;
    out.exitCode = s.exitCode;
    out.finishedAt = nsToMs(s.finishedAt);
    // A container that could not even start has no logs to fall back to.
    const fallbackToLogs = annotated.terminationMessagePolicy === 'FallbackToLogsOnError' && s.exitCode !== 0 && s.reason !== 'ContainerCannotRun';
    let [message, checkLogs] = await this.terminationMessage(s, annotated.terminationMessagePath, fallbackToLogs);
    if (checkLogs) {
      try {
        message = await readLogTail(s.logPath);
      } catch (err) {
        message = `Error on reading termination message from logs: ${(err as Error).message}`;
      }
    }
    if (message) out.message = out.message ? `${out.message}: ${message}` : message;
    return out;
  }

  /** Upstream getTerminationMessage: the file's content, and whether to read the logs instead. */
  private async terminationMessage(s: CRIContainerStatus, path: string, fallbackToLogs: boolean): Promise<[string, boolean]> {
    if (!path) return ['', fallbackToLogs];
    const hostPath = s.mounts.find((m) => m.containerPath === path)?.hostPath ?? this.terminationFiles.get(s.id);
    if (!hostPath) return ['', fallbackToLogs];
    try {
      const data = await readAtMost(hostPath, MAX_TERMINATION_MESSAGE_LENGTH);
      if (data === undefined) return ['', fallbackToLogs];
      return [data, fallbackToLogs && data.length === 0];
    } catch (err) {
      return [`Error on reading termination log ${hostPath}: ${(err as Error).message}`, false];
    }
  }

  async getPods(all: boolean): Promise<RunningPod[]> {
    const [sandboxes, containers] = await Promise.all([
      this.runtime.listPodSandbox(all ? {} : { state: { state: 'SANDBOX_READY' } }),
      this.runtime.listContainers(all ? {} : { state: { state: 'CONTAINER_RUNNING' } }),
    ]);
    const pods = new Map<string, RunningPod>();
    const podOf = (labels: Record<string, string>): RunningPod | undefined => {
      const info = getContainerInfoFromLabels(labels);
      if (!info.podUID) return undefined;
      let p = pods.get(info.podUID);
      if (!p) {
        p = { uid: info.podUID, name: info.podName, namespace: info.podNamespace, sandboxIds: [], containers: [] };
        pods.set(info.podUID, p);
      }
      return p;
    };
    for (const s of [...sandboxes].sort((a, b) => b.createdAt - a.createdAt)) podOf(s.labels)?.sandboxIds.push(s.id);
    for (const c of containers) {
      podOf(c.labels)?.containers.push({
        id: { type: this.type, id: c.id },
        name: getContainerInfoFromLabels(c.labels).containerName || c.metadata?.name || '',
        state: toState(c.state),
        hash: getContainerInfoFromAnnotations(c.annotations).hash,
      });
    }
    return [...pods.values()];
  }

  // ---- sync

  /** Upstream computePodActions (without sidecar containers, ephemeral containers and in-place resize). */
  computePodActions(pod: Pod, status: RuntimePodStatus): PodActions {
    const sb = podSandboxChanged(pod, status);
    const changes: PodActions = {
      killPod: sb.create,
      createSandbox: sb.create,
      sandboxId: sb.sandboxId,
      attempt: sb.attempt,
      containersToStart: [],
      containersToKill: new Map(),
    };
    const containers = pod.spec?.containers ?? [];

    if (sb.create) {
      if (!shouldRestartOnFailure(pod) && sb.attempt !== 0 && status.containerStatuses.length !== 0) {
        // Everything already ran and may not run again: just make sure the pod is stopped.
        changes.createSandbox = false;
        return changes;
      }
      const toStart: number[] = [];
      containers.forEach((c, i) => {
        if (pod.spec?.restartPolicy === 'OnFailure' && containerSucceeded(c, status)) return;
        toStart.push(i);
      });
      if (toStart.length === 0 && findNextInitContainerToRun(pod, status).done) {
        changes.createSandbox = false;
        return changes;
      }
      if ((pod.spec?.initContainers ?? []).length > 0) {
        changes.nextInitContainer = pod.spec!.initContainers![0];
        return changes;
      }
      changes.containersToStart = toStart;
      return changes;
    }

    const init = findNextInitContainerToRun(pod, status);
    if (!init.done) {
      if (init.next) {
        const failed = init.last !== undefined && isInitContainerFailed(init.last);
        if (failed && !shouldRestartOnFailure(pod)) {
          changes.killPod = true;
        } else {
          if (init.last?.state === 'unknown') {
            changes.containersToKill.set(init.last.id.id, {
              name: init.next.name,
              container: init.next,
              message: `Init container is in "unknown" state, try killing it before restart`,
              reason: 'unknown',
            });
          }
          changes.nextInitContainer = init.next;
        }
      }
      return changes;
    }

    let keepCount = 0;
    containers.forEach((container, idx) => {
      const cs = findStatus(status, container.name);
      if (!cs || cs.state !== 'running') {
        if (shouldContainerBeRestarted(container, pod, status)) {
          changes.containersToStart.push(idx);
          if (cs && cs.state === 'unknown') {
            changes.containersToKill.set(cs.id.id, { name: container.name, container, message: `Container is in "unknown" state, try killing it before restart`, reason: 'unknown' });
          }
        }
        return;
      }
      let restart = shouldRestartOnFailure(pod);
      let message: string;
      let reason: KillReason = 'unknown';
      const probe = this.probes.shouldRestart(pod.metadata?.uid ?? '', formatContainerID(cs.id));
      if (cs.hash !== hashContainer(container)) {
        message = `Container ${container.name} definition changed`;
        // A changed spec always restarts, whatever the restart policy.
        restart = true;
      } else if (probe.restart) {
        const startup = /startup probe/i.test(probe.message);
        // The prober may already say ", will be restarted"; the restart decision is made here.
        message = probe.message.replace(/, will be restarted$/, '') || `Container ${container.name} failed liveness probe`;
        reason = startup ? 'startupProbe' : 'livenessProbe';
      } else {
        keepCount++;
        return;
      }
      if (restart) {
        message = `${message}, will be restarted`;
        changes.containersToStart.push(idx);
      }
      changes.containersToKill.set(cs.id.id, { name: container.name, container, message, reason });
    });

    if (keepCount === 0 && changes.containersToStart.length === 0) changes.killPod = true;
    return changes;
  }

  async syncPod(pod: Pod, status: RuntimePodStatus, pullSecrets: readonly unknown[], backOff: BackOff): Promise<PodSyncResult> {
    const errors: SyncStepError[] = [];
    const podName = pod.metadata?.name ?? '';
    const actions = this.computePodActions(pod, status);
    const log = this.logger.child({ pod: `${pod.metadata?.namespace}/${podName}` });

    if (actions.createSandbox && actions.attempt !== 0) {
      this.recorder.event(podRef(pod), 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    }

    if (actions.killPod) {
      try {
        await this.killPod(pod, runningPodFromStatus(status), undefined);
      } catch (err) {
        errors.push({ action: 'KillPodSandbox', target: podName, reason: 'KillPodSandboxError', message: (err as Error).message });
        return { errors };
      }
      if (actions.createSandbox) await this.purgeInitContainers(pod, status);
    } else {
      for (const [id, info] of actions.containersToKill) {
        try {
          await this.killContainer(pod, id, info.name, info.message, info.reason, undefined);
        } catch (err) {
          errors.push({ action: 'KillContainer', target: info.name, reason: 'KillContainerError', message: (err as Error).message });
          return { errors };
        }
      }
      await this.pruneInitContainersBeforeStart(pod, status);
    }

    let sandboxId = actions.sandboxId;
    let podIPs = status.ips;
    if (actions.createSandbox) {
      try {
        sandboxId = await this.createPodSandbox(pod, actions.attempt);
      } catch (err) {
        const message = `Failed to create pod sandbox: ${grpcErrorString(err)}`;
        // A pod being deleted needs no new sandbox and no event about it.
        if (!pod.metadata?.deletionTimestamp) this.recorder.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', message);
        errors.push({ action: 'CreatePodSandbox', target: podName, reason: 'CreatePodSandboxError', message });
        return { errors };
      }
      try {
        const st = await this.runtime.podSandboxStatus(sandboxId);
        podIPs = pod.spec?.hostNetwork ? [] : [st.status?.network?.ip ?? '', ...(st.status?.network?.additionalIps ?? []).map((a) => a.ip)].filter((x) => x);
      } catch (err) {
        this.recorder.event(podRef(pod), 'Warning', 'FailedStatusPodSandBox', `Unable to get pod sandbox status: ${grpcErrorString(err)}`);
        errors.push({ action: 'CreatePodSandbox', target: podName, reason: 'CreatePodSandboxError', message: grpcErrorString(err) });
        return { errors };
      }
    }
    const podIP = podIPs[0] ?? '';

    let sandboxConfig: Req<PodSandboxConfig>;
    try {
      sandboxConfig = this.sandboxConfig(pod, actions.attempt);
    } catch (err) {
      errors.push({ action: 'ConfigPodSandbox', target: podName, reason: 'ConfigPodSandboxError', message: `GeneratePodSandboxConfig for pod "${formatPod(pod)}" failed: ${(err as Error).message}` });
      return { errors };
    }

    const start = async (container: Container): Promise<boolean> => {
      const inBackOff = this.doBackOff(pod, container, status, backOff);
      if (inBackOff) {
        errors.push({ action: 'StartContainer', target: container.name, reason: 'CrashLoopBackOff', message: inBackOff });
        return false;
      }
      try {
        await this.startContainer(sandboxId, sandboxConfig, container, pod, status, pullSecrets, podIP, podIPs);
        return true;
      } catch (err) {
        const reason = err instanceof StepError ? err.reason : 'RunContainerError';
        errors.push({ action: 'StartContainer', target: container.name, reason, message: (err as Error).message });
        log.debug({ container: container.name, reason, err: (err as Error).message }, 'container start failed');
        return false;
      }
    };

    if (actions.nextInitContainer) {
      if (!(await start(actions.nextInitContainer))) return { errors };
    }
    for (const idx of actions.containersToStart) {
      await start(pod.spec!.containers[idx]!);
    }
    return { errors };
  }

  private sandboxConfig(pod: Pod, attempt: number): Req<PodSandboxConfig> {
    return generatePodSandboxConfig({ pod, attempt, podLogsDir: this.podLogsDir, dns: this.helper.getPodDNS(pod), cgroupParent: this.cgroupParent });
  }

  private async createPodSandbox(pod: Pod, attempt: number): Promise<string> {
    const config = this.sandboxConfig(pod, attempt);
    // The runtime writes container logs under the directory the kubelet made.
    await mkdir(config.logDirectory ?? '', { recursive: true, mode: 0o755 });
    return this.runtime.runPodSandbox(config);
  }

  /**
   * Upstream doBackOff: while the container's last exit is within its current back-off delay,
   * returns the CrashLoopBackOff message; otherwise advances the back-off and returns undefined.
   * Only `get` and `next` of the BackOff are used: the check is against the last exit
   * (upstream IsInBackOffSince), which needs the exit time, not the time of the last `next`.
   */
  private doBackOff(pod: Pod, container: Container, status: RuntimePodStatus, backOff: BackOff): string | undefined {
    const exited = status.containerStatuses.find((c) => c.name === container.name && c.state === 'exited');
    if (!exited) return undefined;
    const key = getStableKey(pod, container);
    const ts = exited.finishedAt;
    const delay = backOff.get(key);
    const updated = this.backOffUpdated.get(key);
    const expired = updated !== undefined && ts - updated > 2 * MAX_CONTAINER_BACKOFF_MS;
    if (delay > 0 && !expired && this.now() - ts < delay) {
      this.recorder.event(containerRef(pod, container), 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${formatPod(pod)}`);
      return `back-off ${goDuration(delay)} restarting failed container=${container.name} pod=${formatPod(pod)}`;
    }
    if (expired) backOff.reset(key);
    backOff.next(key, ts);
    this.backOffUpdated.set(key, ts);
    return undefined;
  }

  /** Upstream startContainer: image, config, create, start, postStart hook. Throws StepError. */
  private async startContainer(
    sandboxId: string,
    sandboxConfig: Req<PodSandboxConfig>,
    container: Container,
    pod: Pod,
    status: RuntimePodStatus,
    pullSecrets: readonly unknown[],
    podIP: string,
    podIPs: string[],
  ): Promise<void> {
    const ref = containerRef(pod, container);
    const failed = (message: string) => this.recorder.event(ref, 'Warning', 'Failed', `Error: ${message}`);

    // Step 1: the image.
    let imageRef: string;
    try {
      imageRef = (await this.imageManager.ensureImageExists(pod, container, pullSecrets, sandboxConfig)).imageRef;
    } catch (err) {
      if (err instanceof ImagePullError) {
        failed(err.reason);
        throw new StepError(err.reason, err.message);
      }
      failed(criMessage(err));
      throw new StepError('ErrImagePull', criMessage(err));
    }

    // Step 2: the container.
    const previous = findStatus(status, container.name);
    const logDir = join(podLogsDirectory(this.podLogsDir, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', pod.metadata?.uid ?? ''), container.name);
    const restartCount = previous ? previous.restartCount + 1 : await restartCountFromLogDir(logDir);
    let config;
    let terminationFile: string | undefined;
    try {
      const opts = await this.helper.generateRunContainerOptions(pod, container, podIP, podIPs);
      const user = await this.imageUser(imageRef);
      verifyRunAsNonRoot(pod, container, user.uid, user.username);
      await mkdir(logDir, { recursive: true, mode: 0o755 });
      const mounts = await makeMounts(container, opts);
      try {
        const tm = await terminationMessageMount(container, opts);
        if (tm) {
          mounts.push(tm);
          terminationFile = tm.hostPath;
        }
      } catch (err) {
        this.logger.warn({ container: container.name, err: (err as Error).message }, 'cannot create the termination-log file');
      }
      config = generateContainerConfig({
        pod,
        container,
        restartCount,
        imageRef,
        hash: hashContainer(container),
        opts,
        mounts,
        memoryCapacity: this.memoryCapacity,
        seccompProfileRoot: this.seccompProfileRoot,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failed(message);
      throw new StepError(err instanceof ContainerConfigError ? err.reason : CREATE_CONTAINER_CONFIG_ERROR, message);
    }

    let containerId: string;
    try {
      containerId = await this.runtime.createContainer(sandboxId, config, sandboxConfig);
    } catch (err) {
      failed(criMessage(err));
      throw new StepError('CreateContainerError', criMessage(err));
    }
    if (terminationFile) this.terminationFiles.set(containerId, terminationFile);
    this.recorder.event(ref, 'Normal', 'Created', `Created container: ${container.name}`);

    // Step 3: start it.
    try {
      await this.runtime.startContainer(containerId);
    } catch (err) {
      failed(criMessage(err));
      throw new StepError('RunContainerError', criMessage(err));
    }
    this.recorder.event(ref, 'Normal', 'Started', `Started container ${container.name}`);

    // Step 4: the postStart hook.
    const postStart = container.lifecycle?.postStart;
    if (postStart) {
      const msg = await this.hooks.run(pod, container, containerId, postStart, podIP);
      if (msg !== undefined) {
        // The hook's output is not put in the event, so that secrets cannot leak through it.
        this.recorder.event(ref, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
        try {
          await this.killContainer(pod, containerId, container.name, 'FailedPostStartHook', 'failedPostStartHook', undefined);
        } catch (err) {
          this.logger.error({ container: container.name, err: (err as Error).message }, 'failed to kill container after its postStart hook failed');
        }
        throw new StepError('PostStartHookError', msg);
      }
    }
  }

  /** The image's user (upstream getImageUser): uid when numeric, else the name; neither means root. */
  private async imageUser(imageRef: string): Promise<{ uid: number | undefined; username: string }> {
    const st = await this.imageService.imageStatus({ image: imageRef });
    const img = st.image;
    if (img?.uid) return { uid: img.uid.value, username: '' };
    if (img?.username) return { uid: undefined, username: img.username };
    return { uid: 0, username: '' };
  }

  // ---- kill

  async killPod(pod: Pod | undefined, running: RunningPod, gracePeriodOverrideSeconds?: number): Promise<void> {
    const failures: string[] = [];
    const results = await Promise.allSettled(
      running.containers
        .filter((c) => c.state !== 'exited')
        .map((c) => this.killContainer(pod, c.id.id, c.name, '', 'unknown', gracePeriodOverrideSeconds)),
    );
    for (const r of results) if (r.status === 'rejected') failures.push((r.reason as Error).message);
    if (failures.length === 0) {
      for (const id of running.sandboxIds) {
        try {
          await this.runtime.stopPodSandbox(id);
        } catch (err) {
          if (!isNotFound(err)) failures.push(`failed to "KillPodSandbox" for "${running.name}_${running.namespace}(${running.uid})": ${grpcErrorString(err)}`);
        }
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  /**
   * Upstream killContainer: Killing event, preStop hook within the grace period, then
   * StopContainer with what is left of it (at least 2 s). Without the pod (deleted while the
   * kubelet was down) the spec is restored from the container's labels and annotations.
   */
  private async killContainer(pod: Pod | undefined, containerId: string, name: string, message: string, reason: KillReason, gracePeriodOverride: number | undefined): Promise<void> {
    let spec: Container;
    let grace: number;
    const fullId = formatContainerID({ type: this.type, id: containerId });
    if (pod) {
      const found = getContainerSpec(pod, name);
      if (!found) throw new Error(`failed to get containerSpec "${name}" (id="${fullId}") in pod "${formatPod(pod)}" when killing container for reason "${message}"`);
      spec = found.container;
      grace = MINIMUM_GRACE_PERIOD_SECONDS;
      if (pod.metadata?.deletionGracePeriodSeconds != null) grace = pod.metadata.deletionGracePeriodSeconds;
      else if (pod.spec?.terminationGracePeriodSeconds != null) {
        grace = pod.spec.terminationGracePeriodSeconds;
        const probeGrace = reason === 'livenessProbe' ? spec.livenessProbe?.terminationGracePeriodSeconds : reason === 'startupProbe' ? spec.startupProbe?.terminationGracePeriodSeconds : undefined;
        if (probeGrace != null) grace = probeGrace;
      }
    } else {
      const restored = await this.restoreFromLabels(containerId);
      pod = restored.pod;
      spec = restored.container;
      grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? MINIMUM_GRACE_PERIOD_SECONDS;
    }

    this.recorder.event(containerRef(pod, spec), 'Normal', 'Killing', message || `Stopping container ${spec.name}`);
    if (gracePeriodOverride !== undefined) grace = gracePeriodOverride;

    const preStop = spec.lifecycle?.preStop;
    if (preStop && grace > 0) grace -= await this.executePreStopHook(pod, spec, containerId, preStop, grace);
    // Always a minimal shutdown window, to avoid needless SIGKILLs.
    if (grace < MINIMUM_GRACE_PERIOD_SECONDS) grace = MINIMUM_GRACE_PERIOD_SECONDS;

    try {
      await this.runtime.stopContainer(containerId, grace);
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`failed to "KillContainer" for "${name}" with KillContainerError: ${grpcErrorString(err)}`);
    }
  }

  /** Runs the preStop hook for at most `grace` seconds; returns the whole seconds it took. */
  private async executePreStopHook(pod: Pod, container: Container, containerId: string, handler: LifecycleHandler, grace: number): Promise<number> {
    const started = this.now();
    const ref = containerRef(pod, container);
    const hook = this.hooks.run(pod, container, containerId, handler, '').then(
      (msg) => {
        if (msg !== undefined) this.recorder.event(ref, 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
      },
      (err: unknown) => {
        this.logger.error({ container: container.name, err: (err as Error).message }, 'preStop hook failed');
        this.recorder.event(ref, 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, grace * 1000);
    });
    try {
      await Promise.race([hook, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return Math.floor((this.now() - started) / 1000);
  }

  private async restoreFromLabels(containerId: string): Promise<{ pod: Pod; container: Container }> {
    const resp = await this.runtime.containerStatus(containerId);
    const s = resp.status;
    if (!s) throw new Error('container status is nil');
    const l = getContainerInfoFromLabels(s.labels);
    const a = getContainerInfoFromAnnotations(s.annotations);
    const pod: Pod = {
      metadata: { uid: l.podUID, name: l.podName, namespace: l.podNamespace, deletionGracePeriodSeconds: a.podDeletionGracePeriod },
      spec: { terminationGracePeriodSeconds: a.podTerminationGracePeriod, containers: [] },
    };
    const container: Container = {
      name: l.containerName,
      ports: a.containerPorts,
      terminationMessagePath: a.terminationMessagePath,
      lifecycle: a.preStopHandler ? { preStop: a.preStopHandler } : undefined,
    };
    return { pod, container };
  }

  // ---- removal and garbage collection

  private async removeContainer(id: string): Promise<void> {
    try {
      const st = await this.runtime.containerStatus(id);
      const logPath = st.status?.logPath;
      if (logPath) await rm(logPath, { force: true });
    } catch (err) {
      if (!isNotFound(err)) this.logger.warn({ containerID: id, err: (err as Error).message }, 'cannot remove the container log');
    }
    await this.runtime.removeContainer(id);
    this.terminationFiles.delete(id);
  }

  /** Upstream pruneInitContainersBeforeStart: keep only the newest exited instance of each init container. */
  private async pruneInitContainersBeforeStart(pod: Pod, status: RuntimePodStatus): Promise<void> {
    const names = new Set((pod.spec?.initContainers ?? []).map((c) => c.name));
    const seen = new Set<string>();
    for (const s of status.containerStatuses) {
      if (!names.has(s.name) || (s.state !== 'exited' && s.state !== 'unknown')) continue;
      if (!seen.has(s.name)) {
        seen.add(s.name);
        continue;
      }
      await this.removeContainer(s.id.id).catch((err: unknown) => this.logger.warn({ container: s.name, err: (err as Error).message }, 'failed to remove pod init container'));
    }
  }

  /** Upstream purgeInitContainers: a new sandbox runs every init container again, so their old instances go. */
  private async purgeInitContainers(pod: Pod, status: RuntimePodStatus): Promise<void> {
    const names = new Set((pod.spec?.initContainers ?? []).map((c) => c.name));
    for (const s of status.containerStatuses) {
      if (!names.has(s.name)) continue;
      await this.removeContainer(s.id.id).catch((err: unknown) => this.logger.warn({ container: s.name, err: (err as Error).message }, 'failed to remove pod init container'));
    }
  }

  /**
   * Upstream containerGC.GarbageCollect with MaxPerPodContainer 1 and no global limit: exited
   * containers beyond the newest per (pod, container) go (all of them for deleted pods), then
   * sandboxes that are neither ready nor hold containers (the newest such kept while the pod
   * exists), then the log directories of deleted pods.
   */
  async garbageCollect(isPodDeleted: (uid: string) => boolean): Promise<void> {
    const containers = await this.runtime.listContainers({});
    const groups = new Map<string, typeof containers>();
    for (const c of containers) {
      if (c.state === 'CONTAINER_RUNNING') continue;
      const info = getContainerInfoFromLabels(c.labels);
      if (!info.podUID) continue;
      const key = `${info.podUID}/${info.containerName}`;
      const g = groups.get(key) ?? [];
      g.push(c);
      groups.set(key, g);
    }
    const removed = new Set<string>();
    for (const [key, group] of groups) {
      group.sort((a, b) => b.createdAt - a.createdAt);
      const uid = key.slice(0, key.indexOf('/'));
      const victims = isPodDeleted(uid) ? group : group.slice(1);
      for (const c of victims) {
        try {
          await this.removeContainer(c.id);
          removed.add(c.id);
        } catch (err) {
          this.logger.warn({ containerID: c.id, err: (err as Error).message }, 'failed to remove container');
        }
      }
    }

    const sandboxes = await this.runtime.listPodSandbox({});
    const withContainers = new Set(containers.filter((c) => !removed.has(c.id)).map((c) => c.podSandboxId));
    const byPod = new Map<string, typeof sandboxes>();
    for (const s of sandboxes) {
      if (s.state === 'SANDBOX_READY' || withContainers.has(s.id)) continue;
      const uid = s.labels[POD_UID_LABEL];
      if (!uid) continue;
      const g = byPod.get(uid) ?? [];
      g.push(s);
      byPod.set(uid, g);
    }
    for (const [uid, group] of byPod) {
      group.sort((a, b) => b.createdAt - a.createdAt);
      const victims = isPodDeleted(uid) ? group : group.slice(1);
      for (const s of victims) {
        try {
          await this.runtime.removePodSandbox(s.id);
        } catch (err) {
          this.logger.warn({ sandboxID: s.id, err: (err as Error).message }, 'failed to remove sandbox');
        }
      }
    }

    let dirs: string[] = [];
    try {
      dirs = await readdir(this.podLogsDir);
    } catch {
      // No log directory yet.
    }
    for (const d of dirs) {
      const uid = d.slice(d.lastIndexOf('_') + 1);
      if (!uid || !isPodDeleted(uid)) continue;
      await rm(join(this.podLogsDir, d), { recursive: true, force: true });
    }
  }
}

/** Upstream ConvertPodStatusToRunningPod: running containers and every sandbox. */
export function runningPodFromStatus(status: RuntimePodStatus): RunningPod {
  return {
    uid: status.uid,
    name: status.name,
    namespace: status.namespace,
    sandboxIds: status.sandboxStatuses.map((s) => s.id),
    containers: status.containerStatuses.filter((c) => c.state === 'running').map((c) => ({ id: c.id, name: c.name, state: c.state, hash: c.hash })),
  };
}
