// NodePorts (upstream plugins/nodeports): host ports the pod asks for must be free on the node.

import type { ClusterEvent, CycleState, FilterPlugin, PreFilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'AssignedPodDelete'];
  }

  preFilter(_state: CycleState, pod: PodInfo): { status?: Status | null } {
    return { status: pod.hostPorts.length === 0 ? Status.skip() : null };
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    for (const hp of pod.hostPorts) if (nodeInfo.portInUse(hp)) return Status.unschedulable(ERR_REASON);
    return null;
  }
}

export function create(): NodePorts {
  return new NodePorts();
}
