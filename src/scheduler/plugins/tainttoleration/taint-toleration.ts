// TaintToleration (upstream plugins/tainttoleration): NoSchedule and NoExecute taints the pod
// does not tolerate rule a node out; untolerated PreferNoSchedule taints lower its score.

import type { Toleration } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  type ClusterEvent,
  type CycleState,
  type FilterPlugin,
  type NodeScore,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../../framework/helpers.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'TaintToleration';

const PRESCORE_KEY = `PreScore${NAME}`;
const filterEffect = (e: string): boolean => e === 'NoSchedule' || e === 'NoExecute';

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    const taint = findUntoleratedTaint(nodeInfo.node?.spec?.taints, pod.pod.spec?.tolerations, filterEffect);
    if (!taint) return null;
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    // Only tolerations with effect PreferNoSchedule or empty matter for scoring.
    const tols = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PRESCORE_KEY, tols);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    const tols = state.read<Toleration[]>(PRESCORE_KEY) ?? [];
    let n = 0;
    for (const taint of nodeInfo.node?.spec?.taints ?? []) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      if (!tolerationsTolerateTaint(tols, taint)) n++;
    }
    return n;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}

export function create(): TaintToleration {
  return new TaintToleration();
}
