// Removing what one containerd instance leaves behind when it stops without tearing its pods
// down: container processes, shims, mounts under its directory, the pods' network namespaces,
// and (on request) the CNI bridge and IPAM state. Everything is found from the instance's own
// files and sockets, never by a broad name, so other containerd instances are left alone.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InstancePaths } from './config.js';

const execFileAsync = promisify(execFile);

/** containerd 1.6 puts shim sockets here whatever the instance's state dir is. */
const SHIM_SOCKET_DIR = '/run/containerd/s';

export interface TaskInfo {
  id: string;
  namespace: string;
  initPid?: number;
  /** The network namespace path from the task's OCI spec (sandboxes only). */
  netns?: string;
}

/** Tasks (sandboxes and containers) with a bundle under the instance's state dir. */
export async function listTasks(paths: InstancePaths): Promise<TaskInfo[]> {
  const base = join(paths.state, 'io.containerd.runtime.v2.task');
  const out: TaskInfo[] = [];
  for (const ns of await readdirSafe(base)) {
    for (const id of await readdirSafe(join(base, ns))) {
      const dir = join(base, ns, id);
      const task: TaskInfo = { id, namespace: ns };
      const pid = Number((await readFileSafe(join(dir, 'init.pid'))).trim());
      if (Number.isInteger(pid) && pid > 0) task.initPid = pid;
      try {
        const spec = JSON.parse(await readFileSafe(join(dir, 'config.json'))) as { linux?: { namespaces?: { type: string; path?: string }[] } };
        const net = spec.linux?.namespaces?.find((n) => n.type === 'network' && n.path);
        if (net?.path) task.netns = net.path;
      } catch {
        // no spec (yet): nothing to learn
      }
      out.push(task);
    }
  }
  return out;
}

/** Pids of the shims started for this instance (`containerd-shim… -address <socket>`). */
export async function findShims(paths: InstancePaths): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFileSafe(join('/proc', entry, 'cmdline'))).split('\0');
    if (!argv[0]?.includes('containerd-shim')) continue;
    const i = argv.indexOf('-address');
    if (i >= 0 && argv[i + 1] === paths.socket) out.push(Number(entry));
  }
  return out;
}

/** containerd 1.6's shim socket for a task: /run/containerd/s/sha256(<grpc address>/<ns>/<id>). */
export function shimSocketPath(paths: InstancePaths, namespace: string, id: string): string {
  const digest = createHash('sha256').update(join(paths.socket, namespace, id)).digest('hex');
  return join(SHIM_SOCKET_DIR, digest);
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const text = await readFileSafe('/proc/self/mountinfo');
  const points = text.split('\n').map((l) => unescapeMount(l.split(' ')[4] ?? '')).filter((m) => m === dir || m.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export interface CleanupOptions {
  /** Also delete the CNI bridge interface and host-local state (for tests and uninstall). */
  bridge?: string;
  /** Remove the whole instance directory at the end. */
  removeDir?: boolean;
}

export interface CleanupReport {
  killed: number[];
  unmounted: string[];
  netns: string[];
  errors: string[];
}

/**
 * Kills the instance's container processes (each task's init; a pid namespace dies with its
 * init) and shims, unmounts what is mounted under its directory, and removes the sandboxes'
 * network namespaces and shim sockets. Call after containerd itself has stopped. Safe to repeat.
 */
export async function cleanupInstance(paths: InstancePaths, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const report: CleanupReport = { killed: [], unmounted: [], netns: [], errors: [] };
  const tasks = await listTasks(paths);
  for (const t of tasks) if (t.initPid && (await isAlive(t.initPid))) killQuietly(t.initPid, report);
  for (const pid of await findShims(paths)) killQuietly(pid, report);
  await waitGone(report.killed, 3000);
  for (const t of tasks) {
    // A container's spec joins its sandbox's namespace through /proc/<pid>/ns/net: only the
    // sandbox's own bind-mounted namespace file (e.g. /var/run/netns/cni-…) is removed.
    if (t.netns && !t.netns.startsWith('/proc/')) {
      await umountQuietly(t.netns, report);
      await rm(t.netns, { force: true }).then(() => report.netns.push(t.netns ?? ''), (err: Error) => report.errors.push(`rm ${t.netns}: ${err.message}`));
    }
    await unlink(shimSocketPath(paths, t.namespace, t.id)).catch(() => undefined);
  }
  for (const m of await mountsUnder(paths.dir)) {
    if (await umountQuietly(m, report)) report.unmounted.push(m);
  }
  if (opts.bridge) {
    await execFileAsync('ip', ['link', 'del', opts.bridge]).catch((err: { stderr?: string }) => {
      if (!/Cannot find device|does not exist/.test(err.stderr ?? '')) report.errors.push(`ip link del ${opts.bridge}: ${err.stderr?.trim()}`);
    });
    await rm(paths.ipamDataDir, { recursive: true, force: true });
  }
  if (opts.removeDir) {
    const left = await mountsUnder(paths.dir);
    if (left.length) report.errors.push(`not removing ${paths.dir}: still mounted: ${left.join(', ')}`);
    else await rm(paths.dir, { recursive: true, force: true }).catch((err: Error) => report.errors.push(`rm ${paths.dir}: ${err.message}`));
  }
  return report;
}

function killQuietly(pid: number, report: CleanupReport): void {
  try {
    process.kill(pid, 'SIGKILL');
    report.killed.push(pid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') report.errors.push(`kill ${pid}: ${(err as Error).message}`);
  }
}

async function umountQuietly(path: string, report: CleanupReport): Promise<boolean> {
  try {
    await execFileAsync('umount', ['-l', path]);
    return true;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    if (!/not mounted|no mount point|No such file/.test(stderr)) report.errors.push(`umount ${path}: ${stderr.trim()}`);
    return false;
  }
}

export async function isAlive(pid: number): Promise<boolean> {
  // A zombie still answers kill(0); its state in /proc says it is gone.
  const stat = await readFileSafe(`/proc/${pid}/stat`);
  if (!stat) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all(pids.map(isAlive));
    if (!alive.some(Boolean) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function readFileSafe(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Unmounts everything at or under `dir`, deepest first (pod volumes of a stopped kubelet). */
export async function unmountAllUnder(dir: string): Promise<{ unmounted: string[]; errors: string[] }> {
  const report: CleanupReport = { killed: [], unmounted: [], netns: [], errors: [] };
  for (const m of await mountsUnder(dir)) if (await umountQuietly(m, report)) report.unmounted.push(m);
  return { unmounted: report.unmounted, errors: report.errors };
}
