// Simulated nodes (like kwok): Node objects that register, renew their Leases, report status,
// and move the pods bound to them through their lifecycle without running anything. Built for
// thousands of nodes in one process: one watch of the nodes, one of the pods, one timer heap for
// every delayed task and a bounded number of writes in flight.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import type { Node as WireNode, ObjectReference, Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { listerWatcherFor } from '../../client/cache/reflector.js';
import { SharedInformer } from '../../client/cache/informer.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest/errors.js';
import type { KubeObject, ResourceClient } from '../../client/rest/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { PodIPAllocator } from './ipam.js';
import {
  ANNOTATION_HEARTBEAT,
  LABEL_SIMULATED,
  conditionsDiffer,
  desiredNodeStatus,
  initialNode,
  isNodeReady,
  nodeAnnotations,
  nodeLabels,
  simulatedNodeAddress,
  type SimulatedNodeSpec,
} from './node-status.js';
import { computePodStatus, isTerminalPhase, statusDiffers } from './pod-status.js';
import { KeyedRunner } from './runner.js';
import { TimerWheel } from './timer-wheel.js';
import { sleep } from '../../util/sleep.js';

type Node = WireNode & KubeObject;
type Pod = WirePod & KubeObject;
type Lease = WireLease & KubeObject;

export const LEASE_NAMESPACE = 'kube-node-lease';
/** Upstream kubelet's --node-lease-duration-seconds default. */
export const LEASE_DURATION_SECONDS = 40;
/** The component name on the events a simulated node records. */
export const COMPONENT = 'kubelet';

/** The two informers the simulated nodes read: their own nodes, and pods bound to any node. */
export interface SimulatedInformers {
  nodes: SharedInformer<Node>;
  pods: SharedInformer<Pod>;
}

export interface SimulatedNodesOptions {
  client: Interface;
  logger: Logger;
  /** A recorder for events of `component` on node `host`; undefined records none. */
  recorder: (component: string, host: string) => EventRecorder | undefined;
  nodes: SimulatedNodeSpec[];
  /** Lease renew period, ms (upstream renewInterval: 10 s). */
  heartbeatMs?: number;
  /** Node status report period when nothing changed, ms (upstream nodeStatusReportFrequency: 5 min). */
  statusReportMs?: number;
  now?: () => number;
  /**
   * Informers to read instead of the ones built here (tests seed them). start() neither runs
   * nor waits for them: their owner does.
   */
  informers?: SimulatedInformers;
  /** Writes in flight at most (default 32). */
  maxInFlight?: number;
}

type State = 'new' | 'starting' | 'running' | 'closed';

interface NodeState {
  spec: SimulatedNodeSpec;
  index: number;
  address: string;
  events: EventRecorder | undefined;
  /** The newest Node known (our write results and the watch). */
  node: Node | undefined;
  /** The Lease as last written. */
  lease: Lease | undefined;
  /** Heartbeats stopped by the `k8ts.io/simulated-heartbeat: stopped` annotation. */
  stopped: boolean;
  /** Deleted from the API: no more heartbeats (the kubelet does not register again). */
  gone: boolean;
  ipam: PodIPAllocator | undefined;
  /** Keys (`namespace/name`) of the pods bound to this node. */
  pods: Set<string>;
}

interface PodState {
  uid: string;
  node: string;
  ip: string | undefined;
  deleteSent: boolean;
}

const LEASE = 'L:';
const STATUS = 'S:';
const POD = 'P:';

/** `sim-0001` … (at least four digits, more when `count` needs them). */
export function simulatedNodeNames(count: number, prefix = 'sim-'): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}

