import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { PodObject } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { create, JobController, JOB_TRACKING_FINALIZER, NAME, formatTime } from './controller.js';
import { firstPendingIndexes, formatIntervals, parseIntervals, withOrderedIndexes } from './indexed.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './policies.js';
import { BackoffStore, remainingBackoff } from './backoff.js';

type MJob = DeepMutable<Job> & KubeObject;
const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function newJob(name: string, spec: Partial<MJob['spec']> = {}, uid = `uid-${name}`): MJob {
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', uid, generation: 1, creationTimestamp: formatTime(T0) },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    } as MJob['spec'],
  };
}

let podSeq = 0;
function podOf(job: MJob, phase: string, extra: { index?: number; finalizer?: boolean; deleting?: boolean; ready?: boolean; exitCode?: number; finishedAt?: number; conditions?: { type: string; status: string }[] } = {}): PodObject {
  const n = ++podSeq;
  const annotations: Record<string, string> = {};
  if (extra.index !== undefined) annotations['batch.kubernetes.io/job-completion-index'] = String(extra.index);
  const conditions: { type: string; status: string; lastTransitionTime?: string }[] = [...(extra.conditions ?? [])];
  if (extra.ready) conditions.push({ type: 'Ready', status: 'True', lastTransitionTime: formatTime(T0) });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${job.metadata!.name!}-p${n}`,
      namespace: 'ns',
      uid: `pod-${n}`,
      resourceVersion: '1',
      creationTimestamp: formatTime(T0),
      labels: { ...job.spec!.template!.metadata!.labels },
      annotations,
      finalizers: extra.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata!.name!, uid: job.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      ...(extra.deleting ? { deletionTimestamp: formatTime(T0), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase,
      conditions,
      ...(extra.exitCode !== undefined
        ? { containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: extra.exitCode, finishedAt: formatTime(extra.finishedAt ?? T0) } } }] }
        : {}),
    },
  } as PodObject;
}

function setup(now = T0) {
  const t = testContext({ now });
  const c = new JobController(t.ctx);
  const jobs = t.informers.forResource(JOBS);
  const pods = t.informers.forResource(PODS);
  /** Seeds the API and the cache with the same job (resourceVersion included). */
  const addJob = (j: MJob): MJob => {
    const stored = t.client.seed(JOBS, j) as MJob;
    jobs.add(stored);
    return stored;
  };
  const addPod = (p: PodObject): void => {
    t.client.seed(PODS, p);
    pods.add(p);
  };
  const stored = (name: string) => t.client.stored<MJob>(JOBS, 'ns', name)!;
  return { ...t, c, jobs, pods, addJob, addPod, stored };
}

const condTypes = (j: MJob): string[] => (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason ?? ''}`);

test('a new Job gets a pod from its template with the tracking finalizer, and status', async () => {
  assert.equal(NAME, 'job-controller');
  const s = setup();
  s.addJob(newJob('pi'));
  const r = await s.c.sync('ns/pi', signal);
  assert.equal(r, undefined);
  const created = s.client.all<PodObject>(PODS);
  assert.equal(created.length, 1);
  const pod = created[0]!;
  assert.equal(pod.metadata?.generateName, 'pi-');
  assert.deepEqual(pod.metadata?.finalizers, [JOB_TRACKING_FINALIZER]);
  assert.equal(pod.metadata?.labels?.['job-name'], 'pi');
  assert.equal(pod.metadata?.labels?.['batch.kubernetes.io/controller-uid'], 'uid-pi');
  assert.deepEqual(pod.metadata?.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'uid-pi', controller: true, blockOwnerDeletion: true });
  assert.deepEqual(s.recorder.lines(), [`Normal SuccessfulCreate Created pod: ${pod.metadata!.name!}`]);
  const st = s.stored('pi').status!;
  assert.equal(st.active, 1);
  assert.equal(st.ready, 0);
  assert.equal(st.terminating, 0);
  assert.equal(st.startTime, '2026-01-01T00:00:00Z');
  assert.deepEqual(st.uncountedTerminatedPods, {});
  // Expectations hold the next sync back until the informer sees the pod.
  s.jobs.update(s.stored('pi'));
  await s.c.sync('ns/pi', signal);
  assert.equal(s.client.all(PODS).length, 1);
});

