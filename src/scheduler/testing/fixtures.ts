// Node and pod builders for scheduler tests and benchmarks.

import type { Container, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { DeepMutable } from '../../util/mutable.js';

export type NodeObject = DeepMutable<Node> & KubeObject;
export type PodObject = DeepMutable<Pod> & KubeObject;

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOpts = {}): NodeObject {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable, capacity: allocatable, images: o.images },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  priority?: number;
  labels?: Record<string, string>;
  spec?: DeepMutable<Pod['spec']>;
  containers?: Container[];
  uid?: string;
}

let seq = 0;

export function makePod(name: string, o: PodOpts = {}): PodObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const containers = (o.containers as DeepMutable<Container>[] | undefined) ?? [{ name: 'c', image: 'busybox', resources: { requests } }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}-${++seq}`, labels: o.labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { schedulerName: 'default-scheduler', containers, nodeName: o.nodeName, priority: o.priority, ...(o.spec ?? {}) },
    status: { phase: 'Pending' },
  };
}
