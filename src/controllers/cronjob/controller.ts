// The CronJob controller (upstream pkg/controller/cronjob/cronjob_controllerv2.go and
// utils.go, v1.32): creates a Job for the most recent unmet schedule time, tracks active
// Jobs, applies the concurrency policy and starting deadline, trims finished Jobs to the
// history limits, and requeues itself for the next schedule time.

import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { CRONJOBS, JOBS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { isStatusError } from '../../machinery/errors.js';
import type { DeepMutable } from '../../util/mutable.js';
import { getControllerOf, newControllerRef } from '../shared/controller-ref.js';
import { objectKey } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { formatRFC3339, isValidTimeZone, localZoneName, parseSchedule, type Schedule } from '../../machinery/cron.js';

export const NAME = 'cronjob-controller';
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const CONTROLLER_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
/** The requeue lands just after the schedule time. */
const NEXT_SCHEDULE_DELTA_MS = 100;
/** Beyond this many missed times the controller warns (TooManyMissedTimes). */
const MAX_MISSED = 100;

type CronJobObject = CronJob & KubeObject;
type MutableCronJob = DeepMutable<CronJob> & KubeObject;
type JobObject = Job & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new CronJobController(ctx);
}

export interface CronJobControllerOptions {
  workers?: number;
  /** The zone schedules without spec.timeZone run in (upstream: the process's local zone). */
  defaultTimeZone?: string;
}

type Missed = 'none' | 'few' | 'many';

