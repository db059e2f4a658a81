// The runtime contract the kubelet programs against: the CRI v1 RuntimeService and ImageService
// as promise methods, shaped like upstream's internalapi (k8s.io/cri-api/pkg/apis/services.go):
// ids and configs in, the useful part of the response out. CRIClient (gRPC) and FakeRuntime
// (memory) implement it.
import type {
  AttachRequest,
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatusResponse,
  ExecRequest,
  ExecSyncResponse,
  Image,
  ImageFsInfoResponse,
  ImageSpec,
  ImageStatusResponse,
  LinuxContainerResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatusResponse,
  PortForwardRequest,
  Req,
  RuntimeConfig,
  StatusResponse,
  VersionResponse,
} from './types.js';

/** Per-call options. Without `timeoutMs` the implementation's default deadline applies. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RuntimeService {
  version(apiVersion?: string, opts?: CallOptions): Promise<VersionResponse>;
  status(verbose?: boolean, opts?: CallOptions): Promise<StatusResponse>;
  updateRuntimeConfig(config: Req<RuntimeConfig>, opts?: CallOptions): Promise<void>;

  /** Creates and starts a sandbox (network namespace, pod IP, pause container); returns its id. */
  runPodSandbox(config: Req<PodSandboxConfig>, runtimeHandler?: string, opts?: CallOptions): Promise<string>;
  /** Stops every container of the sandbox and tears its network down; idempotent. */
  stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void>;
  /** Removes a sandbox and its containers; removing an absent sandbox is not an error. */
  removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void>;
  podSandboxStatus(podSandboxId: string, verbose?: boolean, opts?: CallOptions): Promise<PodSandboxStatusResponse>;
  listPodSandbox(filter?: Req<PodSandboxFilter>, opts?: CallOptions): Promise<PodSandbox[]>;

  /** Creates a container in a sandbox; returns its id. */
  createContainer(podSandboxId: string, config: Req<ContainerConfig>, sandboxConfig: Req<PodSandboxConfig>, opts?: CallOptions): Promise<string>;
  startContainer(containerId: string, opts?: CallOptions): Promise<void>;
  /** SIGTERM (or the image's stop signal), SIGKILL after `timeoutSeconds`; idempotent. */
  stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void>;
  removeContainer(containerId: string, opts?: CallOptions): Promise<void>;
  listContainers(filter?: Req<ContainerFilter>, opts?: CallOptions): Promise<Container[]>;
  containerStatus(containerId: string, verbose?: boolean, opts?: CallOptions): Promise<ContainerStatusResponse>;
  updateContainerResources(containerId: string, linux: Req<LinuxContainerResources>, opts?: CallOptions): Promise<void>;
  reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void>;

  /** Runs a command in the container and waits for it; `timeoutSeconds` 0 means no limit. */
  execSync(containerId: string, cmd: string[], timeoutSeconds: number, opts?: CallOptions): Promise<ExecSyncResponse>;
  /** The streaming calls return a one-shot URL on the runtime's streaming server. */
  exec(req: Req<ExecRequest>, opts?: CallOptions): Promise<string>;
  attach(req: Req<AttachRequest>, opts?: CallOptions): Promise<string>;
  portForward(req: Req<PortForwardRequest>, opts?: CallOptions): Promise<string>;

  /** Stats of one container, or null when the runtime has none yet. */
  containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | null>;
  listContainerStats(filter?: Req<ContainerStatsFilter>, opts?: CallOptions): Promise<ContainerStats[]>;
}

export interface ImageService {
  listImages(filter?: Req<ImageSpec>, opts?: CallOptions): Promise<Image[]>;
  /** `image` is null when the image is not present (upstream's contract, not an error). */
  imageStatus(image: Req<ImageSpec>, verbose?: boolean, opts?: CallOptions): Promise<ImageStatusResponse>;
  /** Pulls an image; returns its image ref (the digest or id the runtime knows it by). */
  pullImage(image: Req<ImageSpec>, auth?: Req<AuthConfig> | null, sandboxConfig?: Req<PodSandboxConfig> | null, opts?: CallOptions): Promise<string>;
  removeImage(image: Req<ImageSpec>, opts?: CallOptions): Promise<void>;
  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse>;
}

/** Both services over one connection; `close()` is idempotent. */
export interface ContainerRuntime extends RuntimeService, ImageService {
  close(): void;
}

/** gRPC status names used by the CRI, e.g. NOT_FOUND from containerd for an unknown id. */
export type CRIErrorCode =
  | 'OK' | 'CANCELLED' | 'UNKNOWN' | 'INVALID_ARGUMENT' | 'DEADLINE_EXCEEDED' | 'NOT_FOUND' | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED' | 'RESOURCE_EXHAUSTED' | 'FAILED_PRECONDITION' | 'ABORTED' | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED' | 'INTERNAL' | 'UNAVAILABLE' | 'DATA_LOSS' | 'UNAUTHENTICATED';

export const CRI_ERROR_CODES: readonly CRIErrorCode[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** A failed CRI call: `code` is the gRPC status, `method` the RPC, the message the runtime's. */
export class CRIError extends Error {
  override readonly name = 'CRIError';
  constructor(
    readonly code: CRIErrorCode,
    readonly method: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${message}`, options);
  }
}

export function isCRIError(err: unknown, code?: CRIErrorCode): err is CRIError {
  return err instanceof CRIError && (code === undefined || err.code === code);
}

export function isNotFound(err: unknown): boolean {
  return isCRIError(err, 'NOT_FOUND');
}
