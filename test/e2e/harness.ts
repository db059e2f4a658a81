// Helpers for end-to-end tests: run the real `bin/k8ts server` in a temporary data dir and drive
// it with the real `kubectl`. Servers and temp dirs are cleaned up even when a test fails: by
// node:test `after` hooks, and as a last resort when the test process exits.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const K8TS_BIN = join(REPO_ROOT, 'bin', 'k8ts');
/** The compiled CLI that bin/k8ts runs; e2e tests skip with this message when it is missing. */
export const CLI_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const NOT_BUILT: string | false = existsSync(CLI_MAIN)
  ? false
  : `${CLI_MAIN} does not exist: run \`npm run build\` first`;

const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const MAX_LOG_CHARS = 4 * 1024 * 1024;

export interface StartOptions {
  /** Extra `k8ts server` flags, after `--disable-agent --https-port 0 --data-dir DIR`. */
  args?: string[];
  /** Run the node agent too (no `--disable-agent`); default false. */
  agent?: boolean;
  /** Environment for the server, merged over process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for kubeconfig.yaml (default 60 s). */
  timeoutMs?: number;
  /** Registers cleanup on this test instead of on the enclosing suite/file. */
  t?: TestContext;
  /** The executable to run instead of bin/k8ts (the harness's own tests use a fake). */
  bin?: string;
  /** How long stop() waits after SIGTERM before SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the server ignored SIGTERM for 10 s and was killed. */
  killed: boolean;
}

export interface Server {
  readonly dataDir: string;
  /** `<dataDir>/kubeconfig.yaml`. */
  readonly kubeconfig: string;
  /** The HTTPS port from the kubeconfig's server URL (changes on restart with port 0). */
  readonly port: number;
  /** The server URL from the kubeconfig, e.g. https://127.0.0.1:40123. */
  readonly url: string;
  readonly pid: number | undefined;
  /** SIGTERM to the process group, SIGKILL after 10 s. Idempotent; keeps the data dir. */
  stop(): Promise<StopResult>;
  /** Stops (if running) and starts again on the same data dir; resolves when ready again. */
  restart(): Promise<void>;
  /** Everything the server wrote to stdout and stderr so far (all starts), interleaved. */
  logs(): string;
  /** Stops the server and removes the data dir. Idempotent; called automatically. */
  dispose(): Promise<void>;
}

// Every server is disposed after its test when started with `t`, otherwise after the test file
// (node:test's `after` called here, at import time, belongs to the file's root). A server started
// in a suite's `before` may be disposed earlier with `after(() => server.dispose())` in that suite.
// (Calling `after` inside startServer would attach it to whatever hook or test is running, e.g.
// to the `before` hook itself, which would stop the server as soon as that hook finished.)
const all = new Set<ServerImpl>();
after(async () => {
  for (const server of all) await server.dispose();
});

// Last-resort cleanup when a test file exits without running its hooks (or is interrupted).
const live = new Set<ServerImpl>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanupSync = (): void => {
    for (const server of live) server.killSync();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  };
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanupSync();
      process.kill(process.pid, signal);
    });
  }
}

function makeTempDir(prefix: string): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

class ServerImpl implements Server {
  readonly dataDir: string;
  readonly kubeconfig: string;
  private child: ChildProcess | undefined;
  private exited: Promise<StopResult> | undefined;
  private output = '';
  private serverUrl = '';
  private disposed = false;

  constructor(
    private readonly options: StartOptions,
  ) {
    this.dataDir = makeTempDir('k8ts-e2e-');
    this.kubeconfig = join(this.dataDir, 'kubeconfig.yaml');
  }

  get url(): string {
    return this.serverUrl;
  }

  get port(): number {
    return Number(new URL(this.serverUrl).port);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error('server was disposed');
    if (this.child) throw new Error('server is already running');
    // The server writes kubeconfig.yaml only once the API is ready; a stale one would fool us.
    rmSync(this.kubeconfig, { force: true });
    const args = [
      'server',
      ...(this.options.agent ? [] : ['--disable-agent']),
      ...['--https-port', '0', '--data-dir', this.dataDir],
      ...(this.options.args ?? []),
    ];
    this.append(`\n=== k8ts ${args.join(' ')}\n`);
    const child = spawn(this.options.bin ?? K8TS_BIN, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so stop() reaches everything it started
    });
    this.child = child;
    live.add(this);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    this.exited = new Promise<StopResult>((resolveExit) => {
      child.on('error', (err) => {
        this.append(`\n=== spawn failed: ${err.message}\n`);
        resolveExit({ code: null, signal: null, killed: false });
      });
      child.on('exit', (code, signal) => {
        this.append(`\n=== exited with ${signal ?? `code ${code}`}\n`);
        resolveExit({ code, signal, killed: false });
      });
    }).finally(() => {
      if (this.child === child) this.child = undefined;
      live.delete(this);
    });
    // Neither the server nor its pipes keep the test process alive; the exit hook kills it.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();

