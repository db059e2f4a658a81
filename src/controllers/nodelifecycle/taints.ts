// The taints the node lifecycle controller owns (upstream TaintNodesByCondition and the
// NoExecute templates of pkg/controller/nodelifecycle) and how they are written: one merge
// patch of the whole list guarded by the resourceVersion read, retried on conflict with a
// fresh read (upstream controller.AddOrUpdateTaintOnNode / RemoveTaintOffNode).

import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES } from '../../client/resources.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';

/** Upstream nodeConditionToTaintKeyStatusMap. */
export const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

/** Taint keys whose NoSchedule taints this controller manages. */
export const NO_SCHEDULE_KEYS: ReadonlySet<string> = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);

export type NodeObject = Node & KubeObject;

export interface TaintRef {
  key: string;
  effect: 'NoSchedule' | 'NoExecute';
}

export function hasTaint(node: Node, t: TaintRef): boolean {
  return node.spec?.taints?.some((x) => x.key === t.key && x.effect === t.effect) ?? false;
}

/** The NoSchedule taints a node's conditions and spec.unschedulable call for (doNoScheduleTaintingPass). */
export function desiredNoScheduleTaints(node: Node): TaintRef[] {
  const out: TaintRef[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/**
 * Adds `add` (with timeAdded = now, as upstream SwapNodeControllerTaint) and removes `remove`
 * in one write. Returns false when the node is gone. Throws other errors.
 */
export async function swapNodeTaints(client: Interface, cached: NodeObject, add: TaintRef[], remove: TaintRef[], nowMs: number, signal?: AbortSignal): Promise<boolean> {
  const nodes = client.resource<NodeObject>(NODES);
  const name = cached.metadata?.name ?? '';
  let node: NodeObject = cached;
  const timeAdded = new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z');
  for (let attempt = 0; ; attempt++) {
    const current = node.spec?.taints ?? [];
    const kept = current.filter((t) => !remove.some((r) => r.key === t.key && r.effect === t.effect));
    const added: Taint[] = add.filter((a) => !kept.some((t) => t.key === a.key && t.effect === a.effect)).map((a) => ({ key: a.key, effect: a.effect, timeAdded }));
    const next = [...kept, ...added];
    if (sameTaintList(current, next)) return true;
    try {
      await nodes.patch(name, 'merge', { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: next } }, { signal });
      return true;
    } catch (e) {
      if (!isConflict(e) || attempt >= 4) throw e;
    }
    try {
      node = await nodes.get(name, { signal });
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

function sameTaintList(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i]!.key && t.effect === b[i]!.effect && t.value === b[i]!.value && t.timeAdded === b[i]!.timeAdded);
}
