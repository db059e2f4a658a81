// The scheduler (upstream pkg/scheduler: scheduler.go, schedule_one.go, eventhandlers.go): pods
// come from the queue one at a time; the scheduling cycle (filter a round-robin share of the
// nodes, score the feasible ones, reserve, permit, assume) runs synchronously; the binding cycle
// (PreBind, Bind, PostBind) runs in the background while the next pod is scheduled. Failures set
// the pod's PodScheduled condition and record FailedScheduling; cluster events move waiting pods
// back into the queue.

import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Interface } from '../client/clientset.js';
import { SharedInformerFactory } from '../client/cache/factory.js';
import type { EventHandler, Lister, Registration } from '../client/cache/informer.js';
import type { EventRecorder } from '../client/record/recorder.js';
import { isConflict } from '../client/rest/errors.js';
import type { GroupVersionResource, KubeObject } from '../client/rest/resource.js';
import { NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, STORAGECLASSES } from '../client/resources.js';
import type { Logger } from '../logging/index.js';
import { SchedulerCache } from './cache/cache.js';
import { Framework } from './framework/framework.js';
import type { ClusterEvent, CycleState, Handle, Plugin, QueuedPodInfo } from './framework/interface.js';
import { FitError, newDiagnosis, NoNodesAvailableError, Status, type Diagnosis } from './framework/status.js';
import type { NodeInfo, PodInfo } from './framework/types.js';
import { DEFAULT_PLUGINS, DEFAULT_WEIGHTS, REGISTRY } from './plugins/registry.js';
import { SchedulingQueue, type QueueStats } from './queue/scheduling-queue.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** Upstream: below this many nodes every node is filtered. */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const NONE: readonly PodInfo[] = [];

type PodObject = Pod & KubeObject;
type NodeObject = Node & KubeObject;

export interface SchedulerOptions {
  client: Interface;
  logger: Logger;
  /** Events carry source.component `default-scheduler`. */
  recorder: EventRecorder;
  now?: () => number;
  schedulerName?: string;
  /** 0 (default) = adaptive (50 − nodes/125, at least 5 %); otherwise a fixed percentage. */
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** How often the backoff queue is flushed and expired assumptions dropped (1 s). */
  flushIntervalMs?: number;
  /** How long a finished binding may stay assumed without the informer confirming it (15 min). */
  assumedPodTTLms?: number;
  /**
   * Informers shared with other components of the process, as kube-controller-manager's
   * controllers share one factory: their owner started it and stops it. The scheduler adds
   * its informers and handlers, and removes its handlers when it closes. Default: a factory
   * of the scheduler's own, over `client`.
   */
  informers?: SharedInformerFactory;
}

export interface SchedulerMetrics {
  /** Scheduling attempts by result (upstream scheduler_schedule_attempts_total). */
  attempts: { scheduled: number; unschedulable: number; error: number };
  /** Binding cycles that bound the pod / that failed. */
  bound: number;
  bindErrors: number;
  /** Duration of scheduling cycles (pop to assume/failure), over the most recent ones. */
  latencyMs: { count: number; p50: number; p99: number; max: number };
  queue: QueueStats;
}

type LifecycleState = 'new' | 'starting' | 'running' | 'closed';

const LATENCY_WINDOW = 16_384;
/** Pseudo plugin that "rejected" a pod when there were no nodes: a new node retries it. */
const NO_NODES = 'NoNodes';

export class Scheduler {
  readonly name: string;
  private readonly client: Interface;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly informers: SharedInformerFactory;
  /** False when the informers are shared: their owner stops them. */
  private readonly ownInformers: boolean;
  private readonly registrations: Registration[] = [];
  private readonly cache: SchedulerCache;
  private readonly queue: SchedulingQueue;
  private readonly fw: Framework;
  private readonly podLister: Lister<PodObject>;
  private readonly percentageOfNodesToScore: number;
  private readonly flushIntervalMs: number;
  private nextStartNodeIndex = 0;
  private state: LifecycleState = 'new';
  private readonly ac = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private lastLeftoverFlush = 0;
  private readonly counts = { scheduled: 0, unschedulable: 0, error: 0, bound: 0, bindErrors: 0 };
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;

