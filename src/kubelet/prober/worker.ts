// One probe loop per (pod, container, probe type) (upstream pkg/kubelet/prober/worker.go): probes
// at once, then every periodSeconds (or sooner when triggered), follows the container ID in the
// pod's latest status, and applies initialDelaySeconds, the thresholds and the startup gate.
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { Prober, ProbeType } from './prober.js';
import { probeDefaults, probeSpecOf } from './prober.js';
import type { Result, ResultsManager } from './results.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a worker needs from its manager. */
export interface WorkerContext {
  prober: Prober;
  statusOf: (podUID: string) => PodStatus | undefined;
  now: () => number;
  timers: Timers;
  logger: Logger;
  resultsFor(type: ProbeType): ResultsManager;
  /** Called once when the worker has stopped for good. */
  removed(w: ProbeWorker): void;
}

/** The value a container's result holds before the probe decides (newWorker's initialValue). */
const INITIAL_VALUE: Record<ProbeType, Result> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

export class ProbeWorker {
  private containerID = '';
  private lastResult: Result | undefined;
  private resultRun = 0;
  private onHold = false;
  private timer: unknown;
  private running = false;
  private triggered = false;
  private stopped = false;
  private finished = false;
  private readonly periodMs: number;

  constructor(
    private readonly ctx: WorkerContext,
    readonly type: ProbeType,
    /** Replaced when the pod is updated (a deletion timestamp ends liveness and startup probing). */
    public pod: Pod,
    readonly container: Container,
  ) {
    this.periodMs = probeDefaults(probeSpecOf(container, type) ?? {}).periodSeconds * 1000;
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops the loop; results of the container are removed once an in-flight probe ends. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) this.finish();
  }

  /** Probes as soon as possible (manualTriggerCh): at once when idle, right after the probe in flight otherwise. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.triggered = true;
      return;
    }
    this.ctx.timers.clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    this.timer = this.ctx.timers.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    const started = this.ctx.now();
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch (err) {
      // As upstream's HandleCrash: a bug in one probe never ends the loop.
      this.ctx.logger.error({ err, pod: this.pod.metadata?.name, container: this.container.name, probeType: this.type }, 'Probe worker failed');
    }
    this.running = false;
    if (!keepGoing || this.stopped) {
      this.stopped = true;
      this.finish();
      return;
    }
    if (this.triggered) {
      this.triggered = false;
      this.schedule(0);
      return;
    }
    // A ticker: the next probe one period after this one started.
    this.schedule(Math.max(0, started + this.periodMs - this.ctx.now()));
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.containerID) this.ctx.resultsFor(this.type).remove(this.containerID);
    this.ctx.removed(this);
  }

  private setResult(result: Result): void {
    this.ctx.resultsFor(this.type).set(this.containerID, result, this.pod.metadata?.uid ?? '', this.container.name);
  }

  /** One iteration of upstream's doProbe; false ends the worker. */
  private async doProbe(): Promise<boolean> {
    const uid = this.pod.metadata?.uid ?? '';
    const status = this.ctx.statusOf(uid);
    // The pod has no status yet, or is gone.
    if (!status) return true;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;

    let c: ContainerStatus | undefined = (status.containerStatuses ?? []).find((s) => s.name === this.container.name);
    if (!c?.containerID) c = (status.initContainerStatuses ?? []).find((s) => s.name === this.container.name);
    // The container has not been created yet: wait for more information.
    if (!c?.containerID) return true;

    if (this.containerID !== c.containerID) {
      if (this.containerID) this.ctx.resultsFor(this.type).remove(this.containerID);
      this.containerID = c.containerID;
      this.setResult(INITIAL_VALUE[this.type]);
      // A new container: resume probing.
      this.onHold = false;
    }
    if (this.onHold) return true;

    if (!c.state?.running) {
      if (this.containerID) this.setResult('failure');
      // Stop when the container will not run again.
      return !c.state?.terminated || this.pod.spec?.restartPolicy !== 'Never';
    }

    // Graceful shutdown: liveness and startup end quietly.
    if (this.pod.metadata?.deletionTimestamp && (this.type === 'liveness' || this.type === 'startup')) {
      this.setResult('success');
      return false;
    }

    const spec = probeSpecOf(this.container, this.type);
    if (!spec) return false;
    const { initialDelaySeconds, successThreshold, failureThreshold } = probeDefaults(spec);
    const startedAt = c.state.running.startedAt ? Date.parse(c.state.running.startedAt) : 0;
    if (Math.trunc((this.ctx.now() - (Number.isNaN(startedAt) ? 0 : startedAt)) / 1000) < initialDelaySeconds) return true;

    if (c.started === true) {
      // The startup probe is done once the container has started (kept for a restarted container).
      if (this.type === 'startup') return true;
    } else if (this.type !== 'startup') {
      // Other probes wait for the container to start.
      return true;
    }

    const { result, error } = await this.ctx.prober.probe(this.type, this.pod, status, this.container, this.containerID);
    // The probe could not run: throw the result away.
    if (error) return true;
    if (this.stopped) return false;

    if (this.lastResult === result) {
      this.resultRun++;
    } else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'failure' && this.resultRun < failureThreshold) || (result === 'success' && this.resultRun < successThreshold)) {
      // Below the threshold: the stored result stays.
      return true;
    }
    this.setResult(result);
    if ((this.type === 'liveness' || this.type === 'startup') && result === 'failure') {
      // The container will be restarted: hold until a new container ID shows up.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}
