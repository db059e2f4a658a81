// The probe manager (upstream pkg/kubelet/prober/prober_manager.go): a worker per container and
// probe type, the liveness/readiness/startup results, and the ready/started flags the status
// manager puts into container statuses.
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.js';
import type { Logger } from '../../logging/index.js';
import type { ProbeResults } from '../container/runtime.js';
import type { RuntimeService } from '../cri/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { Prober, type ProbeType, probeSpecOf } from './prober.js';
import { ResultsManager, type ResultUpdate } from './results.js';
import { ProbeWorker, type Timers } from './worker.js';

export interface ProbeManagerOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  recorder: EventRecorder;
  logger: Logger;
  /** The latest API status the kubelet generated for the pod (container IDs, podIP, running state, startedAt, started). */
  statusOf: (podUID: string) => PodStatus | undefined;
  /** Wall clock in ms (initialDelaySeconds is measured from the container's startedAt). */
  now?: () => number;
  timers?: Timers;
}

const PROBE_TYPES: readonly ProbeType[] = ['startup', 'readiness', 'liveness'];

function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

export class ProbeManager implements ProbeResults {
  readonly liveness: ResultsManager;
  readonly readiness: ResultsManager;
  readonly startup: ResultsManager;
  private readonly prober: Prober;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly timers: Timers;
  /** Workers by pod UID, then by `<container>/<type>`. */
  private readonly workers = new Map<string, Map<string, ProbeWorker>>();
  private readonly listeners: ((podUID: string) => void)[] = [];
  private closed = false;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.prober = new Prober({ runtime: opts.runtime, recorder: opts.recorder, logger: opts.logger });
    // As the kubelet's sync loop: liveness wakes the pod only on failure, the others on any change.
    this.liveness = new ResultsManager((u) => {
      if (u.result === 'failure') this.notify(u);
    });
    this.readiness = new ResultsManager((u) => this.notify(u));
    this.startup = new ResultsManager((u) => this.notify(u));
  }

  onChange(cb: (podUID: string) => void): void {
    this.listeners.push(cb);
  }

  /** Starts a worker for each probe of the pod's containers and restartable init containers; for a known pod only refreshes the pod object. */
  addPod(pod: Pod): void {
    if (this.closed) return;
    const uid = pod.metadata?.uid ?? '';
    let byKey = this.workers.get(uid);
    if (!byKey) {
      byKey = new Map();
      this.workers.set(uid, byKey);
    }
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter(isRestartableInitContainer)];
    for (const container of containers) {
      for (const type of PROBE_TYPES) {
        if (!probeSpecOf(container, type)) continue;
        const key = `${container.name}/${type}`;
        const existing = byKey.get(key);
        if (existing) {
          existing.pod = pod;
          continue;
        }
        const w = new ProbeWorker(
          {
            prober: this.prober,
            statusOf: this.opts.statusOf,
            now: this.now,
            timers: this.timers,
            logger: this.logger,
            resultsFor: (t) => this.resultsFor(t),
            removed: (done) => this.removeWorker(uid, key, done),
          },
          type,
          pod,
          container,
        );
        byKey.set(key, w);
        w.start();
      }
    }
    if (byKey.size === 0) this.workers.delete(uid);
  }

  removePod(podUID: string): void {
    const byKey = this.workers.get(podUID);
    if (!byKey) return;
    for (const w of [...byKey.values()]) w.stop();
  }

  /** Ends liveness and startup probing of a terminating pod (upstream StopLivenessAndStartup). */
  stopLivenessAndStartup(podUID: string): void {
    const byKey = this.workers.get(podUID);
    if (!byKey) return;
    for (const w of [...byKey.values()]) if (w.type !== 'readiness') w.stop();
  }

  /** Stops the workers of pods not in `desired` (upstream CleanupPods). */
  cleanupPods(desired: ReadonlySet<string>): void {
    for (const uid of [...this.workers.keys()]) if (!desired.has(uid)) this.removePod(uid);
  }

  /** Stops every worker. Idempotent. */
  close(): void {
    this.closed = true;
    for (const uid of [...this.workers.keys()]) this.removePod(uid);
  }

  /** Number of running workers (for tests and metrics). */
  workerCount(): number {
    let n = 0;
    for (const m of this.workers.values()) n += m.size;
    return n;
  }

  updatePodStatus(pod: Pod, status: PodStatus): void {
    const st = status as DeepMutable<PodStatus>;
    const uid = pod.metadata?.uid ?? '';
    for (const c of st.containerStatuses ?? []) {
      const started = this.isContainerStarted(uid, c);
      c.started = started;
      if (!started) continue;
      c.ready = this.isReady(uid, c);
    }
    const initContainers = pod.spec?.initContainers ?? [];
    for (const c of st.initContainerStatuses ?? []) {
      const started = this.isContainerStarted(uid, c);
      c.started = started;
      const spec = initContainers.find((ic) => ic.name === c.name);
      if (!spec) continue;
      if (!isRestartableInitContainer(spec)) {
        if (c.state?.terminated && c.state.terminated.exitCode === 0) c.ready = true;
        continue;
      }
      if (!started) continue;
      c.ready = this.isReady(uid, c);
    }
  }

  shouldRestart(podUID: string, containerID: string): { restart: boolean; message: string } {
    const live = this.liveness.entry(containerID);
    const start = this.startup.entry(containerID);
    let message: string;
    let name: string;
    if (live && live.result === 'failure' && live.podUID === podUID) {
      name = live.containerName;
      message = `Container ${name} failed liveness probe`;
    } else if (start && start.result === 'failure' && start.podUID === podUID) {
      name = start.containerName;
      message = `Container ${name} failed startup probe`;
    } else {
      return { restart: false, message: '' };
    }
    // computePodActions: the kill message says so when the container comes back.
    const pod = this.workers.get(podUID)?.values().next().value?.pod;
    if (pod?.spec?.restartPolicy !== 'Never') message = `${message}, will be restarted`;
    return { restart: true, message };
  }

  private isReady(uid: string, c: DeepMutable<ContainerStatus>): boolean {
    if (!c.state?.running) return false;
    if (c.containerID && this.readiness.get(c.containerID) === 'success') return true;
    const w = this.workers.get(uid)?.get(`${c.name}/readiness`);
    // No readiness probe: always ready. A probe that has not passed yet: run it now.
    if (!w) return true;
    w.trigger();
    return false;
  }

  private isContainerStarted(uid: string, c: DeepMutable<ContainerStatus>): boolean {
    if (!c.state?.running) return false;
    const r = c.containerID ? this.startup.get(c.containerID) : undefined;
    if (r !== undefined) return r === 'success';
    // A startup probe that has not run yet: not started.
    return !this.workers.get(uid)?.has(`${c.name}/startup`);
  }

  private resultsFor(type: ProbeType): ResultsManager {
    return type === 'liveness' ? this.liveness : type === 'readiness' ? this.readiness : this.startup;
  }

  private removeWorker(uid: string, key: string, w: ProbeWorker): void {
    const byKey = this.workers.get(uid);
    if (byKey?.get(key) !== w) return;
    byKey.delete(key);
    if (byKey.size === 0) this.workers.delete(uid);
  }

  private notify(u: ResultUpdate): void {
    for (const cb of this.listeners) {
      try {
        cb(u.podUID);
      } catch (err) {
        this.logger.error({ err, pod: u.podUID }, 'Probe result listener failed');
      }
    }
  }
}
