// An in-memory CRI runtime for kubelet unit tests: sandboxes, containers and images with the
// state transitions and error codes containerd gives, a call log, injectable failures, and
// test controls to make a container exit or an exec return a given result.
import { normalizeImageName } from '../reference.js';
import { CRIError, type CRIErrorCode, type CallOptions, type ContainerRuntime } from '../service.js';
import type {
  AttachRequest,
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatus,
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
  PodSandboxState,
  PodSandboxStatusResponse,
  PortForwardRequest,
  Req,
  RuntimeConfig,
  StatusResponse,
  VersionResponse,
} from '../types.js';

interface SandboxRecord {
  id: string;
  config: Req<PodSandboxConfig>;
  state: PodSandboxState;
  createdAt: number;
  ip: string;
  runtimeHandler: string;
}

interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: Req<ContainerConfig>;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
}

export interface FakeRuntimeOptions {
  /** Milliseconds since the epoch; timestamps in responses are this in nanoseconds. */
  now?: () => number;
  /** Pod IPs are handed out from this /24-style prefix: `${prefix}${n}`. */
  ipPrefix?: string;
  /** Images present from the start (normalized on insert). */
  images?: string[];
  /** Images PullImage can fetch; others fail with NOT_FOUND like a registry 404. */
  pullable?: string[];
}

export type ExecHandler = (containerId: string, cmd: string[]) => { stdout?: string; stderr?: string; exitCode: number };

export class FakeRuntime implements ContainerRuntime {
  /** Every call in order: `"RunPodSandbox"`, `"StartContainer <id>"`, … */
  readonly calls: string[] = [];
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  readonly images = new Map<string, Image>();
  readonly pullable = new Set<string>();
  networkReady = true;
  runtimeReady = true;
  podCidr = '';
  execHandler: ExecHandler = () => ({ exitCode: 0 });
  closed = false;

  private readonly now: () => number;
  private readonly ipPrefix: string;
  private nextId = 1;
  private nextIp = 2;
  private readonly failures = new Map<string, CRIError[]>();

  constructor(opts: FakeRuntimeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.ipPrefix = opts.ipPrefix ?? '10.88.0.';
    for (const name of opts.images ?? []) this.addImage(name);
    for (const name of opts.pullable ?? []) this.pullable.add(normalizeImageName(name));
  }

  /** Makes the next call of `method` (an RPC name, e.g. "StartContainer") fail with `code`. */
  failNext(method: string, code: CRIErrorCode, message = 'injected failure'): void {
    const list = this.failures.get(method) ?? [];
    list.push(new CRIError(code, method, message));
    this.failures.set(method, list);
  }

  addImage(name: string, size = 1_000_000): Image {
    const ref = normalizeImageName(name);
    const id = `sha256:${hexId(ref)}`;
    const image: Image = { id, repoTags: [ref], repoDigests: [], size, uid: null, username: '', spec: null, pinned: false };
    this.images.set(ref, image);
    return image;
  }

  /** The container's process ended (a crash, an OOM kill, a normal exit). */
  exitContainer(containerId: string, exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error', message = ''): void {
    const c = this.mustContainer('exitContainer', containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`fake: container ${containerId} is ${c.state}`);
    Object.assign(c, { state: 'CONTAINER_EXITED', finishedAt: this.nanos(), exitCode, reason, message });
  }

  close(): void {
    this.closed = true;
  }

  // ---- RuntimeService

  async version(apiVersion = 'v1', opts?: CallOptions): Promise<VersionResponse> {
    this.enter('Version', opts);
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.0.1', runtimeApiVersion: apiVersion };
  }

  async status(verbose = false, opts?: CallOptions): Promise<StatusResponse> {
    this.enter('Status', opts);
    const cond = (type: string, ok: boolean, reason: string, message: string) => ({ type, status: ok, reason: ok ? '' : reason, message: ok ? '' : message });
    return {
      status: {
        conditions: [
          cond('RuntimeReady', this.runtimeReady, 'FakeRuntimeNotReady', 'runtime is not ready'),
          cond('NetworkReady', this.networkReady, 'NetworkPluginNotReady', 'Network plugin returns error: cni plugin not initialized'),
        ],
      },
      info: {},
      runtimeHandlers: [{ name: '', features: { recursiveReadOnlyMounts: false, userNamespaces: false } }],
      features: { supplementalGroupsPolicy: false },
    };
  }

  async updateRuntimeConfig(config: Req<RuntimeConfig>, opts?: CallOptions): Promise<void> {
    this.enter('UpdateRuntimeConfig', opts);
    this.podCidr = config.networkConfig?.podCidr ?? '';
  }

