// The summary the kubelet serves at /stats/summary (upstream server/stats/summary.go with the
// CRI stats provider): node CPU and memory from /proc, the node filesystem from statfs of the
// kubelet's root dir, the image filesystem from the runtime, and per-pod container stats from
// the runtime's ListContainerStats, with CPU rates computed from the previous sample when the
// runtime does not give them (as cAdvisor does between housekeeping runs).

import { setTimeout as delay } from 'node:timers/promises';
import type { ImageService, RuntimeService } from '../cri/service.js';
import type { Container, ContainerStats as CRIContainerStats, FilesystemUsage, PodSandbox } from '../cri/types.js';
import { busyNanoseconds, fsUsage, nanoCoresBetween, readMemInfo, readProcStat, rfc3339, type ProcStat } from './procfs.js';
import type { CPUStats, ContainerStats, FsStats, MemoryStats, NodeStats, PodStats, Summary } from './types.js';

/** Labels the kubelet puts on every container it creates (upstream kubelet/types/labels.go). */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

export type SummaryRuntime = Pick<RuntimeService, 'listContainerStats' | 'listPodSandbox' | 'listContainers'> & Pick<ImageService, 'imageFsInfo'>;

export interface SummaryProviderOptions {
  runtime: SummaryRuntime;
  nodeName: string;
  /** The kubelet's root dir: its filesystem is the node's `fs`. */
  rootDir: string;
  /** Wall clock, ms since the epoch. */
  now?: () => number;
  /** Default `/proc`; tests point it at a temp dir holding `stat` and `meminfo`. */
  procRoot?: string;
  /** With no earlier sample to compute a CPU rate from, a second one is taken this much later (default 100 ms). */
  bootstrapWindowMs?: number;
  /** A sample replaces the kept one only when at least this much newer (default 1000 ms), so rates never span a few ms. */
  minWindowMs?: number;
  /** Waits `ms`; tests advance a fake clock instead. */
  sleep?: (ms: number) => Promise<void>;
}

interface CpuPoint {
  usageNs: number;
  timestampNs: number;
}

interface Sample {
  timeMs: number;
  proc: ProcStat | undefined;
  mem: Map<string, number> | undefined;
  sandboxes: PodSandbox[];
  containers: Container[];
  stats: Map<string, CRIContainerStats>;
}

export class SummaryProvider {
  private readonly runtime: SummaryRuntime;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly bootstrapWindowMs: number;
  private readonly minWindowMs: number;
  private prevNode: { proc: ProcStat; timeMs: number } | undefined;
  private readonly prevContainers = new Map<string, CpuPoint>();

