// Readers of the host facts the kubelet reports without cAdvisor: /proc/stat (CPU time, boot
// time), /proc/meminfo and statfs(2). Parsers are pure so tests feed them text.

import { readFile, statfs } from 'node:fs/promises';

/** USER_HZ: the unit of /proc/stat times; 100 on every Linux architecture Node runs on. */
export const USER_HZ = 100;
const NS_PER_JIFFY = 1e9 / USER_HZ;

export interface ProcStat {
  /** Jiffies spent busy by all CPUs (user, nice, system, irq, softirq, steal). */
  busyJiffies: number;
  /** Jiffies of all CPUs, idle and iowait included. */
  totalJiffies: number;
  /** Number of `cpuN` lines. */
  cpus: number;
  /** Boot time, seconds since the epoch (`btime`). */
  bootTime: number;
}

/** Parses /proc/stat; throws when the aggregate `cpu` line is missing. */
export function parseProcStat(text: string): ProcStat {
  let busy = -1;
  let total = 0;
  let cpus = 0;
  let bootTime = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
      busy = user + nice + system + irq + softirq + steal;
      total = busy + idle + iowait;
    } else if (/^cpu\d+ /.test(line)) cpus++;
    else if (line.startsWith('btime ')) bootTime = Number(line.slice(6).trim());
  }
  if (busy < 0) throw new Error('/proc/stat has no aggregate cpu line');
  return { busyJiffies: busy, totalJiffies: total, cpus: Math.max(cpus, 1), bootTime };
}

/** Cumulative busy CPU time in core-nanoseconds. */
export function busyNanoseconds(s: ProcStat): number {
  return s.busyJiffies * NS_PER_JIFFY;
}

/** The average nanocores used between two samples, from the share of busy jiffies. */
export function nanoCoresBetween(prev: ProcStat, cur: ProcStat): number | undefined {
  const total = cur.totalJiffies - prev.totalJiffies;
  const busy = cur.busyJiffies - prev.busyJiffies;
  if (total <= 0 || busy < 0) return undefined;
  return Math.round((busy / total) * cur.cpus * 1e9);
}

/** /proc/meminfo as bytes by key (`MemTotal`, `MemAvailable`, …; `kB` values times 1024). */
export function parseMemInfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    out.set(m[1]!, line.trimEnd().endsWith('kB') ? v * 1024 : v);
  }
  return out;
}

export interface FsUsage {
  capacityBytes: number;
  availableBytes: number;
  usedBytes: number;
  inodes: number;
  inodesFree: number;
  inodesUsed: number;
}

/** statfs(2) of the filesystem holding `path`, as cAdvisor reports it. */
export async function fsUsage(path: string): Promise<FsUsage> {
  const s = await statfs(path);
  return {
    capacityBytes: s.blocks * s.bsize,
    availableBytes: s.bavail * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    inodes: s.files,
    inodesFree: s.ffree,
    inodesUsed: s.files - s.ffree,
  };
}

/** Where the readers look; tests point `procRoot` at a temp dir. */
export interface HostPaths {
  /** Default `/proc`. */
  procRoot?: string;
}

export async function readProcStat(paths: HostPaths = {}): Promise<ProcStat> {
  return parseProcStat(await readFile(`${paths.procRoot ?? '/proc'}/stat`, 'utf8'));
}

export async function readMemInfo(paths: HostPaths = {}): Promise<Map<string, number>> {
  return parseMemInfo(await readFile(`${paths.procRoot ?? '/proc'}/meminfo`, 'utf8'));
}

/** metav1.Time's wire form: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
