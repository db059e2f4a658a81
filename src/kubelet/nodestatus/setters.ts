// The node status setters (upstream pkg/kubelet/nodestatus/setters.go): each fills the part of
// the Node's status the kubelet owns from what it knows about the machine and the runtime.
// They change the node in place and report condition transitions through `record`.

import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../machinery/quantity.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { Image, RuntimeCondition, StatusResponse, VersionResponse } from '../cri/types.js';
import { rfc3339 } from '../stats/procfs.js';
import type { MachineInfo } from './machine.js';

export type MutableNode = DeepMutable<Node>;
type MutableCondition = DeepMutable<NodeCondition>;

/** Records an event about the node: (type, reason, message). */
export type RecordFn = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** Upstream's nodeStatusMaxImages default and MaxNamesPerImageInNodeStatus. */
export const MAX_IMAGES = 50;
export const MAX_NAMES_PER_IMAGE = 5;
/** Upstream's --max-pods default. */
export const DEFAULT_MAX_PODS = 110;

/** What the setters read; gathered once per status sync. */
export interface StatusInputs {
  nodeName: string;
  /** ms since the epoch. */
  now: number;
  machine: MachineInfo;
  /** Capacity of the kubelet root dir's filesystem; undefined when statfs failed. */
  ephemeralStorageBytes: number | undefined;
  maxPods: number;
  internalIP: string;
  hostname: string;
  kubeletPort: number;
  /** The CRI Version answer; undefined when the call failed ("Unknown"). */
  runtimeVersion: VersionResponse | undefined;
  /** Every image on the node; undefined when listing failed. */
  images: Image[] | undefined;
  runtimeHandlers: StatusResponse['runtimeHandlers'];
  /** Why the node is not ready (runtime, network, …); empty when it is. */
  readinessErrors: string[];
  kubeletVersion: string;
  operatingSystem: string;
  architecture: string;
}

/** cAdvisor's CapacityFromMachineInfo plus pods and ephemeral storage. */
export function capacityOf(inputs: Pick<StatusInputs, 'machine' | 'ephemeralStorageBytes' | 'maxPods'>): Record<string, string> {
  const out: Record<string, string> = {
    cpu: String(inputs.machine.numCores),
    memory: Quantity.fromInt(inputs.machine.memoryCapacityBytes, 'BinarySI').toString(),
    pods: String(inputs.maxPods),
  };
  if (inputs.ephemeralStorageBytes !== undefined) out['ephemeral-storage'] = Quantity.fromInt(inputs.ephemeralStorageBytes, 'BinarySI').toString();
  for (const hp of inputs.machine.hugePages) {
    out[`hugepages-${Quantity.fromInt(hp.pageSizeKiB * 1024, 'BinarySI').toString()}`] = Quantity.fromInt(hp.pageSizeKiB * 1024 * hp.numPages, 'BinarySI').toString();
  }
  return out;
}

/**
 * Allocatable as MachineInfo computes it with no reservations: capacity, less huge pages from
 * memory (no kube/system reservation and no eviction thresholds are configured here).
 */
export function allocatableOf(capacity: Record<string, string>): Record<string, string> {
  const out = { ...capacity };
  let memory = Quantity.parse(capacity.memory ?? '0');
  for (const [k, v] of Object.entries(capacity)) if (k.startsWith('hugepages-')) memory = memory.sub(Quantity.parse(v));
  if (memory.sign() < 0) memory = Quantity.fromInt(0, 'BinarySI');
  out.memory = memory.toString();
  return out;
}

export function setNodeAddress(node: MutableNode, i: StatusInputs): void {
  node.status!.addresses = [
    { type: 'InternalIP', address: i.internalIP },
    { type: 'Hostname', address: i.hostname },
  ];
}

export function setMachineInfo(node: MutableNode, i: StatusInputs, record: RecordFn): void {
  const status = node.status!;
  const info = (status.nodeInfo ??= emptyNodeInfo());
  info.machineID = i.machine.machineID;
  info.systemUUID = i.machine.systemUUID;
  if (info.bootID && info.bootID !== i.machine.bootID) {
    record('Warning', 'Rebooted', `Node ${i.nodeName} has been rebooted, boot id: ${i.machine.bootID}`);
  }
  info.bootID = i.machine.bootID;
  // Keep capacity the kubelet does not own (extended resources advertised by others).
  const capacity = capacityOf(i);
  status.capacity = { ...(status.capacity ?? {}), ...capacity };
  status.allocatable = { ...(status.allocatable ?? {}), ...allocatableOf(capacity) };
}

export function setVersionInfo(node: MutableNode, i: StatusInputs): void {
  const info = (node.status!.nodeInfo ??= emptyNodeInfo());
  info.kernelVersion = i.machine.kernelVersion;
  info.osImage = i.machine.osImage;
  const v = i.runtimeVersion;
  info.containerRuntimeVersion = `${v?.runtimeName || 'Unknown'}://${v?.runtimeVersion || 'Unknown'}`;
  info.kubeletVersion = i.kubeletVersion;
  info.kubeProxyVersion = i.kubeletVersion;
}

export function setDaemonEndpoints(node: MutableNode, i: StatusInputs): void {
  node.status!.daemonEndpoints = { kubeletEndpoint: { Port: i.kubeletPort } };
}

/** The 50 largest images, digests before tags, at most 5 names each. Kept as is when listing failed. */
export function setImages(node: MutableNode, i: StatusInputs): void {
  if (!i.images) {
    node.status!.images = [];
    return;
  }
  const sorted = [...i.images].sort((a, b) => b.size - a.size).slice(0, MAX_IMAGES);
  node.status!.images = sorted.map((img) => ({ names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: img.size }));
}

