// NodeResourcesBalancedAllocation (upstream plugins/noderesources/balanced_allocation.go):
// prefers nodes where CPU and memory would be used in equal shares after placing the pod.

import type { ClusterEvent, CycleState, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'];
  }

  preScore(_state: CycleState, pod: PodInfo): Status | null {
    // Best-effort pods change no balance.
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? Status.skip() : null;
  }

  score(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
    const alloc = nodeInfo.allocatable;
    const fractions: number[] = [];
    if (alloc.milliCPU > 0) fractions.push(Math.min(1, (nodeInfo.requested.milliCPU + pod.requests.milliCPU) / alloc.milliCPU));
    if (alloc.memory > 0) fractions.push(Math.min(1, (nodeInfo.requested.memory + pod.requests.memory) / alloc.memory));
    let std = 0;
    if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}

export function create(): BalancedAllocation {
  return new BalancedAllocation();
}
