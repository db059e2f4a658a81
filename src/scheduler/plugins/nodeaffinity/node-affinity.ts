// NodeAffinity (upstream plugins/nodeaffinity): spec.nodeSelector and required node affinity
// filter (matchFields on metadata.name narrows PreFilter to those nodes, which is how DaemonSet
// pods are placed); preferred terms score by the sum of the weights of the terms a node matches.

import type { NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  type ClusterEvent,
  type CycleState,
  type FilterPlugin,
  type NodeScore,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js';
import { matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity } from '../../framework/helpers.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const PRESCORE_KEY = `PreScore${NAME}`;

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }

  preFilter(_state: CycleState, pod: PodInfo): { status?: Status | null; result?: PreFilterResult } {
    const spec = pod.pod.spec;
    const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (!terms && !spec?.nodeSelector) return { status: Status.skip() };
    if (!terms) return {};
    let names: Set<string> | undefined;
    for (const t of terms) {
      let termNames: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
        const s = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      // A term without a metadata.name field allows every node: terms are ORed.
      if (!termNames) return {};
      names ??= new Set();
      for (const n of termNames) names.add(n);
    }
    if (names && names.size === 0) return { status: Status.unresolvable(ERR_REASON_CONFLICT) };
    return { result: { nodeNames: names } };
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    if (!nodeInfo.node) return Status.error(new Error('node not found'));
    return podMatchesNodeSelectorAndAffinity(pod.pod, nodeInfo.node) ? null : Status.unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    const pref = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const terms = pref.filter((t) => t.weight !== 0);
    if (terms.length === 0) return Status.skip();
    state.write(PRESCORE_KEY, terms);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    const terms = state.read<PreferredSchedulingTerm[]>(PRESCORE_KEY) ?? [];
    const node = nodeInfo.node;
    if (!node) return 0;
    let s = 0;
    for (const t of terms) if (matchTerm(t.preference, node)) s += t.weight;
    return s;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

function matchTerm(t: NodeSelectorTerm, node: Parameters<typeof matchNodeSelectorTerm>[1]): boolean {
  return matchNodeSelectorTerm(t, node);
}

export function create(): NodeAffinity {
  return new NodeAffinity();
}
