// SchedulingGates (upstream plugins/schedulinggates): a pod with spec.schedulingGates stays out
// of the activeQ until every gate is removed.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PreEnqueuePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const NAME = 'SchedulingGates';

export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = NAME;

  preEnqueue(pod: Pod): Status | null {
    const gates = pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return null;
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
}

export function create(): SchedulingGates {
  return new SchedulingGates();
}
