// NodeName (upstream plugins/nodename): a pod with spec.nodeName set fits only that node.

import type { ClusterEvent, CycleState, FilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd'];
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === nodeInfo.name) return null;
    return Status.unresolvable(ERR_REASON);
  }
}

export function create(): NodeName {
  return new NodeName();
}
