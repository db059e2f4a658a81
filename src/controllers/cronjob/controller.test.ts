import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { CRONJOBS, JOBS } from '../../client/resources.js';
import type { DeepMutable } from '../../util/mutable.js';
import { testContext } from '../shared/testing.js';
import { create, CronJobController, CRONJOB_SCHEDULED_TIMESTAMP, NAME } from './controller.js';

type MCronJob = DeepMutable<CronJob> & KubeObject;
type MJob = DeepMutable<Job> & KubeObject;
const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function newCronJob(spec: Partial<MCronJob['spec']> = {}, status: MCronJob['status'] = {}): MCronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', creationTimestamp: iso(T0) },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'x' }, annotations: { note: 'y' } },
        spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
      ...spec,
    } as MCronJob['spec'],
    status,
  };
}

function childJob(name: string, opts: { uid?: string; finished?: 'Complete' | 'Failed'; start?: number; completion?: number } = {}): MJob {
  const conditions = opts.finished ? [{ type: opts.finished, status: 'True' }] : [];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', uid: opts.uid ?? `uid-${name}`, resourceVersion: '5', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true }] },
    spec: { template: {} },
    status: { conditions, ...(opts.start !== undefined ? { startTime: iso(opts.start) } : {}), ...(opts.completion !== undefined ? { completionTime: iso(opts.completion) } : {}) },
  };
}

const ref = (j: MJob) => ({ kind: 'Job', namespace: 'ns', name: j.metadata!.name!, uid: j.metadata!.uid!, apiVersion: 'batch/v1' });

function setup(now: number) {
  const t = testContext({ now });
  const c = new CronJobController(t.ctx, { defaultTimeZone: 'UTC' });
  const cronjobs = t.informers.forResource(CRONJOBS);
  const jobs = t.informers.forResource(JOBS);
  const addCronJob = (cj: MCronJob): void => {
    cronjobs.add(t.client.seed(CRONJOBS, cj));
  };
  const addJob = (j: MJob): void => {
    jobs.add(t.client.seed(JOBS, j));
  };
  const stored = () => t.client.stored<MCronJob>(CRONJOBS, 'ns', 'cj')!;
  return { ...t, c, addCronJob, addJob, stored };
}

test('a due schedule creates the Job named after the scheduled minute, and requeues for the next', async () => {
  assert.equal(NAME, 'cronjob-controller');
  const s = setup(T0 + 5 * MIN + 10_000);
  s.addCronJob(newCronJob());
  const r = await s.c.sync('ns/cj', signal);
  const name = `cj-${(T0 + 5 * MIN) / MIN}`;
  assert.deepEqual(s.client.writes(), [`create jobs ns/${name}`, 'update cronjobs/status ns/cj']);
  const job = s.client.stored<MJob>(JOBS, 'ns', name)!;
  assert.deepEqual(job.metadata?.labels, { app: 'x' });
  assert.deepEqual(job.metadata?.annotations, { note: 'y', [CRONJOB_SCHEDULED_TIMESTAMP]: '2026-01-01T00:05:00Z' });
  assert.deepEqual(job.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(job.spec?.template?.spec?.restartPolicy, 'OnFailure');
  const st = s.stored().status!;
  assert.equal(st.lastScheduleTime, '2026-01-01T00:05:00Z');
  assert.deepEqual(
    st.active?.map((a) => [a.kind, a.name, a.uid, a.apiVersion]),
    [['Job', name, job.metadata!.uid!, 'batch/v1']],
  );
  assert.deepEqual(s.recorder.lines(), [`Normal SuccessfulCreate Created job ${name}`]);
  assert.deepEqual(r, { requeueAfterMs: 5 * MIN - 10_000 + 100 });
});

test('nothing due: no writes, requeue for the next time; suspended: nothing at all', async () => {
  const s = setup(T0 + MIN);
  s.addCronJob(newCronJob());
  assert.deepEqual(await s.c.sync('ns/cj', signal), { requeueAfterMs: 4 * MIN + 100 });
  assert.deepEqual(s.client.writes(), []);

  const s2 = setup(T0 + 60 * MIN);
  s2.addCronJob(newCronJob({ suspend: true }));
  assert.equal(await s2.c.sync('ns/cj', signal), undefined);
  assert.deepEqual(s2.client.writes(), []);
});

test('concurrencyPolicy Forbid skips while a Job runs; Replace deletes it first', async () => {
  const running = childJob('cj-old');
  const s = setup(T0 + 5 * MIN);
  s.addCronJob(newCronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref(running)], lastScheduleTime: iso(T0) }));
  s.addJob(running);
  await s.c.sync('ns/cj', signal);
  assert.deepEqual(s.client.writes(), []);
  assert.deepEqual(s.recorder.lines(), ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid']);

  const s2 = setup(T0 + 5 * MIN);
  s2.addCronJob(newCronJob({ concurrencyPolicy: 'Replace' }, { active: [ref(running)], lastScheduleTime: iso(T0) }));
  s2.addJob(running);
  await s2.c.sync('ns/cj', signal);
  const name = `cj-${(T0 + 5 * MIN) / MIN}`;
  assert.deepEqual(s2.client.writes(), ['delete jobs ns/cj-old', `create jobs ns/${name}`, 'update cronjobs/status ns/cj']);
  assert.equal(s2.client.actions.find((a) => a.verb === 'delete')!.options?.propagationPolicy, 'Background');
  assert.deepEqual(s2.recorder.lines(), ['Normal SuccessfulDelete Deleted job cj-old', `Normal SuccessfulCreate Created job ${name}`]);
  assert.deepEqual(
    s2.stored().status!.active!.map((a) => a.name),
    [name],
  );
});

