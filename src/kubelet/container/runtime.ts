// The contracts between the kubelet's parts, shaped like upstream's pkg/kubelet/container:
// the runtime's view of a pod (what CRI reports, before it becomes an API PodStatus), the
// Runtime the pod workers drive (kuberuntime implements it over CRI), and the helpers the
// runtime asks the kubelet for (environment, mounts, DNS, pod directories), the volume
// manager and the probe results.
import type { Container, Pod, PodStatus as APIPodStatus } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from '../cri/types.js';

/** `containerd://<id>`: the form of `containerStatuses[].containerID`. */
export interface ContainerID {
  type: string;
  id: string;
}

export function formatContainerID(c: ContainerID): string {
  return `${c.type}://${c.id}`;
}

export function parseContainerID(s: string | undefined): ContainerID | undefined {
  if (!s) return undefined;
  const i = s.indexOf('://');
  return i > 0 ? { type: s.slice(0, i), id: s.slice(i + 3) } : undefined;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** One container as the runtime reports it (upstream kubecontainer.Status). Times are ms since the epoch, 0 when unset. */
export interface RuntimeContainerStatus {
  id: ContainerID;
  name: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The image as the pod spec named it. */
  image: string;
  /** The image's digest reference or id (`imageID` in the API). */
  imageRef: string;
  /** Hash of the container spec the container was created from (restarts when it changes). */
  hash: string;
  /** The restart count recorded when the container was created (the CRI attempt). */
  restartCount: number;
  reason: string;
  message: string;
}

export interface RuntimeSandboxStatus {
  id: string;
  state: 'ready' | 'notready';
  createdAt: number;
  attempt: number;
  ip: string;
  additionalIPs: string[];
}

/** Everything the runtime knows about one pod (upstream kubecontainer.PodStatus). */
export interface RuntimePodStatus {
  uid: string;
  name: string;
  namespace: string;
  /** The pod IPs of the newest sandbox, primary first. */
  ips: string[];
  /** Newest first. */
  sandboxStatuses: RuntimeSandboxStatus[];
  /** Newest first per name (a restarted container's previous instance follows it). */
  containerStatuses: RuntimeContainerStatus[];
  /** When this status was read (ms). */
  timestamp: number;
}

/** A pod that has containers or sandboxes on the node, from the runtime's listing. */
export interface RunningPod {
  uid: string;
  name: string;
  namespace: string;
  sandboxIds: string[];
  containers: { id: ContainerID; name: string; state: ContainerState; hash: string }[];
}

/** One failed step of a sync, as upstream's SyncResult: the reason becomes a waiting reason or an event. */
export interface SyncStepError {
  action: 'CreatePodSandbox' | 'KillPodSandbox' | 'ConfigPodSandbox' | 'StartContainer' | 'KillContainer' | 'InitContainer';
  /** Container name, or the pod for sandbox steps. */
  target: string;
  /** e.g. ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, RunContainerError. */
  reason: string;
  message: string;
}

export interface PodSyncResult {
  errors: SyncStepError[];
}

/** What the runtime asks the kubelet for while it builds container configs (upstream RuntimeHelper). */
export interface RuntimeHelper {
  /** Environment, mounts and hostname for one container; throws ContainerConfigError (reason CreateContainerConfigError) on a missing ConfigMap/Secret key. */
  generateRunContainerOptions(pod: Pod, container: Container, podIP: string, podIPs: string[]): Promise<RunContainerOptions>;
  /** The pod's resolv.conf content for the sandbox (dnsPolicy ClusterFirst/Default/None). */
  getPodDNS(pod: Pod): DNSConfig;
  /** The pod's directory on the host (`<root>/pods/<uid>`). */
  getPodDir(podUID: string): string;
}

export interface RunContainerOptions {
  envs: { name: string; value: string }[];
  mounts: { name: string; containerPath: string; hostPath: string; readOnly: boolean; subPath?: string }[];
  hostname: string;
  /** Host path of the container's termination message file, mounted at `terminationMessagePath`. */
  podContainerDir: string;
}

/** The container's environment (envvars/): env, envFrom, valueFrom and the service variables, in upstream's order. */
export interface EnvironmentBuilder {
  /** Throws ContainerConfigError('CreateContainerConfigError', …) when a referenced ConfigMap/Secret or key is missing and not optional. */
  makeEnvironmentVariables(pod: Pod, container: Container, podIP: string, podIPs: string[]): Promise<{ name: string; value: string }[]>;
}

/** An error whose reason is shown as the container's waiting reason (CreateContainerConfigError…). */
export class ContainerConfigError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Back-off per container (and per image pull): 10 s doubling to 5 min, reset after 10 min of running. */
export interface BackOff {
  /** True while `key` is in back-off at `now`. */
  isInBackOff(key: string, now: number): boolean;
  next(key: string, now: number): void;
  reset(key: string): void;
  /** The current delay for `key` in ms (for messages such as "back-off 20s restarting failed container"). */
  get(key: string): number;
}

/** The runtime the pod workers drive (upstream kubecontainer.Runtime), implemented over CRI by kuberuntime. */
export interface Runtime {
  readonly type: string;
  version(): Promise<{ runtimeName: string; runtimeVersion: string }>;
  /** Makes the pod's sandbox and containers match its spec (one step of upstream's computePodActions each call). */
  syncPod(pod: Pod, status: RuntimePodStatus, pullSecrets: readonly unknown[], backOff: BackOff): Promise<PodSyncResult>;
  /** Stops every container (preStop hooks, SIGTERM, SIGKILL after the grace period) and the sandbox. */
  killPod(pod: Pod | undefined, running: RunningPod, gracePeriodOverrideSeconds?: number): Promise<void>;
  getPodStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus>;
  /** Pods with anything on the node; `all` includes exited containers and not-ready sandboxes. */
  getPods(all: boolean): Promise<RunningPod[]>;
  /** Removes exited containers beyond the kept ones and sandboxes of pods that are gone. */
  garbageCollect(isPodDeleted: (uid: string) => boolean): Promise<void>;
  /** The host path of a container's log file (for `kubectl logs`). */
  containerLogPath(pod: { uid: string; name: string; namespace: string }, containerName: string, restartCount: number): string;
}

/** Volumes (volumes/): mounts a pod's volumes on the host before its containers start. */
export interface VolumeManager {
  /** Sets up every volume of the pod (idempotent; refreshes ConfigMap/Secret/projected contents); host paths by volume name. Throws with the FailedMount message. */
  mountPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>>;
  /** Unmounts and removes the pod's volumes (tmpfs, bind mounts) and its directory. */
  cleanupPod(podUID: string): Promise<void>;
  /** Pod UIDs with a directory on disk (to clean up pods that are gone). */
  podsOnDisk(): Promise<string[]>;
}

export interface MountedVolume {
  hostPath: string;
  readOnly: boolean;
}

/** Probe results (prober/) as the pod workers and the status manager read them. */
export interface ProbeResults {
  /** Starts probing the pod's containers (idempotent). */
  addPod(pod: Pod): void;
  removePod(podUID: string): void;
  /** Sets `ready` and `started` of each container status from readiness and startup results (upstream UpdatePodStatus). */
  updatePodStatus(pod: Pod, status: APIPodStatus): void;
  /** True when the container's liveness (or startup) probe has failed its threshold: the runtime restarts it. */
  shouldRestart(podUID: string, containerID: string): { restart: boolean; message: string };
  /** Called with the pod UID whenever a result changes, so its worker syncs again. */
  onChange(cb: (podUID: string) => void): void;
}
