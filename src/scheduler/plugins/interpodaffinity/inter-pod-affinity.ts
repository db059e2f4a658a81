// InterPodAffinity (upstream plugins/interpodaffinity): required pod affinity and anti-affinity
// of the incoming pod, the required anti-affinity of pods already running (which the incoming
// pod must not violate), and preferred terms (both ways) for scoring. Counts per topology pair
// are computed once in PreFilter/PreScore; Filter and Score only look them up.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { NAMESPACES } from '../../../client/resources.js';
import type { Lister } from '../../../client/cache/informer.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import type { Labels } from '../../../machinery/labels.js';
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
import { topologyPairKey, type ExistingTermKind, type PodCountIndex } from '../../framework/pod-counts.js';
import { Status } from '../../framework/status.js';
import type { AffinityTerm, NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** Default HardPodAffinityWeight: existing pods' required affinity counts this much in scoring. */
const HARD_POD_AFFINITY_WEIGHT = 1;
const PREFILTER_KEY = `PreFilter${NAME}`;
const PRESCORE_KEY = `PreScore${NAME}`;

const pairKey = topologyPairKey;

class Counts extends Map<string, number> {
  bump(k: string, d: number): void {
    const v = (this.get(k) ?? 0) + d;
    if (v === 0) this.delete(k);
    else this.set(k, v);
  }
}

class PreFilterState {
  existingAntiAffinityCounts = new Counts();
  affinityCounts = new Counts();
  antiAffinityCounts = new Counts();
  constructor(readonly nsLabels: Labels | undefined) {}

  clone(): PreFilterState {
    const c = new PreFilterState(this.nsLabels);
    c.existingAntiAffinityCounts = copy(this.existingAntiAffinityCounts);
    c.affinityCounts = copy(this.affinityCounts);
    c.antiAffinityCounts = copy(this.antiAffinityCounts);
    return c;
  }
}

function copy(c: Counts): Counts {
  const n = new Counts();
  for (const [k, v] of c) n.set(k, v);
  return n;
}

function matchesAll(terms: readonly AffinityTerm[], pod: Pod, nsLabels: Labels | undefined): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!t.matches(pod, nsLabels)) return false;
  return true;
}

