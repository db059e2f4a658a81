// The Job controller (upstream pkg/controller/job/job_controller.go, v1.32): runs a Job's pods
// to completion. Pods carry the `batch.kubernetes.io/job-tracking` finalizer until the
// controller has counted them: finished pods go first into status.uncountedTerminatedPods, then
// their finalizer is removed, then they move into succeeded/failed — so counts stay exact even
// when pods are deleted. Terminal conditions come in two steps as in v1.32: SuccessCriteriaMet
// or FailureTarget first, Complete or Failed once no pod is terminating.

import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isStatusError } from '../../machinery/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { getControllerOf, newControllerRef, ownersSelecting, resolveControllerRef } from '../shared/controller-ref.js';
import { Expectations } from '../shared/expectations.js';
import { PodControl } from '../shared/pod-control.js';
import { compareForDeletion, isPodActive, isPodReady, isPodTerminal, objectKey, type PodObject } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { BackoffStore, remainingBackoff, type BackoffRecord } from './backoff.js';
import {
  addCompletionIndexEnv,
  byCompletionIndex,
  completionIndex,
  duplicatedIndexPodsForRemoval,
  firstPendingIndexes,
  formatIntervals,
  generateNameWithIndex,
  has,
  indexesOf,
  JOB_COMPLETION_INDEX,
  parseIntervals,
  total,
  UNKNOWN_INDEX,
  withOrderedIndexes,
  type Intervals,
} from './indexed.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './policies.js';

export const NAME = 'job-controller';
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** spec.managedBy value (or absence) that this controller reconciles. */
export const JOB_CONTROLLER_MANAGED_BY = 'kubernetes.io/job-controller';

const CONTROLLER_KIND = { apiVersion: 'batch/v1', kind: 'Job' };
/** Pod events are batched: a Job is synced at most once a second for them. */
const SYNC_JOB_BATCH_PERIOD_MS = 1000;
/** Keeps status.uncountedTerminatedPods small and big Jobs from starving the others. */
export const MAX_UNCOUNTED_PODS = 500;
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** Concurrent API calls of one sync. */
const API_CONCURRENCY = 50;
/** Pods by controller UID, and orphans by `orphan/<namespace>`: a sync reads only candidates. */
const POD_OWNER_INDEX = 'job-controller/owner';

function podOwnerIndex(pod: PodObject): string[] {
  const ref = getControllerOf(pod);
  return [ref ? ref.uid : `orphan/${pod.metadata?.namespace ?? ''}`];
}

export function create(ctx: ControllerContext): Controller {
  return new JobController(ctx);
}

type JobObject = Job & KubeObject;
type MutableJob = DeepMutable<Job> & KubeObject;
type Condition = DeepMutable<JobCondition>;

export interface JobControllerOptions {
  workers?: number;
}

/** The state of one sync (upstream syncJobCtx). */
interface SyncCtx {
  job: MutableJob;
  pods: PodObject[];
  activePods: PodObject[];
  finishedCondition: Condition | undefined;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: ReadonlySet<string>;
  uncountedSucceeded: ReadonlySet<string>;
  uncountedFailed: ReadonlySet<string>;
  terminating: number;
  ready: number;
  requeueAfterMs?: number;
}

