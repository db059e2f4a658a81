// The scheduler's view of nodes and the pods on them (upstream pkg/scheduler/backend/cache):
// NodeInfo per node kept up to date incrementally from the informers, plus "assumed" pods —
// pods the scheduler placed whose binding the informer has not shown yet. Assumed pods count
// against their node at once so the next pod sees the capacity they take.
//
// Everything runs on the event loop between scheduling cycles, so the scheduling cycle reads
// the live NodeInfos directly instead of a copied snapshot.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfoLister } from '../framework/interface.js';
import type { Labels } from '../../machinery/labels.js';
import { ExistingTermGroup, PodCountIndex, topologyPairKey, type ExistingTermKind, type PodPredicate } from '../framework/pod-counts.js';
import { NodeInfo, PodInfo, type AffinityTerm, type ImageStateSummary } from '../framework/types.js';

/** At most this many pod count indexes are kept; the least recently used goes first. */
const MAX_POD_COUNT_INDEXES = 64;
/** An index no cycle asked for within this long is dropped by cleanup, ms. */
const POD_COUNT_INDEX_IDLE_MS = 5 * 60_000;

interface PodState {
  pi: PodInfo;
  nodeName: string;
  assumed: boolean;
  /** Set when binding finished (successfully sent); the assumption expires at this time. */
  deadline: number | undefined;
}

interface ImageState {
  summary: ImageStateSummary;
  nodes: Set<string>;
}

