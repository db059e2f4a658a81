// The kubelet's HTTPS server on port 10250 (upstream pkg/kubelet/server/server.go): health, the
// pod list, container logs, summary stats, and exec/attach/port-forward, which ask the runtime
// for a one-shot streaming URL and proxy the client's upgrade (SPDY or WebSocket) to it.

import https from 'node:https';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Pod, PodStatus, ContainerStatus as APIContainerStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { RuntimeService } from '../cri/service.js';
import { parseContainerID } from '../container/runtime.js';
import { userFromCertificate, type CertificateUser } from '../../util/pki/index.js';
import { readLogs, parseRFC3339Nano, type LogOptions } from './logs.js';
import { replayHead, pipeUpgrade } from './upgrade-proxy.js';

/** What the server needs from the kubelet's pod manager and status manager. */
export interface KubeletPods {
  /** A pod the kubelet manages, by namespace and name. */
  getPod(namespace: string, name: string): Pod | undefined;
  /** Every pod the kubelet manages (GET /pods). */
  listPods(): Pod[];
  /** The latest status the kubelet computed for the pod (status manager), if any. */
  apiStatus(uid: string): PodStatus | undefined;
}

export type KubeletStreamingRuntime = Pick<RuntimeService, 'exec' | 'attach' | 'portForward' | 'containerStatus' | 'listPodSandbox'>;

export interface KubeletServerOptions {
  /** Default 0.0.0.0. */
  bindAddress?: string;
  /** Default 10250; 0 picks a free port. */
  port?: number;
  tls: { certPem: string; keyPem: string; clientCAPem: string };
  runtime: KubeletStreamingRuntime;
  pods: KubeletPods;
  /** /stats/summary (absent: 404). */
  stats?: () => Promise<unknown>;
  /**
   * Who may use the server: the API server's kubelet client (CN kube-apiserver-kubelet-client)
   * and system:masters by default. Upstream delegates this to a SubjectAccessReview.
   */
  authorize?: (user: CertificateUser) => boolean;
  /** How often a followed log checks that its container still runs (upstream 5 s). */
  logStateCheckMs?: number;
  logger: Logger;
}

type ServerState = 'new' | 'listening' | 'closed';

export const DEFAULT_KUBELET_PORT = 10250;

/** Upstream remotecommand NewOptions: flags travel as `1` from the API server. */
function flag(q: URLSearchParams, name: string): boolean {
  return q.get(name) === '1' || q.get(name) === 'true';
}

/** k8s query → bool conversion: absent false, `0`/`false` false, anything else true. */
function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function queryInt(q: URLSearchParams, name: string): number | undefined | Error {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) return new Error(`${name}: invalid integer ${JSON.stringify(v)}`);
  return Number(v);
}

class HTTPError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function defaultAuthorize(u: CertificateUser): boolean {
  return u.name === 'kube-apiserver-kubelet-client' || u.groups.includes('system:masters');
}

export class KubeletServer {
  private state: ServerState = 'new';
  private server: https.Server | undefined;
  private readonly sockets = new Set<Duplex>();
  private readonly closing = new AbortController();
  private readonly log: Logger;

