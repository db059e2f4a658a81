// The kubelet's core (upstream pkg/kubelet/kubelet.go, kubelet_pods.go): the pods bound to this
// node arrive through an informer; one pod worker per pod mounts its volumes, reads the
// runtime status, reports the API status and asks the runtime to converge; PLEG events and
// probe changes sync the pod again; deleted pods are killed, their final status written and
// the API object removed; housekeeping kills and cleans what the API no longer knows.
// Static pods come from a manifest directory (config/file.ts) and run the same way; each has a
// mirror pod in the API that the kubelet creates, recreates and deletes (kubelet.go
// tryReconcileMirrorPods, HandlePodCleanups) and that carries the static pod's status.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../client/clientset.js';
import { SharedInformer } from '../client/cache/informer.js';
import { listerWatcherFor } from '../client/cache/reflector.js';
import type { EventRecorder } from '../client/record/index.js';
import { NODES, PODS } from '../client/resources.js';
import type { KubeObject } from '../client/rest/resource.js';
import type { Logger } from '../logging/index.js';
import { FileSource } from './config/file.js';
import { MirrorClient } from './config/mirror-client.js';
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
import { isMirrorPod, isMirrorPodOf, isStaticPod, isTerminalPhase, podFullName, podKey, type PodObject } from './util/pod.js';
import { sleep } from '../util/sleep.js';

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
  /** Directory of static pod manifests (k3s: `<data-dir>/agent/pod-manifests`); none when unset. */
  staticPodPath?: string;
  /** Periodic re-read of staticPodPath, ms (default 20 000, upstream file-check-frequency). */
  fileCheckFrequencyMs?: number;
}

type State = 'new' | 'starting' | 'running' | 'closed';
type NodeObject = Node & KubeObject;

