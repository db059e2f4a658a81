// Runs and supervises a private containerd instance for the agent: writes its config (and the
// CNI bridge conflist when given a pod CIDR), starts `containerd --config FILE`, is ready when
// the CRI socket answers Version, restarts it with back-off if it dies, and on close stops it
// (SIGTERM, SIGKILL after a grace) and removes what its containers left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Logger } from '../../logging/index.js';
import { CRIClient } from '../cri/client.js';
import { cleanupInstance, type CleanupReport } from './cleanup.js';
import { instancePaths, renderCNIConflist, renderContainerdConfig, type InstancePaths } from './config.js';
import { checkDependencies, findExecutable, runtimeDependencies } from './deps.js';

export type SupervisorState = 'new' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

export interface ContainerdSupervisorOptions {
  /** The instance directory (e.g. `<data-dir>/agent/containerd`); everything lives under it. */
  dir: string;
  /** CRI's sandbox_image, e.g. registry.k8s.io/pause:3.10 (must be imported before the first pod). */
  sandboxImage: string;
  logger: Logger;
  /** When given, a bridge conflist for this CIDR is written and the network becomes ready. */
  podCIDR?: string;
  bridge?: string;
  networkName?: string;
  ipMasq?: boolean;
  /** Streaming server port on 127.0.0.1; a free one is picked when absent. */
  streamPort?: number;
  containerdBinary?: string;
  cniBinDir?: string;
  /** Time to wait for the CRI socket to answer Version (ms), 30 s unless given. */
  startTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace on close (ms), 10 s unless given. */
  stopGraceMs?: number;
  /** Restart back-off: first delay and cap (ms); 1 s doubling to 30 s unless given. */
  restartBackoffMs?: { initial: number; max: number };
  /** Called when containerd dies unexpectedly or a restart fails; the supervisor keeps retrying. */
  onFailure?: (err: Error) => void;
  /** On close, also kill the instance's containers and shims and unmount (default true). */
  cleanupOnClose?: boolean;
  /**
   * The HTTP(S) proxy containerd pulls through. Unless given, pulls go to a closed loopback port:
   * no registry outside this machine is ever contacted (not even its name resolved, which the
   * proxy would do), while registries on loopback are reached directly. Air-gapped nodes get
   * their images from tarballs; a node that may pull sets a real proxy here.
   */
  registryProxy?: string;
  /** Skip the host dependency check (tests with fake binaries). */
  skipDependencyCheck?: boolean;
}

export class ContainerdExitedError extends Error {
  readonly code = 'ContainerdExited';
  constructor(message: string, readonly exitCode: number | null, readonly signal: NodeJS.Signals | null, readonly logTail: string) {
    super(logTail ? `${message}; last log lines:\n${logTail}` : message);
  }
}

/** A closed port on loopback: connections are refused at once, nothing leaves the machine. */
export const OFFLINE_PROXY = 'http://127.0.0.1:9';
const LOOPBACK_NO_PROXY = '127.0.0.1,localhost,::1';

/** containerd's environment: PATH, and the pull proxy in both spellings Go reads. */
export function containerdEnv(proxy = OFFLINE_PROXY): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) env[k] = proxy;
  env.NO_PROXY = env.no_proxy = LOOPBACK_NO_PROXY;
  return env;
}

/** A private containerd. `start()` resolves when CRI answers; `close()` is idempotent. */
export class ContainerdSupervisor {
  readonly paths: InstancePaths;
  private stateValue: SupervisorState = 'new';
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private backoff: number;
  private streamPortValue = 0;
  private closing: Promise<CleanupReport | undefined> | undefined;
  private readonly log: Logger;
  private lastCleanup: CleanupReport | undefined;

  constructor(private readonly opts: ContainerdSupervisorOptions) {
    this.paths = instancePaths(opts.dir);
    this.backoff = opts.restartBackoffMs?.initial ?? 1000;
    this.log = opts.logger.child({ component: 'containerd' });
  }

  get state(): SupervisorState {
    return this.stateValue;
  }

