// The kubelet's core (upstream pkg/kubelet/kubelet.go, kubelet_pods.go): the pods bound to this
// node arrive through an informer; one pod worker per pod mounts its volumes, reads the
// runtime status, reports the API status and asks the runtime to converge; PLEG events and
// probe changes sync the pod again; deleted pods are killed, their final status written and
// the API object removed; housekeeping kills and cleans what the API no longer knows.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../client/clientset.js';
import { SharedInformer } from '../client/cache/informer.js';
import { listerWatcherFor } from '../client/cache/reflector.js';
import type { EventRecorder } from '../client/record/index.js';
import { NODES, PODS } from '../client/resources.js';
import type { KubeObject } from '../client/rest/resource.js';
import type { Logger } from '../logging/index.js';
import type {
  EnvironmentBuilder,
  MountedVolume,
  PodSyncResult,
  ProbeResults,
  Runtime,
  RuntimePodStatus,
  RunningPod,
  VolumeManager,
} from './container/runtime.js';
import { DNSConfigurer } from './dns/dns.js';
import { GenericPLEG } from './pleg/generic.js';
import { PodWorkers, type PodSyncer, type SyncPodResult } from './podworkers/pod-workers.js';
import { KubeletRuntimeHelper } from './runtime-helper.js';
import { generateAPIPodStatus, type ContainerWaitingReason } from './status/generate.js';
import { StatusManager } from './status/status-manager.js';
import { Backoff, TrackingBackOff } from './util/backoff.js';
import { isTerminalPhase, podKey, type PodObject } from './util/pod.js';

export interface KubeletOptions {
  client: Interface;
  nodeName: string;
  runtime: Runtime;
  volumes: VolumeManager;
  probes: ProbeResults;
  env: EnvironmentBuilder;
  recorder: EventRecorder;
  logger: Logger;
  rootDir: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** The host's resolv.conf for dnsPolicy Default (default /etc/resolv.conf; '' = none). */
  resolvConf?: string;
  now?: () => number;
  /** PLEG relist period, ms (default 1000). */
  relistPeriodMs?: number;
  /** Resync period of a synced pod, ms (default 60 000). */
  resyncPeriodMs?: number;
  /** Orphan cleanup period, ms (default 2000, upstream housekeeping). */
  housekeepingPeriodMs?: number;
  /** Container garbage collection period, ms (default 60 000). */
  gcPeriodMs?: number;
  /** Retry delay of a failed pod worker pass, ms (default 10 000). */
  backOffPeriodMs?: number;
  /** Retry delay of a failed status write, ms (default 2000). */
  statusRetryMs?: number;
  /** The node's IPs (hostIP); default: the Node object's InternalIP addresses. */
  nodeIPs?: string[];
}

type State = 'new' | 'starting' | 'running' | 'closed';
type NodeObject = Node & KubeObject;

/** Sync step actions whose failure is a container's waiting reason (upstream reasonCache). */
const START_ACTIONS = new Set(['StartContainer', 'InitContainer']);
const ORPHAN_GRACE_SECONDS = 1;

