// The extension points (upstream framework/interface.go). A plugin is one object that implements
// any number of them; the framework finds each capability with a type guard. The scheduling
// cycle (PreFilter … Reserve, Permit) runs synchronously for one pod at a time; the binding
// cycle (PreBind, Bind, PostBind) runs asynchronously while the next pod is scheduled.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { SharedInformerFactory } from '../../client/cache/factory.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { Logger } from '../../logging/index.js';
import type { ExistingTermGroup, ExistingTermKind, PodCountIndex, PodPredicate } from './pod-counts.js';
import type { NodeToStatus, Status } from './status.js';
import type { NodeInfo, PodInfo } from './types.js';

/** Per-cycle data plugins share; values with a `clone()` are copied by `clone()` (preemption dry runs). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter said Skip: their Filter is not run. */
  skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore said Skip: their Score is not run. */
  skipScorePlugins = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, v: unknown): void {
    this.data.set(key, v);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cl = (v as { clone?: () => unknown } | null)?.clone;
      c.data.set(k, typeof cl === 'function' ? cl.call(v) : v);
    }
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    return c;
  }
}

/** Cluster changes that can make an unschedulable pod schedulable (upstream ClusterEvent, coarsened). */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'PersistentVolumeClaimChange'
  | 'PersistentVolumeChange'
  | 'StorageClassChange'
  | 'UnschedulableTimeout'
  | 'ForceActivate';

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected is worth retrying. */
  events?(): readonly ClusterEvent[];
}

/** What the pod queue keeps per pod. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it entered the queue (or was last moved), ms: the QueueSort tie-breaker. */
  timestamp: number;
  /** When it first entered the queue, ms. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected it last time. */
  unschedulablePlugins: Set<string>;
  /** The PreEnqueue plugin keeping it out of the activeQ, if any. */
  gatedBy?: string;
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Status | null;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export interface PreFilterResult {
  /** Only these nodes can fit; undefined = all. */
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** Skip status: this plugin's Filter is not needed for the pod. */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status?: Status | null; result?: PreFilterResult };
  /** Updates the state as if `other` were added to `nodeInfo` (preemption, nominated pods). */
  addPod?(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null;
  /** Updates the state as if `other` were removed from `nodeInfo`. */
  removePod?(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null;
}

export interface PostFilterResult {
  /** Node to nominate; '' clears the nomination. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, signal: AbortSignal): Promise<{ status: Status | null; result?: PostFilterResult }>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null;
}

export interface NodeScore {
  name: string;
  score: number;
}

export const MAX_NODE_SCORE = 100;

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number;
  /** Maps raw scores to [0, MAX_NODE_SCORE] in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  /** Idempotent; called on any later failure. */
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null>;
}

export interface BindPlugin extends Plugin {
  /** Skip: let the next bind plugin bind. */
  bind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Read access to the scheduler's node infos (upstream SharedLister over the snapshot). */
export interface NodeInfoLister {
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod having (anti-)affinity terms. */
  havePodsWithAffinity(): Iterable<NodeInfo>;
  havePodsWithRequiredAntiAffinity(): Iterable<NodeInfo>;
  /** How many nodes list each image (normalised name). */
  imageNumNodes(image: string): number;
  /**
   * Per-node counts of the placed pods of `namespace` (undefined = all) that `matches` picks,
   * kept incrementally; `key` must identify the predicate (see pod-counts.ts).
   */
  podCounts(key: string, namespace: string | undefined, matches: PodPredicate): PodCountIndex;
  /** An index's counts summed per value of `topologyKey` over existing nodes (kept incrementally). */
  podCountsByDomain(ix: PodCountIndex, topologyKey: string): ReadonlyMap<string, number>;
  /** The distinct (anti-)affinity terms of this kind on placed pods, with pods per topology domain. */
  existingTerms(kind: ExistingTermKind): Iterable<ExistingTermGroup>;
}

/** Pods nominated to run on a node after preemption (upstream PodNominator). */
export interface PodNominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

/** What the framework gives each plugin (upstream framework.Handle). */
export interface Handle {
  client: Interface;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  logger: Logger;
  now(): number;
  nodes: NodeInfoLister;
  nominator: PodNominator;
  /** For PostFilter: the framework itself, to dry-run filters. */
  framework(): FrameworkRunner;
}

/** The parts of the framework preemption needs. */
export interface FrameworkRunner {
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null;
  runPreFilterAddPod(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null;
  runPreFilterRemovePod(state: CycleState, pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo): Status | null;
}

export type PluginFactory = (h: Handle) => Plugin;

export const isPreEnqueue = (p: Plugin): p is PreEnqueuePlugin => typeof (p as Partial<PreEnqueuePlugin>).preEnqueue === 'function';
export const isQueueSort = (p: Plugin): p is QueueSortPlugin => typeof (p as Partial<QueueSortPlugin>).less === 'function';
export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as Partial<PreFilterPlugin>).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as Partial<FilterPlugin>).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as Partial<PostFilterPlugin>).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as Partial<PreScorePlugin>).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as Partial<ScorePlugin>).score === 'function';
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as Partial<ReservePlugin>).reserve === 'function';
export const isPermit = (p: Plugin): p is PermitPlugin => typeof (p as Partial<PermitPlugin>).permit === 'function';
export const isPreBind = (p: Plugin): p is PreBindPlugin => typeof (p as Partial<PreBindPlugin>).preBind === 'function';
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as Partial<BindPlugin>).bind === 'function';
export const isPostBind = (p: Plugin): p is PostBindPlugin => typeof (p as Partial<PostBindPlugin>).postBind === 'function';

/** Upstream DefaultNormalizeScore: scale to [0, max]; `reverse` flips (lower raw is better). */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): void {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
}