  constructor(opts: SchedulerOptions) {
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.client = opts.client;
    this.log = opts.logger.child({ component: 'scheduler' });
    this.recorder = opts.recorder;
    this.now = opts.now ?? Date.now;
    this.percentageOfNodesToScore = opts.percentageOfNodesToScore ?? 0;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    // Every informer's sync wait and the loop listen on this signal.
    setMaxListeners(0, this.ac.signal);
    this.ownInformers = !opts.informers;
    this.informers = opts.informers ?? new SharedInformerFactory(opts.client, { logger: this.log, trimManagedFields: true });
    this.cache = new SchedulerCache(opts.assumedPodTTLms ?? 15 * 60_000, this.now);
    const handle: Handle = {
      client: this.client,
      informers: this.informers,
      recorder: this.recorder,
      logger: this.log,
      now: this.now,
      nodes: this.cache,
      nominator: { nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n) },
      framework: () => this.fw,
    };
    const plugins: Plugin[] = DEFAULT_PLUGINS.map((n) => REGISTRY[n]!(handle));
    this.fw = new Framework(plugins, DEFAULT_WEIGHTS);
    const pluginEvents = new Map<string, Set<ClusterEvent>>();
    for (const p of plugins) pluginEvents.set(p.name, new Set(p.events?.() ?? []));
    pluginEvents.set(NO_NODES, new Set<ClusterEvent>(['NodeAdd']));
    this.queue = new SchedulingQueue({
      now: this.now,
      less: (a, b) => this.fw.queueSort.less(a, b),
      preEnqueue: (pod) => this.fw.runPreEnqueuePlugins(pod)?.plugin,
      pluginEvents,
      initialBackoffMs: opts.podInitialBackoffMs,
      maxBackoffMs: opts.podMaxBackoffMs,
    });
    const podInformer = this.informers.forResource<PodObject>(PODS);
    this.podLister = podInformer.lister();
    this.addEventHandlers();
  }

  /** Starts the informers, waits for their caches, starts scheduling; resolves once running. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`scheduler already ${this.state}`);
    this.state = 'starting';
    if (signal.aborted) this.ac.abort();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
    this.informers.start(this.ac.signal);
    const ok = await this.informers.waitForCacheSync(this.ac.signal);
    if (!ok || this.ac.signal.aborted) return;
    this.state = 'running';
    const t = setInterval(() => this.housekeeping(), this.flushIntervalMs);
    t.unref();
    this.timers.push(t);
    this.loop = this.run(this.ac.signal).catch((e: unknown) => {
      this.log.error({ err: errText(e) }, 'scheduling loop stopped with an error');
    });
    this.log.info({ schedulerName: this.name }, 'scheduler started');
  }

  /** Stops scheduling, awaits in-flight binding cycles and status writes. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ac.abort();
    this.queue.close();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.loop;
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    for (const r of this.registrations) r.remove();
    if (this.ownInformers) await this.informers.shutdown();
  }

  metrics(): SchedulerMetrics {
    const n = Math.min(this.latencyCount, LATENCY_WINDOW);
    const sorted = Float64Array.from(this.latencies.subarray(0, n)).sort();
    const pct = (p: number): number => (n ? sorted[Math.min(n - 1, Math.floor((p / 100) * n))]! : 0);
    return {
      attempts: { scheduled: this.counts.scheduled, unschedulable: this.counts.unschedulable, error: this.counts.error },
      bound: this.counts.bound,
      bindErrors: this.counts.bindErrors,
      latencyMs: { count: this.latencyCount, p50: pct(50), p99: pct(99), max: n ? sorted[n - 1]! : 0 },
      queue: this.queue.stats(),
    };
  }

  /** Where the scheduling queue holds a pod (for tests and debugging). */
  queuedAs(uid: string): string | undefined {
    return this.queue.where(uid);
  }

  // ---- event handlers (upstream eventhandlers.go)

  private responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.name;
  }

  private addEventHandlers(): void {
    const assigned = (p: Pod): boolean => !!p.spec?.nodeName;
    const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    const on = <T extends KubeObject>(gvr: GroupVersionResource, handler: EventHandler<T>): void => {
      this.registrations.push(this.informers.forResource<T>(gvr).addEventHandler(handler));
    };
    on<PodObject>(PODS, {
      onAdd: (pod) => {
        if (assigned(pod)) {
          if (terminal(pod)) return;
          this.cache.addPod(pod);
          this.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd');
        } else if (this.responsible(pod) && !pod.metadata?.deletionTimestamp && !terminal(pod)) {
          this.queue.add(pod);
        }
      },
      onUpdate: (oldPod, pod) => {
        if (assigned(pod)) {
          if (!assigned(oldPod)) this.queue.delete(pod);
          if (terminal(pod)) {
            this.cache.removePod(pod);
            this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
            return;
          }
          this.cache.updatePod(oldPod, pod);
          if (!assigned(oldPod)) this.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd');
          else if (!sameLabels(oldPod, pod)) this.queue.moveAllToActiveOrBackoffQueue('AssignedPodUpdate');
          return;
        }
        if (!this.responsible(pod)) return;
        if (pod.metadata?.deletionTimestamp || terminal(pod)) {
          this.queue.delete(pod);
          return;
        }
        // Our own binding in flight: the update is the status patch, not a new request.
        if (this.cache.isAssumed(pod.metadata?.uid ?? '')) return;
        this.queue.update(oldPod, pod);
      },
      onDelete: (pod) => {
        if (assigned(pod) || this.cache.nodeOf(pod.metadata?.uid ?? '') !== undefined) {
          this.cache.removePod(pod);
          this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
        }
        this.queue.delete(pod);
      },
    });
    on<NodeObject>(NODES, {
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoffQueue('NodeAdd');
      },
      onUpdate: (oldNode, node) => {
        this.cache.updateNode(oldNode, node);
        if (nodeSchedulingPropertiesChanged(oldNode, node)) this.queue.moveAllToActiveOrBackoffQueue('NodeUpdate');
      },
      onDelete: (node) => this.cache.removeNode(node),
    });
    const move = (event: ClusterEvent) => ({
      onAdd: () => this.queue.moveAllToActiveOrBackoffQueue(event),
      onUpdate: () => this.queue.moveAllToActiveOrBackoffQueue(event),
      onDelete: () => this.queue.moveAllToActiveOrBackoffQueue(event),
    });
    on(PERSISTENTVOLUMECLAIMS, move('PersistentVolumeClaimChange'));
    on(PERSISTENTVOLUMES, move('PersistentVolumeChange'));
    on(STORAGECLASSES, move('StorageClassChange'));
  }

  private housekeeping(): void {
    this.queue.flushBackoffQCompleted();
    const now = this.now();
    if (now - this.lastLeftoverFlush >= 30_000 || now < this.lastLeftoverFlush) {
      this.lastLeftoverFlush = now;
      this.queue.flushUnschedulablePodsLeftover();
    }
    const expired = this.cache.cleanupExpiredAssumedPods();
    if (expired) this.log.warn({ count: expired }, 'assumed pods expired without being confirmed');
    this.cache.cleanupIdleCountIndexes();
  }

  // ---- scheduling (upstream schedule_one.go)

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const q = await this.queue.pop(signal);
      if (!q) return;
      try {
        await this.scheduleOne(q, signal);
      } catch (e) {
        this.log.error({ pod: q.podInfo.key, err: errText(e) }, 'scheduling attempt failed unexpectedly');
        this.queue.addUnschedulableIfNotPresent(q);
      }
      // Let informer events, bindings and the API in.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private async scheduleOne(q: QueuedPodInfo, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const pi = q.podInfo;
    const m = pi.pod.metadata ?? {};
    const current = this.podLister.get(m.namespace, m.name ?? '');
    if (!current || current.metadata?.uid !== pi.uid || current.spec?.nodeName || current.metadata?.deletionTimestamp || this.cache.isAssumed(pi.uid)) {
      this.queue.done(pi.uid);
      return;
    }
    const state = this.fw.newCycleState();
    let node: string;
    try {
      node = this.schedulePod(state, pi);
    } catch (e) {
      if (e instanceof FitError) {
        let nominated: string | undefined;
        if (this.fw.postFilter.length) {
          const pf = await this.fw.runPostFilterPlugins(state, pi, e.diagnosis.nodeToStatus, signal);
          if (pf.status.code === 'Error') this.log.error({ pod: pi.key, err: pf.status.message() }, 'PostFilter failed');
          else if (!pf.status.isSuccess()) e.diagnosis.postFilterMsg = pf.status.message();
          nominated = pf.result?.nominatedNodeName;
        }
        q.unschedulablePlugins = e.diagnosis.unschedulablePlugins;
        this.counts.unschedulable++;
        this.observe(started);
        this.handleFailure(q, e.message, 'Unschedulable', nominated);
        return;
      }
      if (e instanceof NoNodesAvailableError) {
        q.unschedulablePlugins = new Set([NO_NODES]);
        this.counts.unschedulable++;
        this.observe(started);
        this.handleFailure(q, e.message, 'Unschedulable', undefined);
        return;
      }
      q.unschedulablePlugins = new Set();
      this.counts.error++;
      this.observe(started);
      this.handleFailure(q, errText(e), 'SchedulerError', undefined);
      return;
    }
    // Assume: count the pod on the node now so the next cycle sees it there.
    this.cache.assumePod(pi, node);
    const fail = (s: Status): void => {
      this.fw.runReservePluginsUnreserve(state, pi, node);
      this.cache.forgetPod(pi.uid);
      q.unschedulablePlugins = s.isRejected() ? new Set([s.plugin]) : new Set();
      this.counts[s.isRejected() ? 'unschedulable' : 'error']++;
      this.observe(started);
      this.handleFailure(q, s.message(), s.isRejected() ? 'Unschedulable' : 'SchedulerError', undefined);
    };
    const rs = this.fw.runReservePluginsReserve(state, pi, node);
    if (rs) return fail(rs);
    const ps = this.fw.runPermitPlugins(state, pi, node);
    if (ps) return fail(ps);
    this.queue.deleteNominated(pi.uid);
    this.queue.done(pi.uid);
    this.counts.scheduled++;
    this.observe(started);
    const p = this.bindingCycle(state, q, node, signal).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private observe(startedMs: number): void {
    this.latencies[this.latencyCount % LATENCY_WINDOW] = performance.now() - startedMs;
    this.latencyCount++;
  }

  /** Throws FitError or NoNodesAvailableError; returns the chosen node. */
  schedulePod(state: CycleState, pi: PodInfo): string {
    const all = this.cache.list();
    if (all.length === 0) throw new NoNodesAvailableError();
    const diagnosis = newDiagnosis();
    const feasible = this.findNodesThatFitPod(state, pi, all, diagnosis);
    if (feasible.length === 0) throw new FitError(all.length, diagnosis);
    if (feasible.length === 1) return feasible[0]!.name;
    const ps = this.fw.runPreScorePlugins(state, pi, feasible);
    if (ps) throw ps.err ?? new Error(ps.message());
    const scores = this.fw.runScorePlugins(state, pi, feasible);
    // Highest total; ties broken uniformly at random (reservoir sampling, as upstream selectHost).
    let best = scores[0]!;
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i]!;
      if (s.score > best.score) {
        best = s;
        ties = 1;
      } else if (s.score === best.score) {
        ties++;
        if (Math.random() * ties < 1) best = s;
      }
    }
    return best.name;
  }

  /** Upstream numFeasibleNodesToFind: all below 100 nodes; otherwise an adaptive share, at least 100. */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
    let pct = this.percentageOfNodesToScore;
    if (pct >= 100) return numAllNodes;
    if (pct <= 0) {
      pct = 50 - Math.trunc(numAllNodes / 125);
      if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
    }
    const n = Math.trunc((numAllNodes * pct) / 100);
    return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
  }

  private findNodesThatFitPod(state: CycleState, pi: PodInfo, all: readonly NodeInfo[], diagnosis: Diagnosis): NodeInfo[] {
    const pre = this.fw.runPreFilterPlugins(state, pi, all);
    if (pre.status) {
      if (!pre.status.isRejected()) throw pre.status.err ?? new Error(pre.status.message());
      diagnosis.preFilterMsg = pre.status.message();
      diagnosis.nodeToStatus.absent = pre.status;
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return [];
    }
    // A nominated node (after preemption) is tried first.
    const nominatedName = pi.pod.status?.nominatedNodeName;
    if (nominatedName) {
      const ni = this.cache.get(nominatedName);
      if (ni && (!pre.result.nodeNames || pre.result.nodeNames.has(nominatedName))) {
        const s = this.fw.runFilterPluginsWithNominatedPods(state, pi, ni, this.queue.nominatedPodsForNode(nominatedName));
        if (!s) return [ni];
      }
    }
    let nodes = all;
    if (pre.result.nodeNames) {
      nodes = [];
      for (const n of pre.result.nodeNames) {
        const ni = this.cache.get(n);
        if (ni) (nodes as NodeInfo[]).push(ni);
      }
      diagnosis.nodeToStatus.absent = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${pre.narrowedBy.join(' ')}]`);
      for (const p of pre.narrowedBy) diagnosis.unschedulablePlugins.add(p);
    }
    const want = this.numFeasibleNodesToFind(nodes.length);
    const feasible: NodeInfo[] = [];
    const len = nodes.length;
    const startIdx = pre.result.nodeNames ? 0 : this.nextStartNodeIndex % Math.max(1, len);
    let processed = 0;
    const anyNominated = this.queue.hasNominatedPods();
    for (let i = 0; i < len && feasible.length < want; i++) {
      const ni = nodes[(startIdx + i) % len]!;
      processed++;
      const nominated = anyNominated ? this.queue.nominatedPodsForNode(ni.name) : NONE;
      const s = nominated.length ? this.fw.runFilterPluginsWithNominatedPods(state, pi, ni, nominated) : this.fw.runFilterPlugins(state, pi, ni);
      if (!s) {
        feasible.push(ni);
        continue;
      }
      if (s.code === 'Error') throw s.err ?? new Error(s.message());
      diagnosis.nodeToStatus.set(ni.name, s);
      diagnosis.unschedulablePlugins.add(s.plugin);
    }
    if (!pre.result.nodeNames && len) this.nextStartNodeIndex = (startIdx + processed) % len;
    return feasible;
  }

  private async bindingCycle(state: CycleState, q: QueuedPodInfo, node: string, signal: AbortSignal): Promise<void> {
    const pi = q.podInfo;
    let s = await this.fw.runPreBindPlugins(state, pi, node, signal);
    if (!s) s = await this.fw.runBindPlugins(state, pi, node, signal);
    if (s) {
      this.counts.bindErrors++;
      this.fw.runReservePluginsUnreserve(state, pi, node);
      this.cache.forgetPod(pi.uid);
      // The capacity it held is free again.
      this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
      if (signal.aborted) return;
      q.unschedulablePlugins = new Set();
      this.log.info({ pod: pi.key, node, err: s.message() }, 'binding failed');
      this.handleFailure(q, `running ${s.plugin ? `"${s.plugin}" ` : ''}plugin: ${s.message()}`, 'SchedulerError', undefined);
      return;
    }
    this.cache.finishBinding(pi.uid);
    this.counts.bound++;
    const m = pi.pod.metadata ?? {};
    this.recorder.event(pi.pod as KubeObject, 'Normal', 'Scheduled', `Successfully assigned ${m.namespace ?? ''}/${m.name ?? ''} to ${node}`);
    this.fw.runPostBindPlugins(state, pi, node);
  }

  /**
   * Upstream handleSchedulingFailure: back into the queue (unless deleted or bound meanwhile),
   * a FailedScheduling event, and the PodScheduled=False condition (written only when it changes).
   */
  private handleFailure(q: QueuedPodInfo, message: string, reason: 'Unschedulable' | 'SchedulerError', nominatedNodeName: string | undefined): void {
    const m = q.podInfo.pod.metadata ?? {};
    const cur = this.podLister.get(m.namespace, m.name ?? '');
    if (!cur || cur.metadata?.uid !== q.podInfo.uid || cur.spec?.nodeName || cur.metadata?.deletionTimestamp) {
      this.queue.done(q.podInfo.uid);
      return;
    }
    this.queue.addUnschedulableIfNotPresent(q, cur);
    if (nominatedNodeName !== undefined) this.queue.nominate(q.podInfo, nominatedNodeName);
    this.recorder.event(cur, 'Warning', 'FailedScheduling', message);
    const p = this.updatePodStatus(cur, reason, message, nominatedNodeName)
      .catch((e: unknown) => this.log.warn({ pod: q.podInfo.key, err: errText(e) }, 'updating pod status failed'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async updatePodStatus(pod: PodObject, reason: string, message: string, nominatedNodeName: string | undefined): Promise<void> {
    const old = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const nominatedChanged = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
    if (old && old.status === 'False' && old.reason === reason && old.message === message && !nominatedChanged) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null as unknown as undefined,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now()),
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedChanged) status.nominatedNodeName = nominatedNodeName || null;
    const m = pod.metadata ?? {};
    // The resourceVersion makes the patch conditional: a pod bound (or otherwise changed) since the
    // attempt read it must not get a stale PodScheduled=False; its update event requeues it instead.
    try {
      await this.client.resource(PODS).patch(m.name ?? '', 'strategic', { metadata: { resourceVersion: m.resourceVersion }, status }, { namespace: m.namespace, subresource: 'status' });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sameLabels(a: Pod, b: Pod): boolean {
  const la = a.metadata?.labels ?? {};
  const lb = b.metadata?.labels ?? {};
  const ka = Object.keys(la);
  if (ka.length !== Object.keys(lb).length) return false;
  for (const k of ka) if (la[k] !== lb[k]) return false;
  return true;
}

/** Upstream nodeSchedulingPropertiesChange: allocatable, labels, taints, unschedulable, conditions' readiness. */
function nodeSchedulingPropertiesChanged(a: Node, b: Node): boolean {
  if (!!a.spec?.unschedulable !== !!b.spec?.unschedulable) return true;
  if (JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {})) return true;
  if (JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? [])) return true;
  if (JSON.stringify(a.status?.allocatable ?? {}) !== JSON.stringify(b.status?.allocatable ?? {})) return true;
  if (JSON.stringify(a.metadata?.annotations ?? {}) !== JSON.stringify(b.metadata?.annotations ?? {})) return true;
  return false;
}