export class CronJobController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly recorder: EventRecorder;
  private readonly cronJobLister: Lister<CronJobObject>;
  private readonly jobLister: Lister<JobObject>;
  private readonly pool: WorkerPool<string>;
  private readonly defaultZone: string;

  constructor(ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.recorder = ctx.recorder('cronjob-controller');
    this.defaultZone = opts.defaultTimeZone ?? localZoneName();
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    const cjInformer = ctx.informers.forResource<CronJobObject>(CRONJOBS);
    const jobInformer = ctx.informers.forResource<JobObject>(JOBS);
    this.cronJobLister = cjInformer.lister();
    this.jobLister = jobInformer.lister();
    cjInformer.addEventHandler({
      onAdd: (cj) => this.pool.queue.add(objectKey(cj)),
      onUpdate: (old, cj) => this.onCronJobUpdate(old, cj),
      onDelete: (cj) => this.pool.queue.add(objectKey(cj)),
    });
    jobInformer.addEventHandler({
      onAdd: (j) => this.enqueueOwner(j),
      onUpdate: (old, j) => {
        if (old.metadata?.resourceVersion === j.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(getControllerOf(j))) this.enqueueOwner(old);
        this.enqueueOwner(j);
      },
      onDelete: (j) => this.enqueueOwner(j),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private enqueueOwner(job: JobObject): void {
    const ref = getControllerOf(job);
    if (!ref || ref.kind !== 'CronJob') return;
    const cj = this.cronJobLister.get(job.metadata?.namespace, ref.name);
    if (cj && cj.metadata?.uid === ref.uid) this.pool.queue.add(objectKey(cj));
  }

  /** A new schedule or zone requeues for its next time; other changes sync now. */
  private onCronJobUpdate(old: CronJobObject, cj: CronJobObject): void {
    if (old.spec?.schedule !== cj.spec?.schedule || old.spec?.timeZone !== cj.spec?.timeZone) {
      let sched: Schedule;
      try {
        sched = parseSchedule(this.formatSchedule(cj, false), this.defaultZone);
      } catch {
        this.recorder.event(cj, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cj.spec?.schedule ?? ''}`);
        return;
      }
      this.pool.queue.addAfter(objectKey(cj), nextScheduleDelay(cj, this.now(), sched));
      return;
    }
    this.pool.queue.add(objectKey(cj));
  }

  /** The schedule with spec.timeZone as a TZ= prefix (upstream formatSchedule). */
  private formatSchedule(cj: CronJobObject, warn: boolean): string {
    const schedule = cj.spec?.schedule ?? '';
    if (schedule.includes('TZ')) {
      if (warn) {
        this.recorder.event(
          cj,
          'Warning',
          'UnsupportedSchedule',
          `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
        );
      }
      return schedule;
    }
    const tz = cj.spec?.timeZone;
    if (tz !== undefined && tz !== null && isValidTimeZone(tz)) return `TZ=${tz === '' ? 'UTC' : tz} ${schedule}`;
    return schedule;
  }

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const cronJob = this.cronJobLister.get(ns, name);
    if (!cronJob) return;
    // Jobs whose controller reference names this CronJob (by name, as upstream).
    const jobs = this.jobLister.list(ns).filter((j) => getControllerOf(j)?.name === name);
    const cj = structuredClone(cronJob) as MutableCronJob;
    const cleanupChanged = await this.cleanupFinishedJobs(cj, jobs, signal);
    let result: { requeueAfterMs?: number; updateStatus: boolean; error?: unknown; cronJob?: MutableCronJob };
    try {
      result = await this.syncCronJob(cj, jobs, signal);
    } catch (e) {
      result = { updateStatus: false, error: e };
    }
    if (cleanupChanged || result.updateStatus) {
      await this.client.resource<MutableCronJob>(CRONJOBS).updateStatus(result.cronJob ?? cj, { namespace: ns, signal });
    }
    if (result.requeueAfterMs !== undefined) return { requeueAfterMs: result.requeueAfterMs };
    if (result.error !== undefined) throw result.error;
    return undefined;
  }

  private async syncCronJob(
    cjIn: MutableCronJob,
    jobs: readonly JobObject[],
    signal: AbortSignal,
  ): Promise<{ requeueAfterMs?: number; updateStatus: boolean; error?: unknown; cronJob?: MutableCronJob }> {
    let cj = cjIn;
    const now = this.now();
    let updateStatus = false;
    const ns = cj.metadata?.namespace;
    const jobClient = this.client.resource<JobObject>(JOBS);
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata?.uid ?? '';
      children.add(uid);
      const found = inActiveList(cj, uid);
      if (!found && !isJobFinished(j)) {
        // Maybe our own status update is not in the cache yet.
        const fresh = (await this.client.resource<MutableCronJob>(CRONJOBS).get(cj.metadata?.name ?? '', { namespace: ns, signal })) as MutableCronJob;
        if (inActiveList(fresh, uid)) {
          cj = fresh;
          continue;
        }
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name ?? ''}`);
      } else if (isJobFinished(j)) {
        if (found) {
          removeFromActive(cj, uid);
          this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${finishedCondition(j) ?? ''}`);
          updateStatus = true;
        }
        if (isJobSucceeded(j)) {
          const status = (cj.status ??= {});
          const done = j.status?.completionTime;
          if (status.lastSuccessfulTime === undefined || status.lastSuccessfulTime === null) {
            status.lastSuccessfulTime = done;
            updateStatus = true;
          }
          if (done && status.lastSuccessfulTime && Date.parse(done) > Date.parse(status.lastSuccessfulTime)) {
            status.lastSuccessfulTime = done;
            updateStatus = true;
          }
        }
      }
    }
    // Active references to Jobs that are gone (checked against the API, not a slow cache).
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await jobClient.get(ref.name ?? '', { namespace: ref.namespace, signal });
      } catch (e) {
        if (!isNotFound(e)) return { updateStatus, error: e, cronJob: cj };
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        removeFromActive(cj, ref.uid ?? '');
        updateStatus = true;
      }
    }

    if (cj.metadata?.deletionTimestamp) return { updateStatus, cronJob: cj };
    const tz = cj.spec?.timeZone;
    if (tz !== undefined && tz !== null && !isValidTimeZone(tz)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
      return { updateStatus, cronJob: cj };
    }
    if (cj.spec?.suspend === true) return { updateStatus, cronJob: cj };

    let sched: Schedule;
    try {
      sched = parseSchedule(this.formatSchedule(cj, true), this.defaultZone);
    } catch (e) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${(e as Error).message}`);
      return { updateStatus, cronJob: cj };
    }

    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.error) {
      this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule ?? ''} : ${recent.error}`);
      return { updateStatus, cronJob: cj };
    }
    const requeue = (): { requeueAfterMs: number; updateStatus: boolean; cronJob: MutableCronJob } => ({ requeueAfterMs: nextScheduleDelay(cj, now, sched), updateStatus, cronJob: cj });
    const scheduled = recent.mostRecent !== undefined && recent.mostRecent <= now ? recent.mostRecent : undefined;
    if (scheduled === undefined) return requeue();
    if (recent.missed === 'many') {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return requeue();
    }
    const jobName = `${cj.metadata?.name ?? ''}-${Math.floor(scheduled / 60_000)}`;
    const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
    if ((cj.status?.active ?? []).some((r) => r.name === jobName && r.namespace === ns) || last === scheduled) return requeue();

    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (cj.status?.active?.length ?? 0) > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (policy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: JobObject;
        try {
          job = await jobClient.get(ref.name ?? '', { namespace: ref.namespace, signal });
        } catch (e) {
          this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          return { updateStatus, error: e, cronJob: cj };
        }
        if (!(await this.deleteJob(cj, job, signal))) return { updateStatus, error: new Error(`could not replace job ${ref.namespace ?? ''}/${ref.name ?? ''}`), cronJob: cj };
        updateStatus = true;
      }
    }

    const req = this.jobFromTemplate(cj, scheduled, jobName);
    let created: JobObject;
    try {
      created = await jobClient.create(req, { namespace: ns, signal });
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name ?? ''}`);
    } catch (e) {
      if (isStatusError(e) && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return { updateStatus, error: e, cronJob: cj };
      if (!isAlreadyExists(e)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        return { updateStatus, error: e, cronJob: cj };
      }
      // Created before, by us (status update lost) or by someone else.
      created = await jobClient.get(jobName, { namespace: ns, signal });
      const ref = getControllerOf(created);
      if (ref?.uid !== cj.metadata?.uid) return { updateStatus, cronJob: cj };
      if (inActiveList(cj, created.metadata?.uid ?? '')) return { updateStatus, cronJob: cj };
      this.log.info({ cronjob: objectKey(cj), job: jobName }, 'job already exists');
    }
    const status = (cj.status ??= {});
    (status.active ??= []).push(jobReference(created));
    status.lastScheduleTime = formatTime(scheduled);
    updateStatus = true;
    return requeue();
  }

  /** The Job for one schedule time (upstream getJobFromTemplate2). */
  private jobFromTemplate(cj: MutableCronJob, scheduled: number, name: string): JobObject {
    const tmpl = cj.spec?.jobTemplate;
    const annotations: Record<string, string> = { ...(tmpl?.metadata?.annotations ?? {}) };
    const tz = cj.spec?.timeZone;
    annotations[CRONJOB_SCHEDULED_TIMESTAMP] = formatRFC3339(scheduled, tz === undefined || tz === null || tz === '' ? 'UTC' : tz);
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace,
        labels: { ...(tmpl?.metadata?.labels ?? {}) },
        annotations,
        ownerReferences: [newControllerRef(cj, CONTROLLER_KIND)],
      },
      spec: structuredClone(tmpl?.spec ?? { template: {} }) as Job['spec'],
    };
  }

  /** Deletes finished Jobs beyond the history limits, oldest first. */
  private async cleanupFinishedJobs(cj: MutableCronJob, jobs: readonly JobObject[], signal: AbortSignal): Promise<boolean> {
    const succeededLimit = cj.spec?.successfulJobsHistoryLimit;
    const failedLimit = cj.spec?.failedJobsHistoryLimit;
    if ((succeededLimit === undefined || succeededLimit === null) && (failedLimit === undefined || failedLimit === null)) return false;
    const succeeded: JobObject[] = [];
    const failed: JobObject[] = [];
    for (const j of jobs) {
      const c = finishedCondition(j);
      if (c === 'Complete') succeeded.push(j);
      else if (c === 'Failed') failed.push(j);
    }
    let changed = false;
    if (succeededLimit !== undefined && succeededLimit !== null && (await this.removeOldest(cj, succeeded, succeededLimit, signal))) changed = true;
    if (failedLimit !== undefined && failedLimit !== null && (await this.removeOldest(cj, failed, failedLimit, signal))) changed = true;
    return changed;
  }

  private async removeOldest(cj: MutableCronJob, jobs: JobObject[], max: number, signal: AbortSignal): Promise<boolean> {
    const n = jobs.length - max;
    if (n <= 0) return false;
    jobs.sort(byStartTime);
    let changed = false;
    for (let i = 0; i < n; i++) if (await this.deleteJob(cj, jobs[i]!, signal)) changed = true;
    return changed;
  }

  /** Deletes a Job with its pods in the background and drops it from the active list. */
  private async deleteJob(cj: MutableCronJob, job: JobObject, signal: AbortSignal): Promise<boolean> {
    try {
      await this.client.resource(JOBS).delete(job.metadata?.name ?? '', { namespace: job.metadata?.namespace, propagationPolicy: 'Background', signal });
    } catch (e) {
      this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
      return false;
    }
    removeFromActive(cj, job.metadata?.uid ?? '');
    this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name ?? ''}`);
    return true;
  }
}

