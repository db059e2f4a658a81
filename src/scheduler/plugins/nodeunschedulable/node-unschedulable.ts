// NodeUnschedulable (upstream plugins/nodeunschedulable): cordoned nodes (spec.unschedulable)
// take only pods tolerating node.kubernetes.io/unschedulable:NoSchedule.

import type { Taint } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, CycleState, FilterPlugin } from '../../framework/interface.js';
import { tolerationsTolerateTaint } from '../../framework/helpers.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    const node = nodeInfo.node;
    if (!node) return Status.unresolvable(ERR_REASON_UNKNOWN_CONDITION);
    if (!node.spec?.unschedulable) return null;
    if (tolerationsTolerateTaint(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}

export function create(): NodeUnschedulable {
  return new NodeUnschedulable();
}