/** metav1.MicroTime text. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** The newer of two versions of an object (resourceVersions are revision numbers here). */
function newer<T extends { metadata?: { resourceVersion?: string } }>(a: T | undefined, b: T): T {
  if (!a) return b;
  const ra = a.metadata?.resourceVersion ?? '';
  const rb = b.metadata?.resourceVersion ?? '';
  if (/^\d+$/.test(ra) && /^\d+$/.test(rb)) return BigInt(rb) >= BigInt(ra) ? b : a;
  return b;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class SimulatedNodes {
  private readonly client: Interface;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly statusReportMs: number;
  private readonly nodes = new Map<string, NodeState>();
  private readonly pods = new Map<string, PodState>();
  private readonly failures = new Map<string, number>();
  private readonly nodeClient: ResourceClient<Node>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly leaseClient: ResourceClient<Lease>;
  private readonly informers: SimulatedInformers;
  private readonly ownInformers: boolean;
  private readonly wheel: TimerWheel;
  private readonly runner: KeyedRunner;
  private readonly ac = new AbortController();
  private informerRuns: Promise<void>[] = [];
  private state: State = 'new';
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: SimulatedNodesOptions) {
    this.client = opts.client;
    this.log = opts.logger.child({ component: 'simulated-nodes' });
    this.now = opts.now ?? Date.now;
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.statusReportMs = opts.statusReportMs ?? 300_000;
    this.nodeClient = this.client.resource<Node>(NODES);
    this.podClient = this.client.resource<Pod>(PODS);
    this.leaseClient = this.client.resource<Lease>(LEASES);
    setMaxListeners(0, this.ac.signal);
    opts.nodes.forEach((spec, index) => {
      if (this.nodes.has(spec.name)) throw new Error(`simulated node "${spec.name}" is listed twice`);
      this.nodes.set(spec.name, {
        spec,
        index,
        address: simulatedNodeAddress(index),
        events: opts.recorder(COMPONENT, spec.name),
        node: undefined,
        lease: undefined,
        stopped: false,
        gone: false,
        ipam: undefined,
        pods: new Set(),
      });
    });
    this.ownInformers = !opts.informers;
    // Cached without managedFields (nothing here reads them), as the components' informers are.
    this.informers = opts.informers ?? {
      nodes: new SharedInformer<Node>({
        listerWatcher: listerWatcherFor(this.nodeClient, { labelSelector: `${LABEL_SIMULATED}=true`, trimManagedFields: true }),
        logger: opts.logger,
        name: 'nodes.v1 (simulated)',
      }),
      pods: new SharedInformer<Pod>({
        listerWatcher: listerWatcherFor(this.podClient, { fieldSelector: 'spec.nodeName!=', trimManagedFields: true }),
        logger: opts.logger,
        name: 'pods.v1 (bound)',
      }),
    };
    this.wheel = new TimerWheel(this.now, (key) => this.runner.add(key));
    this.runner = new KeyedRunner(Math.max(1, opts.maxInFlight ?? 32), (key) => this.runTask(key));
  }

  /**
   * Registers every node (create, or take over an existing one and post its status), starts
   * the watches, then the heartbeats and pod handling. Resolves once the nodes are registered
   * and the caches filled; rejects when `signal` aborts first.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`simulated nodes already ${this.state}`);
    this.state = 'starting';
    if (signal.aborted) this.ac.abort();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
    const run = this.ac.signal;

    for (const st of this.nodes.values()) st.events?.event(this.nodeRef(st), 'Normal', 'Starting', 'Starting kubelet.');
    await this.forEachLimited([...this.nodes.values()], (st) => this.register(st, run));
    if (run.aborted) throw new Error('simulated nodes: stopped before registration finished');

    if (this.ownInformers) {
      this.informerRuns = [this.informers.nodes.run(run), this.informers.pods.run(run)].map((p) =>
        p.catch((e: unknown) => this.log.error({ err: errText(e) }, 'informer stopped with an error')),
      );
      const synced = await Promise.all([this.informers.nodes.waitForSync(run), this.informers.pods.waitForSync(run)]);
      if (!synced.every(Boolean)) throw new Error('simulated nodes: stopped before the caches synced');
    }
    // Handlers after the caches are full: nodes first, so pods that already report an IP claim
    // it before any pod of the same node is given one.
    this.informers.nodes.addEventHandler({
      onAdd: (n) => this.onNode(n),
      onUpdate: (_o, n) => this.onNode(n),
      onDelete: (n) => this.onNodeDeleted(n),
    });
    this.informers.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (_o, p) => this.onPod(p),
      onDelete: (p) => this.onPodDeleted(p),
    });

    // Spread first renewals and reports evenly over their periods (no thundering herd).
    const now = this.now();
    const n = this.nodes.size;
    for (const st of this.nodes.values()) {
      this.wheel.schedule(LEASE + st.spec.name, now + Math.floor((st.index * this.heartbeatMs) / n));
      this.wheel.schedule(STATUS + st.spec.name, now + Math.floor(((st.index + 1) * this.statusReportMs) / n));
    }
    this.state = 'running';
    this.log.info({ nodes: n }, 'simulated nodes registered');
  }

  /** Stops timers and watches and awaits the writes in flight. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closed';
      this.ac.abort();
      this.wheel.close();
      this.closing = Promise.all([this.runner.close(), ...this.informerRuns]).then(() => undefined);
    }
    return this.closing;
  }

  /**
   * Runs every task due by `now()` and waits until no work is left (tasks may schedule more,
   * which also runs if due). The timer does this by itself; tests call it after moving the clock.
   */
  async runDue(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      this.wheel.runDue();
      await this.runner.idle();
      const next = this.wheel.nextAt();
      if (next === undefined || next > this.now()) return;
    }
  }

  /** When the next delayed task is due for `key` kinds, for tests and diagnostics. */
  dueAt(kind: 'lease' | 'status' | 'pod', name: string): number | undefined {
    return this.wheel.dueAt((kind === 'lease' ? LEASE : kind === 'status' ? STATUS : POD) + name);
  }

  // ------------------------------------------------------------------ registration

  private nodeRef(st: NodeState): ObjectReference {
    // The kubelet's nodeRef: the node name doubles as the UID.
    return { kind: 'Node', name: st.spec.name, uid: st.spec.name, namespace: '' };
  }

  /** Upstream tryRegisterWithAPIServer, retried with backoff until it succeeds or `signal` aborts. */
  private async register(st: NodeState, signal: AbortSignal): Promise<void> {
    let delay = 200;
    while (!signal.aborted) {
      try {
        await this.registerOnce(st);
        return;
      } catch (e) {
        this.log.warn({ node: st.spec.name, err: errText(e), retryMs: delay }, 'registering simulated node failed');
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 7_000);
      }
    }
  }

  private async registerOnce(st: NodeState): Promise<void> {
    const name = st.spec.name;
    try {
      const created = await this.nodeClient.create(initialNode(st.spec, st.address, this.now()) as Node);
      st.node = created;
      st.events?.event(this.nodeRef(st), 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    // Registered before: make sure it carries our labels and annotations, then post status.
    let existing = await this.nodeClient.get(name);
    const labels = { ...(existing.metadata?.labels ?? {}), ...nodeLabels(st.spec) };
    const annotations = { ...(existing.metadata?.annotations ?? {}), ...nodeAnnotations() };
    if (JSON.stringify(labels) !== JSON.stringify(existing.metadata?.labels ?? {}) || JSON.stringify(annotations) !== JSON.stringify(existing.metadata?.annotations ?? {})) {
      existing = await this.nodeClient.update({ ...existing, apiVersion: 'v1', kind: 'Node', metadata: { ...existing.metadata, labels, annotations } });
    }
    st.node = existing;
    st.stopped = existing.metadata?.annotations?.[ANNOTATION_HEARTBEAT] === 'stopped';
    if (!st.stopped) await this.postStatus(st);
  }

  // ------------------------------------------------------------------ watch handlers

  private onNode(n: Node): void {
    const st = this.nodes.get(n.metadata?.name ?? '');
    if (!st) return;
    st.node = newer(st.node, n);
    st.gone = false;
    const now = this.now();
    const stopped = n.metadata?.annotations?.[ANNOTATION_HEARTBEAT] === 'stopped';
    if (stopped !== st.stopped) {
      st.stopped = stopped;
      this.log.info({ node: st.spec.name, stopped }, stopped ? 'simulated heartbeat stopped' : 'simulated heartbeat resumed');
      if (!stopped) {
        this.wheel.schedule(LEASE + st.spec.name, now);
        this.wheel.schedule(STATUS + st.spec.name, now);
        for (const key of st.pods) this.runner.add(POD + key);
      }
    }
    const cidr = n.spec?.podCIDR;
    if (cidr && !st.ipam) {
      st.ipam = PodIPAllocator.forCIDR(cidr);
      if (!st.ipam) this.log.warn({ node: st.spec.name, podCIDR: cidr }, 'pod CIDR is not IPv4: pods of this simulated node stay Pending');
      else {
        for (const key of st.pods) {
          const [ns, name] = splitKey(key);
          const pod = this.informers.pods.lister().get(ns, name);
          if (pod) this.claimReportedIP(pod, key, st);
        }
        for (const key of st.pods) this.runner.add(POD + key);
      }
    }
    // Something else changed what we report (the node lifecycle controller's Unknown): post again.
    if (!st.stopped && this.state === 'running' && conditionsDiffer(n)) this.wheel.schedule(STATUS + st.spec.name, now);
  }

  private onNodeDeleted(n: Node): void {
    const st = this.nodes.get(n.metadata?.name ?? '');
    if (!st) return;
    st.gone = true;
    st.node = undefined;
    st.lease = undefined;
    this.wheel.cancel(LEASE + st.spec.name);
    this.wheel.cancel(STATUS + st.spec.name);
    this.log.info({ node: st.spec.name }, 'simulated node deleted: heartbeats end');
  }

  private onPod(p: Pod): void {
    const st = this.nodes.get(p.spec?.nodeName ?? '');
    if (!st) return;
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    st.pods.add(key);
    this.claimReportedIP(p, key, st);
    this.runner.add(POD + key);
  }

  private onPodDeleted(p: Pod): void {
    const st = this.nodes.get(p.spec?.nodeName ?? '');
    if (!st) return;
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    st.pods.delete(key);
    this.forgetPod(key);
  }

  /** A pod that already reports an address from this node's range keeps it (after a restart). */
  private claimReportedIP(p: Pod, key: string, st: NodeState): void {
    if (this.pods.has(key) || !st.ipam || p.spec?.hostNetwork || isTerminalPhase(p.status?.phase)) return;
    const ip = p.status?.podIP;
    if (ip && st.ipam.claim(ip)) this.pods.set(key, { uid: p.metadata?.uid ?? '', node: st.spec.name, ip, deleteSent: false });
  }

  private forgetPod(key: string): void {
    const rec = this.pods.get(key);
    if (!rec) return;
    this.releaseIP(rec);
    this.pods.delete(key);
    this.wheel.cancel(POD + key);
    this.failures.delete(POD + key);
  }

  private releaseIP(rec: PodState): void {
    if (rec.ip) this.nodes.get(rec.node)?.ipam?.release(rec.ip);
    rec.ip = undefined;
  }

  // ------------------------------------------------------------------ tasks

  private async runTask(key: string): Promise<void> {
    if (this.ac.signal.aborted) return;
    try {
      if (key.startsWith(LEASE)) await this.renewLease(key.slice(LEASE.length));
      else if (key.startsWith(STATUS)) await this.reportStatus(key.slice(STATUS.length));
      else await this.syncPod(key.slice(POD.length));
      this.failures.delete(key);
    } catch (e) {
      if (this.ac.signal.aborted) return;
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      // Upstream's lease controller retries from 200 ms doubling to 7 s; pods back off to 30 s.
      const cap = key.startsWith(POD) ? 30_000 : Math.min(7_000, this.heartbeatMs);
      const delay = Math.min(cap, 200 * 2 ** Math.min(n - 1, 16));
      // Conflicts come from a cache a little behind: routine, the watch brings the newer object.
      const fields = { task: key, err: errText(e), retryMs: delay };
      if (isConflict(e)) this.log.debug(fields, 'simulated node write conflicted, will retry');
      else this.log.warn(fields, 'simulated node write failed, will retry');
      this.wheel.schedule(key, this.now() + delay);
    }
  }

  private active(st: NodeState | undefined): st is NodeState {
    return st !== undefined && !st.stopped && !st.gone;
  }

  /** Upstream kubelet lease controller: PUT the last written Lease; GET (or create) only when that fails. */
  private async renewLease(name: string): Promise<void> {
    const st = this.nodes.get(name);
    if (!this.active(st)) return;
    const started = this.now();
    let lease: Lease | undefined;
    if (st.lease) {
      try {
        lease = await this.leaseClient.update(this.renewed(st, st.lease, started));
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        st.lease = undefined;
      }
    }
    lease ??= await this.ensureLease(st, started);
    st.lease = lease;
    this.wheel.schedule(LEASE + name, started + this.heartbeatMs);
  }

  private renewed(st: NodeState, lease: Lease, now: number): Lease {
    const uid = st.node?.metadata?.uid;
    const refs = lease.metadata?.ownerReferences ?? [];
    const hasOwner = refs.some((r) => r.kind === 'Node' && r.name === st.spec.name);
    return {
      ...lease,
      // Objects from a list or watch may come without apiVersion and kind, which a PUT needs.
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...lease.metadata,
        ...(hasOwner || !uid ? {} : { ownerReferences: [...refs, { apiVersion: 'v1', kind: 'Node', name: st.spec.name, uid }] }),
      },
      spec: { ...lease.spec, holderIdentity: st.spec.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
    };
  }

  private async ensureLease(st: NodeState, now: number): Promise<Lease> {
    const name = st.spec.name;
    try {
      const existing = await this.leaseClient.get(name, { namespace: LEASE_NAMESPACE });
      return await this.leaseClient.update(this.renewed(st, existing, now));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const lease: Lease = this.renewed(st, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NAMESPACE } }, now);
    return this.leaseClient.create(lease);
  }

  private async reportStatus(name: string): Promise<void> {
    const st = this.nodes.get(name);
    if (!this.active(st)) return;
    const started = this.now();
    await this.postStatus(st);
    this.wheel.schedule(STATUS + name, started + this.statusReportMs);
  }

  /** PUT the status over the newest Node known; on a conflict, read it once and try again. */
  private async postStatus(st: NodeState): Promise<void> {
    const put = async (base: Node): Promise<Node> => {
      const wasReady = isNodeReady(base);
      const out = await this.nodeClient.updateStatus({ ...base, apiVersion: 'v1', kind: 'Node', status: desiredNodeStatus(st.spec, st.address, base.status, this.now()) } as Node);
      if (!wasReady) st.events?.event(this.nodeRef(st), 'Normal', 'NodeReady', `Node ${st.spec.name} status is now: NodeReady`);
      return out;
    };
    let out: Node;
    try {
      out = await put(st.node ?? (await this.nodeClient.get(st.spec.name)));
    } catch (e) {
      if (!isConflict(e)) throw e;
      out = await put(await this.nodeClient.get(st.spec.name));
    }
    st.node = newer(st.node, out);
  }

  // ------------------------------------------------------------------ pods

  private async syncPod(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pod = this.informers.pods.lister().get(ns, name);
    if (!pod) {
      this.forgetPod(key);
      return;
    }
    let rec = this.pods.get(key);
    if (rec && rec.uid !== pod.metadata?.uid) {
      this.forgetPod(key);
      rec = undefined;
    }
    const st = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!st) return;
    // A node whose heartbeat is stopped plays a dead kubelet: its pods stay as they are.
    if (!this.active(st)) return;
    if (!rec) {
      rec = { uid: pod.metadata?.uid ?? '', node: st.spec.name, ip: undefined, deleteSent: false };
      this.pods.set(key, rec);
    }
    if (pod.metadata?.deletionTimestamp) {
      await this.finishPod(pod, rec, st);
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      this.releaseIP(rec);
      return;
    }
    const podIP = this.podIP(pod, rec, st);
    if (!podIP) return; // waits for the node's pod CIDR
    const { status, nextChangeAt } = computePodStatus(pod, { now: this.now(), hostIP: st.address, podIP, newContainerID });
    if (statusDiffers(pod.status, status)) {
      await this.podClient.updateStatus({ ...pod, apiVersion: 'v1', kind: 'Pod', status } as Pod, { namespace: ns });
    }
    if (isTerminalPhase(status.phase)) this.releaseIP(rec);
    if (nextChangeAt !== undefined) this.wheel.schedule(POD + key, nextChangeAt);
  }

  private podIP(pod: Pod, rec: PodState, st: NodeState): string | undefined {
    if (pod.spec?.hostNetwork) return st.address;
    if (rec.ip) return rec.ip;
    if (!st.ipam) return undefined;
    const reported = pod.status?.podIP;
    rec.ip = reported && st.ipam.claim(reported) ? reported : st.ipam.allocate();
    if (!rec.ip) this.log.warn({ node: st.spec.name, pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, podCIDR: st.ipam.cidr }, 'pod CIDR exhausted: pod stays Pending');
    return rec.ip;
  }

  /**
   * The kubelet's part of a graceful delete: stop the containers, report them terminated, then
   * delete the pod for good (grace 0, this pod's UID only).
   */
  private async finishPod(pod: Pod, rec: PodState, st: NodeState): Promise<void> {
    if (rec.deleteSent) return;
    const ns = pod.metadata?.namespace ?? '';
    const started = (pod.status?.containerStatuses ?? []).length > 0;
    if (started && !isTerminalPhase(pod.status?.phase)) {
      const podIP = pod.spec?.hostNetwork ? st.address : (rec.ip ?? pod.status?.podIP ?? '');
      const { status } = computePodStatus(pod, { now: this.now(), hostIP: st.address, podIP, newContainerID, killed: true });
      if (statusDiffers(pod.status, status)) await this.podClient.updateStatus({ ...pod, apiVersion: 'v1', kind: 'Pod', status } as Pod, { namespace: ns });
    }
    this.releaseIP(rec);
    try {
      await this.podClient.delete(pod.metadata?.name ?? '', { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
    } catch (e) {
      // Gone already, or replaced by a pod of the same name (the UID precondition failed).
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    rec.deleteSent = true;
  }

  /** Runs `fn` over `items` with at most maxInFlight at once. */
  private async forEachLimited<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await fn(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(items.length, this.opts.maxInFlight ?? 32) }, worker));
  }
}

function newContainerID(): string {
  return randomBytes(32).toString('hex');
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