/** Upstream normalizedImageName: a name without tag or digest means `:latest`. */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:latest`;
  return name;
}

export class SchedulerCache implements NodeInfoLister {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Nodes that exist (have a Node object), in a stable order for round-robin filtering. */
  private readonly nodeList: NodeInfo[] = [];
  private readonly nodeIndex = new Map<string, number>();
  private readonly podStates = new Map<string, PodState>();
  private readonly withAffinity = new Set<NodeInfo>();
  private readonly withAntiAffinity = new Set<NodeInfo>();
  private readonly images = new Map<string, ImageState>();
  /** Placed pods by namespace (uid → pod and node), to build a new count index. */
  private readonly nsPods = new Map<string, Map<string, { pi: PodInfo; nodeName: string }>>();
  /** Count indexes by `namespace\0key`, and the ones each namespace's pods must update. */
  private readonly countIndexes = new Map<string, PodCountIndex>();
  private readonly countIndexesByNs = new Map<string, Set<PodCountIndex>>();
  private readonly crossNsCountIndexes = new Set<PodCountIndex>();
  /** The (anti-)affinity terms of placed pods, grouped by term, per kind. */
  private readonly termGroups: Record<ExistingTermKind, Map<string, ExistingTermGroup>> = {
    requiredAffinity: new Map(),
    requiredAntiAffinity: new Map(),
    preferredAffinity: new Map(),
    preferredAntiAffinity: new Map(),
  };

  constructor(
    /** How long an assumed pod whose binding finished may wait for the informer, ms. */
    private readonly assumedTTLms: number,
    private readonly now: () => number,
  ) {}

  // ---- NodeInfoLister

  list(): readonly NodeInfo[] {
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    const ni = this.nodes.get(name);
    return ni?.node ? ni : undefined;
  }

  havePodsWithAffinity(): Iterable<NodeInfo> {
    return [...this.withAffinity].filter((n) => n.node);
  }

  havePodsWithRequiredAntiAffinity(): Iterable<NodeInfo> {
    return [...this.withAntiAffinity].filter((n) => n.node);
  }

  imageNumNodes(image: string): number {
    return this.images.get(image)?.nodes.size ?? 0;
  }

  /**
   * Per-node counts of the placed pods (assumed ones included) of `namespace` (undefined = all
   * namespaces) that `matches` picks. `key` must identify the predicate: the first call builds the
   * index from all pods once, later calls with the same key get it kept up to date.
   */
  podCounts(key: string, namespace: string | undefined, matches: PodPredicate): PodCountIndex {
    const full = `${namespace ?? '*'}\u0000${key}`;
    let ix = this.countIndexes.get(full);
    if (!ix) {
      ix = new PodCountIndex(full, namespace, matches);
      const scan = (m: ReadonlyMap<string, { pi: PodInfo; nodeName: string }>): void => {
        for (const { pi, nodeName } of m.values()) if (ix!.matches(pi.pod)) ix!.bump(nodeName, 1);
      };
      if (namespace === undefined) {
        for (const m of this.nsPods.values()) scan(m);
        this.crossNsCountIndexes.add(ix);
      } else {
        const m = this.nsPods.get(namespace);
        if (m) scan(m);
        let set = this.countIndexesByNs.get(namespace);
        if (!set) this.countIndexesByNs.set(namespace, (set = new Set()));
        set.add(ix);
      }
      this.countIndexes.set(full, ix);
      if (this.countIndexes.size > MAX_POD_COUNT_INDEXES) {
        let lru: PodCountIndex | undefined;
        for (const c of this.countIndexes.values()) if (c !== ix && (!lru || c.lastUsed < lru.lastUsed)) lru = c;
        if (lru) this.dropCountIndex(lru);
      }
    }
    ix.lastUsed = this.now();
    return ix;
  }

  /** The distinct terms of this kind on placed pods, with per-domain pod counts. */
  existingTerms(kind: ExistingTermKind): Iterable<ExistingTermGroup> {
    return this.termGroups[kind].values();
  }

  private countTerms(pi: PodInfo, labels: Labels | undefined, d: number): void {
    if (!labels || !pi.hasAffinity) return;
    this.countTermsOf('requiredAffinity', pi.requiredAffinityTerms, labels, d);
    this.countTermsOf('requiredAntiAffinity', pi.requiredAntiAffinityTerms, labels, d);
    this.countTermsOf('preferredAffinity', pi.preferredAffinityTerms, labels, d);
    this.countTermsOf('preferredAntiAffinity', pi.preferredAntiAffinityTerms, labels, d);
  }

  private countTermsOf(kind: ExistingTermKind, terms: readonly AffinityTerm[], labels: Labels, d: number): void {
    const groups = this.termGroups[kind];
    for (const t of terms) {
      const v = labels[t.topologyKey];
      if (v === undefined) continue;
      let g = groups.get(t.key);
      if (!g) {
        if (d < 0) continue;
        groups.set(t.key, (g = new ExistingTermGroup(kind, t)));
      }
      g.bump(topologyPairKey(t.topologyKey, v), d);
      if (g.pairs.size === 0) groups.delete(t.key);
    }
  }

  /**
   * The index's matching pods summed per value of `topologyKey` over the existing nodes that
   * carry the key; built once from the index, then kept up to date.
   */
  podCountsByDomain(ix: PodCountIndex, topologyKey: string): ReadonlyMap<string, number> {
    let m = ix.domains.get(topologyKey);
    if (!m) {
      m = new Map();
      for (const [name, n] of ix.counts) {
        const v = this.get(name)?.node?.metadata?.labels?.[topologyKey];
        if (v !== undefined) m.set(v, (m.get(v) ?? 0) + n);
      }
      ix.domains.set(topologyKey, m);
    }
    return m;
  }

  /** A node's labels change (or it comes or goes): move its pods' domain counts. */
  private moveDomains(name: string, oldLabels: Labels | undefined, newLabels: Labels | undefined): void {
    if (oldLabels === newLabels) return;
    for (const ix of this.countIndexes.values()) {
      if (ix.domains.size === 0) continue;
      const n = ix.counts.get(name);
      if (!n) continue;
      ix.bumpDomains(oldLabels, -n);
      ix.bumpDomains(newLabels, n);
    }
  }

  /** How many count indexes exist (for tests). */
  get countIndexCount(): number {
    return this.countIndexes.size;
  }

  private dropCountIndex(ix: PodCountIndex): void {
    this.countIndexes.delete(ix.key);
    if (ix.namespace === undefined) this.crossNsCountIndexes.delete(ix);
    else {
      const set = this.countIndexesByNs.get(ix.namespace);
      set?.delete(ix);
      if (set?.size === 0) this.countIndexesByNs.delete(ix.namespace);
    }
  }

  /** Drops count indexes no cycle used for a while; returns how many. */
  cleanupIdleCountIndexes(): number {
    const cutoff = this.now() - POD_COUNT_INDEX_IDLE_MS;
    let n = 0;
    for (const ix of [...this.countIndexes.values()]) {
      if (ix.lastUsed < cutoff) {
        this.dropCountIndex(ix);
        n++;
      }
    }
    return n;
  }

  get numNodes(): number {
    return this.nodeList.length;
  }

  // ---- nodes

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodes.set(name, ni);
    }
    const had = !!ni.node;
    if (had) this.removeImages(ni);
    // Term counts are per topology domain: move the node's pods to its new labels.
    const oldLabels = ni.node?.metadata?.labels;
    for (const pi of ni.podsWithAffinity) this.countTerms(pi, oldLabels, -1);
    ni.setNode(node);
    for (const pi of ni.podsWithAffinity) this.countTerms(pi, node.metadata?.labels, 1);
    this.moveDomains(name, oldLabels, node.metadata?.labels);
    this.addImages(ni, node);
    if (!had) {
      this.nodeIndex.set(name, this.nodeList.length);
      this.nodeList.push(ni);
    }
  }

  updateNode(_old: Node, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const ni = this.nodes.get(name);
    if (!ni?.node) return;
    this.removeImages(ni);
    for (const pi of ni.podsWithAffinity) this.countTerms(pi, ni.node.metadata?.labels, -1);
    this.moveDomains(name, ni.node.metadata?.labels, undefined);
    ni.node = undefined;
    ni.generation++;
    const i = this.nodeIndex.get(name)!;
    const last = this.nodeList.pop()!;
    if (last !== ni) {
      this.nodeList[i] = last;
      this.nodeIndex.set(last.name, i);
    }
    this.nodeIndex.delete(name);
    // Pods still on it stay until their deletion is seen (upstream keeps a ghost NodeInfo).
    if (ni.pods.length === 0) this.nodes.delete(name);
  }

  private addImages(ni: NodeInfo, node: Node): void {
    const m = new Map<string, ImageStateSummary>();
    for (const img of node.status?.images ?? []) {
      for (const raw of img.names ?? []) {
        const name = normalizedImageName(raw);
        let st = this.images.get(name);
        if (!st) this.images.set(name, (st = { summary: { size: img.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
        st.nodes.add(ni.name);
        st.summary.numNodes = st.nodes.size;
        m.set(name, st.summary);
      }
    }
    ni.imageStates = m;
  }

  private removeImages(ni: NodeInfo): void {
    for (const name of ni.imageStates.keys()) {
      const st = this.images.get(name);
      if (!st) continue;
      st.nodes.delete(ni.name);
      st.summary.numNodes = st.nodes.size;
      if (st.nodes.size === 0) this.images.delete(name);
    }
    ni.imageStates = new Map();
  }

  // ---- pods

  /** The pod the scheduler placed, counted on `nodeName` before the API confirms it. */
  assumePod(pi: PodInfo, nodeName: string): void {
    if (this.podStates.has(pi.uid)) throw new Error(`pod ${pi.key} (${pi.uid}) is in the cache, so can't be assumed`);
    this.place(pi, nodeName);
    this.podStates.set(pi.uid, { pi, nodeName, assumed: true, deadline: undefined });
  }

  /** Binding was sent: start the expiry clock of the assumption. */
  finishBinding(uid: string): void {
    const st = this.podStates.get(uid);
    if (st?.assumed) st.deadline = this.now() + this.assumedTTLms;
  }

  /** Undo an assumption (binding failed). */
  forgetPod(uid: string): void {
    const st = this.podStates.get(uid);
    if (!st?.assumed) return;
    this.unplace(st.pi, st.nodeName);
    this.podStates.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.podStates.get(uid)?.assumed ?? false;
  }

  /** The node a pod is counted on, if any. */
  nodeOf(uid: string): string | undefined {
    return this.podStates.get(uid)?.nodeName;
  }

  /** An assigned pod seen by the informer: confirms an assumption or adds it. */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const nodeName = pod.spec?.nodeName ?? '';
    const st = this.podStates.get(uid);
    if (st) {
      // Confirmed (or seen again): re-place with the informer's version of the pod.
      this.unplace(st.pi, st.nodeName);
      this.podStates.delete(uid);
    }
    const pi = new PodInfo(pod);
    this.place(pi, nodeName);
    this.podStates.set(uid, { pi, nodeName, assumed: false, deadline: undefined });
  }

  updatePod(_old: Pod, pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const st = this.podStates.get(uid);
    if (!st) return;
    this.unplace(st.pi, st.nodeName);
    this.podStates.delete(uid);
  }

  /** Drops assumptions whose binding finished more than the TTL ago; returns how many. */
  cleanupExpiredAssumedPods(): number {
    const now = this.now();
    let n = 0;
    for (const [uid, st] of this.podStates) {
      if (st.assumed && st.deadline !== undefined && st.deadline <= now) {
        this.unplace(st.pi, st.nodeName);
        this.podStates.delete(uid);
        n++;
      }
    }
    return n;
  }

  get podCount(): number {
    return this.podStates.size;
  }

  private place(pi: PodInfo, nodeName: string): void {
    let ni = this.nodes.get(nodeName);
    if (!ni) this.nodes.set(nodeName, (ni = new NodeInfo(nodeName)));
    ni.addPodInfo(pi);
    this.countTerms(pi, ni.node?.metadata?.labels, 1);
    this.trackAffinity(ni);
    const ns = pi.pod.metadata?.namespace ?? '';
    let m = this.nsPods.get(ns);
    if (!m) this.nsPods.set(ns, (m = new Map()));
    m.set(pi.uid, { pi, nodeName });
    this.countPod(pi, ns, nodeName, 1);
  }

  private countPod(pi: PodInfo, ns: string, nodeName: string, d: number): void {
    const set = this.countIndexesByNs.get(ns);
    if (set) for (const ix of set) this.countIn(ix, pi, nodeName, d);
    for (const ix of this.crossNsCountIndexes) this.countIn(ix, pi, nodeName, d);
  }

  private countIn(ix: PodCountIndex, pi: PodInfo, nodeName: string, d: number): void {
    if (!ix.matches(pi.pod)) return;
    ix.bump(nodeName, d);
    if (ix.domains.size) ix.bumpDomains(this.get(nodeName)?.node?.metadata?.labels, d);
  }

  private unplace(pi: PodInfo, nodeName: string): void {
    const ni = this.nodes.get(nodeName);
    if (!ni) return;
    if (ni.removePod(pi.uid)) {
      this.countTerms(pi, ni.node?.metadata?.labels, -1);
      const ns = pi.pod.metadata?.namespace ?? '';
      const m = this.nsPods.get(ns);
      m?.delete(pi.uid);
      if (m?.size === 0) this.nsPods.delete(ns);
      this.countPod(pi, ns, nodeName, -1);
    }
    this.trackAffinity(ni);
    if (!ni.node && ni.pods.length === 0) this.nodes.delete(nodeName);
  }

  private trackAffinity(ni: NodeInfo): void {
    if (ni.podsWithAffinity.length) this.withAffinity.add(ni);
    else this.withAffinity.delete(ni);
    if (ni.podsWithRequiredAntiAffinity.length) this.withAntiAffinity.add(ni);
    else this.withAntiAffinity.delete(ni);
  }
}
