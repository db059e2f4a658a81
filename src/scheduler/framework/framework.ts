// The plugin runner of one scheduler profile (upstream framework/runtime/framework.go): plugins
// in configured order per extension point, score weights, and the status bookkeeping.

import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CycleState,
  isBind,
  isFilter,
  isPermit,
  isPostBind,
  isPostFilter,
  isPreBind,
  isPreEnqueue,
  isPreFilter,
  isPreScore,
  isQueueSort,
  isReserve,
  isScore,
  MAX_NODE_SCORE,
  type BindPlugin,
  type FilterPlugin,
  type FrameworkRunner,
  type NodeScore,
  type PermitPlugin,
  type Plugin,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interface.js';
import { Status, type NodeToStatus } from './status.js';
import type { NodeInfo, PodInfo } from './types.js';

export interface ScoredNode {
  name: string;
  score: number;
}

export class Framework implements FrameworkRunner {
  readonly preEnqueue: PreEnqueuePlugin[];
  readonly queueSort: QueueSortPlugin;
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: { plugin: ScorePlugin; weight: number }[];
  readonly reserve: ReservePlugin[];
  readonly permit: PermitPlugin[];
  readonly preBind: PreBindPlugin[];
  readonly bind: BindPlugin[];
  readonly postBind: PostBindPlugin[];
  /**
   * The Filter plugins a cycle runs (those whose PreFilter did not answer Skip), listed once per
   * cycle state instead of looking each plugin up in its skip set for every node.
   */
  private readonly activeFilters = new WeakMap<CycleState, FilterPlugin[]>();

  constructor(
    readonly plugins: readonly Plugin[],
    weights: Readonly<Record<string, number>>,
  ) {
    this.preEnqueue = plugins.filter(isPreEnqueue);
    const qs = plugins.filter(isQueueSort);
    if (qs.length !== 1) throw new Error(`a profile needs exactly one QueueSort plugin, got ${qs.length}`);
    this.queueSort = qs[0]!;
    this.preFilter = plugins.filter(isPreFilter);
    this.filter = plugins.filter(isFilter);
    this.postFilter = plugins.filter(isPostFilter);
    this.preScore = plugins.filter(isPreScore);
    this.score = plugins.filter(isScore).map((plugin) => ({ plugin, weight: weights[plugin.name] ?? 1 }));
    this.reserve = plugins.filter(isReserve);
    this.permit = plugins.filter(isPermit);
    this.preBind = plugins.filter(isPreBind);
    this.bind = plugins.filter(isBind);
    this.postBind = plugins.filter(isPostBind);
  }

