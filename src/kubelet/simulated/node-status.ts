// The Node object a simulated node registers and the status it reports: what the kubelet's
// initialNode and node status setters (pkg/kubelet/nodestatus/setters.go) produce for a healthy
// machine with the capacity it was given.

import { createHash } from 'node:crypto';
import { release } from 'node:os';
import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../util/mutable.js';
import { rfc3339 } from './pod-status.js';
import { formatIPv4 } from './ipam.js';

/** Label every simulated node carries (selects them in one watch). */
export const LABEL_SIMULATED = 'node.k8ts.io/simulated';
/** Annotation the API server checks to refuse streams (logs, exec, …) to simulated nodes. */
export const ANNOTATION_SIMULATED = 'k8ts.io/simulated';
/** `stopped` makes a simulated node stop renewing its lease and posting status. */
export const ANNOTATION_HEARTBEAT = 'k8ts.io/simulated-heartbeat';

export const KUBELET_VERSION = 'v1.32.0';
export const CONTAINER_RUNTIME_VERSION = 'k8ts-simulated://0.1.0';
export const OS_IMAGE = 'k8ts simulated node';

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = {
  cpu: '4',
  memory: '16Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
};

export interface SimulatedNodeSpec {
  name: string;
  /** Capacity, reported as allocatable too; default cpu 4, memory 16Gi, pods 110, ephemeral-storage 100Gi. */
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  /** Set at registration only, as the kubelet's --register-with-taints. */
  taints?: Taint[];
}

type MutableNode = DeepMutable<Node>;
type MutableCondition = DeepMutable<NodeCondition>;

/** 10.44.0.0/16, in registration order from 10.44.0.1: never contacted, only reported. */
export function simulatedNodeAddress(index: number): string {
  return formatIPv4(((10 << 24) >>> 0) + (44 << 16) + ((index + 1) % 65535 || 1));
}

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const uuid = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;

/** The labels the kubelet sets on its node (plus the simulated marker), then the spec's own. */
export function nodeLabels(spec: SimulatedNodeSpec): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    [LABEL_SIMULATED]: 'true',
    ...(spec.labels ?? {}),
  };
}

export function nodeAnnotations(): Record<string, string> {
  return {
    // What the kubelet sets when attach/detach is left to the controller (the default).
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    [ANNOTATION_SIMULATED]: 'true',
  };
}

/** The conditions of a healthy node, in the kubelet's order; transition times kept from `old`. */
export function healthyConditions(old: readonly NodeCondition[] | undefined, now: number): MutableCondition[] {
  const prev = new Map<string, NodeCondition>();
  for (const c of old ?? []) prev.set(c.type, c);
  const t = rfc3339(now);
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string): MutableCondition => {
    const p = prev.get(type);
    return {
      type,
      status,
      lastHeartbeatTime: t,
      lastTransitionTime: p && p.status === status && p.lastTransitionTime ? p.lastTransitionTime : t,
      reason,
      message,
    };
  };
  return [
    cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

const OWNED_CONDITIONS = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);

/**
 * The status to post: `current` with the fields the kubelet owns replaced (capacity,
 * allocatable, conditions, addresses, daemon endpoints, node info); others (volumesAttached,
 * images, conditions of other owners) are kept.
 */
export function desiredNodeStatus(spec: SimulatedNodeSpec, address: string, current: NodeStatus | undefined, now: number): DeepMutable<NodeStatus> {
  const capacity = { ...DEFAULT_CAPACITY, ...(spec.capacity ?? {}) };
  const machine = hex(`machine:${spec.name}`);
  const conditions: MutableCondition[] = healthyConditions(current?.conditions, now);
  for (const c of current?.conditions ?? []) if (!OWNED_CONDITIONS.has(c.type)) conditions.push(structuredClone(c) as MutableCondition);
  return {
    ...(structuredClone(current ?? {}) as DeepMutable<NodeStatus>),
    capacity: { ...capacity },
    allocatable: { ...capacity },
    conditions,
    addresses: [
      { type: 'InternalIP', address },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: machine.slice(0, 32),
      systemUUID: uuid(hex(`system:${spec.name}`)),
      bootID: uuid(hex(`boot:${spec.name}`)),
      kernelVersion: release(),
      osImage: OS_IMAGE,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node the simulated kubelet creates (upstream initialNode + registerWithTaints). */
export function initialNode(spec: SimulatedNodeSpec, address: string, now: number): MutableNode {
  const node: MutableNode = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels: nodeLabels(spec), annotations: nodeAnnotations() },
    spec: {},
    status: desiredNodeStatus(spec, address, undefined, now),
  };
  if (spec.taints?.length) node.spec = { taints: structuredClone(spec.taints) as DeepMutable<Taint>[] };
  return node;
}

/**
 * Whether the node as stored disagrees with what the simulated kubelet would report, in the
 * conditions it owns (the node lifecycle controller sets them Unknown when heartbeats stop).
 */
export function conditionsDiffer(node: Node): boolean {
  const want = new Map([
    ['MemoryPressure', 'False'],
    ['DiskPressure', 'False'],
    ['PIDPressure', 'False'],
    ['Ready', 'True'],
  ]);
  for (const c of node.status?.conditions ?? []) {
    const w = want.get(c.type);
    if (w === undefined) continue;
    if (c.status !== w) return true;
    want.delete(c.type);
  }
  return want.size > 0;
}

/** Whether the Ready condition is True. */
export function isNodeReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