test('a succeeded pod is counted through uncountedTerminatedPods, then SuccessCriteriaMet and Complete', async () => {
  const s = setup();
  const job = s.addJob(newJob('pi'));
  const pod = podOf(job, 'Succeeded', { exitCode: 0 });
  s.addPod(pod);
  await s.c.sync('ns/pi', signal);
  const writes = s.client.writes();
  assert.deepEqual(writes, ['update jobs/status ns/pi', `patch pods ns/${pod.metadata!.name!}`, 'update jobs/status ns/pi']);
  // The first status write records the pod as uncounted, before its finalizer goes.
  const first = s.client.actions.find((a) => a.verb === 'update')!.object as MJob;
  assert.deepEqual(first.status?.uncountedTerminatedPods, { succeeded: [pod.metadata!.uid!] });
  assert.deepEqual(condTypes(first), ['SuccessCriteriaMet=True:CompletionsReached']);
  const patch = s.client.actions.find((a) => a.verb === 'patch')!;
  assert.deepEqual(patch.object, { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } });
  assert.equal(patch.patchType, 'strategic');
  const st = s.stored('pi').status!;
  assert.equal(st.succeeded, 1);
  assert.deepEqual(st.uncountedTerminatedPods, {});
  assert.deepEqual(condTypes(s.stored('pi')), ['SuccessCriteriaMet=True:CompletionsReached', 'Complete=True:CompletionsReached']);
  assert.equal(s.stored('pi').status!.conditions![1]!.message, 'Reached expected number of succeeded pods');
  assert.equal(st.completionTime, '2026-01-01T00:00:00Z');
  assert.deepEqual(s.recorder.lines(), ['Normal Completed Job completed']);
});

test('counts stay exact when the pod is gone after being recorded as uncounted', async () => {
  const s = setup();
  const job = newJob('pi', { completions: 2, parallelism: 2 });
  job.status = { succeeded: 0, uncountedTerminatedPods: { succeeded: ['gone-uid'] }, startTime: formatTime(T0) };
  s.addJob(job);
  // The pod (and its finalizer) is gone: the uncounted UID moves into succeeded.
  await s.c.sync('ns/pi', signal);
  const st = s.stored('pi').status!;
  assert.equal(st.succeeded, 1);
  assert.deepEqual(st.uncountedTerminatedPods, {});
  // One more pod for the second completion.
  assert.equal(s.client.all(PODS).length, 1);
});

test('failures beyond backoffLimit: FailureTarget, then Failed with the event', async () => {
  const s = setup();
  const job = s.addJob(newJob('bad', { backoffLimit: 0 }));
  s.addPod(podOf(job, 'Failed', { exitCode: 1 }));
  await s.c.sync('ns/bad', signal);
  const j = s.stored('bad');
  assert.deepEqual(condTypes(j), ['FailureTarget=True:BackoffLimitExceeded', 'Failed=True:BackoffLimitExceeded']);
  assert.equal(j.status!.conditions![1]!.message, 'Job has reached the specified backoff limit');
  assert.equal(j.status!.failed, 1);
  assert.equal(j.status!.completionTime, undefined);
  assert.deepEqual(s.recorder.lines(), ['Warning BackoffLimitExceeded Job has reached the specified backoff limit']);
});

