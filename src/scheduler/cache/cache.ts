// The scheduler's view of nodes and the pods on them (upstream pkg/scheduler/backend/cache):
// NodeInfo per node kept up to date incrementally from the informers, plus "assumed" pods —
// pods the scheduler placed whose binding the informer has not shown yet. Assumed pods count
// against their node at once so the next pod sees the capacity they take.
//
// Everything runs on the event loop between scheduling cycles, so the scheduling cycle reads
// the live NodeInfos directly instead of a copied snapshot.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfoLister } from '../framework/interface.js';
import { NodeInfo, PodInfo, type ImageStateSummary } from '../framework/types.js';

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
    ni.setNode(node);
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
    this.trackAffinity(ni);
  }

  private unplace(pi: PodInfo, nodeName: string): void {
    const ni = this.nodes.get(nodeName);
    if (!ni) return;
    ni.removePod(pi.uid);
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