/** Terms whose matches depend only on the pod can use the cache's per-node pod counts. */
function indexable(terms: readonly AffinityTerm[]): boolean {
  for (const t of terms) if (t.hasNamespaceSelector) return false;
  return true;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly namespaces: Lister<KubeObject>;

  constructor(private readonly h: Handle) {
    this.namespaces = h.informers.forResource(NAMESPACES).lister();
  }

  events(): readonly ClusterEvent[] {
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'];
  }

  private nsLabels(ns: string | undefined): Labels | undefined {
    return this.namespaces.get(undefined, ns ?? '')?.metadata?.labels;
  }

  /** Per-node counts of the pods every one of `terms` picks (terms without namespaceSelector). */
  private termCounts(terms: readonly AffinityTerm[]): PodCountIndex {
    const key = `InterPodAffinity[${terms.map((t) => t.matchKey).join(' & ')}]`;
    let ns: string | undefined;
    for (const t of terms) {
      const only = t.namespaces.size === 1 ? t.namespaces.values().next().value : undefined;
      if (only === undefined || (ns !== undefined && ns !== only)) {
        ns = undefined;
        break;
      }
      ns = only;
    }
    return this.h.nodes.podCounts(key, ns, (p) => {
      for (const t of terms) if (!t.matches(p, undefined)) return false;
      return true;
    });
  }

  /** Calls `f` with the labels of each existing node that has matching pods, and how many. */
  private forCountedNodes(ix: PodCountIndex, f: (labels: Labels, n: number) => void): void {
    for (const [name, n] of ix.counts) {
      const labels = this.h.nodes.get(name)?.node?.metadata?.labels;
      if (labels) f(labels, n);
    }
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status?: Status | null } {
    const existingAnti = [...this.h.nodes.existingTerms('requiredAntiAffinity')];
    if (pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0 && existingAnti.length === 0) return { status: Status.skip() };
    const s = new PreFilterState(this.nsLabels(pod.pod.metadata?.namespace));
    // Existing pods' required anti-affinity: one match per distinct term, counts per domain.
    for (const g of existingAnti) {
      if (!g.term.matches(pod.pod, s.nsLabels)) continue;
      for (const [pk, n] of g.pairs) s.existingAntiAffinityCounts.bump(pk, n);
    }
    if (pod.requiredAffinityTerms.length || pod.requiredAntiAffinityTerms.length) {
      if (indexable(pod.requiredAffinityTerms) && indexable(pod.requiredAntiAffinityTerms)) {
        if (pod.requiredAffinityTerms.length) {
          this.forCountedNodes(this.termCounts(pod.requiredAffinityTerms), (labels, n) => {
            for (const t of pod.requiredAffinityTerms) {
              const v = labels[t.topologyKey];
              if (v !== undefined) s.affinityCounts.bump(pairKey(t.topologyKey, v), n);
            }
          });
        }
        for (const t of pod.requiredAntiAffinityTerms) {
          this.forCountedNodes(this.termCounts([t]), (labels, n) => {
            const v = labels[t.topologyKey];
            if (v !== undefined) s.antiAffinityCounts.bump(pairKey(t.topologyKey, v), n);
          });
        }
      } else {
        // A namespaceSelector makes matches depend on namespace labels: count pod by pod.
        const nsCache = new Map<string, Labels | undefined>();
        for (const ni of nodes) {
          if (!ni.node) continue;
          for (const existing of ni.pods) this.updateIncoming(s, pod, existing, ni, 1, nsCache);
        }
      }
    }
    state.write(PREFILTER_KEY, s);
    return {};
  }

  private updateExisting(s: PreFilterState, pod: PodInfo, existing: PodInfo, ni: NodeInfo, d: number): void {
    const labels = ni.node?.metadata?.labels ?? {};
    for (const t of existing.requiredAntiAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(pod.pod, s.nsLabels)) s.existingAntiAffinityCounts.bump(pairKey(t.topologyKey, v), d);
    }
  }

  private updateIncoming(s: PreFilterState, pod: PodInfo, existing: PodInfo, ni: NodeInfo, d: number, nsCache: Map<string, Labels | undefined>): void {
    const labels = ni.node?.metadata?.labels ?? {};
    const ns = existing.pod.metadata?.namespace ?? '';
    let nsl = nsCache.get(ns);
    if (nsl === undefined && !nsCache.has(ns)) nsCache.set(ns, (nsl = this.nsLabels(ns)));
    if (matchesAll(pod.requiredAffinityTerms, existing.pod, nsl)) {
      for (const t of pod.requiredAffinityTerms) {
        const v = labels[t.topologyKey];
        if (v !== undefined) s.affinityCounts.bump(pairKey(t.topologyKey, v), d);
      }
    }
    for (const t of pod.requiredAntiAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(existing.pod, nsl)) s.antiAffinityCounts.bump(pairKey(t.topologyKey, v), d);
    }
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo): Status | null {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return null;
    this.updateExisting(s, pod, other, ni, 1);
    this.updateIncoming(s, pod, other, ni, 1, new Map());
    return null;
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo): Status | null {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return null;
    this.updateExisting(s, pod, other, ni, -1);
    this.updateIncoming(s, pod, other, ni, -1, new Map());
    return null;
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status | null {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return Status.error(new Error(`reading "${PREFILTER_KEY}" from cycleState: not found`));
    const labels = ni.node?.metadata?.labels ?? {};
    if (!this.satisfyAffinity(s, pod, labels)) return Status.unresolvable(ERR_REASON_AFFINITY);
    for (const t of pod.requiredAntiAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
    }
    if (s.existingAntiAffinityCounts.size) {
      for (const k in labels) {
        if ((s.existingAntiAffinityCounts.get(pairKey(k, labels[k]!)) ?? 0) > 0) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return null;
  }

  private satisfyAffinity(s: PreFilterState, pod: PodInfo, labels: Labels): boolean {
    let podsExist = true;
    for (const t of pod.requiredAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v === undefined) return false;
      if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group with affinity to itself may go anywhere its terms allow.
    return s.affinityCounts.size === 0 && matchesAll(pod.requiredAffinityTerms, pod.pod, s.nsLabels);
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[]): Status | null {
    const podNsLabels = this.nsLabels(pod.pod.metadata?.namespace);
    const topo = new Map<string, number>();
    const addPair = (pk: string, w: number): void => {
      topo.set(pk, (topo.get(pk) ?? 0) + w);
    };
    const add = (key: string, labels: Labels, w: number): void => {
      const v = labels[key];
      if (v === undefined || w === 0) return;
      addPair(pairKey(key, v), w);
    };
    // The incoming pod's preferred terms, over the pods they pick.
    const incoming: [AffinityTerm, number][] = [...pod.preferredAffinityTerms.map((t): [AffinityTerm, number] => [t, t.weight]), ...pod.preferredAntiAffinityTerms.map((t): [AffinityTerm, number] => [t, -t.weight])];
    if (incoming.length && !indexable(incoming.map(([t]) => t))) {
      const nsCache = new Map<string, Labels | undefined>();
      for (const ni of this.h.nodes.list()) {
        const labels = ni.node?.metadata?.labels;
        if (!labels) continue;
        for (const existing of ni.pods) {
          const ns = existing.pod.metadata?.namespace ?? '';
          let nsl = nsCache.get(ns);
          if (nsl === undefined && !nsCache.has(ns)) nsCache.set(ns, (nsl = this.nsLabels(ns)));
          for (const [t, w] of incoming) if (t.matches(existing.pod, nsl)) add(t.topologyKey, labels, w);
        }
      }
    } else {
      for (const [t, w] of incoming) {
        if (w === 0) continue;
        this.forCountedNodes(this.termCounts([t]), (labels, n) => add(t.topologyKey, labels, w * n));
      }
    }
    // Existing pods' terms that pick the incoming pod: one match per distinct term.
    const existing: [ExistingTermKind, number | undefined][] = [
      ['requiredAffinity', HARD_POD_AFFINITY_WEIGHT],
      ['preferredAffinity', undefined],
      ['preferredAntiAffinity', undefined],
    ];
    for (const [kind, fixed] of existing) {
      for (const g of this.h.nodes.existingTerms(kind)) {
        const w = fixed ?? (kind === 'preferredAntiAffinity' ? -g.term.weight : g.term.weight);
        if (w === 0 || !g.term.matches(pod.pod, podNsLabels)) continue;
        for (const [pk, n] of g.pairs) addPair(pk, w * n);
      }
    }
    if (topo.size === 0) return Status.skip();
    const keys = new Set<string>();
    for (const k of topo.keys()) keys.add(k.slice(0, k.indexOf('\u0000')));
    state.write(PRESCORE_KEY, { topo, keys });
    return null;
  }

  score(state: CycleState, _pod: PodInfo, ni: NodeInfo): number {
    const s = state.read<{ topo: Map<string, number>; keys: Set<string> }>(PRESCORE_KEY);
    const labels = ni.node?.metadata?.labels;
    if (!s || !labels) return 0;
    let score = 0;
    for (const key of s.keys) {
      const v = labels[key];
      if (v !== undefined) score += s.topo.get(pairKey(key, v)) ?? 0;
    }
    return score;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s.score < min) min = s.score;
      if (s.score > max) max = s.score;
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
  }
}

export function create(h: Handle): InterPodAffinity {
  return new InterPodAffinity(h);
}