test('Failed waits until no pod is terminating', async () => {
  const s = setup();
  const job = s.addJob(newJob('bad', { backoffLimit: 0, parallelism: 2, completions: 2 }));
  s.addPod(podOf(job, 'Failed', { exitCode: 1 }));
  const running = podOf(job, 'Running', { ready: true });
  s.addPod(running);
  await s.c.sync('ns/bad', signal);
  const j = s.stored('bad');
  assert.deepEqual(condTypes(j), ['FailureTarget=True:BackoffLimitExceeded']);
  assert.equal(j.status!.terminating, 1);
  assert.equal(j.status!.active, 0);
  assert.ok(s.client.writes().includes(`delete pods ns/${running.metadata!.name!}`));
  assert.deepEqual(s.recorder.lines(), [`Normal SuccessfulDelete Deleted pod: ${running.metadata!.name!}`]);
});

test('a failed pod is replaced only after the back-off (10 s, doubling), counted from the failure', async () => {
  const s = setup(T0 + 4000);
  const job = s.addJob(newJob('retry', { backoffLimit: 6 }));
  s.addPod(podOf(job, 'Failed', { exitCode: 1, finishedAt: T0 }));
  const r = await s.c.sync('ns/retry', signal);
  assert.deepEqual(r, { requeueAfterMs: 6000 });
  assert.equal(s.client.all(PODS).length, 1); // no replacement yet
  assert.equal(s.stored('retry').status!.failed, 1);
  // Later, with the failed pod counted (no finalizer), the replacement is created.
  s.clock.now = T0 + 10_001;
  const counted = podOf(job, 'Failed', { exitCode: 1, finishedAt: T0, finalizer: false });
  s.pods.delete(s.pods.lister().list('ns')[0]!);
  s.pods.add(counted);
  s.jobs.update(s.stored('retry'));
  await s.c.sync('ns/retry', signal);
  assert.deepEqual(s.recorder.lines().filter((l) => l.includes('SuccessfulCreate')).length, 1);

  const store = new BackoffStore();
  const rec = store.newRecord('k', [], [podOf(job, 'Failed', { exitCode: 1, finishedAt: T0 }), podOf(job, 'Failed', { exitCode: 1, finishedAt: T0 + 1000 })]);
  assert.equal(rec.failuresAfterLastSuccess, 2);
  assert.equal(remainingBackoff(rec, T0 + 1000), 20_000);
  assert.equal(remainingBackoff({ key: 'k', failuresAfterLastSuccess: 12, lastFailureTime: T0 }, T0), 600_000);
});

test('activeDeadlineSeconds: requeue until the deadline, then DeadlineExceeded', async () => {
  const s = setup(T0 + 30_000);
  const job = newJob('slow', { activeDeadlineSeconds: 60 });
  job.status = { startTime: formatTime(T0), active: 1, ready: 1, terminating: 0 };
  const j = s.addJob(job);
  const running = podOf(j, 'Running', { ready: true });
  s.addPod(running);
  assert.deepEqual(await s.c.sync('ns/slow', signal), { requeueAfterMs: 30_000 });
  assert.deepEqual(s.client.writes(), []);
  s.clock.now = T0 + 60_000;
  await s.c.sync('ns/slow', signal);
  assert.deepEqual(condTypes(s.stored('slow')), ['FailureTarget=True:DeadlineExceeded']);
  assert.equal(s.stored('slow').status!.conditions![0]!.message, 'Job was active longer than specified deadline');
  // The pod goes away: the Job fails.
  s.pods.delete(running);
  s.jobs.update(s.stored('slow'));
  await s.c.sync('ns/slow', signal);
  assert.deepEqual(condTypes(s.stored('slow')), ['FailureTarget=True:DeadlineExceeded', 'Failed=True:DeadlineExceeded']);
  assert.ok(s.recorder.lines().includes('Warning DeadlineExceeded Job was active longer than specified deadline'));
});

