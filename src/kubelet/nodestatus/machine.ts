// The machine facts the node status reports, read where cAdvisor reads them: machine id, system
// UUID, boot id, kernel, OS image, cores, memory and huge page pools.

import { readFile, readdir } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { parseMemInfo } from '../stats/procfs.js';

export interface MachineInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  /** PRETTY_NAME of /etc/os-release. */
  osImage: string;
  numCores: number;
  memoryCapacityBytes: number;
  /** Huge page pools: page size in KiB and the number of pages. */
  hugePages: { pageSizeKiB: number; numPages: number }[];
}

/** Roots to read from; tests point them at a temp dir laid out like `/`. */
export interface MachinePaths {
  /** Default `/proc`. */
  procRoot?: string;
  /** Default `/sys`. */
  sysRoot?: string;
  /** Default `/etc`. */
  etcRoot?: string;
}

const readTrimmed = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then((s) => s.trim(), () => undefined);

/** PRETTY_NAME from os-release text, unquoted; "Linux" when absent (cAdvisor's fallback). */
export function prettyName(osRelease: string | undefined): string {
  for (const line of (osRelease ?? '').split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (m) return m[1]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return 'Linux';
}

export async function readMachineInfo(paths: MachinePaths = {}): Promise<MachineInfo> {
  const proc = paths.procRoot ?? '/proc';
  const sys = paths.sysRoot ?? '/sys';
  const etc = paths.etcRoot ?? '/etc';
  const [machineID, productUUID, bootID, osRelease, meminfo, hugePages] = await Promise.all([
    readTrimmed(`${etc}/machine-id`),
    readTrimmed(`${sys}/class/dmi/id/product_uuid`),
    readTrimmed(`${proc}/sys/kernel/random/boot_id`),
    readFile(`${etc}/os-release`, 'utf8').catch(() => undefined),
    readFile(`${proc}/meminfo`, 'utf8'),
    readHugePages(sys),
  ]);
  return {
    machineID: machineID ?? '',
    systemUUID: productUUID || machineID || '',
    bootID: bootID ?? '',
    kernelVersion: release(),
    osImage: prettyName(osRelease),
    numCores: Math.max(1, cpus().length),
    memoryCapacityBytes: parseMemInfo(meminfo).get('MemTotal') ?? 0,
    hugePages,
  };
}

async function readHugePages(sys: string): Promise<MachineInfo['hugePages']> {
  const dir = `${sys}/kernel/mm/hugepages`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: MachineInfo['hugePages'] = [];
  for (const name of names.sort()) {
    const m = /^hugepages-(\d+)kB$/.exec(name);
    if (!m) continue;
    const n = Number((await readTrimmed(`${dir}/${name}/nr_hugepages`)) ?? '0');
    out.push({ pageSizeKiB: Number(m[1]), numPages: Number.isFinite(n) ? n : 0 });
  }
  return out;
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return map[arch] ?? arch;
}

/** Go's GOOS for Node's process.platform. */
export function goOS(platform: string = process.platform): string {
  return platform === 'win32' ? 'windows' : platform;
}