export class JobController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly jobLister: Lister<JobObject>;
  private readonly podLister: Lister<PodObject>;
  private readonly pool: WorkerPool<string>;
  private readonly orphanPool: WorkerPool<string>;
  readonly expectations: Expectations;
  /** Per Job key, pod UIDs whose finalizer removal was sent but not yet observed. */
  private readonly finalizerExpectations = new Map<string, Set<string>>();
  private readonly backoff = new BackoffStore();

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.recorder = ctx.recorder('job-controller');
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.expectations = new Expectations(ctx.now);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 5, sync: (k, s) => this.sync(k, s) });
    this.orphanPool = new WorkerPool<string>({ name: `${NAME}-orphan-pods`, logger: ctx.logger, workers: 1, sync: (k, s) => this.syncOrphanPod(k, s) });
    const jobInformer = ctx.informers.forResource<JobObject>(JOBS);
    const podInformer = ctx.informers.forResource<PodObject>(PODS);
    this.jobLister = jobInformer.lister();
    this.podLister = podInformer.lister();
    try {
      podInformer.addIndexers({ [POD_OWNER_INDEX]: podOwnerIndex });
    } catch {
      // Already added by another instance over the same factory: same function.
    }
    jobInformer.addEventHandler({
      onAdd: (j) => this.enqueue(j, 0),
      onUpdate: (o, j) => this.onJobUpdate(o, j),
      onDelete: (j) => {
        this.enqueue(j, 0);
        this.cleanupPodFinalizers(j);
      },
    });
    podInformer.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (o, p) => this.onPodUpdate(o, p),
      onDelete: (p) => this.onPodDelete(p, true),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
    this.orphanPool.start(signal);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.orphanPool.close()]);
  }

  // ---- event handlers: enqueue only (and expectation bookkeeping) ----

  private enqueue(job: KubeObject, delayMs: number): void {
    const key = objectKey(job);
    if (delayMs > 0) this.pool.queue.addAfter(key, delayMs);
    else this.pool.queue.add(key);
  }

  private onJobUpdate(old: JobObject, cur: JobObject): void {
    // Spec changes sync at once; status updates (typically from pod events) are batched.
    this.enqueue(cur, cur.metadata?.generation === old.metadata?.generation ? SYNC_JOB_BATCH_PERIOD_MS : 0);
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    const start = parseTime(cur.status?.startTime);
    if (start !== undefined && ads !== undefined && ads !== old.spec?.activeDeadlineSeconds) {
      this.pool.queue.addAfter(objectKey(cur), Math.max(0, ads * 1000 - (this.now() - start)));
    }
  }

  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string }): JobObject | undefined {
    return resolveControllerRef(this.jobLister, namespace, ref, 'Job');
  }

  /** Jobs in the pod's namespace whose selector matches it (for orphans to be adopted). */
  private podJobs(pod: PodObject): JobObject[] {
    return ownersSelecting(this.jobLister, pod);
  }

  private onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) {
      this.onPodDelete(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata?.namespace, ref);
      if (!job) return;
      this.expectations.creationObserved(objectKey(job));
      this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.orphanPool.queue.add(objectKey(pod));
    for (const job of this.podJobs(pod)) this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
  }

  private onPodUpdate(old: PodObject, cur: PodObject): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp) {
      this.onPodDelete(cur, false);
      return;
    }
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerRemovalObserved(objectKey(job), cur.metadata?.uid);
        this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
      }
    }
    if (curRef) {
      const job = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerRemovalObserved(objectKey(job), cur.metadata?.uid);
      this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
      return;
    }
    if (hasTrackingFinalizer(cur)) this.orphanPool.queue.add(objectKey(cur));
    if (refChanged || JSON.stringify(cur.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {})) {
      for (const job of this.podJobs(cur)) this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
    }
  }

  /** `final`: the pod is gone from the API; otherwise it just got its deletionTimestamp. */
  private onPodDelete(pod: PodObject, final: boolean): void {
    const ref = getControllerOf(pod);
    const withFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (withFinalizer) this.orphanPool.queue.add(objectKey(pod));
      return;
    }
    const job = this.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!job || isJobFinished(job)) {
      if (withFinalizer) this.orphanPool.queue.add(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.expectations.deletionObserved(key);
    if (final || !withFinalizer) this.finalizerRemovalObserved(key, pod.metadata?.uid);
    this.enqueue(job, SYNC_JOB_BATCH_PERIOD_MS);
  }

  /** Pods of a finished or deleted Job that still carry the finalizer go to the orphan queue. */
  private cleanupPodFinalizers(job: JobObject): void {
    let sel: Selector;
    try {
      sel = selectorFromLabelSelector(job.spec?.selector);
    } catch {
      return;
    }
    for (const pod of this.podLister.byIndex(POD_OWNER_INDEX, job.metadata?.uid ?? '')) {
      if (sel.matches(pod.metadata?.labels ?? {}) && hasTrackingFinalizer(pod)) this.orphanPool.queue.add(objectKey(pod));
    }
  }

  private finalizerRemovalObserved(key: string, uid: string | undefined): void {
    const set = this.finalizerExpectations.get(key);
    if (!set || !uid) return;
    set.delete(uid);
    if (set.size === 0) this.finalizerExpectations.delete(key);
  }

  private expectFinalizersRemoved(key: string, uids: readonly string[]): void {
    let set = this.finalizerExpectations.get(key);
    if (!set) this.finalizerExpectations.set(key, (set = new Set()));
    for (const u of uids) set.add(u);
  }

  // ---- orphan pods ----

  /** Removes the tracking finalizer from a pod no unfinished Job of ours controls. */
  async syncOrphanPod(key: string, signal: AbortSignal): Promise<void> {
    const [ns, name] = splitKey(key);
    const pod = this.podLister.get(ns, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolveControllerRef(ns, ref);
      if (job && managedByExternal(job)) return;
      if (job && !isJobFinished(job)) return; // adopted meanwhile
    }
    try {
      await this.removeFinalizer(pod, signal);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private removeFinalizer(pod: PodObject, signal: AbortSignal): Promise<unknown> {
    return this.client.resource<PodObject>(PODS).patch(pod.metadata?.name ?? '', 'strategic', { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } }, { namespace: pod.metadata?.namespace, signal });
  }

  // ---- the sync ----

  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const [ns, name] = splitKey(key);
    if (!ns || !name) throw new Error(`invalid job key "${key}": either namespace or name is missing`);
    const shared = this.jobLister.get(ns, name);
    if (!shared) {
      this.expectations.delete(key);
      this.finalizerExpectations.delete(key);
      this.backoff.remove(key);
      return;
    }
    if (managedByExternal(shared)) return;
    if (isJobFinished(shared)) {
      this.backoff.remove(key);
      return;
    }
    const job = structuredClone(shared) as MutableJob;
    const spec = (job.spec ??= { template: {} });
    const mode = spec.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.recorder.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const now = this.now();

    // Expectations first: a pod created after this check only defers the sync.
    const satisfied = this.expectations.satisfied(key);
    const pods = await this.getPodsForJob(job, signal);
    const activePods = pods.filter(isPodActive);
    const jc: SyncCtx = {
      job,
      pods,
      activePods,
      finishedCondition: undefined,
      succeeded: 0,
      failed: 0,
      prevSucceededIndexes: [],
      succeededIndexes: [],
      newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
      expectedRmFinalizers: new Set(this.finalizerExpectations.get(key) ?? []),
      uncountedSucceeded: new Set(status.uncountedTerminatedPods.succeeded ?? []),
      uncountedFailed: new Set(status.uncountedTerminatedPods.failed ?? []),
      terminating: pods.filter((p) => !isPodTerminal(p) && p.metadata?.deletionTimestamp).length,
      ready: activePods.filter(isPodReady).length,
    };
    let active = activePods.length;
    const newSucceeded = validPods(jc, jc.uncountedSucceeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = validPods(jc, jc.uncountedFailed, (p) => isPodFailed(p, job));
    jc.succeeded = (status.succeeded ?? 0) + newSucceeded.length + jc.uncountedSucceeded.size;
    const countedNewFailed = spec.podFailurePolicy ? newFailed.filter((p) => matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed).length : newFailed.length;
    jc.failed = (status.failed ?? 0) + countedNewFailed + jc.uncountedFailed.size;

    // First start; a suspended Job starts when resumed.
    if (!status.startTime && !jobSuspended(job)) status.startTime = formatTime(now);
    jc.newBackoffRecord = this.backoff.newRecord(key, newSucceeded, newFailed);

    const backoffLimit = spec.backoffLimit ?? 6;
    jc.finishedCondition = successCriteriaMet(job);
    // Once success criteria are met, the pod failure policy is no longer evaluated.
    if (!jc.finishedCondition) {
      const target = findCondition(status.conditions, 'FailureTarget');
      if (target?.status === 'True') {
        jc.finishedCondition = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      } else {
        const msg = failJobMessage(job, pods);
        if (msg !== undefined) jc.finishedCondition = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
      }
    }
    if (!jc.finishedCondition) {
      if (jc.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        jc.finishedCondition = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job, now)) {
        jc.finishedCondition = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (spec.activeDeadlineSeconds !== undefined && !jobSuspended(job)) {
        const start = parseTime(status.startTime) ?? now;
        requeueAt(jc, spec.activeDeadlineSeconds * 1000 - (now - start));
      }
    }

    if (isIndexed(job)) {
      const completions = spec.completions ?? 0;
      jc.prevSucceededIndexes = parseIntervals(status.completedIndexes, completions);
      const newIx = indexesOf(pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p) && completionIndex(p) < completions));
      jc.succeededIndexes = withOrderedIndexes(jc.prevSucceededIndexes, newIx);
      jc.succeeded = total(jc.succeededIndexes);
      if (!jc.finishedCondition) {
        const msg = matchSuccessPolicy(spec.successPolicy, completions, jc.succeededIndexes);
        if (msg !== undefined) jc.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
      }
    }

    let suspendCondChanged = false;
    let manageErr: unknown;
    if (jc.finishedCondition) {
      // Finished: active pods are deleted; the finalizers keep them until counted.
      const { deletedReady, deleted, error } = await this.deleteActivePods(job, jc.activePods, signal);
      if (deleted !== active || !satisfied) jc.finishedCondition = undefined;
      active -= deleted;
      jc.terminating += deleted;
      jc.ready -= deletedReady;
      manageErr = error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const r = await this.manageJob(key, jc, signal);
        active = r.active;
        manageErr = r.error;
        manageCalled = true;
      }
      const complete = spec.completions === undefined || spec.completions === null ? jc.succeeded > 0 && active === 0 : jc.succeeded >= spec.completions && active === 0;
      if (complete) {
        jc.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (manageCalled) {
        if (jobSuspended(job)) {
          if (ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
            suspendCondChanged = true;
            this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
          suspendCondChanged = true;
          this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts continuous activity: the clock restarts on resume.
          status.startTime = formatTime(now);
        }
      }
    }

    const needsStatusUpdate = suspendCondChanged || active !== (status.active ?? 0) || jc.ready !== status.ready || jc.terminating !== status.terminating;
    status.active = active;
    status.ready = jc.ready;
    status.terminating = jc.terminating;
    await this.trackStatusAndRemoveFinalizers(key, jc, needsStatusUpdate, signal);
    if (manageErr !== undefined) throw manageErr;
    return jc.requeueAfterMs !== undefined ? { requeueAfterMs: jc.requeueAfterMs } : undefined;
  }

  private pastActiveDeadline(job: MutableJob, now: number): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    const start = parseTime(job.status?.startTime);
    if (ads === undefined || ads === null || start === undefined || jobSuspended(job)) return false;
    return now - start >= ads * 1000;
  }

  /** Claims the Job's pods: adopts matching orphans (adding the tracking finalizer) and releases owned pods that no longer match. */
  private async getPodsForJob(job: MutableJob, signal: AbortSignal): Promise<PodObject[]> {
    const selector: Selector = selectorFromLabelSelector(job.spec?.selector);
    const uid = job.metadata?.uid;
    const deleting = Boolean(job.metadata?.deletionTimestamp);
    const podClient = this.client.resource<PodObject>(PODS);
    const claimed: PodObject[] = [];
    const errors: unknown[] = [];
    let canAdopt: Promise<boolean> | undefined;
    // Ours (even if no longer selected) and orphans; pods of other controllers never matter.
    const candidates = [...this.podLister.byIndex(POD_OWNER_INDEX, uid ?? ''), ...this.podLister.byIndex(POD_OWNER_INDEX, `orphan/${job.metadata?.namespace ?? ''}`)];
    for (const pod of candidates) {
      if (pod.metadata?.namespace !== job.metadata?.namespace) continue;
      const ref = getControllerOf(pod);
      const matches = selector.matches(pod.metadata?.labels ?? {});
      const podName = pod.metadata?.name ?? '';
      const opts = { namespace: pod.metadata?.namespace, signal };
      try {
        if (ref) {
          if (ref.uid !== uid) continue;
          if (matches || deleting) {
            if (matches) claimed.push(pod);
            continue;
          }
          await podClient.patch(podName, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: pod.metadata?.uid } }, opts);
          continue;
        }
        if (!matches || deleting || pod.metadata?.deletionTimestamp) continue;
        canAdopt ??= this.client
          .resource<JobObject>(JOBS)
          .get(job.metadata?.name ?? '', { namespace: job.metadata?.namespace, signal })
          .then((fresh) => fresh.metadata?.uid === uid && !fresh.metadata?.deletionTimestamp);
        if (!(await canAdopt)) continue;
        const adopted = await podClient.patch(
          podName,
          'strategic',
          { metadata: { ownerReferences: [newControllerRef(job, CONTROLLER_KIND)], finalizers: [JOB_TRACKING_FINALIZER], uid: pod.metadata?.uid } },
          opts,
        );
        // Counted from the adopted state even if the cache has not seen the patch yet.
        const copy = structuredClone(adopted);
        if (!hasTrackingFinalizer(copy)) (copy.metadata as DeepMutable<KubeObject['metadata']> & object).finalizers = [...(copy.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER];
        claimed.push(copy);
      } catch (e) {
        if (!isNotFound(e)) errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
    return claimed;
  }

  /** Creates or deletes pods towards the wanted number of active pods; returns the new active count and the first error. */
  private async manageJob(key: string, jc: SyncCtx, signal: AbortSignal): Promise<{ active: number; error?: unknown }> {
    const job = jc.job;
    const spec = job.spec!;
    let active = jc.activePods.length;
    const parallelism = spec.parallelism ?? 1;

    if (jobSuspended(job)) {
      const rm = activePodsForRemoval(job, jc.activePods, active);
      this.expectations.expectDeletions(key, rm.length);
      const r = await this.deleteJobPods(key, job, rm, signal);
      active -= r.deleted;
      jc.terminating += r.deleted;
      jc.ready -= r.deletedReady;
      return { active, error: r.error };
    }

    let wantActive: number;
    if (spec.completions === undefined || spec.completions === null) {
      // Without completions, any success ends the Job: keep what runs, start nothing new.
      wantActive = jc.succeeded > 0 ? active : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(spec.completions - jc.succeeded, parallelism));
    }

    const rmAtLeast = Math.max(0, active - wantActive);
    const rm = activePodsForRemoval(job, jc.activePods, rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (rm.length > 0) {
      // A sync either deletes or creates, deletion first.
      this.expectations.expectDeletions(key, rm.length);
      const r = await this.deleteJobPods(key, job, rm, signal);
      active -= r.deleted;
      jc.terminating += r.deleted;
      jc.ready -= r.deletedReady;
      return { active, error: r.error };
    }

    const terminating = onlyReplaceFailedPods(job) ? jc.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    const remaining = remainingBackoff(jc.newBackoffRecord, this.now());
    if (remaining > 0) {
      requeueAt(jc, Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS));
      return { active };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (isIndexed(job)) {
      let nonPending = withOrderedIndexes(jc.succeededIndexes, indexesOf(jc.activePods));
      if (onlyReplaceFailedPods(job)) nonPending = withOrderedIndexes(nonPending, indexesOf(jc.pods.filter((p) => !isPodTerminal(p) && p.metadata?.deletionTimestamp)));
      indexes = firstPendingIndexes(nonPending, diff, spec.completions ?? 0);
      diff = indexes.length;
      if (diff === 0) return { active };
    }

    this.expectations.expectCreations(key, diff);
    active += diff;
    const template = structuredClone(spec.template) as DeepMutable<PodTemplateSpec>;
    if (isIndexed(job)) addCompletionIndexEnv(template);
    template.metadata ??= {};
    const finalizers = (template.metadata.finalizers ??= []);
    if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
    const ref = newControllerRef(job, CONTROLLER_KIND);
    const jobName = job.metadata?.name ?? '';

    // Slow start: batches of 1, 2, 4… stop at the first batch with a failure.
    const errors: unknown[] = [];
    let remainingToCreate = diff;
    for (let batch = Math.min(diff, 1); remainingToCreate > 0; batch = Math.min(2 * batch, remainingToCreate)) {
      const errorsBefore = errors.length;
      const batchIndexes = indexes.splice(0, batch);
      const slots = Array.from({ length: batch }, (_, i) => batchIndexes[i] ?? UNKNOWN_INDEX);
      await forEachLimit(slots, API_CONCURRENCY, async (ix) => {
        try {
          await this.podControl.createPod(template, job, ref, {
            signal,
            mutate:
              ix === UNKNOWN_INDEX
                ? undefined
                : (pod) => {
                    const meta = pod.metadata!;
                    meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: String(ix) };
                    meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: String(ix) };
                    meta.generateName = generateNameWithIndex(jobName, ix);
                    pod.spec!.hostname = `${jobName}-${ix}`;
                  },
          });
        } catch (e) {
          // A namespace being deleted refuses every create: nothing to retry.
          if (isStatusError(e) && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
          this.expectations.creationObserved(key);
          active--;
          errors.push(e);
        }
      });
      const skipped = remainingToCreate - batch;
      if (errors.length > errorsBefore && skipped > 0) {
        active -= skipped;
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
        break;
      }
      remainingToCreate -= batch;
    }
    return { active, error: errors[0] };
  }

  /** Deletes the pods of a finished Job, keeping their finalizers until they are counted. */
  private async deleteActivePods(job: MutableJob, pods: readonly PodObject[], signal: AbortSignal): Promise<{ deletedReady: number; deleted: number; error?: unknown }> {
    let deleted = pods.length;
    let deletedReady = 0;
    let error: unknown;
    await forEachLimit(pods, API_CONCURRENCY, async (pod) => {
      try {
        await this.podControl.deletePod(job.metadata?.namespace ?? '', pod.metadata?.name ?? '', job, signal);
      } catch (e) {
        deleted--;
        error ??= e;
      }
      if (isPodReady(pod)) deletedReady++;
    });
    return { deletedReady, deleted, error };
  }

  /** Deletes surplus pods of a running Job: their finalizer first, as they will not count. */
  private async deleteJobPods(key: string, job: MutableJob, pods: readonly PodObject[], signal: AbortSignal): Promise<{ deletedReady: number; deleted: number; error?: unknown }> {
    let deleted = pods.length;
    let deletedReady = 0;
    let error: unknown;
    const fail = (e: unknown): void => {
      this.expectations.deletionObserved(key);
      if (isNotFound(e)) return;
      deleted--;
      error ??= e;
    };
    await forEachLimit(pods, API_CONCURRENCY, async (pod) => {
      if (hasTrackingFinalizer(pod)) {
        try {
          await this.removeFinalizer(pod, signal);
        } catch (e) {
          fail(e);
          return;
        }
      }
      try {
        await this.podControl.deletePod(job.metadata?.namespace ?? '', pod.metadata?.name ?? '', job, signal);
      } catch (e) {
        fail(e);
      }
      if (isPodReady(pod)) deletedReady++;
    });
    return { deletedReady, deleted, error };
  }

  /**
   * Records finished pods in status.uncountedTerminatedPods, removes their finalizers, moves
   * them into the counters, and adds the terminal condition when everything is counted (upstream
   * trackJobStatusAndRemoveFinalizers).
   */
  private async trackStatusAndRemoveFinalizers(key: string, jc: SyncCtx, needsFlushIn: boolean, signal: AbortSignal): Promise<void> {
    let needsFlush = needsFlushIn;
    const job = jc.job;
    const spec = job.spec!;
    const indexed = isIndexed(job);
    const completions = spec.completions ?? 0;
    const pods = indexed ? [...jc.pods].sort(byCompletionIndex) : jc.pods;
    const uidsWithFinalizer = new Set<string>();
    for (const p of pods) {
      const uid = p.metadata?.uid ?? '';
      if (hasTrackingFinalizer(p) && !jc.expectedRmFinalizers.has(uid)) uidsWithFinalizer.add(uid);
    }
    if (cleanUncounted(job, uidsWithFinalizer)) needsFlush = true;
    const uncounted = job.status!.uncountedTerminatedPods!;
    const toRemove: PodObject[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(pod) || jc.expectedRmFinalizers.has(uid)) continue; // counted before
      const consideredFailed = isPodFailed(pod, job);
      if (!(job.metadata?.deletionTimestamp || jc.finishedCondition || pod.status?.phase === 'Succeeded' || consideredFailed)) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !jc.uncountedFailed.has(uid)) {
        if (indexed) {
          // The index is enough not to count a success twice.
          const ix = completionIndex(pod);
          if (ix !== UNKNOWN_INDEX && ix < completions && !has(jc.prevSucceededIndexes, ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!jc.uncountedSucceeded.has(uid)) {
          needsFlush = true;
          (uncounted.succeeded ??= []).push(uid);
        }
      } else if (consideredFailed || (jc.finishedCondition && jc.finishedCondition.type !== 'SuccessCriteriaMet')) {
        // Once the Job has failed, every pod not finished yet counts as failed.
        const ix = completionIndex(pod);
        if (!jc.uncountedFailed.has(uid) && (!indexed || (ix !== UNKNOWN_INDEX && ix < completions))) {
          if (!spec.podFailurePolicy || matchPodFailurePolicy(spec.podFailurePolicy, pod).countFailed) {
            needsFlush = true;
            (uncounted.failed ??= []).push(uid);
          }
        }
      }
      if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      jc.succeededIndexes = withOrderedIndexes(jc.succeededIndexes, [...new Set(newSucceededIndexes)].sort((a, b) => a - b));
      const s = formatIntervals(jc.succeededIndexes);
      if (s !== (job.status!.completedIndexes ?? '')) needsFlush = true;
      job.status!.succeeded = total(jc.succeededIndexes);
      job.status!.completedIndexes = s;
    }
    const now = this.now();
    if (jc.finishedCondition?.type === 'FailureTarget') {
      // The interim condition is written before the finalizers go; Failed follows.
      (job.status!.conditions ??= []).push(jc.finishedCondition);
      needsFlush = true;
      jc.finishedCondition = newCondition('Failed', 'True', jc.finishedCondition.reason ?? '', jc.finishedCondition.message ?? '', now);
    }
    if (jc.finishedCondition?.type === 'SuccessCriteriaMet' && jc.finishedCondition.status === 'True') {
      if (!successCriteriaMet(job)) {
        (job.status!.conditions ??= []).push(jc.finishedCondition);
        needsFlush = true;
      }
      jc.finishedCondition = newCondition('Complete', 'True', jc.finishedCondition.reason ?? '', jc.finishedCondition.message ?? '', now);
    }

    needsFlush = await this.flushUncountedAndRemoveFinalizers(key, jc, toRemove, uidsWithFinalizer, needsFlush, signal);
    const finished = !reachedMax && this.enactJobFinished(jc);
    if (finished) needsFlush = true;
    if (needsFlush) {
      jc.job = (await this.client.resource<MutableJob>(JOBS).updateStatus(jc.job, { namespace: jc.job.metadata?.namespace, signal })) as MutableJob;
      if (finished && jc.finishedCondition) this.recordJobFinished(jc.job, jc.finishedCondition);
    }
  }

  /** Returns whether status changes are still pending. */
  private async flushUncountedAndRemoveFinalizers(
    key: string,
    jc: SyncCtx,
    toRemove: readonly PodObject[],
    uidsWithFinalizer: Set<string>,
    needsFlushIn: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    let needsFlush = needsFlushIn;
    const jobs = this.client.resource<MutableJob>(JOBS);
    if (needsFlush) {
      jc.job = (await jobs.updateStatus(jc.job, { namespace: jc.job.metadata?.namespace, signal })) as MutableJob;
      this.backoff.update(jc.newBackoffRecord);
      needsFlush = false;
    }
    let rmErr: unknown;
    if (toRemove.length > 0) {
      this.expectFinalizersRemoved(
        key,
        toRemove.map((p) => p.metadata?.uid ?? ''),
      );
      await forEachLimit(toRemove, API_CONCURRENCY, async (pod) => {
        const uid = pod.metadata?.uid ?? '';
        try {
          await this.removeFinalizer(pod, signal);
          uidsWithFinalizer.delete(uid);
        } catch (e) {
          // No update will show the removal: stop expecting it.
          this.finalizerRemovalObserved(key, uid);
          if (isNotFound(e)) uidsWithFinalizer.delete(uid);
          else rmErr ??= e;
        }
      });
    }
    jc.job.status ??= {};
    jc.job.status.uncountedTerminatedPods ??= {};
    if (cleanUncounted(jc.job, uidsWithFinalizer)) needsFlush = true;
    if (rmErr !== undefined && needsFlush) {
      // Keep the partial progress before retrying.
      jc.job = (await jobs.updateStatus(jc.job, { namespace: jc.job.metadata?.namespace, signal })) as MutableJob;
    }
    if (rmErr !== undefined) throw rmErr;
    return needsFlush;
  }

  /** Adds Complete or Failed once nothing is uncounted or terminating. */
  private enactJobFinished(jc: SyncCtx): boolean {
    const cond = jc.finishedCondition;
    if (!cond) return false;
    const status = (jc.job.status ??= {});
    const u = status.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (jc.terminating > 0) return false;
    ensureCondition(status, cond.type, cond.status, cond.reason ?? '', cond.message ?? '', this.now());
    if (cond.type === 'Complete') status.completionTime = findCondition(status.conditions, 'Complete')?.lastTransitionTime ?? formatTime(this.now());
    return true;
  }

  private recordJobFinished(job: MutableJob, cond: Condition): void {
    if (cond.type === 'Complete') {
      const completions = job.spec?.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        this.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else {
      this.recorder.event(job, 'Warning', cond.reason ?? '', cond.message ?? '');
    }
    this.log.debug({ job: objectKey(job), condition: cond.type }, 'job finished');
  }
}

