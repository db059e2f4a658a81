// What plugins see of the cluster (upstream framework/types.go): PodInfo with its affinity terms
// parsed once, NodeInfo with the aggregates kept incrementally as pods come and go.

import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { nothing, selectorFromLabelSelector, type Labels, type Selector } from '../../machinery/labels.js';
import { selectorKey } from './pod-counts.js';
import { podRequests, Resource } from './resource.js';

/** A parsed pod (anti-)affinity term (upstream framework.AffinityTerm). */
export class AffinityTerm {
  readonly selector: Selector;
  readonly namespaces: ReadonlySet<string>;
  /** Nothing when the term has no namespaceSelector. */
  readonly namespaceSelector: Selector;
  readonly topologyKey: string;
  readonly weight: number;
  /** Whether a namespaceSelector is set: then what the term picks depends on namespace labels. */
  readonly hasNamespaceSelector: boolean;
  /** Identifies which pods the term picks (namespaces, selectors), without key and weight. */
  readonly matchKey: string;
  /** Identifies the whole term: matchKey, topology key and weight. */
  readonly key: string;

  constructor(podNamespace: string, t: PodAffinityTerm, weight = 0) {
    this.selector = safeSelector(t.labelSelector);
    this.hasNamespaceSelector = !!t.namespaceSelector;
    this.namespaceSelector = t.namespaceSelector ? safeSelector(t.namespaceSelector) : nothing();
    const ns = new Set(t.namespaces ?? []);
    if (ns.size === 0 && !t.namespaceSelector) ns.add(podNamespace);
    this.namespaces = ns;
    this.topologyKey = t.topologyKey;
    this.weight = weight;
    const nsSel = this.hasNamespaceSelector ? selectorKey(this.namespaceSelector) : '-';
    this.matchKey = `ns=${[...ns].sort().join(',')} nsSel=${nsSel} sel=${selectorKey(this.selector)}`;
    this.key = `${this.matchKey} topo=${t.topologyKey} w=${weight}`;
  }


  /** The term selects `pod` whose namespace carries `nsLabels`. */
  matches(pod: Pod, nsLabels: Labels | undefined): boolean {
    const ns = pod.metadata?.namespace ?? '';
    if (this.namespaces.has(ns) || this.namespaceSelector.matches(nsLabels ?? {})) return this.selector.matches(pod.metadata?.labels ?? {});
    return false;
  }
}

function safeSelector(ls: Parameters<typeof selectorFromLabelSelector>[0]): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return nothing();
  }
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod with what the scheduler derives from it, computed once. */
export class PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  /** `namespace/name` */
  readonly key: string;
  readonly requests: Resource;
  /** Requests with the scoring defaults for missing CPU/memory. */
  readonly nonZeroRequests: Resource;
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: AffinityTerm[];
  readonly preferredAntiAffinityTerms: AffinityTerm[];
  readonly hostPorts: HostPort[];

  constructor(pod: Pod) {
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? '';
    this.key = `${ns}/${pod.metadata?.name ?? ''}`;
    this.requests = podRequests(pod);
    this.nonZeroRequests = podRequests(pod, true);
    const pa = pod.spec?.affinity?.podAffinity;
    const paa = pod.spec?.affinity?.podAntiAffinity;
    this.requiredAffinityTerms = (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => new AffinityTerm(ns, t));
    this.requiredAntiAffinityTerms = (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => new AffinityTerm(ns, t));
    this.preferredAffinityTerms = (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => new AffinityTerm(ns, w.podAffinityTerm, w.weight));
    this.preferredAntiAffinityTerms = (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => new AffinityTerm(ns, w.podAffinityTerm, w.weight));
    const ports: HostPort[] = [];
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort || p.hostPort <= 0) continue;
        ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
      }
    }
    this.hostPorts = ports;
  }

  get hasAffinity(): boolean {
    return this.requiredAffinityTerms.length + this.requiredAntiAffinityTerms.length + this.preferredAffinityTerms.length + this.preferredAntiAffinityTerms.length > 0;
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }
}

/** Image sizes known on a node, with how many nodes have the image (upstream ImageStateSummary). */
export interface ImageStateSummary {
  size: number;
  numNodes: number;
}

/**
 * One node and the pods on it (assumed ones included). Aggregates change with each add/remove,
 * never by recomputing from all pods. `generation` grows on every change.
 */
export class NodeInfo {
  node: Node | undefined;
  readonly name: string;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** `protocol/port` → host IPs in use. */
  usedPorts = new Map<string, string[]>();
  requested = new Resource();
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  /** Normalised image name → summary (shared objects owned by the cache). */
  imageStates = new Map<string, ImageStateSummary>();
  generation = 0;

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.from(node.status?.allocatable as Record<string, unknown> | undefined);
    this.generation++;
  }

  addPodInfo(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pi);
    this.requested.add(pi.requests);
    this.nonZeroRequested.add(pi.nonZeroRequests);
    for (const hp of pi.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k);
      if (ips) ips.push(hp.ip);
      else this.usedPorts.set(k, [hp.ip]);
    }
    this.generation++;
  }

  /** Removes the pod with this uid; false when it is not here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) return false;
    const pi = this.pods[i]!;
    swapRemove(this.pods, i);
    if (pi.hasAffinity) removeByUid(this.podsWithAffinity, uid);
    if (pi.hasRequiredAntiAffinity) removeByUid(this.podsWithRequiredAntiAffinity, uid);
    this.requested.add(pi.requests, -1);
    this.nonZeroRequested.add(pi.nonZeroRequests, -1);
    for (const hp of pi.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k);
      if (!ips) continue;
      const j = ips.indexOf(hp.ip);
      if (j >= 0) ips.splice(j, 1);
      if (ips.length === 0) this.usedPorts.delete(k);
    }
    this.generation++;
    return true;
  }

  /** A copy whose pod lists and aggregates may be changed without touching this one. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = new Map([...this.usedPorts].map(([k, v]) => [k, [...v]]));
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable;
    c.imageStates = this.imageStates;
    c.generation = this.generation;
    return c;
  }

  /** Whether a host port is free (0.0.0.0 conflicts with every IP of the same protocol/port). */
  portInUse(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return ips.length > 0;
    for (const ip of ips) if (ip === hp.ip || ip === '0.0.0.0') return true;
    return false;
  }
}

function swapRemove<T>(a: T[], i: number): void {
  const last = a.length - 1;
  if (i !== last) a[i] = a[last]!;
  a.pop();
}

function removeByUid(a: PodInfo[], uid: string): void {
  const i = a.findIndex((p) => p.uid === uid);
  if (i >= 0) swapRemove(a, i);
}
