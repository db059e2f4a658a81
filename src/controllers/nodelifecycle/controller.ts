// The node lifecycle controller (upstream pkg/controller/nodelifecycle/node_lifecycle_controller.go).
// Every --node-monitor-period it checks each node's heartbeats — its Lease in kube-node-lease
// and its Ready condition's lastHeartbeatTime — noting by its own clock when either last
// changed (the probe timestamp). A node silent for --node-monitor-grace-period (60 s for a node
// that never posted status) gets Ready/MemoryPressure/DiskPressure/PIDPressure set to Unknown,
// its pods marked not ready and a NodeNotReady event. NotReady and unreachable nodes get
// NoExecute taints through a per-zone rate limiter (upstream's zone states: tainting pauses in
// a largely disrupted small zone and everywhere when every node is down), removed once the node
// is Ready again. Node conditions and spec.unschedulable map to NoSchedule taints
// (TaintNodesByCondition), kept in step on every node change.

import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { NodeCondition, ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { desiredNoScheduleTaints, hasTaint, NO_SCHEDULE_KEYS, swapNodeTaints, TAINT_NOT_READY, TAINT_UNREACHABLE, type NodeObject, type TaintRef } from './taints.js';
import { NODE_NAME_INDEX, ensureNodeNameIndex } from '../shared/podutil.js';
import { sleep } from '../../util/sleep.js';

export const NAME = 'node-lifecycle-controller';

/** Upstream records node events as `node-controller`. */
const EVENT_COMPONENT = 'node-controller';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The pod index by spec.nodeName the node controllers share (upstream nodeNameKeyIndex). */

/** --node-startup-grace-period: a node that never posted status gets this long. */
const NODE_STARTUP_GRACE_MS = 60_000;
/** --node-eviction-rate and --secondary-node-eviction-rate, nodes per second. */
const EVICTION_QPS = 0.1;
const SECONDARY_EVICTION_QPS = 0.01;
/** --large-cluster-size-threshold and --unhealthy-zone-threshold. */
const LARGE_CLUSTER_THRESHOLD = 50;
const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** Upstream NodeEvictionPeriod: how often the NoExecute tainting queue is worked. */
const TAINTING_PERIOD_MS = 100;
/** Nodes checked between yields to the event loop. */
const MONITOR_BATCH = 200;

const TAINT_NOT_READY_NO_EXECUTE: TaintRef = { key: TAINT_NOT_READY, effect: 'NoExecute' };
const TAINT_UNREACHABLE_NO_EXECUTE: TaintRef = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

type PodObject = Pod & KubeObject;
type LeaseObject = Lease & KubeObject;
type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

interface NodeHealth {
  /** Local time the last new heartbeat was observed. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  readyStatus: string | undefined;
  readyHeartbeat: string | undefined;
  leaseRenewTime: number | undefined;
}

/** A token bucket (flowcontrol.NewTokenBucketRateLimiter) on the controller's clock. */
class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }
  setQPS(qps: number, now: number): void {
    this.refill(now);
    this.qps = qps;
  }
  tryAccept(now: number): boolean {
    this.refill(now);
    if (this.qps <= 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

export function create(ctx: ControllerContext): Controller {
  return new NodeLifecycleController(ctx);
}

export interface NodeLifecycleControllerOptions {
  /** Concurrent NoSchedule taint syncs (upstream runs 8). */
  workers?: number;
}

type State = 'new' | 'running' | 'closing' | 'closed';

export class NodeLifecycleController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly nodes: Lister<NodeObject>;
  private readonly pods: Lister<PodObject>;
  private readonly leases: Lister<LeaseObject>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly gracePeriodMs: number;
  private readonly monitorPeriodMs: number;
  /** Node-condition NoSchedule taints, per node on change. */
  private readonly noSchedulePool: WorkerPool<string>;
  private readonly health = new Map<string, NodeHealth>();
  /**
   * Nodes waiting for a NoExecute taint, by zone, in arrival order, with the Ready status the
   * health check saw (the cache may not show its own status write yet).
   */
  private readonly taintQueue = new Map<string, Map<string, string>>();
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly nodeZones = new Map<string, string>();
  /** Nodes whose pods could not all be marked not ready; retried next pass. */
  private readonly podsToRetry = new Set<string>();
  private state: State = 'new';
  private readonly ac = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(ctx: ControllerContext, opts: NodeLifecycleControllerOptions = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.recorder = ctx.recorder(EVENT_COMPONENT);
    this.gracePeriodMs = ctx.config.nodeMonitorGracePeriodMs;
    this.monitorPeriodMs = ctx.config.nodeMonitorPeriodMs;
    const nodeInformer = ctx.informers.forResource<NodeObject>(NODES);
    const podInformer = ctx.informers.forResource<PodObject>(PODS);
    ensureNodeNameIndex(podInformer);
    this.nodes = nodeInformer.lister();
    this.pods = podInformer.lister();
    this.leases = ctx.informers.forResource<LeaseObject>(LEASES).lister();
    this.noSchedulePool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 8, sync: (k, s) => this.syncNoScheduleTaints(k, s) });
    const enqueue = (n: NodeObject): void => {
      if (n.metadata?.name) this.noSchedulePool.queue.add(n.metadata.name);
    };
    nodeInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    signal.addEventListener('abort', () => void this.close(), { once: true });
    this.noSchedulePool.start(this.ac.signal);
    this.loops.push(
      this.every(this.monitorPeriodMs, () => this.monitorNodeHealth(this.ac.signal)),
      this.every(TAINTING_PERIOD_MS, () => this.doNoExecuteTaintingPass(this.ac.signal)),
    );
  }

  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') {
      await Promise.all(this.loops);
      return;
    }
    this.state = 'closing';
    this.ac.abort();
    await Promise.all([this.noSchedulePool.close(), ...this.loops]);
    this.state = 'closed';
  }

  private async every(ms: number, fn: () => Promise<void>): Promise<void> {
    const signal = this.ac.signal;
    while (!signal.aborted) {
      try {
        await fn();
      } catch (e) {
        if (!signal.aborted) this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'node lifecycle pass failed');
      }
      await sleep(ms, signal);
    }
  }

  // ---- TaintNodesByCondition

  /** Makes node `name`'s controller-managed NoSchedule taints match its conditions and spec.unschedulable. */
  async syncNoScheduleTaints(name: string, signal: AbortSignal): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) return;
    const want = desiredNoScheduleTaints(node);
    const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key));
    const add = want.filter((w) => !have.some((h) => h.key === w.key));
    const remove: TaintRef[] = have.filter((h) => !want.some((w) => w.key === h.key)).map((h) => ({ key: h.key, effect: 'NoSchedule' }));
    if (!add.length && !remove.length) return;
    await swapNodeTaints(this.client, node, add, remove, this.now(), signal);
  }

  // ---- health monitoring

  /** One pass over every node (upstream monitorNodeHealth). */
  async monitorNodeHealth(signal: AbortSignal): Promise<void> {
    const nodes = this.nodes.list();
    const seen = new Set<string>();
    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    for (let i = 0; i < nodes.length; i++) {
      if (signal.aborted) return;
      if (i > 0 && i % MONITOR_BATCH === 0) await yieldLoop();
      const node = nodes[i]!;
      const name = node.metadata?.name ?? '';
      seen.add(name);
      if (!this.health.has(name)) {
        recordNodeEvent(this.recorder, node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      }
      const zone = zoneKey(node);
      this.nodeZones.set(name, zone);
      if (!this.zoneStates.has(zone)) this.addZone(zone);
      let result: { observed: NodeCondition; current: NodeCondition | undefined };
      try {
        result = await this.tryUpdateNodeHealth(node, signal);
      } catch (e) {
        this.log.warn({ node: name, err: e instanceof Error ? e.message : String(e) }, 'cannot update node health');
        continue;
      }
      const { observed, current } = result;
      const list = zoneConditions.get(zone) ?? [];
      list.push(current);
      zoneConditions.set(zone, list);
      if (!current) continue;
      await this.processTaintBaseEviction(node, current, signal);
      const retry = this.podsToRetry.has(name);
      const becameNotReady = current.status !== 'True' && observed.status === 'True';
      if (becameNotReady) recordNodeStatusChange(this.recorder, node, 'NodeNotReady');
      if (becameNotReady || (retry && observed.status !== 'True')) {
        if (await this.markPodsNotReady(name, signal)) this.podsToRetry.delete(name);
        else this.podsToRetry.add(name);
      } else {
        this.podsToRetry.delete(name);
      }
    }
    for (const name of [...this.health.keys()]) {
      if (seen.has(name)) continue;
      this.health.delete(name);
      this.podsToRetry.delete(name);
      const zone = this.nodeZones.get(name);
      this.nodeZones.delete(name);
      if (zone !== undefined) this.taintQueue.get(zone)?.delete(name);
      recordNodeEvent(this.recorder, { metadata: { name } }, 'RemovingNode', `Removing Node ${name} from Controller`);
    }
    await this.handleDisruption(zoneConditions, nodes, signal);
  }

  /**
   * Upstream tryUpdateNodeHealth: refreshes the probe timestamp from a new Ready heartbeat or
   * Lease renewal; past the grace period marks the node's conditions Unknown (status write).
   * Returns the Ready condition as posted (`observed`) and as it is now (`current`).
   */
  private async tryUpdateNodeHealth(node: NodeObject, signal: AbortSignal): Promise<{ observed: NodeCondition; current: NodeCondition | undefined }> {
    const name = node.metadata?.name ?? '';
    const now = this.now();
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const created = Date.parse(node.metadata?.creationTimestamp ?? '') || now;
    let observed: NodeCondition;
    let grace: number;
    let saved = this.health.get(name);
    if (!ready) {
      // Never posted status: the clock starts at creation, with the startup grace period.
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: node.metadata?.creationTimestamp };
      grace = NODE_STARTUP_GRACE_MS;
      if (!saved) saved = { probeTimestamp: created, readyTransitionTimestamp: created, readyStatus: undefined, readyHeartbeat: undefined, leaseRenewTime: undefined };
    } else {
      observed = ready;
      grace = this.gracePeriodMs;
      if (!saved) {
        saved = { probeTimestamp: now, readyTransitionTimestamp: now, readyStatus: ready.status, readyHeartbeat: ready.lastHeartbeatTime, leaseRenewTime: undefined };
      } else if (saved.readyStatus === undefined || saved.readyHeartbeat !== ready.lastHeartbeatTime) {
        saved.probeTimestamp = now;
        if (saved.readyStatus !== ready.status) saved.readyTransitionTimestamp = now;
        saved.readyStatus = ready.status;
        saved.readyHeartbeat = ready.lastHeartbeatTime;
      }
    }
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    const renew = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
    if (!Number.isNaN(renew) && (saved.leaseRenewTime === undefined || renew > saved.leaseRenewTime)) {
      saved.leaseRenewTime = renew;
      saved.probeTimestamp = now;
    }
    this.health.set(name, saved);

    if (now <= saved.probeTimestamp + grace) return { observed, current: ready };

    const copy = structuredClone(node) as DeepMutable<NodeObject>;
    copy.status ??= {};
    copy.status.conditions ??= [];
    const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = copy.status.conditions.find((x) => x.type === type);
      if (!c) {
        copy.status.conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: stamp });
      } else if (c.status !== 'Unknown') {
        c.status = 'Unknown';
        c.reason = 'NodeStatusUnknown';
        c.message = 'Kubelet stopped posting node status.';
        c.lastTransitionTime = stamp;
      }
    }
    const current = copy.status.conditions.find((x) => x.type === 'Ready') as NodeCondition;
    if (ready && current.status === ready.status && current.reason === ready.reason) return { observed, current: ready };
    await this.client.resource<NodeObject>(NODES).updateStatus(copy as NodeObject, { signal });
    this.log.info({ node: name }, 'node stopped posting status; marked Unknown');
    saved.readyStatus = current.status;
    saved.readyTransitionTimestamp = now;
    return { observed, current };
  }

  /** Upstream MarkPodsNotReady: the node's pods get Ready=False (status write) and a NodeNotReady event. */
  private async markPodsNotReady(nodeName: string, signal: AbortSignal): Promise<boolean> {
    let ok = true;
    const stamp = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const pod of this.pods.byIndex(NODE_NAME_INDEX, nodeName)) {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!cond || cond.status === 'False') continue;
      const copy = structuredClone(pod) as DeepMutable<PodObject>;
      const c = copy.status!.conditions!.find((x) => x.type === 'Ready')!;
      c.status = 'False';
      c.lastTransitionTime = stamp;
      const ns = pod.metadata?.namespace ?? '';
      try {
        await this.client.resource<PodObject>(PODS).updateStatus(copy as PodObject, { namespace: ns, signal });
      } catch (e) {
        if (isNotFound(e)) continue;
        this.log.warn({ pod: `${ns}/${pod.metadata?.name ?? ''}`, err: e instanceof Error ? e.message : String(e) }, 'failed to mark pod not ready');
        ok = false;
        continue;
      }
      const ref: ObjectReference = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata?.name, uid: pod.metadata?.uid };
      this.recorder.event(ref, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    return ok;
  }

  // ---- NoExecute tainting

  /** Upstream processTaintBaseEviction, on the Ready condition as it is now. */
  private async processTaintBaseEviction(node: NodeObject, ready: NodeCondition, signal: AbortSignal): Promise<void> {
    const name = node.metadata?.name ?? '';
    const zone = this.nodeZones.get(name) ?? '';
    if (ready.status === 'True') {
      this.taintQueue.get(zone)?.delete(name);
      if (hasTaint(node, TAINT_NOT_READY_NO_EXECUTE) || hasTaint(node, TAINT_UNREACHABLE_NO_EXECUTE)) {
        await this.swap(node, [], [TAINT_NOT_READY_NO_EXECUTE, TAINT_UNREACHABLE_NO_EXECUTE], signal);
      }
      return;
    }
    const want = ready.status === 'False' ? TAINT_NOT_READY_NO_EXECUTE : TAINT_UNREACHABLE_NO_EXECUTE;
    const opposite = ready.status === 'False' ? TAINT_UNREACHABLE_NO_EXECUTE : TAINT_NOT_READY_NO_EXECUTE;
    if (hasTaint(node, want)) return;
    // Already evicting under the other reason: switch at once, no new rate-limit token.
    if (hasTaint(node, opposite)) {
      await this.swap(node, [want], [opposite], signal);
      return;
    }
    let q = this.taintQueue.get(zone);
    if (!q) this.taintQueue.set(zone, (q = new Map()));
    q.set(name, ready.status);
  }

  /** A taint change that is retried by the next pass when it fails. */
  private async swap(node: NodeObject, add: TaintRef[], remove: TaintRef[], signal: AbortSignal): Promise<void> {
    try {
      await swapNodeTaints(this.client, node, add, remove, this.now(), signal);
    } catch (e) {
      this.log.warn({ node: node.metadata?.name, err: e instanceof Error ? e.message : String(e) }, 'failed to swap node taints');
    }
  }

  /** Works the tainting queues as far as each zone's limiter allows (upstream doNoExecuteTaintingPass). */
  async doNoExecuteTaintingPass(signal: AbortSignal): Promise<void> {
    for (const [zone, queue] of this.taintQueue) {
      const limiter = this.limiters.get(zone);
      for (const [name, status] of [...queue]) {
        if (signal.aborted) return;
        const node = this.nodes.get(undefined, name);
        if (!node) {
          queue.delete(name);
          continue;
        }
        const want = status === 'False' ? TAINT_NOT_READY_NO_EXECUTE : TAINT_UNREACHABLE_NO_EXECUTE;
        const opposite = status === 'False' ? TAINT_UNREACHABLE_NO_EXECUTE : TAINT_NOT_READY_NO_EXECUTE;
        if (hasTaint(node, want)) {
          queue.delete(name);
          continue;
        }
        if (!limiter?.tryAccept(this.now())) break;
        try {
          await swapNodeTaints(this.client, node, [want], [opposite], this.now(), signal);
          queue.delete(name);
        } catch (e) {
          this.log.warn({ node: name, err: e instanceof Error ? e.message : String(e) }, 'failed to taint node');
        }
      }
    }
  }

  // ---- zones

  private addZone(zone: string): void {
    this.zoneStates.set(zone, 'Initial');
    this.limiters.set(zone, new TokenBucket(EVICTION_QPS, 1, this.now()));
  }

  /** Upstream handleDisruption: zone states set the tainting rate; all zones down stops tainting altogether. */
  private async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: NodeObject[], signal: AbortSignal): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allFull = zoneConditions.size > 0;
    for (const [zone, conds] of zoneConditions) {
      const s = computeZoneState(conds);
      newStates.set(zone, s);
      if (s !== 'FullDisruption') allFull = false;
    }
    let allWereFull = this.zoneStates.size > 0;
    for (const s of this.zoneStates.values()) if (s !== 'FullDisruption') allWereFull = false;
    const now = this.now();
    if (allFull) {
      if (!allWereFull) {
        this.log.info({}, 'Controller detected that all Nodes are not-Ready. Entering master disruption mode.');
        // Nobody is evicted while every node is down: the problem is probably not the nodes.
        for (const n of nodes) {
          if (hasTaint(n, TAINT_NOT_READY_NO_EXECUTE) || hasTaint(n, TAINT_UNREACHABLE_NO_EXECUTE)) await this.swap(n, [], [TAINT_NOT_READY_NO_EXECUTE, TAINT_UNREACHABLE_NO_EXECUTE], signal);
        }
        for (const l of this.limiters.values()) l.setQPS(0, now);
      }
      for (const z of newStates.keys()) this.zoneStates.set(z, 'FullDisruption');
      return;
    }
    if (allWereFull && this.zoneStates.size > 0) {
      this.log.info({}, 'Controller detected that some Nodes are Ready. Exiting master disruption mode.');
      // Give every node a fresh grace period, as upstream does on leaving disruption mode.
      for (const h of this.health.values()) {
        h.probeTimestamp = now;
        h.readyTransitionTimestamp = now;
      }
    }
    for (const [zone, s] of newStates) {
      if (this.zoneStates.get(zone) === s && !allWereFull) continue;
      this.zoneStates.set(zone, s);
      const size = zoneConditions.get(zone)?.length ?? 0;
      const qps = s === 'PartialDisruption' ? (size > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_QPS : 0) : EVICTION_QPS;
      this.limiters.get(zone)?.setQPS(qps, now);
    }
    for (const zone of [...this.zoneStates.keys()]) {
      if (newStates.has(zone)) continue;
      this.zoneStates.delete(zone);
      this.limiters.delete(zone);
      this.taintQueue.delete(zone);
    }
  }
}

/** Upstream ComputeZoneState. */
function computeZoneState(conds: (NodeCondition | undefined)[]): ZoneState {
  let ready = 0;
  let notReady = 0;
  for (const c of conds) {
    if (c?.status === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return 'PartialDisruption';
  return 'Normal';
}

/** Upstream GetZoneKey: region and zone labels. */
function zoneKey(node: NodeObject): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

function nodeRef(node: KubeObject): ObjectReference {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name, uid: node.metadata?.uid ?? node.metadata?.name };
}

/** Upstream RecordNodeStatusChange: Normal `<status>` "Node <name> status is now: <status>". */
function recordNodeStatusChange(recorder: EventRecorder, node: KubeObject, status: string): void {
  recorder.event(nodeRef(node), 'Normal', status, `Node ${node.metadata?.name ?? ''} status is now: ${status}`);
}

/** Upstream RecordNodeEvent: Normal `<reason>` "Node <name> event: <message>". */
function recordNodeEvent(recorder: EventRecorder, node: KubeObject, reason: string, message: string): void {
  recorder.event(nodeRef(node), 'Normal', reason, `Node ${node.metadata?.name ?? ''} event: ${message}`);
}
