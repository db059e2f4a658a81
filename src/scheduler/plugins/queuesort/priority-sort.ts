// PrioritySort (upstream plugins/queuesort): higher spec.priority first, then earlier queue time.

import type { QueuedPodInfo, QueueSortPlugin } from '../../framework/interface.js';
import { podPriority } from '../../framework/helpers.js';

export const NAME = 'PrioritySort';

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = podPriority(a.podInfo.pod);
    const pb = podPriority(b.podInfo.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export function create(): PrioritySort {
  return new PrioritySort();
}
