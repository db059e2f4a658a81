// The real node's registration, status and heartbeat (upstream kubelet_node_status.go,
// kubelet.go's updateRuntimeUp/fastStatusUpdateOnce and the node lease controller): registers
// the Node (or adopts an existing one), posts its status when it changes or once a report
// period, renews its Lease, and learns its pod CIDR from spec.podCIDR.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Node as WireNode, ObjectReference, Taint } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { NODES } from '../../client/resources.js';
import { isAlreadyExists } from '../../client/rest/errors.js';
import type { KubeObject, ResourceClient } from '../../client/rest/resource.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { ImageService, RuntimeService } from '../cri/service.js';
import { NETWORK_READY, RUNTIME_READY, type Image, type StatusResponse, type VersionResponse } from '../cri/types.js';
import { fsUsage } from '../stats/procfs.js';
import { NodeLease } from './lease.js';
import { goArch, goOS, readMachineInfo, type MachineInfo, type MachinePaths } from './machine.js';
import {
  DEFAULT_MAX_PODS,
  allocatableOf,
  capacityOf,
  nodeStatusChanged,
  runtimeConditionString,
  setNodeStatus,
  type MutableNode,
  type RecordFn,
  type StatusInputs,
} from './setters.js';

type Node = WireNode & KubeObject;

/** What upstream calls the kubelet version until the lead passes the project's own. */
export const DEFAULT_KUBELET_VERSION = 'v1.32.4+k8ts';
/** Set at registration: volumes are attached by the attach/detach controller (upstream default). */
export const ANNOTATION_CONTROLLER_MANAGED_ATTACH_DETACH = 'volumes.kubernetes.io/controller-managed-attach-detach';
/** Upstream maxWaitForContainerRuntime: a runtime not heard from for this long is "down". */
export const RUNTIME_SYNC_THRESHOLD_MS = 30_000;
const STATUS_UPDATE_RETRIES = 5;

export type NodeStatusRuntime = Pick<RuntimeService, 'status' | 'version'> & Pick<ImageService, 'listImages' | 'imageFsInfo'>;

export interface NodeStatusManagerOptions {
  client: Interface;
  nodeName: string;
  runtime: NodeStatusRuntime;
  /** The kubelet server's port (status.daemonEndpoints.kubeletEndpoint.Port). */
  kubeletPort: number;
  addresses: { internalIP: string; hostname: string };
  /** Labels set at registration (--node-labels), besides the kubelet's own. */
  labels?: Record<string, string>;
  /** Taints set at registration (--register-with-taints). */
  taints?: Taint[];
  /** The node's pod CIDR when configured; otherwise it comes from spec.podCIDR (node IPAM controller). */
  podCIDR?: string;
  /** The kubelet root dir: its filesystem's size is the ephemeral-storage capacity. */
  rootDir: string;
  logger: Logger;
  /** A recorder with source {component: 'kubelet', host: nodeName}. */
  recorder: EventRecorder;
  now?: () => number;
  /** How often status is computed (upstream nodeStatusUpdateFrequency, 10 s). */
  statusPeriodMs?: number;
  /** How often the Lease is renewed (10 s: a quarter of its 40 s duration). */
  leasePeriodMs?: number;
  /** An unchanged status is still written this often (upstream nodeStatusReportFrequency is 5 min; 1 min here). */
  statusReportPeriodMs?: number;
  /** While not yet Ready (or without a pod CIDR), status is computed this often (default 200 ms)… */
  fastStatusPeriodMs?: number;
  /** …for at most this long after start (default 2 min). */
  fastStatusWindowMs?: number;
  /** Default 110. */
  maxPods?: number;
  /** status.nodeInfo.kubeletVersion and kubeProxyVersion: pass the project's version (daemons VERSION.gitVersion). */
  kubeletVersion?: string;
  /** Further reasons the node is not ready (PLEG health, …); empty when healthy. */
  readinessErrors?: () => string[];
  /** Where machine facts are read from (tests). */
  machinePaths?: MachinePaths;
}

export type NodeStatusManagerState = 'new' | 'starting' | 'running' | 'closed';

export class NodeStatusManager {
  private readonly nodes: ResourceClient<Node>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly lease: NodeLease;
  private readonly ac = new AbortController();
  private readonly nodeRef: ObjectReference;
  private readonly record: RecordFn;
  private state: NodeStatusManagerState = 'new';
  private loops: Promise<void>[] = [];

