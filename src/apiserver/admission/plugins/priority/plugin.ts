// Priority admission (upstream plugin/pkg/admission/priority): resolves a pod's
// `spec.priorityClassName` (or the global default class) into `spec.priority` and
// `spec.preemptionPolicy`, and keeps at most one PriorityClass marked globalDefault.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { newForbidden, newInternalError, type GroupResource } from '../../../../machinery/errors.js';

export { SYSTEM_PRIORITY_CLASSES } from '../../../../api/scheduling/v1/index.js';

export const NAME = 'Priority';

/** Upstream scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;

const PODS: GroupResource = { group: '', resource: 'pods' };
const PRIORITY_CLASSES: GroupResource = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface PriorityOptions {
  /** Reads one PriorityClass; undefined when absent. Other failures throw. */
  getPriorityClass(name: string): Promise<PriorityClass | undefined>;
  /** Every PriorityClass (there are few: upstream lists them from an informer on each pod create). */
  listPriorityClasses(): Promise<PriorityClass[]>;
}

export interface PriorityPlugin {
  /**
   * Mutates a pod on CREATE (priority and preemption policy from its class) and on UPDATE
   * (keeps the old values when the update leaves them out). Throws Forbidden as upstream.
   */
  admitPod(operation: Operation, pod: Pod, oldPod?: Pod): Promise<void>;
  /** Validates a PriorityClass on CREATE/UPDATE: only one global default may exist. */
  validatePriorityClass(operation: Operation, pc: PriorityClass): Promise<void>;
}

interface Resolved {
  className: string;
  priority: number;
  preemptionPolicy: string | undefined;
}

export function create(opts: PriorityOptions): PriorityPlugin {
  /** With several global defaults (a race), upstream takes the one with the lowest value. */
  const defaultClass = async (): Promise<PriorityClass | undefined> => {
    let best: PriorityClass | undefined;
    for (const pc of await opts.listPriorityClasses()) {
      if (pc.globalDefault && (best === undefined || (best.value ?? 0) > (pc.value ?? 0))) best = pc;
    }
    return best;
  };

  const resolve = async (pod: Pod, podName: string): Promise<Resolved> => {
    const name = pod.spec?.priorityClassName ?? '';
    if (!name) {
      let dpc: PriorityClass | undefined;
      try {
        dpc = await defaultClass();
      } catch (e) {
        throw newInternalError(new Error(`failed to get default priority class: ${errText(e)}`, { cause: e }));
      }
      if (dpc) return { className: dpc.metadata?.name ?? '', priority: dpc.value ?? 0, preemptionPolicy: dpc.preemptionPolicy };
      return { className: '', priority: DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, preemptionPolicy: 'PreemptLowerPriority' };
    }
    let pc: PriorityClass | undefined;
    try {
      pc = await opts.getPriorityClass(name);
    } catch (e) {
      throw newInternalError(new Error(`failed to get PriorityClass with name ${name}: ${errText(e)}`, { cause: e }));
    }
    if (!pc) throw newForbidden(PODS, podName, `no PriorityClass with name ${name} was found`);
    return { className: pc.metadata?.name ?? name, priority: pc.value ?? 0, preemptionPolicy: pc.preemptionPolicy };
  };

  return {
    async admitPod(operation, pod, oldPod) {
      const spec = pod.spec;
      if (!spec) return;
      if (operation === 'UPDATE') {
        // Priority was set on create; an update that leaves it out keeps it (validation forbids changes).
        if (spec.priority == null && oldPod?.spec?.priority != null) spec.priority = oldPod.spec.priority;
        if (spec.preemptionPolicy == null && oldPod?.spec?.preemptionPolicy != null) spec.preemptionPolicy = oldPod.spec.preemptionPolicy;
        return;
      }
      if (operation !== 'CREATE') return;
      const podName = pod.metadata?.name ?? '';
      const r = await resolve(pod, podName);
      if (r.className) spec.priorityClassName = r.className;
      else delete spec.priorityClassName;
      if (spec.priority != null && spec.priority !== r.priority) {
        throw newForbidden(
          PODS,
          podName,
          `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${r.priority} from the given PriorityClass name`,
        );
      }
      spec.priority = r.priority;
      if (r.preemptionPolicy) {
        if (spec.preemptionPolicy != null && spec.preemptionPolicy !== r.preemptionPolicy) {
          throw newForbidden(
            PODS,
            podName,
            `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${r.preemptionPolicy} from the given PriorityClass name`,
          );
        }
        spec.preemptionPolicy = r.preemptionPolicy;
      }
    },

    async validatePriorityClass(operation, pc) {
      if (operation !== 'CREATE' && operation !== 'UPDATE') return;
      if (!pc.globalDefault) return;
      let dpc: PriorityClass | undefined;
      try {
        dpc = await defaultClass();
      } catch (e) {
        throw newInternalError(new Error(`failed to get default priority class: ${errText(e)}`, { cause: e }));
      }
      if (!dpc) return;
      const name = pc.metadata?.name ?? '';
      if (operation === 'CREATE' || dpc.metadata?.name !== name) {
        throw newForbidden(PRIORITY_CLASSES, name, `PriorityClass ${dpc.metadata?.name ?? ''} is already marked as default. Only one default can exist`);
      }
    },
  };
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
