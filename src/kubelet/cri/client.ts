// CRI v1 over gRPC on a unix socket (containerd's CRI plugin or any CRI runtime).
//
// api.proto is loaded at run time with @grpc/proto-loader: keepCase false (fields in
// lowerCamelCase, as in types.ts), enums as names, longs as numbers, defaults on (every scalar
// and repeated field present, absent sub-messages null), bytes as Buffer.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CRI_ERROR_CODES, CRIError, type CallOptions, type ContainerRuntime } from './service.js';
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

export const PROTO_PATH = fileURLToPath(new URL('./api.proto', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  enums: String,
  longs: Number,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: false,
  oneofs: true,
};

/** The CRI API version the kubelet asks for in Version (upstream sends "v1"). */
export const CRI_API_VERSION = 'v1';
/** Upstream kubelet's --runtime-request-timeout default (2 min). */
export const DEFAULT_TIMEOUT_MS = 2 * 60_000;
/** Upstream's max gRPC message size for CRI (16 MiB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

let cachedPackage: grpc.GrpcObject | undefined;

/** The loaded `runtime.v1` package (parsed once per process). */
export function loadRuntimePackage(): grpc.GrpcObject {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(def);
    cachedPackage = ((root.runtime as grpc.GrpcObject).v1 as grpc.GrpcObject);
  }
  return cachedPackage;
}

export interface CRIClientOptions {
  /** Default deadline of every call (ms); 2 min unless given. */
  timeoutMs?: number;
  /** Deadline of PullImage (ms); unlimited (0) by default, as upstream. */
  pullTimeoutMs?: number;
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

/** A CRI runtime reached over gRPC. Create with `CRIClient.connect('unix:///run/x.sock')`. */
export class CRIClient implements ContainerRuntime {
  private closed = false;

  private constructor(
    readonly endpoint: string,
    private readonly runtime: grpc.Client,
    private readonly images: grpc.Client,
    private readonly opts: Required<CRIClientOptions>,
  ) {}

  /**
   * Opens a channel to `endpoint` (`unix:///path`, or a bare absolute path). The connection is
   * made lazily by the first call; use `waitForReady` or a `version()` call to check it.
   */
  static connect(endpoint: string, opts: CRIClientOptions = {}): CRIClient {
    const target = normalizeEndpoint(endpoint);
    const pkg = loadRuntimePackage();
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    };
    const RuntimeCtor = pkg.RuntimeService as grpc.ServiceClientConstructor;
    const ImageCtor = pkg.ImageService as grpc.ServiceClientConstructor;
    const runtime = new RuntimeCtor(target, grpc.credentials.createInsecure(), channelOptions);
    // The image client shares the runtime client's channel.
    const images = new ImageCtor(target, grpc.credentials.createInsecure(), { ...channelOptions, channelOverride: runtime.getChannel() });
    return new CRIClient(target, runtime, images, {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      pullTimeoutMs: opts.pullTimeoutMs ?? 0,
    });
  }