  /** The first PreEnqueue rejection, or null: the pod may enter the activeQ. */
  runPreEnqueuePlugins(pod: Pod): Status | null {
    for (const p of this.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  /**
   * PreFilter of every plugin. A rejection stops at once; node sets from results are intersected.
   * Plugins that answer Skip are remembered so their Filter does not run.
   */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status | null; result: PreFilterResult; narrowedBy: string[] } {
    let nodeNames: Set<string> | undefined;
    const rejectors: string[] = [];
    this.activeFilters.delete(state);
    for (const p of this.preFilter) {
      let out: ReturnType<PreFilterPlugin['preFilter']>;
      try {
        out = p.preFilter(state, pod, nodes);
      } catch (e) {
        return { status: Status.error(e).withPlugin(p.name), result: {}, narrowedBy: rejectors };
      }
      const s = out.status;
      if (s && s.code === 'Skip') {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (s && !s.isSuccess()) {
        s.withPlugin(p.name);
        return { status: s, result: {}, narrowedBy: rejectors };
      }
      const names = out.result?.nodeNames;
      if (names) {
        rejectors.push(p.name);
        if (!nodeNames) nodeNames = new Set(names);
        else for (const n of nodeNames) if (!names.has(n)) nodeNames.delete(n);
        if (nodeNames.size === 0) {
          const msg = rejectors.length > 1 ? `node(s) didn't satisfy plugin(s) [${rejectors.join(' ')}] simultaneously` : `node(s) didn't satisfy plugin ${rejectors[0]!}`;
          return { status: Status.unresolvable(msg).withPlugin(p.name), result: {}, narrowedBy: rejectors };
        }
      }
    }
    return { status: null, result: { nodeNames }, narrowedBy: rejectors };
  }

  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    let active = this.activeFilters.get(state);
    if (!active) {
      active = this.filter.filter((p) => !state.skipFilterPlugins.has(p.name));
      this.activeFilters.set(state, active);
    }
    for (const p of active) {
      let s: Status | null;
      try {
        s = p.filter(state, pod, nodeInfo);
      } catch (e) {
        s = Status.error(e);
      }
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null {
    for (const p of this.preFilter) {
      if (!p.addPod || state.skipFilterPlugins.has(p.name)) continue;
      const s = p.addPod(state, pod, other, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  runPreFilterRemovePod(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null {
    for (const p of this.preFilter) {
      if (!p.removePod || state.skipFilterPlugins.has(p.name)) continue;
      const s = p.removePod(state, pod, other, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  /**
   * Filters as if the higher-or-equal priority pods nominated to this node were already there
   * (upstream RunFilterPluginsWithNominatedPods): the pod must fit both with and without them.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo, nominated: readonly PodInfo[]): Status | null {
    const prio = pod.pod.spec?.priority ?? 0;
    const extra = nominated.filter((n) => n.uid !== pod.uid && (n.pod.spec?.priority ?? 0) >= prio);
    if (extra.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const ni = nodeInfo.clone();
    const st = state.clone();
    for (const n of extra) {
      ni.addPodInfo(n);
      const s = this.runPreFilterAddPod(st, pod, n, ni);
      if (s) return s;
    }
    const s = this.runFilterPlugins(st, pod, ni);
    if (s) return s;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  async runPostFilterPlugins(state: CycleState, pod: PodInfo, statuses: NodeToStatus, signal: AbortSignal): Promise<{ status: Status; result?: PostFilterResult }> {
    const reasons: string[] = [];
    let result: PostFilterResult | undefined;
    for (const p of this.postFilter) {
      const out = await p.postFilter(state, pod, statuses, signal);
      if (!out.status || out.status.isSuccess()) return { status: new Status('Success').withPlugin(p.name), result: out.result };
      if (out.status.code === 'Error') return { status: out.status.withPlugin(p.name), result: out.result };
      if (out.result) result = out.result;
      reasons.push(...out.status.reasons);
    }
    return { status: Status.unschedulable(...reasons), result };
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s?.code === 'Skip') {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  /** Weighted sum of every Score plugin's normalised score per node, in `nodes` order. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): ScoredNode[] {
    const total: ScoredNode[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.score) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      const scores: NodeScore[] = new Array<NodeScore>(nodes.length);
      for (let i = 0; i < nodes.length; i++) scores[i] = { name: nodes[i]!.name, score: plugin.score(state, pod, nodes[i]!) };
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) {
        const s = scores[i]!.score;
        if (s > MAX_NODE_SCORE || s < 0) throw new Error(`plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
        total[i]!.score += s * weight;
      }
    }
    return total;
  }

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const p of this.reserve) {
      const s = p.reserve(state, pod, nodeName);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  /** In reverse order, as upstream. */
  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) this.reserve[i]!.unreserve(state, pod, nodeName);
  }

  runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const p of this.permit) {
      const s = p.permit(state, pod, nodeName);
      // Waiting is not supported: no in-tree plugin asks for it.
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
    for (const p of this.preBind) {
      const s = await p.preBind(state, pod, nodeName, signal);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
    for (const p of this.bind) {
      const s = await p.bind(state, pod, nodeName, signal);
      if (s?.code === 'Skip') continue;
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
      return null;
    }
    return new Status('Error', ['no bind plugin bound the pod']);
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.postBind) p.postBind(state, pod, nodeName);
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}
