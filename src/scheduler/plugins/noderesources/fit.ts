// NodeResourcesFit (upstream plugins/noderesources/fit.go): the pod's requests (init-container
// max rule and overhead included) must fit the node's allocatable minus what its pods request;
// the LeastAllocated strategy scores nodes by the share of CPU and memory left free.

import type { ClusterEvent, CycleState, FilterPlugin, PreFilterPlugin, ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import { CPU, MEMORY, type Resource } from '../../framework/resource.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodeResourcesFit';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The pod does not fit even on the empty node: preemption cannot help. */
  unresolvable: boolean;
}

/** Whether fitsRequest would find nothing insufficient (without building its report). */
export function fits(req: Resource, nodeInfo: NodeInfo): boolean {
  const alloc = nodeInfo.allocatable;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) return false;
  if (req.isZero()) return true;
  const used = nodeInfo.requested;
  if (!within(req.milliCPU, used.milliCPU, alloc.milliCPU) || !within(req.memory, used.memory, alloc.memory) || !within(req.ephemeralStorage, used.ephemeralStorage, alloc.ephemeralStorage)) return false;
  if (req.scalar) {
    for (const [name, r] of req.scalar) if (!within(r, used.scalar?.get(name) ?? 0, alloc.scalar?.get(name) ?? 0)) return false;
  }
  return true;
}

function within(r: number, u: number, a: number): boolean {
  return !(r > 0 && a < r + u);
}

/** Upstream fitsRequest. */
export function fitsRequest(req: Resource, nodeInfo: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  if (req.isZero()) return out;
  check(out, CPU, 'Insufficient cpu', req.milliCPU, used.milliCPU, alloc.milliCPU);
  check(out, MEMORY, 'Insufficient memory', req.memory, used.memory, alloc.memory);
  check(out, 'ephemeral-storage', 'Insufficient ephemeral-storage', req.ephemeralStorage, used.ephemeralStorage, alloc.ephemeralStorage);
  if (req.scalar) {
    for (const [name, r] of req.scalar) {
      if (r === 0) continue;
      check(out, name, `Insufficient ${name}`, r, used.scalar?.get(name) ?? 0, alloc.scalar?.get(name) ?? 0);
    }
  }
  return out;
}

function check(out: InsufficientResource[], name: string, reason: string, r: number, u: number, a: number): void {
  if (r > 0 && a < r + u) out.push({ resourceName: name, reason, requested: r, used: u, capacity: a, unresolvable: r > a });
}

/** ((capacity − requested) × 100) / capacity, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class Fit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete', 'AssignedPodUpdate'];
  }

  preFilter(): { status?: Status | null } {
    // The requests are already on the PodInfo.
    return {};
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    // Most nodes fit: the report of what does not is built only for those that do not.
    if (fits(pod.requests, nodeInfo)) return null;
    const insufficient = fitsRequest(pod.requests, nodeInfo);
    const unresolvable = insufficient.some((i) => i.unresolvable);
    const reasons = insufficient.map((i) => i.reason);
    return unresolvable ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  /** LeastAllocated over cpu and memory (weight 1 each), with the non-zero request defaults. */
  score(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
    const alloc = nodeInfo.allocatable;
    let total = 0;
    let weights = 0;
    if (alloc.milliCPU > 0) {
      total += leastRequestedScore(nodeInfo.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU, alloc.milliCPU);
      weights++;
    }
    if (alloc.memory > 0) {
      total += leastRequestedScore(nodeInfo.nonZeroRequested.memory + pod.nonZeroRequests.memory, alloc.memory);
      weights++;
    }
    return weights ? Math.trunc(total / weights) : 0;
  }
}

export function create(): Fit {
  return new Fit();
}
