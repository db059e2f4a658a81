// The image manager (upstream pkg/kubelet/images/image_manager.go + puller.go): makes sure a
// container's image is present according to its pull policy, pulls with a back-off per
// (pod, image), and records the Pulling/Pulled/Failed/BackOff events on the container.
//
// One k8ts rule for air-gapped nodes: when an `Always` pull fails but the image is in the
// local store, the local copy is used (events `Warning PullFailedUsingLocal`, then `Normal
// Pulled … already present on machine`) instead of failing the container with ErrImagePull,
// since no registry may be reachable at all.
import type { Container, ObjectReference, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { Logger } from '../../logging/index.js';
import type { BackOff } from '../container/runtime.js';
import { normalizeImageName } from '../cri/reference.js';
import { isCRIError, type ImageService } from '../cri/service.js';
import type { AuthConfig, PodSandboxConfig, Req } from '../cri/types.js';

/** Waiting reasons of image problems (upstream pkg/kubelet/images/types.go). */
export type ImagePullReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName' | 'ImageInspectError' | 'RegistryUnavailable';

export class ImagePullError extends Error {
  override readonly name = 'ImagePullError';
  constructor(
    /** The container's waiting reason. */
    readonly reason: ImagePullReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get code(): ImagePullReason {
    return this.reason;
  }
}

export interface ImageManagerOptions {
  images: ImageService;
  recorder: EventRecorder;
  logger: Logger;
  /** Pull back-off per `<pod uid>_<image>` (upstream's imageBackOff: 10 s doubling to 5 min). */
  backOff: BackOff;
  /** ms since the epoch. */
  now?: () => number;
}

export interface EnsureImageResult {
  /** The image id to create the container from. */
  imageRef: string;
}

/** Container image references as upstream GenerateContainerRef makes them (fieldPath names the container). */
export function containerRef(pod: Pod, container: Container): ObjectReference {
  const init = pod.spec?.initContainers?.some((c) => c.name === container.name) && !pod.spec?.containers?.some((c) => c.name === container.name);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
    fieldPath: init ? `spec.initContainers{${container.name}}` : `spec.containers{${container.name}}`,
  };
}

/** The API server defaults the policy; this is the same rule for pods that reach us without it. */
function pullPolicyOf(container: Container): string {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  const image = container.image ?? '';
  const at = image.indexOf('@');
  if (at >= 0) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? image.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** A docker reference check with the reference library's messages for the common mistakes. */
function validateImageName(image: string): string | undefined {
  if (!image) return 'invalid reference format';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repo = colon >= 0 ? name.slice(0, colon) : name;
  const firstSlash = repo.indexOf('/');
  const first = firstSlash >= 0 ? repo.slice(0, firstSlash) : '';
  const hasDomain = firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasDomain ? repo.slice(firstSlash + 1) : repo;
  // The reference library names official images `library/<name>` in this message.
  const remote = !hasDomain && !path.includes('/') ? `library/${path}` : path;
  if (path !== path.toLowerCase()) return `invalid reference format: repository name (${remote}) must be lowercase`;
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  if (!path.split('/').every((p) => component.test(p))) return 'invalid reference format';
  if (colon >= 0 && !/^[\w][\w.-]{0,127}$/.test(name.slice(colon + 1))) return 'invalid reference format';
  if (at >= 0 && !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(image.slice(at + 1))) return 'invalid reference format';
  return undefined;
}

function registryOf(image: string): string {
  const n = normalizeImageName(image);
  return n.slice(0, n.indexOf('/'));
}

/** The credentials for the image's registry from `kubernetes.io/dockerconfigjson` / `dockercfg` pull secrets. */
export function authForImage(image: string, pullSecrets: readonly unknown[]): Req<AuthConfig> | null {
  const registry = registryOf(image);
  const matches = (server: string) => {
    const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    return host === registry || (registry === 'docker.io' && (host === 'index.docker.io' || host === 'registry-1.docker.io'));
  };
  for (const s of pullSecrets as Secret[]) {
    const data = s?.data ?? {};
    let auths: Record<string, { username?: string; password?: string; auth?: string }> | undefined;
    try {
      if (data['.dockerconfigjson']) auths = (JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')) as { auths?: typeof auths }).auths;
      else if (data['.dockercfg']) auths = JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8')) as typeof auths;
    } catch {
      continue;
    }
    for (const [server, cred] of Object.entries(auths ?? {})) {
      if (!matches(server)) continue;
      let { username = '', password = '' } = cred;
      if (!username && cred.auth) {
        const decoded = Buffer.from(cred.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) [username, password] = [decoded.slice(0, i), decoded.slice(i + 1)];
      }
      return { username, password, serverAddress: server };
    }
  }
  return null;
}

function grpcMessage(err: unknown): string {
  if (isCRIError(err)) {
    const prefix = `${err.method}: `;
    const desc = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return `rpc error: code = ${GO_CODES[err.code] ?? err.code} desc = ${desc}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const GO_CODES: Record<string, string> = {
  CANCELLED: 'Canceled', UNKNOWN: 'Unknown', INVALID_ARGUMENT: 'InvalidArgument', DEADLINE_EXCEEDED: 'DeadlineExceeded',
  NOT_FOUND: 'NotFound', ALREADY_EXISTS: 'AlreadyExists', PERMISSION_DENIED: 'PermissionDenied', RESOURCE_EXHAUSTED: 'ResourceExhausted',
  FAILED_PRECONDITION: 'FailedPrecondition', ABORTED: 'Aborted', OUT_OF_RANGE: 'OutOfRange', UNIMPLEMENTED: 'Unimplemented',
  INTERNAL: 'Internal', UNAVAILABLE: 'Unavailable', DATA_LOSS: 'DataLoss', UNAUTHENTICATED: 'Unauthenticated',
};

/** Go's Duration String() for whole milliseconds (`512ms`, `1.5s`, `2m3.25s`). */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.trunc(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  const whole = Math.floor(rest / 1000);
  const frac = rest % 1000;
  const s = frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

export class ImageManager {
  private readonly images: ImageService;
  private readonly recorder: EventRecorder;
  private readonly logger: Logger;
  private readonly backOff: BackOff;
  private readonly now: () => number;
  /** When each back-off key last failed (upstream IsInBackOffSinceUpdate measures from it). */
  private readonly lastFailure = new Map<string, number>();
  /** Pulls in flight by normalized image: concurrent pulls of one image share one CRI call. */
  private readonly inflight = new Map<string, Promise<{ imageRef: string; size: number; pullMs: number }>>();

  constructor(opts: ImageManagerOptions) {
    this.images = opts.images;
    this.recorder = opts.recorder;
    this.logger = opts.logger;
    this.backOff = opts.backOff;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Makes the container's image present (upstream EnsureImageExists). Throws ImagePullError
   * whose `reason` becomes the container's waiting reason and whose message its waiting message.
   */
  async ensureImageExists(pod: Pod, container: Container, pullSecrets: readonly unknown[], sandboxConfig: Req<PodSandboxConfig> | null): Promise<EnsureImageResult> {
    const ref = containerRef(pod, container);
    const image = container.image ?? '';
    const invalid = validateImageName(image);
    if (invalid) {
      const msg = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${invalid}`;
      this.recorder.event(ref, 'Warning', 'InspectFailed', msg);
      throw new ImagePullError('InvalidImageName', msg);
    }
    const spec = { image: normalizeImageName(image), annotations: { ...(pod.metadata?.annotations ?? {}) } };

    let present: { id: string; size: number } | undefined;
    try {
      const st = await this.images.imageStatus(spec);
      if (st.image) present = { id: st.image.id, size: st.image.size };
    } catch (err) {
      const msg = `Failed to inspect image "${image}": ${grpcMessage(err)}`;
      this.recorder.event(ref, 'Warning', 'InspectFailed', msg);
      throw new ImagePullError('ImageInspectError', msg, { cause: err });
    }

    const policy = pullPolicyOf(container);
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { imageRef: present.id };
      }
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(ref, 'Warning', 'ErrImageNeverPull', msg);
      throw new ImagePullError('ErrImageNeverPull', msg);
    }

    const key = `${pod.metadata?.uid ?? ''}_${image}`;
    if (this.inBackOff(key)) {
      if (present) {
        // Air-gapped rule: a recent pull failed; keep using the local copy without retrying yet.
        this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { imageRef: present.id };
      }
      const msg = `Back-off pulling image "${image}"`;
      this.recorder.event(ref, 'Normal', 'BackOff', msg);
      throw new ImagePullError('ImagePullBackOff', msg);
    }

    this.recorder.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = this.now();
    try {
      const r = await this.pull(spec.image, spec.annotations, authForImage(image, pullSecrets), sandboxConfig);
      const total = this.now() - started;
      this.recorder.event(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${goDuration(r.pullMs)} (${goDuration(total)} including waiting). Image size: ${r.size} bytes.`);
      this.lastFailure.delete(key);
      this.backOff.reset(key);
      return { imageRef: r.imageRef };
    } catch (err) {
      const detail = grpcMessage(err);
      this.backOff.next(key, this.now());
      this.lastFailure.set(key, this.now());
      if (present) {
        this.recorder.event(ref, 'Warning', 'PullFailedUsingLocal', `Failed to pull image "${image}": ${detail}; using the local copy`);
        this.logger.warn({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, image, err: detail }, 'image pull failed, using the local copy');
        // The pull ends as IfNotPresent would have ended it: Pulling, then Pulled.
        this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { imageRef: present.id };
      }
      this.recorder.event(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${detail}`);
      if (detail.includes('RegistryUnavailable')) {
        throw new ImagePullError('RegistryUnavailable', `image pull failed for ${image} because the registry is unavailable`, { cause: err });
      }
      throw new ImagePullError('ErrImagePull', detail, { cause: err });
    }
  }

  private inBackOff(key: string): boolean {
    const last = this.lastFailure.get(key);
    if (last === undefined) return false;
    return this.now() - last < this.backOff.get(key);
  }

  private pull(image: string, annotations: Record<string, string>, auth: Req<AuthConfig> | null, sandboxConfig: Req<PodSandboxConfig> | null): Promise<{ imageRef: string; size: number; pullMs: number }> {
    const existing = this.inflight.get(image);
    if (existing) return existing;
    const p = (async () => {
      const t0 = this.now();
      const imageRef = await this.images.pullImage({ image, annotations }, auth, sandboxConfig);
      const pullMs = this.now() - t0;
      let size = 0;
      try {
        size = (await this.images.imageStatus({ image: imageRef })).image?.size ?? 0;
      } catch {
        // The size is informational only.
      }
      return { imageRef, size, pullMs };
    })();
    this.inflight.set(image, p);
    const clear = () => this.inflight.delete(image);
    p.then(clear, clear);
    return p;
  }
}

/**
 * An exponential back-off per key (upstream flowcontrol.Backoff): the first `next` sets the
 * initial delay, each further one doubles it up to `max`; an entry idle for twice `max` starts
 * over. `get` is 0 for a key without an entry.
 */
export class ExponentialBackOff implements BackOff {
  private readonly entries = new Map<string, { delay: number; lastUpdate: number }>();

  constructor(
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
  ) {}

  isInBackOff(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) return false;
    return now - e.lastUpdate < e.delay;
  }

  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { delay: this.initialMs, lastUpdate: now });
      return;
    }
    e.delay = Math.min(e.delay * 2, this.maxMs);
    e.lastUpdate = now;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  get(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }
}