  async runPodSandbox(config: Req<PodSandboxConfig>, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    this.enter('RunPodSandbox', opts);
    const md = config.metadata;
    if (!md?.name || !md.namespace || !md.uid) throw new CRIError('INVALID_ARGUMENT', 'RunPodSandbox', 'sandbox config must include metadata name, namespace and uid');
    const key = sandboxKey(md.name, md.namespace, md.uid, md.attempt ?? 0);
    for (const s of this.sandboxes.values()) {
      const m = s.config.metadata;
      if (m && sandboxKey(m.name ?? '', m.namespace ?? '', m.uid ?? '', m.attempt ?? 0) === key) {
        throw new CRIError('UNKNOWN', 'RunPodSandbox', `failed to reserve sandbox name "${key}": name is reserved for "${s.id}"`);
      }
    }
    const id = this.newId();
    this.sandboxes.set(id, { id, config, state: 'SANDBOX_READY', createdAt: this.nanos(), ip: `${this.ipPrefix}${this.nextIp++}`, runtimeHandler });
    return id;
  }

  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    this.enter('StopPodSandbox', opts, podSandboxId);
    const s = this.mustSandbox('StopPodSandbox', podSandboxId);
    for (const c of this.containers.values()) {
      if (c.podSandboxId === podSandboxId && c.state === 'CONTAINER_RUNNING') this.kill(c);
    }
    s.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    this.enter('RemovePodSandbox', opts, podSandboxId);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) return;
    if (s.state === 'SANDBOX_READY') throw new CRIError('UNKNOWN', 'RemovePodSandbox', `sandbox container "${podSandboxId}" is not fully stopped`);
    for (const c of [...this.containers.values()]) if (c.podSandboxId === podSandboxId) this.containers.delete(c.id);
    this.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string, verbose = false, opts?: CallOptions): Promise<PodSandboxStatusResponse> {
    this.enter('PodSandboxStatus', opts, podSandboxId);
    const s = this.mustSandbox('PodSandboxStatus', podSandboxId);
    const base = this.sandboxView(s);
    return {
      status: {
        ...base,
        network: { ip: s.state === 'SANDBOX_READY' ? s.ip : '', additionalIps: [] },
        linux: { namespaces: { options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD', targetId: '', usernsOptions: null } } },
      },
      info: {},
      containersStatuses: [],
      timestamp: this.nanos(),
    };
  }

  async listPodSandbox(filter?: Req<PodSandboxFilter>, opts?: CallOptions): Promise<PodSandbox[]> {
    this.enter('ListPodSandbox', opts);
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.values()) {
      if (filter?.id && !s.id.startsWith(filter.id)) continue;
      if (filter?.state && s.state !== (filter.state.state ?? 'SANDBOX_READY')) continue;
      if (!matchLabels(s.config.labels, filter?.labelSelector)) continue;
      out.push(this.sandboxView(s));
    }
    return out;
  }

  async createContainer(podSandboxId: string, config: Req<ContainerConfig>, sandboxConfig: Req<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    this.enter('CreateContainer', opts, podSandboxId);
    const s = this.mustSandbox('CreateContainer', podSandboxId);
    if (s.state !== 'SANDBOX_READY') throw new CRIError('UNKNOWN', 'CreateContainer', `sandbox ${podSandboxId} is not ready`);
    const name = config.metadata?.name;
    if (!name) throw new CRIError('INVALID_ARGUMENT', 'CreateContainer', 'container config must include metadata');
    const imageName = config.image?.image ?? '';
    const image = this.findImage(imageName);
    if (!image) throw new CRIError('NOT_FOUND', 'CreateContainer', `failed to get image "${imageName}": not found`);
    const id = this.newId();
    this.containers.set(id, {
      id,
      podSandboxId,
      config,
      imageRef: image.id,
      state: 'CONTAINER_CREATED',
      createdAt: this.nanos(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
    });
    return id;
  }

  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    this.enter('StartContainer', opts, containerId);
    const c = this.mustContainer('StartContainer', containerId);
    if (c.state !== 'CONTAINER_CREATED') throw new CRIError('UNKNOWN', 'StartContainer', `container ${containerId} is in ${c.state} state`);
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.nanos();
  }

  async stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void> {
    this.enter('StopContainer', opts, containerId);
    const c = this.mustContainer('StopContainer', containerId);
    if (c.state === 'CONTAINER_RUNNING') this.kill(c);
  }

  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    this.enter('RemoveContainer', opts, containerId);
    const c = this.containers.get(containerId);
    if (!c) return;
    if (c.state === 'CONTAINER_RUNNING') throw new CRIError('UNKNOWN', 'RemoveContainer', `container ${containerId} is still running, to stop first`);
    this.containers.delete(containerId);
  }

  async listContainers(filter?: Req<ContainerFilter>, opts?: CallOptions): Promise<Container[]> {
    this.enter('ListContainers', opts);
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter?.id && !c.id.startsWith(filter.id)) continue;
      if (filter?.podSandboxId && c.podSandboxId !== filter.podSandboxId) continue;
      if (filter?.state && c.state !== (filter.state.state ?? 'CONTAINER_CREATED')) continue;
      if (!matchLabels(c.config.labels, filter?.labelSelector)) continue;
      out.push({
        id: c.id,
        podSandboxId: c.podSandboxId,
        metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
        image: imageSpec(c.config.image?.image ?? ''),
        imageRef: c.imageRef,
        state: c.state,
        createdAt: c.createdAt,
        labels: { ...c.config.labels },
        annotations: { ...c.config.annotations },
        imageId: c.imageRef,
      });
    }
    return out;
  }

  async containerStatus(containerId: string, verbose = false, opts?: CallOptions): Promise<ContainerStatusResponse> {
    this.enter('ContainerStatus', opts, containerId);
    const c = this.mustContainer('ContainerStatus', containerId);
    const status: ContainerStatus = {
      id: c.id,
      metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: imageSpec(c.config.image?.image ?? ''),
      imageRef: c.imageRef,
      reason: c.reason,
      message: c.message,
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      mounts: [],
      logPath: c.config.logPath ? `${this.sandboxes.get(c.podSandboxId)?.config.logDirectory ?? ''}/${c.config.logPath}` : '',
      resources: null,
      imageId: c.imageRef,
      user: null,
    };
    return { status, info: {} };
  }

  async updateContainerResources(containerId: string, linux: Req<LinuxContainerResources>, opts?: CallOptions): Promise<void> {
    this.enter('UpdateContainerResources', opts, containerId);
    const c = this.mustContainer('UpdateContainerResources', containerId);
    c.config = { ...c.config, linux: { ...c.config.linux, resources: linux } };
  }

  async reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void> {
    this.enter('ReopenContainerLog', opts, containerId);
    const c = this.mustContainer('ReopenContainerLog', containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError('UNKNOWN', 'ReopenContainerLog', 'container is not running');
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number, opts?: CallOptions): Promise<ExecSyncResponse> {
    this.enter('ExecSync', opts, containerId);
    const c = this.mustContainer('ExecSync', containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError('UNKNOWN', 'ExecSync', `container ${containerId} is not running`);
    const r = this.execHandler(containerId, cmd);
    return { stdout: Buffer.from(r.stdout ?? ''), stderr: Buffer.from(r.stderr ?? ''), exitCode: r.exitCode };
  }

  async exec(req: Req<ExecRequest>, opts?: CallOptions): Promise<string> {
    this.enter('Exec', opts, req.containerId);
    this.mustRunning('Exec', req.containerId ?? '');
    return `http://127.0.0.1:0/exec/${this.newId().slice(0, 8)}`;
  }

  async attach(req: Req<AttachRequest>, opts?: CallOptions): Promise<string> {
    this.enter('Attach', opts, req.containerId);
    this.mustRunning('Attach', req.containerId ?? '');
    return `http://127.0.0.1:0/attach/${this.newId().slice(0, 8)}`;
  }

  async portForward(req: Req<PortForwardRequest>, opts?: CallOptions): Promise<string> {
    this.enter('PortForward', opts, req.podSandboxId);
    this.mustSandbox('PortForward', req.podSandboxId ?? '');
    return `http://127.0.0.1:0/portforward/${this.newId().slice(0, 8)}`;
  }

  async containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | null> {
    this.enter('ContainerStats', opts, containerId);
    return this.statsOf(this.mustContainer('ContainerStats', containerId));
  }

  async listContainerStats(filter?: Req<ContainerStatsFilter>, opts?: CallOptions): Promise<ContainerStats[]> {
    this.enter('ListContainerStats', opts);
    const out: ContainerStats[] = [];
    for (const c of this.containers.values()) {
      if (filter?.id && c.id !== filter.id) continue;
      if (filter?.podSandboxId && c.podSandboxId !== filter.podSandboxId) continue;
      if (!matchLabels(c.config.labels, filter?.labelSelector)) continue;
      out.push(this.statsOf(c));
    }
    return out;
  }

  // ---- ImageService

  async listImages(filter?: Req<ImageSpec>, opts?: CallOptions): Promise<Image[]> {
    this.enter('ListImages', opts);
    const want = filter?.image ? this.findImage(filter.image) : undefined;
    const all = [...new Set(this.images.values())];
    return filter?.image ? (want ? [want] : []) : all;
  }

  async imageStatus(image: Req<ImageSpec>, verbose = false, opts?: CallOptions): Promise<ImageStatusResponse> {
    this.enter('ImageStatus', opts, image.image);
    return { image: this.findImage(image.image ?? '') ?? null, info: {} };
  }

  async pullImage(image: Req<ImageSpec>, auth?: Req<AuthConfig> | null, sandboxConfig?: Req<PodSandboxConfig> | null, opts?: CallOptions): Promise<string> {
    this.enter('PullImage', opts, image.image);
    const ref = normalizeImageName(image.image ?? '');
    if (!this.pullable.has(ref)) {
      throw new CRIError('NOT_FOUND', 'PullImage', `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`);
    }
    return this.addImage(ref).id;
  }

  async removeImage(image: Req<ImageSpec>, opts?: CallOptions): Promise<void> {
    this.enter('RemoveImage', opts, image.image);
    const found = this.findImage(image.image ?? '');
    if (!found) return;
    for (const [ref, img] of this.images) if (img.id === found.id) this.images.delete(ref);
  }

  async imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse> {
    this.enter('ImageFsInfo', opts);
    let used = 0;
    for (const img of new Set(this.images.values())) used += img.size;
    const fs = { timestamp: this.nanos(), fsId: { mountpoint: '/fake/images' }, usedBytes: { value: used }, inodesUsed: { value: this.images.size } };
    return { imageFilesystems: [fs], containerFilesystems: [] };
  }

  // ---- helpers

  private enter(method: string, opts: CallOptions | undefined, arg?: string): void {
    this.calls.push(arg ? `${method} ${arg}` : method);
    if (this.closed) throw new CRIError('CANCELLED', method, 'client is closed');
    if (opts?.signal?.aborted) throw new CRIError('CANCELLED', method, 'aborted');
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
  }

  private findImage(name: string): Image | undefined {
    if (!name) return undefined;
    const byRef = this.images.get(normalizeImageName(name));
    if (byRef) return byRef;
    for (const img of this.images.values()) if (img.id === name || img.id === `sha256:${name}`) return img;
    return undefined;
  }

  private kill(c: ContainerRecord): void {
    Object.assign(c, { state: 'CONTAINER_EXITED', finishedAt: this.nanos(), exitCode: 137, reason: 'Error', message: '' });
  }

  private mustSandbox(method: string, id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new CRIError('NOT_FOUND', method, `an error occurred when try to find sandbox: not found`);
    return s;
  }

  private mustContainer(method: string, id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new CRIError('NOT_FOUND', method, `an error occurred when try to find container "${id}": not found`);
    return c;
  }

  private mustRunning(method: string, id: string): void {
    const c = this.mustContainer(method, id);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError('UNKNOWN', method, `container ${id} is not running`);
  }

  private sandboxView(s: SandboxRecord): PodSandbox {
    const md = s.config.metadata;
    return {
      id: s.id,
      metadata: { name: md?.name ?? '', uid: md?.uid ?? '', namespace: md?.namespace ?? '', attempt: md?.attempt ?? 0 },
      state: s.state,
      createdAt: s.createdAt,
      labels: { ...s.config.labels },
      annotations: { ...s.config.annotations },
      runtimeHandler: s.runtimeHandler,
    };
  }

  private statsOf(c: ContainerRecord): ContainerStats {
    const ts = this.nanos();
    const running = c.state === 'CONTAINER_RUNNING';
    return {
      attributes: { id: c.id, metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 }, labels: { ...c.config.labels }, annotations: { ...c.config.annotations } },
      cpu: { timestamp: ts, usageCoreNanoSeconds: { value: running ? 1_000_000 : 0 }, usageNanoCores: null },
      memory: { timestamp: ts, workingSetBytes: { value: running ? 1 << 20 : 0 }, availableBytes: null, usageBytes: null, rssBytes: null, pageFaults: null, majorPageFaults: null },
      writableLayer: null,
      swap: null,
    };
  }

  private newId(): string {
    return hexId(`fake-${this.nextId++}`);
  }

  private nanos(): number {
    return this.now() * 1e6;
  }
}

function sandboxKey(name: string, namespace: string, uid: string, attempt: number): string {
  return `${name}_${namespace}_${uid}_${attempt}`;
}

function matchLabels(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

function imageSpec(image: string): ImageSpec {
  return { image, annotations: {}, userSpecifiedImage: '', runtimeHandler: '' };
}

/** A stable 64-hex-digit id from a seed (FNV-1a, widened); ids only need to be unique and stable. */
function hexId(seed: string): string {
  let out = '';
  for (let round = 0; round < 8; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}