test('Indexed Jobs: pods per index with annotation, label, hostname; completedIndexes compressed', async () => {
  const s = setup();
  const job = s.addJob(newJob('idx', { completionMode: 'Indexed', completions: 5, parallelism: 2 }));
  await s.c.sync('ns/idx', signal);
  const created = s.client.all<PodObject>(PODS).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  assert.deepEqual(
    created.map((p) => [p.metadata?.generateName, p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], p.spec?.hostname]),
    [
      ['idx-0-', '0', '0', 'idx-0'],
      ['idx-1-', '1', '1', 'idx-1'],
    ],
  );
  assert.deepEqual(created[0]!.spec!.containers[0]!.env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }]);

  // Indexes 0 and 1 succeeded, 2 runs: 3 and 4 are next.
  const s2 = setup();
  const j2 = s2.addJob(newJob('idx', { completionMode: 'Indexed', completions: 5, parallelism: 3 }));
  s2.addPod(podOf(j2, 'Succeeded', { index: 0 }));
  s2.addPod(podOf(j2, 'Succeeded', { index: 1 }));
  s2.addPod(podOf(j2, 'Running', { index: 2 }));
  await s2.c.sync('ns/idx', signal);
  const st = s2.stored('idx').status!;
  assert.equal(st.completedIndexes, '0,1');
  assert.equal(st.succeeded, 2);
  assert.deepEqual(
    s2.client
      .all<PodObject>(PODS)
      .map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'])
      .sort(),
    ['0', '1', '2', '3', '4'],
  );
  void job;
});

test('index intervals, pending indexes and the success policy', () => {
  assert.equal(formatIntervals(withOrderedIndexes(parseIntervals('0-2,5', 10), [3, 7, 8])), '0-3,5,7,8');
  assert.equal(formatIntervals(parseIntervals('0-2,5,9-20', 10)), '0-2,5,9');
  assert.deepEqual(firstPendingIndexes(parseIntervals('0,2-3', 10), 3, 10), [1, 4, 5]);
  assert.deepEqual(firstPendingIndexes(parseIntervals('0-1', 3), 5, 3), [2]);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-2' }] }, 5, parseIntervals('0-1', 5)), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '4' }, { succeededIndexes: '0-2', succeededCount: 2 }] }, 5, parseIntervals('0-1', 5)), 'Matched rules at index 1');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 5, parseIntervals('1,3-4', 5)), 'Matched rules at index 0');
});