  constructor(private readonly opts: SummaryProviderOptions) {
    this.runtime = opts.runtime;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => delay(ms));
    this.bootstrapWindowMs = opts.bootstrapWindowMs ?? 100;
    this.minWindowMs = opts.minWindowMs ?? 1000;
  }

  /** The summary now. Rejects when the runtime cannot list containers or their stats. */
  async summary(): Promise<Summary> {
    let sample = await this.takeSample();
    if (this.needsBootstrap(sample)) {
      this.remember(sample);
      await this.sleep(this.bootstrapWindowMs);
      sample = await this.takeSample();
    }
    const out: Summary = { node: await this.nodeStats(sample), pods: this.podStats(sample) };
    this.remember(sample);
    return out;
  }

  private async takeSample(): Promise<Sample> {
    const [proc, mem, sandboxes, containers, stats] = await Promise.all([
      readProcStat({ procRoot: this.opts.procRoot }).catch(() => undefined),
      readMemInfo({ procRoot: this.opts.procRoot }).catch(() => undefined),
      this.runtime.listPodSandbox({ state: { state: 'SANDBOX_READY' } }),
      this.runtime.listContainers({ state: { state: 'CONTAINER_RUNNING' } }),
      this.runtime.listContainerStats({}),
    ]);
    const byId = new Map<string, CRIContainerStats>();
    for (const s of stats) if (s.attributes?.id) byId.set(s.attributes.id, s);
    return { timeMs: this.now(), proc, mem, sandboxes, containers, stats: byId };
  }

  /** Whether some CPU rate can only be known from a second sample. */
  private needsBootstrap(s: Sample): boolean {
    if (s.proc && !this.prevNode) return true;
    for (const c of s.containers) {
      const cpu = s.stats.get(c.id)?.cpu;
      if (cpu?.usageCoreNanoSeconds && !cpu.usageNanoCores && !this.prevContainers.has(c.id)) return true;
    }
    return false;
  }

  private remember(s: Sample): void {
    if (s.proc && (!this.prevNode || s.timeMs - this.prevNode.timeMs >= this.minWindowMs)) this.prevNode = { proc: s.proc, timeMs: s.timeMs };
    const live = new Set<string>();
    for (const [id, st] of s.stats) {
      live.add(id);
      const usage = st.cpu?.usageCoreNanoSeconds;
      if (!st.cpu || !usage) continue;
      const prev = this.prevContainers.get(id);
      if (!prev || st.cpu.timestamp - prev.timestampNs >= this.minWindowMs * 1e6 || usage.value < prev.usageNs) {
        this.prevContainers.set(id, { usageNs: usage.value, timestampNs: st.cpu.timestamp });
      }
    }
    for (const id of this.prevContainers.keys()) if (!live.has(id)) this.prevContainers.delete(id);
  }

  private async nodeStats(s: Sample): Promise<NodeStats> {
    const time = rfc3339(s.timeMs);
    const node: NodeStats = { nodeName: this.opts.nodeName, startTime: rfc3339((s.proc?.bootTime ?? 0) * 1000) };
    if (s.proc) {
      const cpu: CPUStats = { time, usageCoreNanoSeconds: Math.round(busyNanoseconds(s.proc)) };
      const rate = this.prevNode ? nanoCoresBetween(this.prevNode.proc, s.proc) : undefined;
      if (rate !== undefined) cpu.usageNanoCores = rate;
      node.cpu = cpu;
    }
    const total = s.mem?.get('MemTotal');
    const available = s.mem?.get('MemAvailable');
    const free = s.mem?.get('MemFree');
    if (total !== undefined && available !== undefined) {
      const memory: MemoryStats = { time, availableBytes: available, workingSetBytes: Math.max(0, total - available) };
      if (free !== undefined) memory.usageBytes = Math.max(0, total - free);
      node.memory = memory;
    }
    const fs = await fsUsage(this.opts.rootDir).catch(() => undefined);
    if (fs) node.fs = { time, ...fs };
    const images = await this.runtime.imageFsInfo().catch(() => undefined);
    const imageFs = images?.imageFilesystems[0];
    if (imageFs) {
      const imageStats = await filesystemStats(imageFs, s.timeMs);
      const containerFs = images.containerFilesystems[0];
      // Not split (KEP-4191 off): the container filesystem is the image filesystem.
      node.runtime = { imageFs: imageStats, containerFs: containerFs ? await filesystemStats(containerFs, s.timeMs) : imageStats };
    }
    return node;
  }

  private podStats(s: Sample): PodStats[] {
    const pods = new Map<string, PodStats>();
    for (const sb of s.sandboxes) {
      const md = sb.metadata;
      pods.set(sb.id, {
        podRef: { name: md?.name || sb.labels[LABEL_POD_NAME] || '', namespace: md?.namespace || sb.labels[LABEL_POD_NAMESPACE] || '', uid: md?.uid || sb.labels[LABEL_POD_UID] || '' },
        startTime: rfc3339(sb.createdAt / 1e6),
        containers: [],
      });
    }
    for (const c of s.containers) {
      const pod = pods.get(c.podSandboxId);
      if (!pod) continue;
      pod.containers.push(this.containerStats(c, s.stats.get(c.id)));
    }
    for (const pod of pods.values()) sumPod(pod);
    return [...pods.values()];
  }

  private containerStats(c: Container, st: CRIContainerStats | undefined): ContainerStats {
    const out: ContainerStats = { name: c.metadata?.name || c.labels[LABEL_CONTAINER_NAME] || '', startTime: rfc3339(c.createdAt / 1e6) };
    if (st?.cpu) {
      const time = rfc3339(st.cpu.timestamp / 1e6);
      const cpu: CPUStats = { time };
      const usage = st.cpu.usageCoreNanoSeconds?.value;
      if (usage !== undefined) cpu.usageCoreNanoSeconds = usage;
      if (st.cpu.usageNanoCores) cpu.usageNanoCores = st.cpu.usageNanoCores.value;
      else if (usage !== undefined) {
        const prev = this.prevContainers.get(c.id);
        if (prev && st.cpu.timestamp > prev.timestampNs && usage >= prev.usageNs) {
          cpu.usageNanoCores = Math.round(((usage - prev.usageNs) / (st.cpu.timestamp - prev.timestampNs)) * 1e9);
        }
      }
      out.cpu = cpu;
    }
    if (st?.memory) {
      const m = st.memory;
      const memory: MemoryStats = { time: rfc3339(m.timestamp / 1e6) };
      if (m.workingSetBytes) memory.workingSetBytes = m.workingSetBytes.value;
      if (m.usageBytes) memory.usageBytes = m.usageBytes.value;
      if (m.availableBytes) memory.availableBytes = m.availableBytes.value;
      if (m.rssBytes) memory.rssBytes = m.rssBytes.value;
      if (m.pageFaults) memory.pageFaults = m.pageFaults.value;
      if (m.majorPageFaults) memory.majorPageFaults = m.majorPageFaults.value;
      out.memory = memory;
    }
    if (st?.writableLayer) {
      const w = st.writableLayer;
      const rootfs: FsStats = { time: rfc3339(w.timestamp / 1e6) };
      if (w.usedBytes) rootfs.usedBytes = w.usedBytes.value;
      if (w.inodesUsed) rootfs.inodesUsed = w.inodesUsed.value;
      out.rootfs = rootfs;
    }
    return out;
  }
}