// ---- helpers ----

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

function parseTime(s: string | undefined): number | undefined {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** metav1.Time on the wire: RFC 3339 in UTC with whole seconds. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function requeueAt(jc: SyncCtx, ms: number): void {
  const d = Math.max(0, ms);
  jc.requeueAfterMs = jc.requeueAfterMs === undefined ? d : Math.min(jc.requeueAfterMs, d);
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function hasTrackingFinalizer(pod: PodObject): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

function managedByExternal(job: JobObject): boolean {
  const m = job.spec?.managedBy;
  return m !== undefined && m !== null && m !== JOB_CONTROLLER_MANAGED_BY;
}

/** Complete or Failed is True. */
export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

function jobSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** podReplacementPolicy Failed (implied by a pod failure policy): replace a pod only once it failed. */
function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || Boolean(job.spec?.podFailurePolicy);
}

/** Failed, or — unless only failed pods are replaced — being deleted before it succeeded. */
function isPodFailed(p: PodObject, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(p.metadata?.deletionTimestamp) && p.status?.phase !== 'Succeeded';
}

/** Finished pods not yet counted: they still have the finalizer and are not in the uncounted lists. */
function validPods(jc: SyncCtx, uncounted: ReadonlySet<string>, filter: (p: PodObject) => boolean): PodObject[] {
  const completions = jc.job.spec?.completions ?? 0;
  const indexed = isIndexed(jc.job);
  return jc.pods.filter((p) => {
    const uid = p.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || jc.expectedRmFinalizers.has(uid)) return false;
    if (indexed) {
      const ix = completionIndex(p);
      if (ix === UNKNOWN_INDEX || ix >= completions) return false;
    }
    return filter(p);
  });
}

