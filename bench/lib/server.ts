// Runs the real `bin/k8ts server --disable-agent` as a separate process for a benchmark: a fresh
// temporary data dir, wait for kubeconfig.yaml (written only once the API is ready), and stop +
// remove the dir at the end — also when the benchmark throws or is interrupted.
//
// Extra node flags for the server process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) come from
// the K8TS_BENCH_NODE_FLAGS environment variable (space-separated); K8TS_BENCH_SERVER_LOG=FILE copies
// the server's whole output (e.g. `--trace-gc` lines) to FILE. K8TS_BENCH_SERVER_ROOT runs
// the server of another checkout or build copy (its bin/k8ts and dist/), for before/after runs.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The checkout whose bin/k8ts and dist/ the benchmarks run (K8TS_BENCH_SERVER_ROOT or this one). */
export const SERVER_ROOT = process.env.K8TS_BENCH_SERVER_ROOT ? resolve(process.env.K8TS_BENCH_SERVER_ROOT) : REPO_ROOT;
export const K8TS_BIN = join(SERVER_ROOT, 'bin', 'k8ts');
const CLI_MAIN = join(SERVER_ROOT, 'dist', 'cli', 'main.js');
const STOP_GRACE_MS = 15_000;
const MAX_LOG_CHARS = 64 * 1024;

export interface StartOptions {
  /** Data dir to use instead of a fresh temporary one (kept at the end). */
  dataDir?: string;
  /** `--https-port` (default 0: the kubeconfig says which port). */
  port?: number;
  /** Wait for kubeconfig.yaml (default true). With false, start() returns once spawned. */
  waitForKubeconfig?: boolean;
  /** Node flags for the server process, before bin/k8ts; K8TS_BENCH_NODE_FLAGS is appended. */
  nodeFlags?: string[];
  timeoutMs?: number;
  /** `k8ts server` flags instead of the default `--disable-agent` (e.g. `--simulated-nodes N`). */
  serverFlags?: string[];
}

/** What a client needs from kubeconfig.yaml. */
export interface Credentials {
  url: URL;
  ca: string;
  cert: string;
  key: string;
}

/** `#!/usr/bin/env -S NAME=VALUE… node FLAGS…` → the environment it sets and the Node flags. */
export function parseShebang(line: string): { env: Record<string, string>; flags: string[] } {
  const words = line.replace(/^#!\/usr\/bin\/env\s+-S\s+/, '').split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!); i++) {
    const [name, ...value] = words[i]!.split('=');
    env[name!] = value.join('=');
  }
  if (words[i] !== 'node') throw new Error(`bin/k8ts: unexpected shebang ${JSON.stringify(line)}`);
  return { env, flags: words.slice(i + 1) };
}

export class BenchServer {
  readonly dataDir: string;
  private readonly ownsDir: boolean;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output = '';
  private partialLine = '';
  /** The cache prefixes of the watchers the server terminated as unresponsive, with counts. */
  readonly droppedWatchers = new Map<string, number>();
  private creds: Credentials | undefined;
  /** performance.now() when the process was spawned. */
  spawnedAt = 0;

  constructor(private readonly opts: StartOptions = {}) {
    this.ownsDir = !opts.dataDir;
    this.dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
    live.add(this);
  }

  get pid(): number {
    if (this.child?.pid === undefined) throw new Error('server is not running');
    return this.child.pid;
  }

  get credentials(): Credentials {
    if (!this.creds) throw new Error('server has not written its kubeconfig yet');
    return this.creds;
  }