  /** Resolves when the channel is connected; rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.runtime.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.images.close();
    this.runtime.close();
  }

  private call<T>(client: grpc.Client, method: string, req: object, opts: CallOptions | undefined, defaultTimeout = this.opts.timeoutMs): Promise<T> {
    if (this.closed) return Promise.reject(new CRIError('CANCELLED', method, 'client is closed'));
    const signal = opts?.signal;
    if (signal?.aborted) return Promise.reject(new CRIError('CANCELLED', method, 'aborted', { cause: signal.reason }));
    const fn = (client as unknown as Record<string, Unary>)[method];
    const timeout = opts?.timeoutMs ?? defaultTimeout;
    const callOpts: grpc.CallOptions = timeout > 0 ? { deadline: Date.now() + timeout } : {};
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = fn.call(client, req, new grpc.Metadata(), callOpts, (err, res) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(toCRIError(method, err));
        else resolve(res as T);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private rt<T>(method: string, req: object, opts?: CallOptions, timeout?: number): Promise<T> {
    return this.call<T>(this.runtime, method, req, opts, timeout);
  }

  private img<T>(method: string, req: object, opts?: CallOptions, timeout?: number): Promise<T> {
    return this.call<T>(this.images, method, req, opts, timeout);
  }

  version(apiVersion = CRI_API_VERSION, opts?: CallOptions): Promise<VersionResponse> {
    return this.rt('Version', { version: apiVersion }, opts);
  }

  status(verbose = false, opts?: CallOptions): Promise<StatusResponse> {
    return this.rt('Status', { verbose }, opts);
  }

  async updateRuntimeConfig(config: Req<RuntimeConfig>, opts?: CallOptions): Promise<void> {
    await this.rt('UpdateRuntimeConfig', { runtimeConfig: config }, opts);
  }

  async runPodSandbox(config: Req<PodSandboxConfig>, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler }, opts);
    return res.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.rt('StopPodSandbox', { podSandboxId }, opts);
  }

  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.rt('RemovePodSandbox', { podSandboxId }, opts);
  }

  podSandboxStatus(podSandboxId: string, verbose = false, opts?: CallOptions): Promise<PodSandboxStatusResponse> {
    return this.rt('PodSandboxStatus', { podSandboxId, verbose }, opts);
  }

  async listPodSandbox(filter?: Req<PodSandboxFilter>, opts?: CallOptions): Promise<PodSandbox[]> {
    const res = await this.rt<{ items: PodSandbox[] }>('ListPodSandbox', { filter: filter ?? null }, opts);
    return res.items;
  }

  async createContainer(podSandboxId: string, config: Req<ContainerConfig>, sandboxConfig: Req<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    const res = await this.rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig }, opts);
    return res.containerId;
  }

  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.rt('StartContainer', { containerId }, opts);
  }

  async stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void> {
    // The call itself may take the whole grace period: allow for it on top of the deadline.
    await this.rt('StopContainer', { containerId, timeout: timeoutSeconds }, opts, this.opts.timeoutMs + timeoutSeconds * 1000);
  }

  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.rt('RemoveContainer', { containerId }, opts);
  }

  async listContainers(filter?: Req<ContainerFilter>, opts?: CallOptions): Promise<Container[]> {
    const res = await this.rt<{ containers: Container[] }>('ListContainers', { filter: filter ?? null }, opts);
    return res.containers;
  }

  containerStatus(containerId: string, verbose = false, opts?: CallOptions): Promise<ContainerStatusResponse> {
    return this.rt('ContainerStatus', { containerId, verbose }, opts);
  }

  async updateContainerResources(containerId: string, linux: Req<LinuxContainerResources>, opts?: CallOptions): Promise<void> {
    await this.rt('UpdateContainerResources', { containerId, linux }, opts);
  }

  async reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void> {
    await this.rt('ReopenContainerLog', { containerId }, opts);
  }

  execSync(containerId: string, cmd: string[], timeoutSeconds: number, opts?: CallOptions): Promise<ExecSyncResponse> {
    // Upstream: the call deadline is the command's timeout plus the default request timeout.
    const deadline = timeoutSeconds > 0 ? this.opts.timeoutMs + timeoutSeconds * 1000 : 0;
    return this.rt('ExecSync', { containerId, cmd, timeout: timeoutSeconds }, opts, deadline);
  }

  async exec(req: Req<ExecRequest>, opts?: CallOptions): Promise<string> {
    return (await this.rt<{ url: string }>('Exec', req, opts)).url;
  }

  async attach(req: Req<AttachRequest>, opts?: CallOptions): Promise<string> {
    return (await this.rt<{ url: string }>('Attach', req, opts)).url;
  }

  async portForward(req: Req<PortForwardRequest>, opts?: CallOptions): Promise<string> {
    return (await this.rt<{ url: string }>('PortForward', req, opts)).url;
  }

  async containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | null> {
    return (await this.rt<{ stats: ContainerStats | null }>('ContainerStats', { containerId }, opts)).stats;
  }

  async listContainerStats(filter?: Req<ContainerStatsFilter>, opts?: CallOptions): Promise<ContainerStats[]> {
    return (await this.rt<{ stats: ContainerStats[] }>('ListContainerStats', { filter: filter ?? null }, opts)).stats;
  }

  async listImages(filter?: Req<ImageSpec>, opts?: CallOptions): Promise<Image[]> {
    const res = await this.img<{ images: Image[] }>('ListImages', { filter: filter ? { image: filter } : null }, opts);
    return res.images;
  }

  imageStatus(image: Req<ImageSpec>, verbose = false, opts?: CallOptions): Promise<ImageStatusResponse> {
    return this.img('ImageStatus', { image, verbose }, opts);
  }

  async pullImage(image: Req<ImageSpec>, auth?: Req<AuthConfig> | null, sandboxConfig?: Req<PodSandboxConfig> | null, opts?: CallOptions): Promise<string> {
    const res = await this.img<{ imageRef: string }>('PullImage', { image, auth: auth ?? null, sandboxConfig: sandboxConfig ?? null }, opts, this.opts.pullTimeoutMs);
    return res.imageRef;
  }

  async removeImage(image: Req<ImageSpec>, opts?: CallOptions): Promise<void> {
    await this.img('RemoveImage', { image }, opts);
  }

  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse> {
    return this.img('ImageFsInfo', {}, opts);
  }
}

/** `unix:///path` stays; a bare absolute path becomes `unix:///path`. */
export function normalizeEndpoint(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  throw new CRIError('INVALID_ARGUMENT', 'connect', `unsupported CRI endpoint ${JSON.stringify(endpoint)} (want unix:///path)`);
}

function toCRIError(method: string, err: grpc.ServiceError): CRIError {
  const code = CRI_ERROR_CODES[err.code] ?? 'UNKNOWN';
  return new CRIError(code, method, err.details || err.message, { cause: err });
}
