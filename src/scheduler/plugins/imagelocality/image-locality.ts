// ImageLocality (upstream plugins/imagelocality): prefers nodes that already have the pod's
// images, weighing each image's size by how widely it is spread (to avoid piling pods onto the
// few nodes that have it).

import type { ClusterEvent, CycleState, ScorePlugin, Handle } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'ImageLocality';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Upstream normalizedImageName: no tag or digest means `:latest`. */
function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:latest`;
  return name;
}

export class ImageLocality implements ScorePlugin {
  readonly name = NAME;

  constructor(private readonly h: Handle) {}

  events(): readonly ClusterEvent[] {
    return [];
  }

  score(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
    const total = this.h.nodes.list().length;
    if (nodeInfo.imageStates.size === 0 || total === 0) return 0;
    const containers = [...(pod.pod.spec?.initContainers ?? []), ...(pod.pod.spec?.containers ?? [])];
    let sum = 0;
    for (const c of containers) {
      if (!c.image) continue;
      const st = nodeInfo.imageStates.get(normalizedImageName(c.image));
      if (st) sum += Math.trunc(st.size * (st.numNodes / total));
    }
    const max = MAX_CONTAINER_THRESHOLD * Math.max(1, containers.length);
    if (sum < MIN_THRESHOLD) sum = MIN_THRESHOLD;
    else if (sum > max) sum = max;
    return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  }
}

export function create(h: Handle): ImageLocality {
  return new ImageLocality(h);
}
