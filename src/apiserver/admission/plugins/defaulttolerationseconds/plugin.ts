// DefaultTolerationSeconds admission (upstream plugin/pkg/admission/defaulttolerationseconds):
// pods tolerate the not-ready and unreachable NoExecute taints for a bounded time (300 s by
// default) unless they already say how they tolerate them, so the taint manager evicts them
// from a lost node after that time.

import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';

export const NAME = 'DefaultTolerationSeconds';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSecondsOptions {
  /** Upstream --default-not-ready-toleration-seconds (300). */
  notReadyTolerationSeconds?: number;
  /** Upstream --default-unreachable-toleration-seconds (300). */
  unreachableTolerationSeconds?: number;
}

export interface DefaultTolerationSecondsPlugin {
  /** Adds the missing tolerations to a pod being created or updated (pods proper, not subresources). */
  admitPod(operation: 'CREATE' | 'UPDATE' | 'DELETE', pod: Pod): void;
}

/** Whether `t` already covers the NoExecute taint `key` (an empty key or effect matches all). */
function covers(t: Toleration, key: string): boolean {
  return (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute');
}

export function create(opts: DefaultTolerationSecondsOptions = {}): DefaultTolerationSecondsPlugin {
  const notReady = opts.notReadyTolerationSeconds ?? 300;
  const unreachable = opts.unreachableTolerationSeconds ?? 300;
  return {
    admitPod(operation, pod) {
      if (operation !== 'CREATE' && operation !== 'UPDATE') return;
      const spec = pod.spec;
      if (!spec) return;
      const existing = spec.tolerations ?? [];
      const add: Toleration[] = [];
      if (!existing.some((t) => covers(t, TAINT_NODE_NOT_READY))) {
        add.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReady });
      }
      if (!existing.some((t) => covers(t, TAINT_NODE_UNREACHABLE))) {
        add.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachable });
      }
      if (add.length) spec.tolerations = [...existing, ...add];
    },
  };
}