  private machine: MachineInfo | undefined;
  private ephemeralStorageBytes: number | undefined;
  private allocatableValue: Record<string, string> = {};
  private node: Node | undefined;
  private lastReport = Number.NEGATIVE_INFINITY;
  private readyPosted = false;
  private startedAt = 0;

  // updateRuntimeUp's view of the runtime (upstream runtimeState).
  private lastRuntimeSync: number | undefined;
  private runtimeError: string | undefined;
  private networkError: string | undefined;
  private runtimeHandlers: StatusResponse['runtimeHandlers'] = [];

  private cidr: string | undefined;
  private cidrWaiters: { resolve: (c: string) => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly opts: NodeStatusManagerOptions) {
    this.nodes = opts.client.resource<Node>(NODES);
    this.log = opts.logger.child({ component: 'node-status', node: opts.nodeName });
    this.now = opts.now ?? Date.now;
    this.cidr = opts.podCIDR || undefined;
    this.lease = new NodeLease(opts.client, opts.nodeName, this.now, () => this.node?.metadata?.uid);
    // Upstream's kl.nodeRef: the node's name stands in for its uid.
    this.nodeRef = { kind: 'Node', name: opts.nodeName, uid: opts.nodeName, namespace: '' };
    this.record = (type, reason, message) => opts.recorder.event(this.nodeRef, type, reason, message);
  }

  get currentState(): NodeStatusManagerState {
    return this.state;
  }

  /**
   * Records "Starting kubelet.", reads the machine, registers the Node (retrying until the API
   * takes it), then keeps the status and the Lease fresh in the background. Resolves once the
   * node is registered; rejects if `signal` aborts first.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`node status manager already ${this.state}`);
    this.state = 'starting';
    if (signal.aborted) this.ac.abort();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
    const run = this.ac.signal;
    this.startedAt = this.now();
    this.record('Normal', 'Starting', 'Starting kubelet.');
    this.machine = await readMachineInfo(this.opts.machinePaths);
    this.ephemeralStorageBytes = await fsUsage(this.opts.rootDir).then((u) => u.capacityBytes, () => undefined);
    this.allocatableValue = allocatableOf(capacityOf({ machine: this.machine, ephemeralStorageBytes: this.ephemeralStorageBytes, maxPods: this.maxPods() }));
    await this.updateRuntimeUp();
    await this.register(run);
    if (run.aborted) throw new Error('node status manager stopped before the node registered');
    this.state = 'running';
    this.loops = [this.leaseLoop(run), this.statusLoop(run)];
  }

  /** Stops the loops and waits for them. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ac.abort();
    for (const w of this.cidrWaiters.splice(0)) w.reject(new Error('node status manager closed before the node had a pod CIDR'));
    await Promise.allSettled(this.loops);
  }

  /** The node's pod CIDR: the configured one, else spec.podCIDR once the IPAM controller sets it. */
  podCIDR(): Promise<string> {
    if (this.cidr) return Promise.resolve(this.cidr);
    if (this.state === 'closed') return Promise.reject(new Error('node status manager closed before the node had a pod CIDR'));
    return new Promise((resolve, reject) => this.cidrWaiters.push({ resolve, reject }));
  }

  /** Allocatable resources (`cpu`, `memory`, …) as quantity strings; empty until start() has read the machine. */
  allocatable(): Readonly<Record<string, string>> {
    return this.allocatableValue;
  }

  /** Asks the runtime for its status once (upstream updateRuntimeUp, every 5 s there). */
  async updateRuntimeUp(): Promise<void> {
    let s: StatusResponse;
    try {
      s = await this.opts.runtime.status(false, { signal: this.ac.signal });
    } catch (e) {
      this.log.warn({ err: e }, 'container runtime sanity check failed');
      return;
    }
    const conds = s.status?.conditions ?? [];
    const network = conds.find((c) => c.type === NETWORK_READY);
    this.networkError = network?.status ? undefined : `container runtime network not ready: ${runtimeConditionString(network)}`;
    const runtime = conds.find((c) => c.type === RUNTIME_READY);
    if (!runtime?.status) {
      this.runtimeError = `container runtime not ready: ${runtimeConditionString(runtime)}`;
      return;
    }
    this.runtimeError = undefined;
    this.runtimeHandlers = s.runtimeHandlers ?? [];
    this.lastRuntimeSync = this.now();
  }