/** Pod CPU and memory as the sum of its containers' (the CRI provider's addCPUMemoryStats). */
function sumPod(pod: PodStats): void {
  let cpu: CPUStats | undefined;
  let memory: MemoryStats | undefined;
  for (const c of pod.containers) {
    if (c.cpu) {
      cpu ??= { time: c.cpu.time };
      if (c.cpu.usageNanoCores !== undefined) cpu.usageNanoCores = (cpu.usageNanoCores ?? 0) + c.cpu.usageNanoCores;
      if (c.cpu.usageCoreNanoSeconds !== undefined) cpu.usageCoreNanoSeconds = (cpu.usageCoreNanoSeconds ?? 0) + c.cpu.usageCoreNanoSeconds;
    }
    if (c.memory) {
      memory ??= { time: c.memory.time };
      if (c.memory.workingSetBytes !== undefined) memory.workingSetBytes = (memory.workingSetBytes ?? 0) + c.memory.workingSetBytes;
      if (c.memory.usageBytes !== undefined) memory.usageBytes = (memory.usageBytes ?? 0) + c.memory.usageBytes;
      if (c.memory.rssBytes !== undefined) memory.rssBytes = (memory.rssBytes ?? 0) + c.memory.rssBytes;
    }
  }
  if (cpu) pod.cpu = cpu;
  if (memory) pod.memory = memory;
}

/** A runtime filesystem's usage, with capacity from statfs of its mountpoint when readable. */
async function filesystemStats(fs: FilesystemUsage, nowMs: number): Promise<FsStats> {
  const out: FsStats = { time: rfc3339(fs.timestamp ? fs.timestamp / 1e6 : nowMs) };
  const mount = fs.fsId?.mountpoint;
  const usage = mount ? await fsUsage(mount).catch(() => undefined) : undefined;
  if (usage) {
    out.availableBytes = usage.availableBytes;
    out.capacityBytes = usage.capacityBytes;
    out.inodes = usage.inodes;
    out.inodesFree = usage.inodesFree;
  }
  if (fs.usedBytes) out.usedBytes = fs.usedBytes.value;
  if (fs.inodesUsed) out.inodesUsed = fs.inodesUsed.value;
  return out;
}