test('finished Jobs leave the active list; lastSuccessfulTime; history limits delete the oldest', async () => {
  const s = setup(T0 + 2 * MIN);
  const done = childJob('cj-1', { finished: 'Complete', start: T0 - 10 * MIN, completion: T0 - 9 * MIN });
  const olds = [1, 2, 3, 4].map((i) => childJob(`cj-old${i}`, { finished: 'Complete', start: T0 - (100 - i) * MIN, completion: T0 - (99 - i) * MIN }));
  const failed = [childJob('cj-f1', { finished: 'Failed', start: T0 - 50 * MIN }), childJob('cj-f2', { finished: 'Failed', start: T0 - 40 * MIN })];
  s.addCronJob(newCronJob({}, { active: [ref(done)], lastScheduleTime: iso(T0) }));
  for (const j of [done, ...olds, ...failed]) s.addJob(j);
  await s.c.sync('ns/cj', signal);
  // 5 complete, keep 3: the two oldest go; 2 failed, keep 1.
  assert.deepEqual(s.client.writes(), ['delete jobs ns/cj-old1', 'delete jobs ns/cj-old2', 'delete jobs ns/cj-f1', 'update cronjobs/status ns/cj']);
  const st = s.stored().status!;
  assert.equal(st.active, undefined);
  assert.equal(st.lastSuccessfulTime, iso(T0 - 9 * MIN));
  assert.ok(s.recorder.lines().includes('Normal SawCompletedJob Saw completed job: cj-1, condition: Complete'));
  assert.ok(s.recorder.lines().includes('Normal SuccessfulDelete Deleted job cj-old1'));
});

test('an unfinished Job of ours missing from the active list is reported', async () => {
  const s = setup(T0 + 2 * MIN);
  s.addCronJob(newCronJob({}, { lastScheduleTime: iso(T0) }));
  s.addJob(childJob('cj-stray'));
  await s.c.sync('ns/cj', signal);
  assert.deepEqual(s.recorder.lines(), ['Warning UnexpectedJob Saw a job that the controller did not create or forgot: cj-stray']);
});

test('an active Job that is gone is dropped (MissingJob)', async () => {
  const s = setup(T0 + 2 * MIN);
  s.addCronJob(newCronJob({}, { active: [ref(childJob('cj-gone'))], lastScheduleTime: iso(T0) }));
  await s.c.sync('ns/cj', signal);
  assert.deepEqual(s.recorder.lines(), ['Normal MissingJob Active job went missing: cj-gone']);
  assert.equal(s.stored().status!.active, undefined);
});

test('startingDeadlineSeconds: a start too late is skipped with MissSchedule', async () => {
  const s = setup(T0 + 5 * MIN + 30_000);
  s.addCronJob(newCronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: iso(T0) }));
  await s.c.sync('ns/cj', signal);
  assert.deepEqual(s.client.writes(), []);
  assert.deepEqual(s.recorder.lines(), []);
  // Within the deadline it starts.
  const s2 = setup(T0 + 5 * MIN + 5_000);
  s2.addCronJob(newCronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: iso(T0) }));
  await s2.c.sync('ns/cj', signal);
  assert.equal(s2.client.all(JOBS).length, 1);
});

test('over 100 missed times: TooManyMissedTimes, and only the most recent one runs', async () => {
  const s = setup(T0 + 200 * MIN + 30_000);
  s.addCronJob(newCronJob({ schedule: '* * * * *' }));
  await s.c.sync('ns/cj', signal);
  assert.deepEqual(s.recorder.lines(), ['Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew', `Normal SuccessfulCreate Created job cj-${T0 / MIN + 200}`]);
  assert.equal(s.stored().status!.lastScheduleTime, iso(T0 + 200 * MIN));
});

test('spec.timeZone: schedule and annotation in the zone; bad zones and schedules are reported', async () => {
  const s = setup(Date.parse('2026-01-01T14:00:30Z'));
  s.addCronJob(newCronJob({ schedule: '0 9 * * *', timeZone: 'America/New_York' }));
  await s.c.sync('ns/cj', signal);
  const job = s.client.all<MJob>(JOBS)[0]!;
  assert.equal(job.metadata?.name, `cj-${Date.parse('2026-01-01T14:00:00Z') / MIN}`);
  assert.equal(job.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], '2026-01-01T09:00:00-05:00');

  const s2 = setup(T0 + 5 * MIN);
  s2.addCronJob(newCronJob({ timeZone: 'Nowhere/City' }));
  await s2.c.sync('ns/cj', signal);
  assert.deepEqual(s2.recorder.lines(), ['Warning UnknownTimeZone invalid timeZone: "Nowhere/City": unknown time zone Nowhere/City']);

  const s3 = setup(T0 + 5 * MIN);
  s3.addCronJob(newCronJob({ schedule: '61 * * * *' }));
  await s3.c.sync('ns/cj', signal);
  assert.deepEqual(s3.recorder.lines(), ['Warning UnparseableSchedule unparseable schedule: "61 * * * *" : end of range (61) above maximum (59): 61']);
  assert.deepEqual(s3.client.writes(), []);
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