function failJobMessage(job: MutableJob, pods: readonly PodObject[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}

/** With restartPolicy OnFailure, container restarts of running pods count towards backoffLimit. */
function pastBackoffLimitOnFailure(job: MutableJob, pods: readonly PodObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of p.status.initContainerStatuses ?? []) restarts += s.restartCount ?? 0;
    for (const s of p.status.containerStatuses ?? []) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Pods to delete: for Indexed Jobs repeated/invalid indexes first, then the least valuable. */
function activePodsForRemoval(job: MutableJob, pods: readonly PodObject[], rmAtLeast: number): PodObject[] {
  let rm: PodObject[] = [];
  let left: PodObject[];
  if (isIndexed(job)) [rm, left] = duplicatedIndexPodsForRemoval(pods, job.spec?.completions ?? 0);
  else left = [...pods];
  if (rm.length < rmAtLeast) {
    left.sort(compareForDeletion);
    rm = rm.concat(left.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

function findCondition(list: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return list?.find((c) => c.type === type);
}

function successCriteriaMet(job: Job): Condition | undefined {
  const c = findCondition(job.status?.conditions, 'SuccessCriteriaMet');
  return c?.status === 'True' ? (structuredClone(c) as Condition) : undefined;
}

function newCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = formatTime(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Sets a condition (upstream ensureJobConditionStatus): replaced when status, reason or message
 * differ; never added as False. Returns whether anything changed.
 */
function ensureCondition(status: DeepMutable<NonNullable<Job['status']>>, type: string, cstatus: string, reason: string, message: string, now: number): boolean {
  const list = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status !== cstatus || (c.reason ?? '') !== reason || (c.message ?? '') !== message) {
      list[i] = newCondition(type, cstatus, reason, message, now);
      return true;
    }
    return false;
  }
  if (cstatus !== 'False') {
    list.push(newCondition(type, cstatus, reason, message, now));
    return true;
  }
  return false;
}

/** Moves uncounted UIDs whose finalizer is gone into the counters; returns whether anything moved. */
function cleanUncounted(job: MutableJob, uidsWithFinalizer: ReadonlySet<string>): boolean {
  const status = (job.status ??= {});
  const u = (status.uncountedTerminatedPods ??= {});
  let updated = false;
  const keepS = (u.succeeded ?? []).filter((x) => uidsWithFinalizer.has(x));
  if (keepS.length !== (u.succeeded?.length ?? 0)) {
    updated = true;
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded!.length - keepS.length);
    if (keepS.length > 0) u.succeeded = keepS;
    else delete u.succeeded;
  }
  const keepF = (u.failed ?? []).filter((x) => uidsWithFinalizer.has(x));
  if (keepF.length !== (u.failed?.length ?? 0)) {
    updated = true;
    status.failed = (status.failed ?? 0) + (u.failed!.length - keepF.length);
    if (keepF.length > 0) u.failed = keepF;
    else delete u.failed;
  }
  return updated;
}