/** Sync step actions whose failure is a container's waiting reason (upstream reasonCache). */
const START_ACTIONS = new Set(['StartContainer', 'InitContainer']);
const ORPHAN_GRACE_SECONDS = 1;
/** How soon a static pod waiting for its predecessor checks again, ms (it is also woken when that one ends). */
const STATIC_WAIT_MS = 1000;

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
  /** The static pods the file source currently defines, by UID. */
  private readonly staticPods = new Map<string, Pod>();
  /** Static pods handed to the pod workers and not yet forgotten (removed ones still terminating too). */
  private readonly staticKnown = new Map<string, Pod>();
  /** Mirror pods bound to this node, by full name (`name_namespace`). */
  private readonly mirrors = new Map<string, PodObject>();
  private readonly mirrorClient: MirrorClient;
  private fileSource: FileSource | undefined;
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
      apiPodUID: (uid) => this.apiPodUID(uid),
    });
    this.mirrorClient = new MirrorClient({
      client: opts.client,
      nodeName: opts.nodeName,
      nodeUID: () => this.nodes.lister().get(undefined, opts.nodeName)?.metadata?.uid,
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
    // Mirror pods wait for the Node object (their owner); a node registered late gets them then.
    this.nodes.addEventHandler({ onAdd: () => this.syncStaticPodsWithoutMirror() });
    if (this.opts.staticPodPath) {
      this.fileSource = new FileSource({
        path: this.opts.staticPodPath,
        nodeName: this.opts.nodeName,
        logger: this.opts.logger,
        onUpdate: (pods) => this.onStaticPods(pods),
        periodMs: this.opts.fileCheckFrequencyMs,
      });
      // The first read completes before housekeeping can take mirror pods for orphans.
      await this.fileSource.start(run);
    }
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
        await this.fileSource?.close();
        await this.workers.close();
        await this.status.close();
        await Promise.all([...this.loops, this.pleg.stopped()]);
      })();
    }
    return this.closing;
  }

  /** The pod bound to this node: a static pod rather than its mirror, else the API pod. */
  getPod(namespace: string, name: string): Pod | undefined {
    const sp = this.staticByFullName(`${name}_${namespace}`);
    if (sp) return sp;
    const p = this.pods.lister().get(namespace, name);
    return p && !isMirrorPod(p) ? p : undefined;
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

  /** The pods this node runs: the API pods bound to it (mirror pods excepted) and the static pods. */
  listPods(): Pod[] {
    return [...this.pods.lister().list().filter((p) => !isMirrorPod(p)), ...this.staticPods.values()];
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
    // Mirror pods whose static pod is gone (and no longer terminating) go too.
    for (const full of [...this.mirrors.keys()]) await this.deleteOrphanedMirrorPod(full);
    this.backoff.gc(this.now());
  }

  /** Re-reads the static pod path now (what a change notification or the periodic check does). */
  async rescanStaticPods(): Promise<void> {
    await this.fileSource?.rescan();
  }

  /** One garbage collection of dead containers and sandboxes (also run periodically). */
  async garbageCollect(): Promise<void> {
    await this.opts.runtime.garbageCollect((uid) => !this.byUID.has(uid) && !this.workers.isKnown(uid));
  }

  // ---- PodSyncer: what one pass of a pod worker does ----

  async syncPod(pod: Pod): Promise<SyncPodResult> {
    const uid = pod.metadata?.uid ?? '';
    const { name = '', namespace = '' } = pod.metadata ?? {};
    let mirrorRetryMs: number | undefined;
    if (isStaticPod(pod)) {
      // Upstream pod workers: a static pod waits until the one it replaces (same full name) has stopped.
      if (this.staticPodTerminating(podFullName(pod), uid)) {
        this.log.info({ pod: podKey(pod), podUID: uid }, 'static pod waits for the previous pod of the same name to terminate');
        return { terminal: false, requeueAfterMs: STATIC_WAIT_MS };
      }
      if (!(await this.reconcileMirrorPod(pod))) mirrorRetryMs = this.opts.backOffPeriodMs ?? 10_000;
    }
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
    if (result.errors.length === 0) return mirrorRetryMs === undefined ? { terminal: false } : { terminal: false, requeueAfterMs: mirrorRetryMs };
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
    const sp = this.staticKnown.get(uid);
    if (sp) {
      const full = podFullName(sp);
      // A replacement waiting for this pod may start now; a removed pod's mirror goes.
      const next = this.staticByFullName(full);
      if (next && next.metadata?.uid !== uid) this.workers.syncPod(next.metadata?.uid ?? '');
      await this.deleteOrphanedMirrorPod(full);
    }
  }

  // ---- internals ----

  private onPod(p: Pod): void {
    if (isMirrorPod(p)) return this.onMirrorPod(p as PodObject);
    const uid = p.metadata?.uid ?? '';
    this.byUID.set(uid, p);
    this.workers.updatePod({ type: 'sync', uid, pod: p });
  }

  private onPodDeleted(p: Pod): void {
    if (isMirrorPod(p)) return this.onMirrorPodDeleted(p);
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
    this.staticKnown.delete(uid);
    // The same manifest came back while its pod was terminating: run it again.
    const sp = this.staticPods.get(uid);
    if (sp) {
      this.staticKnown.set(uid, sp);
      this.workers.updatePod({ type: 'sync', uid, pod: sp });
    }
  }

  // ---- static and mirror pods ----

  /** A SET from the file source: start the new static pods, kill the ones gone (a changed file is both). */
  private onStaticPods(pods: Pod[]): void {
    const next = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
    for (const [uid, p] of this.staticPods) {
      if (next.has(uid)) continue;
      this.staticPods.delete(uid);
      this.byUID.delete(uid);
      this.log.info({ pod: podKey(p), podUID: uid }, 'static pod removed');
      this.workers.updatePod({ type: 'kill', uid, pod: p, removed: true });
    }
    for (const [uid, p] of next) {
      if (this.staticPods.has(uid)) continue;
      this.staticPods.set(uid, p);
      this.staticKnown.set(uid, p);
      this.byUID.set(uid, p);
      this.log.info({ pod: podKey(p), podUID: uid }, 'static pod added');
      this.workers.updatePod({ type: 'sync', uid, pod: p });
    }
  }

  /** Upstream handleMirrorPod: a mirror that is being deleted or shows another version makes its static pod sync. */
  private onMirrorPod(m: PodObject): void {
    const full = podFullName(m);
    const prev = this.mirrors.get(full);
    this.mirrors.set(full, m);
    const sp = this.staticByFullName(full);
    if (!sp) return; // an orphan: housekeeping deletes it
    const uid = sp.metadata?.uid ?? '';
    if (m.metadata?.deletionTimestamp || !isMirrorPodOf(m, sp)) this.workers.syncPod(uid);
    else if (prev?.metadata?.uid !== m.metadata?.uid) this.status.resync(uid);
  }

  /** A deleted mirror is recreated by its static pod's next sync. */
  private onMirrorPodDeleted(m: Pod): void {
    const full = podFullName(m);
    if (this.mirrors.get(full)?.metadata?.uid === m.metadata?.uid) this.mirrors.delete(full);
    const sp = this.staticByFullName(full);
    if (sp) this.workers.syncPod(sp.metadata?.uid ?? '');
  }

  /**
   * Upstream tryReconcileMirrorPods: deletes a mirror that is being deleted or belongs to another
   * version of the static pod, and creates the mirror when there is none. False when it failed.
   */
  private async reconcileMirrorPod(pod: Pod): Promise<boolean> {
    const full = podFullName(pod);
    const { name = '', namespace = '' } = pod.metadata ?? {};
    const mirror = this.mirrors.get(full);
    if (mirror) {
      if (!mirror.metadata?.deletionTimestamp && isMirrorPodOf(mirror, pod)) return true;
      this.log.info({ pod: podKey(mirror), podUID: mirror.metadata?.uid }, 'deleting mirror pod that does not match the static pod');
      try {
        await this.mirrorClient.deleteMirrorPod(namespace, name, mirror.metadata?.uid);
      } catch (err) {
        this.log.error({ pod: podKey(mirror), err: errText(err) }, 'failed deleting mirror pod');
        return false;
      }
      if (this.mirrors.get(full) === mirror) this.mirrors.delete(full);
    }
    const node = this.nodes.lister().get(undefined, this.opts.nodeName);
    if (!node) {
      this.log.warn({ pod: podKey(pod) }, 'no mirror pod created: the node is not registered yet');
      return false;
    }
    if (node.metadata?.deletionTimestamp) {
      this.log.info({ pod: podKey(pod) }, 'no mirror pod created: the node has been removed from the cluster');
      return true;
    }
    try {
      this.log.info({ pod: podKey(pod) }, 'creating a mirror pod for static pod');
      const created = await this.mirrorClient.createMirrorPod(pod);
      if (created && !this.mirrors.has(full)) this.mirrors.set(full, created);
    } catch (err) {
      this.log.error({ pod: podKey(pod), err: errText(err) }, 'failed creating a mirror pod');
      return false;
    }
    // The status written while there was no mirror is written to the new one.
    this.status.resync(pod.metadata?.uid ?? '');
    return true;
  }

  /** Deletes the mirror `full` when no static pod of that name is defined or still terminating. */
  private async deleteOrphanedMirrorPod(full: string): Promise<void> {
    const m = this.mirrors.get(full);
    if (!m || this.staticByFullName(full) || this.staticPodTerminating(full, undefined)) return;
    this.log.info({ pod: podKey(m), podUID: m.metadata?.uid }, 'deleting orphaned mirror pod');
    try {
      await this.mirrorClient.deleteMirrorPod(m.metadata?.namespace ?? '', m.metadata?.name ?? '', m.metadata?.uid);
      if (this.mirrors.get(full) === m) this.mirrors.delete(full);
    } catch (err) {
      this.log.warn({ pod: podKey(m), err: errText(err) }, 'failed deleting orphaned mirror pod');
    }
  }

  private staticByFullName(full: string): Pod | undefined {
    for (const p of this.staticPods.values()) if (podFullName(p) === full) return p;
    return undefined;
  }

  /** Does a removed static pod named `full` (other than `exceptUID`) still have a worker that has not terminated? */
  private staticPodTerminating(full: string, exceptUID: string | undefined): boolean {
    for (const [uid, p] of this.staticKnown) {
      if (uid === exceptUID || this.staticPods.has(uid) || podFullName(p) !== full) continue;
      if (this.workers.isKnown(uid) && this.workers.phase(uid) !== 'terminated') return true;
    }
    return false;
  }

  /** The UID of the API object carrying a pod's status: its own, or for a static pod its mirror's. */
  private apiPodUID(uid: string): string | undefined {
    const sp = this.staticKnown.get(uid);
    if (!sp) return uid;
    const m = this.mirrors.get(podFullName(sp));
    return m && isMirrorPodOf(m, sp) ? m.metadata?.uid : undefined;
  }

  private syncStaticPodsWithoutMirror(): void {
    for (const [uid, p] of this.staticPods) {
      const m = this.mirrors.get(podFullName(p));
      if (!m || !isMirrorPodOf(m, p)) this.workers.syncPod(uid);
    }
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
