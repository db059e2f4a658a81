// PodTopologySpread (upstream plugins/podtopologyspread): DoNotSchedule constraints filter
// (skew = matching pods in the node's domain + self − the smallest domain's count, ≤ maxSkew;
// minDomains, nodeAffinityPolicy, nodeTaintsPolicy), ScheduleAnyway constraints score; a pod
// without constraints that belongs to a Service, ReplicationController, ReplicaSet or
// StatefulSet gets the system defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway).

import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../../client/cache/informer.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { REPLICASETS, REPLICATIONCONTROLLERS, SERVICES, STATEFULSETS } from '../../../client/resources.js';
import { nothing, Requirement, selectorFromLabelSelector, selectorFromSet, type Labels, type Selector } from '../../../machinery/labels.js';
import {
  MAX_NODE_SCORE,
  type ClusterEvent,
  type CycleState,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js';
import { findUntoleratedTaint, HOSTNAME_LABEL, podMatchesNodeSelectorAndAffinity, ZONE_LABEL } from '../../framework/helpers.js';
import { selectorKey, type PodCountIndex } from '../../framework/pod-counts.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const PREFILTER_KEY = `PreFilter${NAME}`;
const PRESCORE_KEY = `PreScore${NAME}`;

/** A constraint with its selector resolved (upstream topologySpreadConstraint). */
export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  /** Identifies the selector's meaning (the pod count index key). */
  selectorKey: string;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

function toConstraints(pod: Pod, list: readonly TopologySpreadConstraint[], when: string): Constraint[] {
  const out: Constraint[] = [];
  const labels = pod.metadata?.labels ?? {};
  for (const c of list) {
    if (c.whenUnsatisfiable !== when) continue;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(c.labelSelector);
      // matchLabelKeys: the pod's own values of these keys join the selector.
      const extra: Requirement[] = [];
      for (const k of c.matchLabelKeys ?? []) if (labels[k] !== undefined) extra.push(Requirement.create(k, 'in', [labels[k]]));
      if (extra.length) selector = selector.add(...extra);
    } catch {
      selector = nothing();
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      selectorKey: selectorKey(selector),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

function nodeHasAllKeys(node: Node, cs: readonly Constraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const c of cs) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** Whether a node counts as a domain member for this constraint under its node policies. */
function nodeInclusion(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute')) return false;
  return true;
}

/** Per-node counts of the pods of `ns`, not being deleted, that the constraint's selector picks. */
function matchingCounts(h: Handle, c: Constraint, ns: string): PodCountIndex {
  const sel = c.selector;
  return h.nodes.podCounts(`PodTopologySpread${c.selectorKey}`, ns, (p) => !p.metadata?.deletionTimestamp && p.metadata?.namespace === ns && sel.matches(p.metadata.labels ?? {}));
}

class PreFilterState {
  /** Per constraint: domain value → matching pods. */
  counts: Map<string, number>[];
  private mins: (number | undefined)[];

  constructor(readonly constraints: Constraint[]) {
    this.counts = constraints.map(() => new Map());
    this.mins = constraints.map(() => undefined);
  }

  minMatch(i: number): number {
    let m = this.mins[i];
    if (m === undefined) {
      const counts = this.counts[i]!;
      if (counts.size < this.constraints[i]!.minDomains) m = 0;
      else {
        m = Infinity;
        for (const v of counts.values()) if (v < m) m = v;
        if (m === Infinity) m = 0;
      }
      this.mins[i] = m;
    }
    return m;
  }

  bump(i: number, value: string, d: number): void {
    const counts = this.counts[i]!;
    if (!counts.has(value)) return;
    counts.set(value, counts.get(value)! + d);
    this.mins[i] = undefined;
  }

  clone(): PreFilterState {
    const c = new PreFilterState(this.constraints);
    c.counts = this.counts.map((m) => new Map(m));
    return c;
  }
}

interface PreScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** Per constraint (non-hostname keys): domain value → matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: matching pods per node. */
  nodeCounts: PodCountIndex[];
  weights: number[];
}

/** A selector matching what every selector of a set matches. */
class AllOf implements Pick<Selector, 'matches' | 'toString'> {
  constructor(readonly parts: Selector[]) {}
  matches(labels: Labels | undefined | null): boolean {
    for (const p of this.parts) if (!p.matches(labels)) return false;
    return true;
  }
  toString(): string {
    return `all(${this.parts.map(selectorKey).join(';')})`;
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly services: Lister<KubeObject>;
  private readonly rcs: Lister<KubeObject>;
  private readonly rss: Lister<KubeObject>;
  private readonly sss: Lister<KubeObject>;

  constructor(
    private readonly h: Handle,
    private readonly systemDefaults = true,
  ) {
    this.services = h.informers.forResource(SERVICES).lister();
    this.rcs = h.informers.forResource(REPLICATIONCONTROLLERS).lister();
    this.rss = h.informers.forResource(REPLICASETS).lister();
    this.sss = h.informers.forResource(STATEFULSETS).lister();
  }

  events(): readonly ClusterEvent[] {
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'];
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status?: Status | null } {
    const cs = toConstraints(pod.pod, pod.pod.spec?.topologySpreadConstraints ?? [], 'DoNotSchedule');
    if (cs.length === 0) return { status: Status.skip() };
    const s = new PreFilterState(cs);
    const ns = pod.pod.metadata?.namespace ?? '';
    const nodeCounts = cs.map((c) => matchingCounts(this.h, c, ns));
    for (const ni of nodes) {
      const node = ni.node;
      if (!node || !nodeHasAllKeys(node, cs)) continue;
      const labels = node.metadata?.labels ?? {};
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (!nodeInclusion(c, pod.pod, node)) continue;
        const v = labels[c.topologyKey]!;
        const counts = s.counts[i]!;
        counts.set(v, (counts.get(v) ?? 0) + nodeCounts[i]!.get(ni.name));
      }
    }
    state.write(PREFILTER_KEY, s);
    return {};
  }

  private update(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo, d: number): Status | null {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    const node = ni.node;
    if (!s || !node || !nodeHasAllKeys(node, s.constraints)) return null;
    if (other.pod.metadata?.namespace !== pod.pod.metadata?.namespace) return null;
    const labels = node.metadata?.labels ?? {};
    s.constraints.forEach((c, i) => {
      if (!nodeInclusion(c, pod.pod, node)) return;
      if (c.selector.matches(other.pod.metadata?.labels ?? {})) s.bump(i, labels[c.topologyKey]!, d);
    });
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo): Status | null {
    return this.update(state, pod, other, ni, 1);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo): Status | null {
    return this.update(state, pod, other, ni, -1);
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status | null {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return Status.error(new Error(`reading "${PREFILTER_KEY}" from cycleState: not found`));
    const labels = ni.node?.metadata?.labels ?? {};
    const podLabels = pod.pod.metadata?.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = labels[c.topologyKey];
      if (v === undefined) return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = c.selector.matches(podLabels) ? 1 : 0;
      const match = s.counts[i]!.get(v) ?? 0;
      const skew = match + self - s.minMatch(i);
      if (skew > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return null;
  }

  /** Upstream DefaultSelector: what the pod's Services, RC, ReplicaSet and StatefulSet select. */
  defaultSelector(pod: Pod): Pick<Selector, 'matches' | 'toString'> | undefined {
    const ns = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const parts: Selector[] = [];
    const set: Record<string, string> = {};
    for (const svc of this.services.list(ns)) {
      const sel = (svc as { spec?: { selector?: Record<string, string> } }).spec?.selector;
      if (!sel || Object.keys(sel).length === 0) continue;
      if (selectorFromSet(sel).matches(labels)) Object.assign(set, sel);
    }
    for (const ref of pod.metadata?.ownerReferences ?? []) {
      if (!ref.controller) continue;
      if (ref.kind === 'ReplicationController') {
        const sel = (this.rcs.get(ns, ref.name) as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector;
        if (sel) Object.assign(set, sel);
      } else if (ref.kind === 'ReplicaSet' || ref.kind === 'StatefulSet') {
        const owner = (ref.kind === 'ReplicaSet' ? this.rss : this.sss).get(ns, ref.name) as { spec?: { selector?: Parameters<typeof selectorFromLabelSelector>[0] } } | undefined;
        if (owner?.spec?.selector) {
          try {
            parts.push(selectorFromLabelSelector(owner.spec.selector));
          } catch {
            // An invalid selector selects nothing extra.
          }
        }
      }
    }
    if (Object.keys(set).length) parts.push(selectorFromSet(set));
    if (parts.length === 0) return undefined;
    return new AllOf(parts);
  }

  preScore(state: CycleState, pod: PodInfo, filtered: readonly NodeInfo[]): Status | null {
    const spec = pod.pod.spec;
    let cs: Constraint[];
    let systemDefaulted = false;
    if ((spec?.topologySpreadConstraints ?? []).length > 0) {
      cs = toConstraints(pod.pod, spec!.topologySpreadConstraints!, 'ScheduleAnyway');
    } else {
      if (!this.systemDefaults) return Status.skip();
      const sel = this.defaultSelector(pod.pod);
      if (!sel) return Status.skip();
      systemDefaulted = true;
      const common = { selector: sel as Selector, selectorKey: `default:${sel.toString()}`, minDomains: 1, nodeAffinityPolicy: 'Honor' as const, nodeTaintsPolicy: 'Ignore' as const };
      cs = [
        { ...common, maxSkew: 3, topologyKey: HOSTNAME_LABEL },
        { ...common, maxSkew: 5, topologyKey: ZONE_LABEL },
      ];
    }
    if (cs.length === 0) return Status.skip();
    const requireAll = Object.keys(spec?.nodeSelector ?? {}).length > 0 || !systemDefaulted;
    const ignored = new Set<string>();
    const counts = cs.map(() => new Map<string, number>());
    for (const ni of filtered) {
      const node = ni.node;
      if (!node) continue;
      if (requireAll && !nodeHasAllKeys(node, cs)) {
        ignored.add(ni.name);
        continue;
      }
      const labels = node.metadata?.labels ?? {};
      cs.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME_LABEL) return;
        const v = labels[c.topologyKey];
        if (v !== undefined && !counts[i]!.has(v)) counts[i]!.set(v, 0);
      });
    }
    const weights = cs.map((c, i) => Math.log((c.topologyKey === HOSTNAME_LABEL ? filtered.length - ignored.size : counts[i]!.size) + 2));
    const ns = pod.pod.metadata?.namespace ?? '';
    const nodeCounts = cs.map((c) => matchingCounts(this.h, c, ns));
    // Domains other than hostname count pods over all nodes in them, not only filtered ones.
    const spec2 = pod.pod.spec;
    const noNodeConstraints = !spec2?.nodeSelector && !spec2?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c.topologyKey === HOSTNAME_LABEL || counts[i]!.size === 0) continue;
      if (!requireAll && (c.nodeAffinityPolicy === 'Ignore' || noNodeConstraints)) {
        // Every node counts: the cache's per-domain sums are the answer.
        const byDomain = this.h.nodes.podCountsByDomain(nodeCounts[i]!, c.topologyKey);
        for (const v of counts[i]!.keys()) counts[i]!.set(v, byDomain.get(v) ?? 0);
        continue;
      }
      // Otherwise walk the nodes that have matching pods.
      for (const [name, n] of nodeCounts[i]!.counts) {
        const node = this.h.nodes.get(name)?.node;
        if (!node) continue;
        if (requireAll && !nodeHasAllKeys(node, cs)) continue;
        if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNodeSelectorAndAffinity(pod.pod, node)) continue;
        const v = (node.metadata?.labels ?? {})[c.topologyKey];
        if (v === undefined || !counts[i]!.has(v)) continue;
        counts[i]!.set(v, counts[i]!.get(v)! + n);
      }
    }
    const st: PreScoreState = { constraints: cs, ignored, counts, nodeCounts, weights };
    state.write(PRESCORE_KEY, st);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, ni: NodeInfo): number {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s || s.ignored.has(ni.name)) return 0;
    const labels = ni.node?.metadata?.labels ?? {};
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === HOSTNAME_LABEL ? s.nodeCounts[i]!.get(ni.name) : (s.counts[i]!.get(v) ?? 0);
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s) return;
    let min = Infinity;
    let max = -Infinity;
    for (const x of scores) {
      if (s.ignored.has(x.name)) continue;
      if (x.score < min) min = x.score;
      if (x.score > max) max = x.score;
    }
    for (const x of scores) {
      if (s.ignored.has(x.name)) x.score = 0;
      else if (max === 0) x.score = MAX_NODE_SCORE;
      else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
    }
  }
}

export function create(h: Handle): PodTopologySpread {
  return new PodTopologySpread(h);
}