    const timeoutMs = this.options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const exited = this.exited;
    let exitedEarly: StopResult | undefined;
    void exited.then((result) => {
      exitedEarly = result;
    });
    try {
      this.serverUrl = await waitFor(
        () => {
          if (exitedEarly) throw new StartError(`k8ts server exited before it was ready (${describeExit(exitedEarly)})`);
          return readServerUrl(this.kubeconfig);
        },
        { timeoutMs, intervalMs: 100, description: `${this.kubeconfig} to appear`, stopOn: StartError },
      );
    } catch (err) {
      await this.stop();
      throw new Error(`${(err as Error).message}\n--- server output (last 8 KiB) ---\n${this.output.slice(-8192)}`, {
        cause: err,
      });
    }
  }

  async stop(): Promise<StopResult> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited || child.pid === undefined) {
      return exited ? await exited : { code: null, signal: null, killed: false };
    }
    child.ref(); // unref'd while running; waiting for its exit must keep the loop alive
    signalGroup(child.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceMs = this.options.stopGraceMs ?? STOP_GRACE_MS;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    // Whatever the server started in its group goes too, even after a clean exit.
    signalGroup(child.pid, 'SIGKILL');
    if (first !== 'timeout') return first;
    this.append(`\n=== did not stop within ${graceMs} ms of SIGTERM: killed\n`);
    return { ...(await exited), killed: true };
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    all.delete(this);
    await this.stop();
    this.cleanupNode();
    removeTempDir(this.dataDir);
  }

  /** For the process 'exit' hook: no waiting possible there. */
  /**
   * A server with its node agent leaves containers, mounts and its bridge behind when it was
   * killed rather than stopped: `k8ts cleanup` removes them (a no-op after a clean stop).
   */
  cleanupNode(): void {
    if (!this.options.agent || this.options.bin) return;
    const r = spawnSync(K8TS_BIN, ['cleanup', '--data-dir', this.dataDir], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) process.stderr.write(`k8ts cleanup --data-dir ${this.dataDir} failed: ${r.stderr}\n`);
  }

  killSync(): void {
    if (this.child?.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
    this.cleanupNode();
  }

  private append(text: string): void {
    this.output += text;
    if (this.output.length > MAX_LOG_CHARS) this.output = this.output.slice(-MAX_LOG_CHARS);
  }
}

class StartError extends Error {}

function describeExit(result: StopResult): string {
  return result.signal ? `signal ${result.signal}` : `exit code ${String(result.code)}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The cluster server URL from a kubeconfig; undefined while it is missing or half-written. */
function readServerUrl(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const config = parseYaml(text) as { clusters?: { cluster?: { server?: string } }[] } | null;
    const server = config?.clusters?.[0]?.cluster?.server;
    if (typeof server !== 'string' || server === '') return undefined;
    const url = new URL(server);
    return url.port === '' ? undefined : server;
  } catch {
    return undefined;
  }
}

/**
 * Starts `bin/k8ts server --disable-agent --https-port 0 --data-dir <fresh temp dir>` and
 * resolves once it has written its kubeconfig (i.e. the API is ready). Rejects with the server's
 * output if it exits first or is not ready within the timeout. The server is stopped and its
 * data dir removed after the test when `options.t` is given, otherwise at the end of the file.
 */
export async function startServer(options: StartOptions = {}): Promise<Server> {
  const server = new ServerImpl(options);
  all.add(server);
  options.t?.after(() => server.dispose());
  try {
    await server.start();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Environment merged over process.env (KUBECONFIG and KUBECACHEDIR are always the harness's). */
  env?: NodeJS.ProcessEnv;
  /** Kill kubectl after this long (default 60 s); the result then has timedOut: true. */
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs the `kubectl` on the PATH against `server` with `--kubeconfig` and a fresh
 * `--cache-dir` (so discovery is never stale; removed afterwards). Never rejects for a non-zero
 * exit; rejects only when kubectl cannot be run at all.
 */
export async function kubectl(
  server: Pick<Server, 'kubeconfig'>,
  args: string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const cacheDir = makeTempDir('k8ts-e2e-kubectl-cache-');
  // The flags go after the command (before a `--`), so that kubectl still finds plugins by the
  // leading words; the environment says the same for plugins and anything they run.
  const flags = ['--kubeconfig', server.kubeconfig, '--cache-dir', cacheDir];
  const dashes = args.indexOf('--');
  const fullArgs = dashes === -1 ? [...args, ...flags] : [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
  const env = { ...process.env, ...options.env, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: cacheDir };
  try {
    return await new Promise<KubectlResult>((resolveRun, reject) => {
      const child = spawn('kubectl', fullArgs, {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 60_000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot run kubectl: ${err.message}`, { cause: err }));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr, timedOut });
      });
      child.stdin.on('error', () => {
        // kubectl may exit without reading its input; the exit code tells the story.
      });
      child.stdin.end(options.input ?? '');
    });
  } finally {
    removeTempDir(cacheDir);
  }
}

/** Like kubectl(), but throws (with the command and stderr) unless it exits 0. Returns stdout. */
export async function kubectlOk(
  server: Pick<Server, 'kubeconfig'>,
  args: string[],
  options: KubectlOptions = {},
): Promise<string> {
  const result = await kubectl(server, args, options);
  if (result.code !== 0) {
    const how = result.timedOut ? 'timed out' : `exited with code ${String(result.code)}`;
    throw new Error(`kubectl ${args.join(' ')} ${how}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  }
  return result.stdout;
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error: "timed out after N ms waiting for <description>". */
  description?: string;
  /** Errors of this class end the wait at once instead of being retried. */
  stopOn?: new (...args: never[]) => Error;
}

/**
 * Calls `fn` until it returns something other than undefined, null or false, and resolves with
 * that. Errors thrown by `fn` are retried; on timeout the last one is part of the rejection.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      if (options.stopOn && err instanceof options.stopOn) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.description ? ` waiting for ${options.description}` : '';
      const last = lastError === undefined ? '' : `: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms${what}${last}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/** True when `kubectl` is on the PATH (e2e tests may skip otherwise). */
export function haveKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}