export function setGoRuntime(node: MutableNode, i: StatusInputs): void {
  const info = (node.status!.nodeInfo ??= emptyNodeInfo());
  info.operatingSystem = i.operatingSystem;
  info.architecture = i.architecture;
}

export function setRuntimeHandlers(node: MutableNode, i: StatusInputs): void {
  if (!i.runtimeHandlers.length) {
    delete node.status!.runtimeHandlers;
    return;
  }
  node.status!.runtimeHandlers = i.runtimeHandlers.map((h) => ({
    name: h.name,
    features: { recursiveReadOnlyMounts: h.features?.recursiveReadOnlyMounts ?? false, userNamespaces: h.features?.userNamespaces ?? false },
  }));
}

type PressureType = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';
const NO_PRESSURE: Record<PressureType, { reason: string; message: string; event: string }> = {
  MemoryPressure: { reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', event: 'NodeHasSufficientMemory' },
  DiskPressure: { reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', event: 'NodeHasNoDiskPressure' },
  PIDPressure: { reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', event: 'NodeHasSufficientPID' },
};

/**
 * A pressure condition, always False here (no eviction manager measures pressure): set on
 * first sight or when it was anything else, with a transition time and an event then; the
 * heartbeat time always.
 */
export function setPressureCondition(node: MutableNode, type: PressureType, i: StatusInputs, record: RecordFn): void {
  const conditions = (node.status!.conditions ??= []);
  const now = rfc3339(i.now);
  let c = conditions.find((x) => x.type === type);
  if (!c) {
    c = { type, status: 'Unknown' };
    conditions.push(c);
  }
  c.lastHeartbeatTime = now;
  if (c.status !== 'False') {
    const want = NO_PRESSURE[type];
    Object.assign(c, { status: 'False', reason: want.reason, message: want.message, lastTransitionTime: now });
    record('Normal', want.event, statusEventMessage(i.nodeName, want.event));
  }
}

/** Go's utilerrors.Aggregate text: one message as is, several (deduplicated) as `[a, b]`. */
export function aggregateMessage(messages: readonly string[]): string {
  const seen = [...new Set(messages)];
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`;
}

/** The Ready condition, kept last in the list (upstream issue 16961). */
export function setReadyCondition(node: MutableNode, i: StatusInputs, record: RecordFn): void {
  const status = node.status!;
  const now = rfc3339(i.now);
  const errs = [...i.readinessErrors];
  const missing = ['cpu', 'memory', 'pods', 'ephemeral-storage'].filter((r) => status.capacity?.[r] === undefined);
  if (missing.length) errs.push(`missing node capacity for resources: ${missing.join(', ')}`);
  const next: MutableCondition = errs.length
    ? { type: 'Ready', status: 'False', lastHeartbeatTime: now, reason: 'KubeletNotReady', message: aggregateMessage(errs) }
    : { type: 'Ready', status: 'True', lastHeartbeatTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' };
  const conditions = (status.conditions ??= []);
  const idx = conditions.findIndex((c) => c.type === 'Ready');
  if (idx < 0) {
    next.lastTransitionTime = now;
    conditions.push(next);
    return;
  }
  const old = conditions[idx]!;
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime;
  else next.lastTransitionTime = now;
  conditions[idx] = next;
  if (old.status !== next.status) {
    const event = next.status === 'True' ? 'NodeReady' : 'NodeNotReady';
    record('Normal', event, statusEventMessage(i.nodeName, event));
  }
}

/** Every setter in upstream's order (defaultNodeStatusFuncs). */
export function setNodeStatus(node: MutableNode, i: StatusInputs, record: RecordFn): void {
  node.status ??= {};
  setNodeAddress(node, i);
  setMachineInfo(node, i, record);
  setVersionInfo(node, i);
  setDaemonEndpoints(node, i);
  setImages(node, i);
  setGoRuntime(node, i);
  setRuntimeHandlers(node, i);
  setPressureCondition(node, 'MemoryPressure', i, record);
  setPressureCondition(node, 'DiskPressure', i, record);
  setPressureCondition(node, 'PIDPressure', i, record);
  setReadyCondition(node, i, record);
}

/** kl.recordNodeStatusEvent's message. */
export function statusEventMessage(nodeName: string, event: string): string {
  return `Node ${nodeName} status is now: ${event}`;
}

/** `Type=bool reason:… message:…`: kubecontainer.RuntimeCondition's String(), `<nil>` when absent. */
export function runtimeConditionString(c: RuntimeCondition | undefined): string {
  return c ? `${c.type}=${c.status} reason:${c.reason} message:${c.message}` : '<nil>';
}

/**
 * Whether a status differs in anything but condition heartbeat times (upstream
 * nodeStatusHasChanged): only then, or once per report period, is it written.
 */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  const strip = (s: NodeStatus | undefined): unknown => {
    if (!s) return {};
    const conditions = [...(s.conditions ?? [])].map((c) => ({ ...c, lastHeartbeatTime: undefined })).sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0));
    return { ...s, conditions };
  };
  return canonicalJSON(strip(a)) !== canonicalJSON(strip(b));
}

/** JSON with object keys sorted and undefined/empty-array fields dropped, for comparisons. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(val).sort()) {
        const x = (val as Record<string, unknown>)[k];
        if (x === undefined || (Array.isArray(x) && x.length === 0)) continue;
        out[k] = x;
      }
      return out;
    }
    return val;
  });
}

function emptyNodeInfo(): DeepMutable<NonNullable<NodeStatus['nodeInfo']>> {
  return { machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: '', containerRuntimeVersion: '', kubeletVersion: '', kubeProxyVersion: '', operatingSystem: '', architecture: '' };
}