  /** Reads kubeconfig.yaml now (for servers started without waiting for it). */
  loadCredentials(): Credentials {
    this.creds = readCredentials(join(this.dataDir, 'kubeconfig.yaml'));
    return this.creds;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** `none`, or `3 (/registry/pods/ 2, /registry/leases/ 1)`. */
  describeDroppedWatchers(): string {
    const total = [...this.droppedWatchers.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return 'none';
    return `${total} (${[...this.droppedWatchers].map(([k, n]) => `${k} ${n}`).join(', ')})`;
  }

  logTail(chars = 4096): string {
    return this.output.slice(-chars);
  }

  async start(): Promise<void> {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
    const kubeconfig = join(this.dataDir, 'kubeconfig.yaml');
    rmSync(kubeconfig, { force: true });
    const envFlags = (process.env.K8TS_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const args = ['server', ...(this.opts.serverFlags ?? ['--disable-agent']), '--bind-address', '127.0.0.1', '--https-port', String(this.opts.port ?? 0), '--data-dir', this.dataDir];
    this.spawnedAt = performance.now();
    // The executable itself, as a user runs it (its shebang carries k8ts's own Node flags). Extra
    // flags (profiling: --cpu-prof is refused in NODE_OPTIONS) mean running node explicitly with
    // the shebang's flags first, so the process is configured the same way.
    const extra = [...(this.opts.nodeFlags ?? []), ...envFlags];
    const shebang = parseShebang(readFileSync(K8TS_BIN, 'utf8').split('\n', 1)[0]!);
    const [cmd, argv] = extra.length === 0 ? [K8TS_BIN, args] : [process.execPath, [...shebang.flags, ...extra, K8TS_BIN, ...args]];
    const child = spawn(cmd, argv, {
      cwd: SERVER_ROOT,
      env: extra.length === 0 ? process.env : { ...process.env, ...shebang.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: stop() reaches anything it started
    });
    this.child = child;
    const logFile = process.env.K8TS_BENCH_SERVER_LOG;
    const append = (chunk: string): void => {
      if (logFile) appendFileSync(logFile, chunk);
      this.output += chunk;
      if (this.output.length > MAX_LOG_CHARS) this.output = this.output.slice(-MAX_LOG_CHARS);
      const lines = (this.partialLine + chunk).split('\n');
      this.partialLine = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('terminating unresponsive watcher')) continue;
        const key = /"key":"([^"]*)"/.exec(line)?.[1] ?? '?';
        this.droppedWatchers.set(key, (this.droppedWatchers.get(key) ?? 0) + 1);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    let exitInfo: string | undefined;
    this.exited = new Promise<void>((r) => {
      child.on('error', (e) => {
        exitInfo = `spawn failed: ${e.message}`;
        r();
      });
      child.on('exit', (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        r();
      });
    }).finally(() => {
      if (this.child === child) this.child = undefined;
    });
    if (this.opts.waitForKubeconfig === false) return;
    const deadline = performance.now() + (this.opts.timeoutMs ?? 60_000);
    for (;;) {
      if (exitInfo) throw new Error(`k8ts server exited before it was ready (${exitInfo})\n${this.logTail()}`);
      if (existsSync(kubeconfig)) {
        this.creds = readCredentials(kubeconfig);
        return;
      }
      if (performance.now() > deadline) {
        await this.stop();
        throw new Error(`k8ts server did not write ${kubeconfig} in time\n${this.logTail()}`);
      }
      await sleep(20);
    }
  }

  /** SIGTERM (a clean exit lets --cpu-prof write its profile), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)));
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    signalGroup(child.pid, 'SIGKILL');
    await this.exited;
  }

  /** Stops the server and removes the temporary data dir. Idempotent. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
    live.delete(this);
  }

  killSync(): void {
    if (this.child?.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function readCredentials(path: string): Credentials {
  const kc = parseYaml(readFileSync(path, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  const cluster = kc.clusters[0]!.cluster;
  const user = kc.users[0]!.user;
  return {
    url: new URL(cluster.server),
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Whether `done` settled within `ms` (false on time-out). The timer is cleared either way, so a
 * finished benchmark does not sit out the rest of a long time-out before it exits.
 */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([done.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Last-resort cleanup: servers never outlive the benchmark process.
const live = new Set<BenchServer>();
process.on('exit', () => {
  for (const s of live) s.killSync();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const s of live) s.killSync();
    process.exit(130);
  });
}

/** Starts a server, runs fn, and always disposes of the server. */
export async function withServer<T>(fn: (server: BenchServer) => Promise<T>, opts?: StartOptions): Promise<T> {
  const server = new BenchServer(opts);
  try {
    await server.start();
    return await fn(server);
  } finally {
    await server.dispose();
  }
}

/** Resident set size of a process in MiB, from /proc/<pid>/status VmRSS. */
export function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64 and arm64

/** Busy (non-idle, non-iowait) CPU seconds of the whole machine so far, from /proc/stat. */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / CLOCK_TICKS;
}

export interface CpuReading {
  /** Percent of one core used by the server process. */
  server: number;
  /** Percent of one core used by this load-generator process. */
  client: number;
  /** Percent of one core used by everything else on the machine (other jobs, the kernel). */
  other: number;
}

/** Measures CPU use of the server, of this (load generator) process and of the rest of the machine. */
export class CpuMeter {
  private readonly server0: number;
  private readonly self0: NodeJS.CpuUsage;
  private readonly machine0: number;
  private readonly t0 = performance.now();
  constructor(private readonly pid: number) {
    this.server0 = cpuSeconds(pid);
    this.self0 = process.cpuUsage();
    this.machine0 = machineBusySeconds();
  }
  read(): CpuReading {
    const secs = (performance.now() - this.t0) / 1000;
    const self = process.cpuUsage(this.self0);
    const server = ((cpuSeconds(this.pid) - this.server0) / secs) * 100;
    const client = ((self.user + self.system) / 1e6 / secs) * 100;
    const busy = ((machineBusySeconds() - this.machine0) / secs) * 100;
    return { server, client, other: Math.max(0, busy - server - client) };
  }
}

/** "server 95% / load generator 41% / other 3%" (percent of one core; the machine has 2). */
export function describeCpu(c: CpuReading): string {
  return `${c.server.toFixed(0)}% / ${c.client.toFixed(0)}% / ${c.other.toFixed(0)}%`;
}

export const CPU_LABEL = 'CPU: server / load generator / other processes (% of one core)';