  constructor(private readonly opts: KubeletServerOptions) {
    this.log = opts.logger.child({ component: 'kubelet-server' });
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.state !== 'new') throw new Error(`kubelet server cannot start from state ${this.state}`);
    const server = https.createServer({
      cert: this.opts.tls.certPem,
      key: this.opts.tls.keyPem,
      ca: this.opts.tls.clientCAPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.serve(req, res, undefined);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as net.Socket);
      res.on('finish', () => socket.end());
      void this.serve(req, res, { socket, head });
    });
    server.on('secureConnection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('tlsClientError', () => {
      /* a client without a valid certificate is refused in the handshake */
    });
    this.server = server;
    const port = this.opts.port ?? DEFAULT_KUBELET_PORT;
    const host = this.opts.bindAddress ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        reject(e.code === 'EADDRINUSE' ? new Error(`kubelet port ${port} on ${host} is already in use`) : e);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.state = 'listening';
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and ends every connection (followed logs and open streams included). Idempotent. */
  async close(): Promise<void> {
    if (this.state !== 'listening' || !this.server) {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    this.closing.abort();
    const server = this.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, upgrade: { socket: Duplex; head: Buffer } | undefined): Promise<void> {
    try {
      const user = userFromCertificate((req.socket as TLSSocket).getPeerCertificate?.());
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const method = req.method ?? 'GET';
      if (!user || !(this.opts.authorize ?? defaultAuthorize)(user)) {
        throw new HTTPError(403, `Forbidden (user=${user?.name ?? 'system:anonymous'}, verb=${method === 'GET' ? 'get' : 'create'}, resource=nodes, subresource=proxy)`);
      }
      const head = segs[0] ?? '';
      if (head === 'healthz' && segs.length === 1) return this.text(res, 200, 'ok');
      if (head === 'pods' && segs.length === 1 && method === 'GET') {
        return this.json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.opts.pods.listPods() });
      }
      if (head === 'stats' && segs[1] === 'summary' && segs.length === 2 && this.opts.stats) {
        return this.json(res, 200, await this.opts.stats());
      }
      if (head === 'containerLogs' && segs.length === 4 && method === 'GET') {
        return await this.containerLogs(req, res, segs[1]!, segs[2]!, segs[3]!, url.searchParams);
      }
      if ((head === 'exec' || head === 'attach') && (segs.length === 4 || segs.length === 5)) {
        return await this.execOrAttach(head, req, res, upgrade, segs[1]!, segs[2]!, segs[segs.length - 1]!, url.searchParams);
      }
      if (head === 'portForward' && (segs.length === 3 || segs.length === 4)) {
        return await this.portForward(req, res, upgrade, segs[1]!, segs[2]!, url.searchParams);
      }
      throw new HTTPError(404, '404 page not found');
    } catch (e) {
      const status = e instanceof HTTPError ? e.status : 500;
      if (!(e instanceof HTTPError)) this.log.error({ err: e, url: req.url }, 'kubelet request failed');
      if (!res.headersSent) this.text(res, status, e instanceof Error ? e.message : String(e));
      else res.destroy();
    }
  }

  private text(res: ServerResponse, status: number, body: string): void {
    const bytes = Buffer.from(body);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  private mustPod(namespace: string, name: string, message: string): Pod {
    const pod = this.opts.pods.getPod(namespace, name);
    if (!pod) throw new HTTPError(404, message);
    return pod;
  }

  private statusOf(pod: Pod): PodStatus {
    return this.opts.pods.apiStatus(pod.metadata?.uid ?? '') ?? pod.status ?? {};
  }

  // ------------------------------------------------------------------------------------ logs

  private async containerLogs(req: IncomingMessage, res: ServerResponse, namespace: string, podName: string, containerName: string, q: URLSearchParams): Promise<void> {
    // `tail` is the old name of tailLines; "all" means no limit.
    const tail = q.get('tail');
    if (tail !== null) {
      q.delete('tail');
      if (tail !== 'all') q.set('tailLines', tail);
    }
    const ints = { tailLines: queryInt(q, 'tailLines'), limitBytes: queryInt(q, 'limitBytes'), sinceSeconds: queryInt(q, 'sinceSeconds') };
    let sinceTime: bigint | undefined;
    const st = q.get('sinceTime');
    if (st !== null) {
      const t = parseRFC3339Nano(st);
      if (!t) throw new HTTPError(400, '{"message": "Unable to decode query."}');
      sinceTime = t.ns;
    }
    if (Object.values(ints).some((v) => v instanceof Error)) throw new HTTPError(400, '{"message": "Unable to decode query."}');
    const { tailLines, limitBytes, sinceSeconds } = ints as { tailLines?: number; limitBytes?: number; sinceSeconds?: number };
    const invalid = (tailLines !== undefined && tailLines < 0) || (limitBytes !== undefined && limitBytes < 1) || (sinceSeconds !== undefined && sinceSeconds < 1) || (sinceSeconds !== undefined && sinceTime !== undefined);
    if (invalid) throw new HTTPError(422, '{"message": "Invalid request."}');

    const pod = this.mustPod(namespace, podName, `pod "${podName}" does not exist`);
    const inSpec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].some((c) => c.name === containerName);
    if (!inSpec) throw new HTTPError(404, `container "${containerName}" not found in pod "${podName}"`);
    const previous = queryBool(q, 'previous');
    const containerId = logContainerID(this.statusOf(pod), podName, containerName, previous);
    const id = parseContainerID(containerId)?.id ?? containerId;
    const status = (await this.opts.runtime.containerStatus(id)).status;
    if (!status?.logPath) throw new HTTPError(400, `failed to get container status for "${containerName}": the runtime reports no log path`);
    const opts: LogOptions = {
      tailLines,
      limitBytes,
      timestamps: queryBool(q, 'timestamps'),
      follow: queryBool(q, 'follow'),
      sinceNs: sinceTime ?? (sinceSeconds !== undefined ? BigInt(Date.now() - sinceSeconds * 1000) * 1_000_000n : undefined),
    };
    const abort = new AbortController();
    const onGone = (): void => abort.abort();
    res.on('close', onGone);
    this.closing.signal.addEventListener('abort', onGone, { once: true });
    try {
      await readLogs(
        status.logPath,
        opts,
        async (chunk) => {
          if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          if (!res.write(chunk) && !abort.signal.aborted) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                res.off('drain', done);
                abort.signal.removeEventListener('abort', done);
                resolve();
              };
              res.once('drain', done);
              abort.signal.addEventListener('abort', done, { once: true });
            });
          }
        },
        {
          isRunning: async () => (await this.opts.runtime.containerStatus(id)).status?.state === 'CONTAINER_RUNNING',
          checkIntervalMs: this.opts.logStateCheckMs,
          signal: abort.signal,
        },
      );
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new HTTPError(400, `failed to try resolving symlinks in path "${status.logPath}": lstat ${status.logPath}: no such file or directory`);
      throw e;
    } finally {
      res.off('close', onGone);
      this.closing.signal.removeEventListener('abort', onGone);
    }
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end();
  }

  // ------------------------------------------------------------------------------- streaming

  private async execOrAttach(
    what: 'exec' | 'attach',
    req: IncomingMessage,
    res: ServerResponse,
    upgrade: { socket: Duplex; head: Buffer } | undefined,
    namespace: string,
    podName: string,
    containerName: string,
    q: URLSearchParams,
  ): Promise<void> {
    const tty = flag(q, 'tty');
    const stdin = flag(q, 'input') || flag(q, 'stdin');
    const stdout = flag(q, 'output') || flag(q, 'stdout');
    // Upstream bypasses stderr with a tty.
    const stderr = (flag(q, 'error') || flag(q, 'stderr')) && !tty;
    if (!stdin && !stdout && !stderr) throw new HTTPError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    const pod = this.mustPod(namespace, podName, 'pod does not exist');
    const cs = containerStatusByName(this.statusOf(pod), containerName);
    const running = cs?.state?.running ? parseContainerID(cs.containerID) : undefined;
    if (!running) throw new HTTPError(500, `container not found (${JSON.stringify(containerName)})`);
    if (!upgrade) throw new HTTPError(400, 'Upgrade request required');
    const url =
      what === 'exec'
        ? await this.opts.runtime.exec({ containerId: running.id, cmd: q.getAll('command'), tty, stdin, stdout, stderr })
        : await this.opts.runtime.attach({ containerId: running.id, tty, stdin, stdout, stderr });
    await this.proxy(req, res, upgrade, url);
  }

  private async portForward(req: IncomingMessage, res: ServerResponse, upgrade: { socket: Duplex; head: Buffer } | undefined, namespace: string, podName: string, q: URLSearchParams): Promise<void> {
    const pod = this.mustPod(namespace, podName, 'pod does not exist');
    const uid = pod.metadata?.uid ?? '';
    const sandboxes = await this.opts.runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid }, state: { state: 'SANDBOX_READY' } });
    const sandbox = [...sandboxes].sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!sandbox) throw new HTTPError(500, `pod not found (${JSON.stringify(`${podName}_${namespace}`)})`);
    if (!upgrade) throw new HTTPError(400, 'Upgrade request required');
    // Upstream api.PortHeader: `port`, comma-separated (only WebSocket clients name ports up front).
    const ports = q
      .getAll('port')
      .flatMap((v) => v.split(','))
      .filter(Boolean)
      .map(Number)
      .filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
    const url = await this.opts.runtime.portForward({ podSandboxId: sandbox.id, port: ports });
    await this.proxy(req, res, upgrade, url);
  }

  /** Replays the client's upgrade request to the runtime's streaming URL and pipes the sockets. */
  private async proxy(req: IncomingMessage, res: ServerResponse, upgrade: { socket: Duplex; head: Buffer }, streamURL: string): Promise<void> {
    const target = new URL(streamURL);
    if (target.protocol !== 'http:') throw new HTTPError(500, `unsupported streaming URL scheme ${JSON.stringify(target.protocol)}`);
    const port = Number(target.port || 80);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const backend = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    }).catch((e: unknown) => {
      throw new HTTPError(500, `error dialing backend: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (upgrade.socket.destroyed) {
      backend.destroy();
      return;
    }
    // The response now comes from the streaming server, byte for byte.
    res.detachSocket(upgrade.socket as net.Socket);
    this.sockets.add(backend);
    backend.once('close', () => this.sockets.delete(backend));
    await pipeUpgrade(upgrade.socket, upgrade.head, backend, replayHead(req.method ?? 'POST', `${target.pathname}${target.search}`, target.host, req.rawHeaders));
  }
}

function containerStatusByName(status: PodStatus, name: string): APIContainerStatus | undefined {
  return [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])].find((c) => c.name === name);
}

/** Which container instance's log to read (upstream Kubelet.validateContainerLogStatus); errors are 400s. */
export function logContainerID(status: PodStatus, podName: string, containerName: string, previous: boolean): string {
  const cs = containerStatusByName(status, containerName);
  if (!cs) throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is not available`);
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  if (previous) {
    if (!last?.containerID) throw new HTTPError(400, `previous terminated container "${containerName}" in pod "${podName}" not found`);
    return last.containerID;
  }
  if (running) {
    if (cs.containerID) return cs.containerID;
  } else if (terminated) {
    // The next instance may not have started: fall back to the last terminated one.
    const id = terminated.containerID || last?.containerID;
    if (!id) throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is terminated`);
    return id;
  } else if (last) {
    if (!last.containerID) throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is terminated`);
    return last.containerID;
  } else if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is waiting to start: ${waiting.reason ?? ''}`);
  }
  throw new HTTPError(400, `container "${containerName}" in pod "${podName}" is waiting to start - no logs yet`);
}