  /** The CRI endpoint for CRIClient.connect. */
  get endpoint(): string {
    return `unix://${this.paths.socket}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get streamPort(): number {
    return this.streamPortValue;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** What close() removed (for tests and diagnostics). */
  get cleanupReport(): CleanupReport | undefined {
    return this.lastCleanup;
  }

  /** Checks dependencies, writes the config, starts containerd and waits until CRI answers. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.stateValue !== 'new') throw new Error(`containerd supervisor cannot start in state ${this.stateValue}`);
    this.stateValue = 'starting';
    try {
      if (!this.opts.skipDependencyCheck) await checkDependencies(runtimeDependencies(this.opts.cniBinDir));
      await this.writeFiles();
      await this.launch(signal);
      this.stateValue = 'running';
    } catch (err) {
      this.stateValue = 'failed';
      await this.stopChild();
      throw err;
    }
  }

  private async writeFiles(): Promise<void> {
    const p = this.paths;
    for (const d of [p.dir, p.root, p.state, p.opt, p.cniConfDir, p.ipamDataDir]) await mkdir(d, { recursive: true, mode: 0o711 });
    this.streamPortValue = this.opts.streamPort ?? (await freeLoopbackPort());
    await writeFile(p.config, renderContainerdConfig({ paths: p, sandboxImage: this.opts.sandboxImage, streamPort: this.streamPortValue, cniBinDir: this.opts.cniBinDir }));
    if (this.opts.podCIDR) {
      await writeFile(p.cniConflist, renderCNIConflist({ paths: p, podCIDR: this.opts.podCIDR, bridge: this.opts.bridge, networkName: this.opts.networkName, ipMasq: this.opts.ipMasq }));
    }
  }

  /**
   * Writes the bridge conflist for the node's pod CIDR, known only once the node IPAM controller
   * has given the node one; containerd's CRI plugin watches the CNI conf dir and turns
   * NetworkReady true when it appears. Writing the same CIDR again changes nothing.
   */
  async setPodCIDR(podCIDR: string): Promise<void> {
    if (this.opts.podCIDR === podCIDR && this.stateValue !== 'new') return;
    this.opts.podCIDR = podCIDR;
    const p = this.paths;
    await mkdir(p.cniConfDir, { recursive: true, mode: 0o711 });
    const tmp = `${p.cniConflist}.tmp`;
    await writeFile(tmp, renderCNIConflist({ paths: p, podCIDR, bridge: this.opts.bridge, networkName: this.opts.networkName, ipMasq: this.opts.ipMasq }));
    await rename(tmp, p.cniConflist);
  }

  private async launch(signal?: AbortSignal): Promise<void> {
    const binary = this.opts.containerdBinary ?? (await findExecutable('containerd')) ?? 'containerd';
    // A stale socket from a killed instance would make containerd refuse to listen.
    await rm(this.paths.socket, { force: true });
    await rm(this.paths.ttrpcSocket, { force: true });
    const logFd = openSync(this.paths.log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, ['--config', this.paths.config], { stdio: ['ignore', logFd, logFd], env: containerdEnv(this.opts.registryProxy) });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(err));
      child.once('exit', (code, sig) => reject(new ContainerdExitedError(`containerd exited during start (code ${code}, signal ${sig})`, code, sig, '')));
    });
    exited.catch(() => undefined);
    child.once('exit', (code, sig) => this.onExit(child, code, sig));
    const started = Date.now();
    try {
      await Promise.race([this.waitForCRI(signal), exited]);
    } catch (err) {
      if (err instanceof ContainerdExitedError) throw new ContainerdExitedError(err.message.split(';')[0], err.exitCode, err.signal, await this.logTail());
      throw err;
    }
    this.log.info({ pid: child.pid, ms: Date.now() - started, endpoint: this.endpoint }, 'containerd ready');
  }

  private async waitForCRI(signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30_000);
    const client = CRIClient.connect(this.endpoint, { timeoutMs: 1000 });
    try {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await client.version(undefined, { signal });
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`containerd did not answer CRI Version on ${this.endpoint} within ${this.opts.startTimeoutMs ?? 30_000} ms`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
  }

  private onExit(child: ChildProcess, code: number | null, sig: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.stateValue !== 'running') return;
    this.log.error({ code, signal: sig }, 'containerd exited unexpectedly');
    void this.logTail().then((tail) => {
      this.opts.onFailure?.(new ContainerdExitedError(`containerd exited unexpectedly (code ${code}, signal ${sig})`, code, sig, tail));
    });
    this.scheduleRestart();
  }

  /** Restarts after the current back-off; a failed restart reports and schedules the next. */
  private scheduleRestart(): void {
    this.stateValue = 'restarting';
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.restartBackoffMs?.max ?? 30_000);
    this.log.info({ delayMs: delay }, 'restarting containerd');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stateValue !== 'restarting') return;
      this.restarts++;
      this.launch().then(
        () => {
          if (this.stateValue !== 'restarting') {
            void this.stopChild();
            return;
          }
          this.stateValue = 'running';
          // A restart that stays up for a minute resets the back-off for the next failure.
          const reset = setTimeout(() => {
            if (this.stateValue === 'running') this.backoff = this.opts.restartBackoffMs?.initial ?? 1000;
          }, 60_000);
          reset.unref();
        },
        (err: Error) => {
          this.log.error({ err }, 'containerd restart failed');
          this.opts.onFailure?.(err);
          void this.stopChild().then(() => {
            if (this.stateValue === 'restarting') this.scheduleRestart();
          });
        },
      );
    }, delay);
  }

  /** Stops containerd and cleans up the instance; resolves with what was removed. */
  close(): Promise<CleanupReport | undefined> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<CleanupReport | undefined> {
    this.stateValue = 'stopping';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.stopChild();
    if (this.opts.cleanupOnClose ?? true) {
      this.lastCleanup = await cleanupInstance(this.paths, { bridge: this.opts.bridge });
      if (this.lastCleanup.errors.length) this.log.warn({ errors: this.lastCleanup.errors }, 'containerd cleanup incomplete');
    }
    this.stateValue = 'stopped';
    return this.lastCleanup;
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const grace = this.opts.stopGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([gone.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace)))]);
    clearTimeout(timer);
    if (killed) {
      this.log.warn({ pid: child.pid, graceMs: grace }, 'containerd did not stop in time, killing it');
      child.kill('SIGKILL');
      await gone;
    }
  }

  /** The last lines of containerd's log, for error messages. */
  private async logTail(lines = 10): Promise<string> {
    try {
      const fh = await open(this.paths.log, 'r');
      try {
        const { size } = await fh.stat();
        const len = Math.min(size, 8192);
        const buf = Buffer.alloc(len);
        await fh.read(buf, 0, len, size - len);
        return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } finally {
        await fh.close();
      }
    } catch {
      return '';
    }
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