test('pod failure policy: FailJob on an exit code fails the Job with its message; Ignore does not count', async () => {
  const policy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
    ],
  };
  const s = setup();
  const job = s.addJob(newJob('pfp', { podFailurePolicy: policy, backoffLimit: 6 }));
  const bad = podOf(job, 'Failed', { exitCode: 42 });
  s.addPod(bad);
  await s.c.sync('ns/pfp', signal);
  const msg = `Container c for pod ns/${bad.metadata!.name!} failed with exit code 42 matching FailJob rule at index 1`;
  assert.deepEqual(condTypes(s.stored('pfp')), ['FailureTarget=True:PodFailurePolicy', 'Failed=True:PodFailurePolicy']);
  assert.equal(s.stored('pfp').status!.conditions![1]!.message, msg);
  assert.deepEqual(s.recorder.lines(), [`Warning PodFailurePolicy ${msg}`]);

  const disrupted = podOf(job, 'Failed', { exitCode: 42, conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  assert.deepEqual(matchPodFailurePolicy(policy, disrupted), { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy(policy, podOf(job, 'Failed', { exitCode: 1 })), { countFailed: true });
  assert.deepEqual(matchPodFailurePolicy(policy, podOf(job, 'Failed', { exitCode: 3 })), { countFailed: true, action: 'Count' });

  // An ignored failure does not count towards backoffLimit (the back-off still applies).
  const s2 = setup();
  const j2 = s2.addJob(newJob('pfp', { podFailurePolicy: policy, backoffLimit: 0 }));
  s2.addPod(podOf(j2, 'Failed', { exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True' }] }));
  assert.deepEqual(await s2.c.sync('ns/pfp', signal), { requeueAfterMs: 10_000 });
  assert.equal(s2.stored('pfp').status!.failed ?? 0, 0);
  assert.deepEqual(condTypes(s2.stored('pfp')), []);
});

test('suspend deletes active pods and sets Suspended; resume resets startTime', async () => {
  const s = setup();
  const job = newJob('sus', { suspend: true });
  job.status = { startTime: formatTime(T0 - 60_000), active: 1, ready: 0, terminating: 0 };
  const j = s.addJob(job);
  const pod = podOf(j, 'Running');
  s.addPod(pod);
  await s.c.sync('ns/sus', signal);
  assert.deepEqual(s.client.writes(), [`patch pods ns/${pod.metadata!.name!}`, `delete pods ns/${pod.metadata!.name!}`, 'update jobs/status ns/sus']);
  const st = s.stored('sus').status!;
  assert.deepEqual(condTypes(s.stored('sus')), ['Suspended=True:JobSuspended']);
  assert.equal(st.active, 0);
  assert.deepEqual(s.recorder.lines(), [`Normal SuccessfulDelete Deleted pod: ${pod.metadata!.name!}`, 'Normal Suspended Job suspended']);

  const s2 = setup(T0 + 5000);
  const resumed = newJob('sus', { suspend: false });
  resumed.status = { startTime: formatTime(T0 - 60_000), conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }] };
  s2.addJob(resumed);
  await s2.c.sync('ns/sus', signal);
  assert.deepEqual(condTypes(s2.stored('sus')), ['Suspended=False:JobResumed']);
  assert.equal(s2.stored('sus').status!.startTime, formatTime(T0 + 5000));
  assert.ok(s2.recorder.lines().includes('Normal Resumed Job resumed'));
});

test('too many pods: the surplus loses its finalizer and is deleted', async () => {
  const s = setup();
  const job = s.addJob(newJob('many', { parallelism: 1, completions: 5 }));
  const a = podOf(job, 'Running', { ready: true });
  const b = podOf(job, 'Pending');
  s.addPod(a);
  s.addPod(b);
  await s.c.sync('ns/many', signal);
  assert.deepEqual(s.client.writes().slice(0, 2), [`patch pods ns/${b.metadata!.name!}`, `delete pods ns/${b.metadata!.name!}`]);
  assert.equal(s.stored('many').status!.active, 1);
});

test('orphan pods lose the tracking finalizer; jobs of other controllers are left alone', async () => {
  const s = setup();
  const job = newJob('gone');
  const orphan = podOf(job, 'Succeeded');
  delete (orphan.metadata as { ownerReferences?: unknown }).ownerReferences;
  s.addPod(orphan);
  await s.c.syncOrphanPod(`ns/${orphan.metadata!.name!}`, signal);
  assert.deepEqual(s.client.writes(), [`patch pods ns/${orphan.metadata!.name!}`]);

  const s2 = setup();
  s2.addJob(newJob('ext', { managedBy: 'example.com/other' }));
  await s2.c.sync('ns/ext', signal);
  assert.deepEqual(s2.client.writes(), []);
});

test('a pod matching the selector without an owner is adopted with the finalizer', async () => {
  const s = setup();
  const job = s.addJob(newJob('adopt'));
  const orphan = podOf(job, 'Running', { finalizer: false });
  delete (orphan.metadata as { ownerReferences?: unknown }).ownerReferences;
  s.addPod(orphan);
  await s.c.sync('ns/adopt', signal);
  const patch = s.client.actions.find((a) => a.verb === 'patch')!;
  assert.deepEqual((patch.object as { metadata: { finalizers: string[] } }).metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  assert.equal(s.client.all(PODS).length, 1); // adopted pod is the active one: nothing created
  assert.equal(s.stored('adopt').status!.active, 1);
});

test('the factory builds a controller that starts and closes', async () => {
  const t = testContext();
  const c = create(t.ctx);
  const ac = new AbortController();
  await c.run(ac.signal);
  ac.abort();
  await c.close();
  await c.close();
});