// ---- schedule arithmetic (upstream utils.go) ----

interface Recent {
  earliest: number;
  mostRecent?: number;
  missed: Missed;
  error?: string;
}

/**
 * The most recent schedule time in (earliest, now], where earliest is the last schedule time
 * (or creation), moved up to now − startingDeadlineSeconds when asked. The number of missed
 * times is estimated from the gap between two consecutive times, as upstream does.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, sched: Schedule, includeDeadline: boolean): Recent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeDeadline && deadline !== undefined && deadline !== null) {
    const limit = now - deadline * 1000;
    if (limit > earliest) earliest = limit;
  }
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'few' };
  // Rounded to minutes like Go's Duration.Round(time.Minute), in seconds.
  const between = Math.round((t2 - t1) / 60_000) * 60;
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  // Start a little before the estimated last time and walk forward (copes with irregular schedules).
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  let mostRecent: number | undefined;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  const missed: Missed = missedCount > MAX_MISSED ? 'many' : 'few';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** Milliseconds until just after the next schedule time (upstream nextScheduleTimeDuration). */
export function nextScheduleDelay(cj: CronJob, now: number, sched: Schedule): number {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  // Nothing within five years: look again in a day.
  if (next === undefined) return 24 * 3_600_000;
  return Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - now);
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]!}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]!} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function inActiveList(cj: CronJob, uid: string): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function removeFromActive(cj: MutableCronJob, uid: string): void {
  const status = cj.status;
  if (!status?.active) return;
  status.active = status.active.filter((r) => r.uid !== uid);
  if (status.active.length === 0) delete status.active;
}

function finishedCondition(j: Job): 'Complete' | 'Failed' | undefined {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

function isJobFinished(j: Job): boolean {
  return finishedCondition(j) !== undefined;
}

function isJobSucceeded(j: Job): boolean {
  return (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
}

function jobReference(j: JobObject): ObjectReference {
  return { kind: 'Job', namespace: j.metadata?.namespace, name: j.metadata?.name, uid: j.metadata?.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata?.resourceVersion };
}

/** Oldest start first; Jobs never started last; ties by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime ? Date.parse(a.status.startTime) : undefined;
  const sb = b.status?.startTime ? Date.parse(b.status.startTime) : undefined;
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  return sa! - sb!;
}