  /** Why the node is not ready now (upstream runtimeErrors then networkErrors). */
  readinessErrors(): string[] {
    const errs: string[] = [];
    if (this.lastRuntimeSync === undefined) errs.push('container runtime status check may not have completed yet');
    else if (this.now() - this.lastRuntimeSync >= RUNTIME_SYNC_THRESHOLD_MS) errs.push('container runtime is down');
    errs.push(...(this.opts.readinessErrors?.() ?? []));
    if (this.runtimeError) errs.push(this.runtimeError);
    if (this.networkError) errs.push(this.networkError);
    return errs;
  }

  /**
   * One status sync (upstream updateNodeStatus): read the Node, run the setters, and patch the
   * status when it changed or the report period passed; up to five tries. Throws when all fail.
   */
  async syncStatus(): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < STATUS_UPDATE_RETRIES; attempt++) {
      if (this.ac.signal.aborted) return;
      try {
        await this.tryUpdateNodeStatus(attempt);
        return;
      } catch (e) {
        last = e;
        this.log.warn({ err: e, attempt }, 'error updating node status, will retry');
      }
    }
    throw new Error('update node status exceeds retry count', { cause: last });
  }

  /** Renews the Lease once; throws when the API refuses. */
  async renewLease(): Promise<void> {
    await this.lease.renew(this.ac.signal);
  }

  private maxPods(): number {
    return this.opts.maxPods ?? DEFAULT_MAX_PODS;
  }

  private async tryUpdateNodeStatus(attempt: number): Promise<void> {
    // The first try may read from the watch cache, as upstream does.
    const original = await this.nodes.get(this.opts.nodeName, { ...(attempt === 0 ? { resourceVersion: '0' } : {}), signal: this.ac.signal });
    this.node = original;
    this.observePodCIDR(original);
    const node = structuredClone(original) as MutableNode;
    node.status ??= {};
    const inputs = await this.inputs();
    setNodeStatus(node, inputs, this.record);
    const changed = nodeStatusChanged(original.status, node.status as Node['status']);
    if (!changed && inputs.now - this.lastReport < (this.opts.statusReportPeriodMs ?? 60_000)) return;
    const updated = await this.nodes.patch(this.opts.nodeName, 'strategic', { status: ownedStatus(node) }, { subresource: 'status', signal: this.ac.signal });
    this.node = updated;
    this.lastReport = inputs.now;
    this.readyPosted = isReady(updated);
  }

  private async inputs(): Promise<StatusInputs> {
    const [runtimeVersion, images] = await Promise.all([
      this.opts.runtime.version(undefined, { signal: this.ac.signal }).catch((e: unknown): VersionResponse | undefined => {
        this.log.warn({ err: e }, 'cannot read the container runtime version');
        return undefined;
      }),
      this.opts.runtime.listImages(undefined, { signal: this.ac.signal }).catch((e: unknown): Image[] | undefined => {
        this.log.warn({ err: e }, 'cannot list images for the node status');
        return undefined;
      }),
    ]);
    return {
      nodeName: this.opts.nodeName,
      now: this.now(),
      machine: this.machine!,
      ephemeralStorageBytes: this.ephemeralStorageBytes,
      maxPods: this.maxPods(),
      internalIP: this.opts.addresses.internalIP,
      hostname: this.opts.addresses.hostname,
      kubeletPort: this.opts.kubeletPort,
      runtimeVersion,
      images,
      runtimeHandlers: this.runtimeHandlers,
      readinessErrors: this.readinessErrors(),
      kubeletVersion: this.opts.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
      operatingSystem: goOS(),
      architecture: goArch(),
    };
  }

  /** The labels the kubelet owns (upstream initialNode; beta labels kept for old selectors). */
  private defaultLabels(): Record<string, string> {
    const os = goOS();
    const arch = goArch();
    return {
      'kubernetes.io/hostname': this.opts.addresses.hostname,
      'kubernetes.io/os': os,
      'kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': os,
      'beta.kubernetes.io/arch': arch,
    };
  }

  private initialNode(): MutableNode {
    const node: MutableNode = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.opts.nodeName,
        labels: { ...this.defaultLabels(), ...(this.opts.labels ?? {}) },
        annotations: { [ANNOTATION_CONTROLLER_MANAGED_ATTACH_DETACH]: 'true' },
      },
      spec: {},
      status: {},
    };
    if (this.opts.taints?.length) node.spec!.taints = structuredClone(this.opts.taints) as DeepMutable<Taint>[];
    return node;
  }

  /** Upstream registerWithAPIServer: retry from 100 ms doubling to 7 s until registered or stopped. */
  private async register(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await this.registerOnce();
        this.log.info({}, 'successfully registered node');
        return;
      } catch (e) {
        this.log.warn({ err: e, retryMs: backoff }, 'unable to register node with API server');
      }
      await sleep(backoff, undefined, { signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, 7_000);
    }
  }

  private async registerOnce(): Promise<void> {
    const node = this.initialNode();
    const inputs = await this.inputs();
    setNodeStatus(node, inputs, this.record);
    try {
      this.node = await this.nodes.create(node as Node, { signal: this.ac.signal });
      this.lastReport = inputs.now;
      this.readyPosted = isReady(this.node);
      this.observePodCIDR(this.node);
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    // Registered before: reconcile the default labels and the attach/detach annotation
    // (upstream updateDefaultLabels, reconcileCMADAnnotationWithExistingNode), then post status.
    let existing = await this.nodes.get(this.opts.nodeName, { signal: this.ac.signal });
    this.log.info({}, 'node was previously registered');
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.defaultLabels())) if (existing.metadata?.labels?.[k] !== v) labels[k] = v;
    const annotations: Record<string, string> = {};
    if (existing.metadata?.annotations?.[ANNOTATION_CONTROLLER_MANAGED_ATTACH_DETACH] !== 'true') annotations[ANNOTATION_CONTROLLER_MANAGED_ATTACH_DETACH] = 'true';
    if (Object.keys(labels).length || Object.keys(annotations).length) {
      const metadata = { ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) };
      existing = await this.nodes.patch(this.opts.nodeName, 'strategic', { metadata }, { signal: this.ac.signal });
    }
    this.node = existing;
    this.observePodCIDR(existing);
    this.lastReport = Number.NEGATIVE_INFINITY;
    await this.syncStatus();
  }

  private observePodCIDR(node: Node): void {
    if (this.cidr) return;
    const cidr = node.spec?.podCIDR;
    if (!cidr) return;
    this.cidr = cidr;
    this.log.info({ podCIDR: cidr }, 'node has a pod CIDR');
    for (const w of this.cidrWaiters.splice(0)) w.resolve(cidr);
  }

  /** Upstream's lease controller loop: renew every period; on failure retry from 200 ms doubling to 7 s. */
  private async leaseLoop(signal: AbortSignal): Promise<void> {
    let backoff = 200;
    while (!signal.aborted) {
      let wait = this.opts.leasePeriodMs ?? 10_000;
      try {
        await this.renewLease();
        backoff = 200;
      } catch (e) {
        if (signal.aborted) return;
        this.log.warn({ err: e, retryMs: backoff }, 'failed to update lease, will retry');
        wait = Math.min(backoff, wait);
        backoff = Math.min(backoff * 2, 7_000);
      }
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Status every period; faster while the node is not yet Ready or has no pod CIDR (upstream fastStatusUpdateOnce). */
  private async statusLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const fast = (!this.readyPosted || !this.cidr) && this.now() - this.startedAt < (this.opts.fastStatusWindowMs ?? 120_000);
      await sleep(fast ? (this.opts.fastStatusPeriodMs ?? 200) : (this.opts.statusPeriodMs ?? 10_000), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      await this.updateRuntimeUp();
      try {
        await this.syncStatus();
      } catch (e) {
        if (!signal.aborted) this.log.error({ err: e }, 'unable to update node status');
      }
    }
  }
}

function isReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The part of the status the kubelet owns, as a strategic merge patch body: conditions merge by
 * type (others' conditions stay), addresses by type, images replace, maps merge.
 */
function ownedStatus(node: MutableNode): Record<string, unknown> {
  const s = node.status!;
  const out: Record<string, unknown> = {
    capacity: s.capacity,
    allocatable: s.allocatable,
    conditions: s.conditions,
    addresses: s.addresses,
    daemonEndpoints: s.daemonEndpoints,
    nodeInfo: s.nodeInfo,
    images: s.images ?? [],
  };
  if (s.runtimeHandlers?.length) out.runtimeHandlers = s.runtimeHandlers;
  return out;
}