export class Kubelet implements PodSyncer {
  /** Give this to the runtime (kuberuntime) as its RuntimeHelper. */
  readonly runtimeHelper: KubeletRuntimeHelper;
  readonly dns: DNSConfigurer;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly ac = new AbortController();
  private readonly pods: SharedInformer<PodObject>;
  private readonly nodes: SharedInformer<NodeObject>;
  private readonly workers: PodWorkers;
  private readonly status: StatusManager;
  private readonly pleg: GenericPLEG;
  private readonly backoff = new Backoff();
  private readonly byUID = new Map<string, Pod>();
  private readonly reasons = new Map<string, Map<string, ContainerWaitingReason>>();
  private readonly mounted = new Map<string, Map<string, MountedVolume>>();
  private readonly volumesCleaned = new Set<string>();
  private readonly loops: Promise<void>[] = [];
  private state: State = 'new';
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: KubeletOptions) {
    this.log = opts.logger.child({ component: 'kubelet', node: opts.nodeName });
    this.now = opts.now ?? Date.now;
    this.dns = new DNSConfigurer({
      clusterDNS: opts.clusterDNS,
      clusterDomain: opts.clusterDomain,
      resolvConf: opts.resolvConf ?? '/etc/resolv.conf',
      nodeIPs: opts.nodeIPs,
      recorder: opts.recorder,
    });
    this.runtimeHelper = new KubeletRuntimeHelper({
      env: opts.env,
      volumes: opts.volumes,
      dns: this.dns,
      rootDir: opts.rootDir,
      mountedVolumes: (uid) => this.mounted.get(uid),
    });
    this.pods = new SharedInformer<PodObject>({
      listerWatcher: listerWatcherFor(opts.client.resource<PodObject>(PODS), { fieldSelector: `spec.nodeName=${opts.nodeName}` }),
      logger: opts.logger,
      name: 'pods.v1 (kubelet)',
    });
    this.nodes = new SharedInformer<NodeObject>({
      listerWatcher: listerWatcherFor(opts.client.resource<NodeObject>(NODES), { fieldSelector: `metadata.name=${opts.nodeName}` }),
      logger: opts.logger,
      name: 'nodes.v1 (kubelet)',
    });
    this.workers = new PodWorkers({
      syncer: this,
      logger: opts.logger,
      resyncPeriodMs: opts.resyncPeriodMs,
      backOffPeriodMs: opts.backOffPeriodMs,
      onForget: (uid) => this.forget(uid),
    });
    this.status = new StatusManager({
      client: opts.client,
      logger: opts.logger,
      now: this.now,
      retryMs: opts.statusRetryMs,
      couldHaveRunningContainers: (uid) => this.workers.couldHaveRunningContainers(uid),
      canBeDeleted: (uid) => this.workers.phase(uid) === 'terminated' && this.volumesCleaned.has(uid),
    });
    this.pleg = new GenericPLEG({
      runtime: opts.runtime,
      logger: opts.logger,
      relistPeriodMs: opts.relistPeriodMs,
      now: this.now,
      onEvents: (events) => {
        for (const uid of new Set(events.map((e) => e.id))) this.workers.syncPod(uid);
      },
    });
    opts.probes.onChange((uid) => this.workers.syncPod(uid));
  }

  /** Fills the caches, then starts the pod workers, PLEG, housekeeping and GC. Resolves when running. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`kubelet already ${this.state}`);
    this.state = 'starting';
    if (signal.aborted) this.ac.abort();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
    const run = this.ac.signal;
    await this.dns.loadHostResolvConf();
    this.loops.push(
      ...[this.pods.run(run), this.nodes.run(run)].map((p) =>
        p.catch((e: unknown) => this.log.error({ err: errText(e) }, 'informer stopped with an error')),
      ),
    );
    const synced = await Promise.all([this.pods.waitForSync(run), this.nodes.waitForSync(run)]);
    if (!synced.every(Boolean)) throw new Error('kubelet: stopped before the caches synced');
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (_o, p) => this.onPod(p),
      onDelete: (p) => this.onPodDeleted(p),
    });
    this.pleg.start(run);
    this.loops.push(this.every(this.opts.housekeepingPeriodMs ?? 2000, run, () => this.housekeeping()));
    this.loops.push(this.every(this.opts.gcPeriodMs ?? 60_000, run, () => this.garbageCollect()));
    this.state = 'running';
    this.log.info({}, 'kubelet started');
  }

  /** Stops everything and awaits work in flight (containers keep running). Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closed';
      this.ac.abort();
      this.closing = (async () => {
        await this.workers.close();
        await this.status.close();
        await Promise.all([...this.loops, this.pleg.stopped()]);
      })();
    }
    return this.closing;
  }

  /** The API pod bound to this node. */
  getPod(namespace: string, name: string): Pod | undefined {
    return this.pods.lister().get(namespace, name);
  }

  getPodByUID(uid: string): Pod | undefined {
    return this.byUID.get(uid);
  }

  /** The latest status the kubelet generated for the pod (the prober's status provider). */
  apiStatus(uid: string): Pod['status'] | undefined {
    return this.status.getPodStatus(uid);
  }

  /** The runtime status cached at the last sync or PLEG event. */
  runtimeStatus(uid: string): RuntimePodStatus | undefined {
    return this.pleg.getCachedStatus(uid);
  }

  /** The pods bound to this node, as the informer has them. */
  listPods(): Pod[] {
    return this.pods.lister().list();
  }

  /** Resolves when no pod worker pass and no status write is under way (tests). */
  async idle(): Promise<void> {
    await this.workers.idle();
    await this.status.idle();
    await this.workers.idle();
  }

  /** One housekeeping pass (also run periodically): kills and cleans pods the API does not know. */
  async housekeeping(): Promise<void> {
    const known = new Set(this.byUID.keys());
    const running = await this.opts.runtime.getPods(false);
    const runningUIDs = new Set<string>();
    for (const p of running) {
      runningUIDs.add(p.uid);
      if (known.has(p.uid) || this.workers.isKnown(p.uid)) continue;
      this.log.info({ podUID: p.uid, pod: `${p.namespace}/${p.name}` }, 'killing orphaned pod');
      this.workers.updatePod({ type: 'kill', uid: p.uid, runningPod: p, gracePeriodSecondsOverride: ORPHAN_GRACE_SECONDS });
    }
    for (const uid of await this.opts.volumes.podsOnDisk()) {
      if (known.has(uid) || this.workers.isKnown(uid) || runningUIDs.has(uid)) continue;
      this.log.info({ podUID: uid }, 'cleaning up orphaned pod directory');
      await this.opts.volumes.cleanupPod(uid);
    }
    this.backoff.gc(this.now());
  }

  /** One garbage collection of dead containers and sandboxes (also run periodically). */
  async garbageCollect(): Promise<void> {
    await this.opts.runtime.garbageCollect((uid) => !this.byUID.has(uid) && !this.workers.isKnown(uid));
  }

  // ---- PodSyncer: what one pass of a pod worker does ----

  async syncPod(pod: Pod): Promise<SyncPodResult> {
    const uid = pod.metadata?.uid ?? '';
    const { name = '', namespace = '' } = pod.metadata ?? {};
    let rs: RuntimePodStatus;
    try {
      this.mounted.set(uid, await this.opts.volumes.mountPodVolumes(pod));
      this.volumesCleaned.delete(uid);
      this.backoff.reset(volumeKey(uid));
    } catch (err) {
      // Containers do not start without their volumes: report, and try again after a back-off.
      this.opts.recorder.event(pod, 'Warning', 'FailedMount', errText(err));
      rs = await this.readStatus(uid, name, namespace);
      const st = this.generate(pod, rs, false);
      this.status.setPodStatus(pod, st);
      this.backoff.next(volumeKey(uid), this.now());
      return { terminal: false, requeueAfterMs: this.backoff.get(volumeKey(uid)) };
    }
    rs = await this.readStatus(uid, name, namespace);
    let st = this.generate(pod, rs, false);
    this.status.setPodStatus(pod, st);
    if (isTerminalPhase(st.phase)) return { terminal: true };

    this.opts.probes.addPod(pod);
    const tracking = new TrackingBackOff(this.backoff);
    const result = await this.opts.runtime.syncPod(pod, rs, [], tracking);
    rs = await this.readStatus(uid, name, namespace);
    this.updateReasons(uid, result, rs);
    st = this.generate(pod, rs, false);
    this.status.setPodStatus(pod, st);
    if (isTerminalPhase(st.phase)) return { terminal: true };
    if (result.errors.length === 0) return { terminal: false };
    // Sync again when the earliest back-off ends, else after the worker back-off period.
    const now = this.now();
    const end = tracking.earliestEnd(now);
    return { terminal: false, requeueAfterMs: end !== undefined ? end - now : (this.opts.backOffPeriodMs ?? 10_000) };
  }

  async syncTerminatingPod(pod: Pod | undefined, uid: string, runningPod: RunningPod | undefined, gracePeriodSeconds: number): Promise<void> {
    const listed = (await this.opts.runtime.getPods(true)).find((p) => p.uid === uid);
    const target = listed ?? runningPod;
    if (target && (target.containers.length > 0 || target.sandboxIds.length > 0)) {
      this.log.info({ pod: pod ? podKey(pod) : `${target.namespace}/${target.name}`, podUID: uid, gracePeriod: gracePeriodSeconds }, 'killing pod');
      await this.opts.runtime.killPod(pod, target, gracePeriodSeconds);
    }
    const still = (await this.opts.runtime.getPods(false)).find((p) => p.uid === uid);
    if (still?.containers.some((c) => c.state === 'running')) throw new Error('pod still has running containers');
    if (pod) {
      const rs = await this.readStatus(uid, pod.metadata?.name ?? '', pod.metadata?.namespace ?? '');
      this.status.setPodStatus(pod, this.generate(pod, rs, true));
    }
  }

  async syncTerminatedPod(pod: Pod | undefined, uid: string): Promise<void> {
    this.opts.probes.removePod(uid);
    if (!this.volumesCleaned.has(uid)) {
      await this.opts.volumes.cleanupPod(uid);
      this.mounted.delete(uid);
      this.volumesCleaned.add(uid);
    }
    this.status.sync(uid);
    if (pod) this.log.info({ pod: podKey(pod), podUID: uid }, 'pod terminated');
  }

  // ---- internals ----

  private onPod(p: Pod): void {
    const uid = p.metadata?.uid ?? '';
    this.byUID.set(uid, p);
    this.workers.updatePod({ type: 'sync', uid, pod: p });
  }

  private onPodDeleted(p: Pod): void {
    const uid = p.metadata?.uid ?? '';
    this.byUID.delete(uid);
    this.workers.updatePod({ type: 'kill', uid, pod: p, removed: true });
  }

  private forget(uid: string): void {
    this.status.removePod(uid);
    this.reasons.delete(uid);
    this.pleg.deleteCachedStatus(uid);
    this.volumesCleaned.delete(uid);
    this.mounted.delete(uid);
    this.backoff.reset(volumeKey(uid));
  }

  private async readStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus> {
    const rs = await this.opts.runtime.getPodStatus(uid, name, namespace);
    this.pleg.setCachedStatus(rs);
    return rs;
  }

  private generate(pod: Pod, rs: RuntimePodStatus, podIsTerminal: boolean): NonNullable<Pod['status']> {
    const uid = pod.metadata?.uid ?? '';
    return generateAPIPodStatus(pod, rs, {
      oldStatus: this.status.getPodStatus(uid),
      syncErrors: this.reasons.get(uid),
      probes: this.opts.probes,
      hostIPs: this.hostIPs(),
      podIsTerminal,
    });
  }

  /** Start failures become waiting reasons; a container seen running clears its reason. */
  private updateReasons(uid: string, result: PodSyncResult, rs: RuntimePodStatus): void {
    let m = this.reasons.get(uid);
    if (!m) this.reasons.set(uid, (m = new Map()));
    const failed = new Set<string>();
    for (const e of result.errors) {
      if (!START_ACTIONS.has(e.action)) continue;
      m.set(e.target, { reason: e.reason, message: e.message });
      failed.add(e.target);
    }
    for (const c of rs.containerStatuses) if (c.state === 'running' && !failed.has(c.name)) m.delete(c.name);
  }

  private hostIPs(): string[] {
    if (this.opts.nodeIPs) return this.opts.nodeIPs;
    const node = this.nodes.lister().get(undefined, this.opts.nodeName);
    const addrs = node?.status?.addresses ?? [];
    const internal = addrs.filter((a) => a.type === 'InternalIP').map((a) => a.address);
    const ips = internal.length > 0 ? internal : addrs.filter((a) => a.type === 'ExternalIP').map((a) => a.address);
    const v4 = ips.find((ip) => !ip.includes(':'));
    const v6 = ips.find((ip) => ip.includes(':'));
    const first = ips[0];
    if (first === undefined) return [];
    const second = first.includes(':') ? v4 : v6;
    return second ? [first, second] : [first];
  }

  private async every(ms: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      await sleep(ms, signal);
      if (signal.aborted) return;
      try {
        await fn();
      } catch (err) {
        this.log.warn({ err: errText(err) }, 'periodic kubelet task failed');
      }
    }
  }
}

function volumeKey(uid: string): string {
  return `volumes/${uid}`;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
