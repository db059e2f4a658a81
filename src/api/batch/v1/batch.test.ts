import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ErrorList } from '../../../machinery/field.js';
import { kinds, generateJobSelector } from './index.js';

const msgs = (errs: ErrorList | undefined) => (errs ?? []).map((e) => e.toString());

function job(): Job {
  return {
    metadata: { name: 'pi', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
  };
}

test('Job defaults and generated selector', () => {
  const j = job();
  kinds.Job!.defaults!(j);
  assert.equal(j.spec!.parallelism, 1);
  assert.equal(j.spec!.completions, 1);
  assert.equal(j.spec!.backoffLimit, 6);
  assert.equal(j.spec!.completionMode, 'NonIndexed');
  assert.equal(j.spec!.suspend, false);
  assert.equal(j.spec!.podReplacementPolicy, 'TerminatingOrFailed');
  (j.metadata as { uid?: string }).uid = 'u-1';
  generateJobSelector(j);
  assert.deepEqual(j.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(j.spec!.template.metadata!.labels, {
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u-1',
    'batch.kubernetes.io/controller-uid': 'u-1',
  });
  assert.deepEqual(j.metadata!.labels, j.spec!.template.metadata!.labels);
  assert.deepEqual(msgs(kinds.Job!.validate!(j)), []);

  const p = job();
  p.spec!.parallelism = 3;
  kinds.Job!.defaults!(p);
  assert.equal(p.spec!.completions, undefined);
});

test('Job validation messages', () => {
  const j = job();
  kinds.Job!.defaults!(j);
  (j.metadata as { uid?: string }).uid = 'u-1';
  generateJobSelector(j);
  j.spec!.template.spec!.restartPolicy = 'Always';
  j.spec!.backoffLimit = -1;
  assert.deepEqual(msgs(kinds.Job!.validate!(j)), [
    'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);

  const m = job();
  kinds.Job!.defaults!(m);
  (m.metadata as { uid?: string }).uid = 'u-2';
  m.spec!.manualSelector = true;
  m.spec!.selector = { matchLabels: { a: 'b' } };
  assert.deepEqual(msgs(kinds.Job!.validate!(m)), [
    'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
  ]);
});

test('Job template is immutable unless suspended and never started', () => {
  const old = job();
  kinds.Job!.defaults!(old);
  (old.metadata as { uid?: string }).uid = 'u';
  generateJobSelector(old);
  const upd = structuredClone(old);
  upd.spec!.template.spec!.containers[0]!.image = 'other';
  upd.spec!.completions = 4;
  const got = msgs(kinds.Job!.validateUpdate!(upd, old));
  assert.equal(got.length, 2, got.join('\n'));
  assert.match(got[0]!, /^spec\.completions: Invalid value: 4: field is immutable$/);
  assert.match(got[1]!, /^spec\.template: Invalid value: .*: field is immutable$/);

  const suspended = structuredClone(old);
  suspended.spec!.suspend = true;
  const withNodeSelector = structuredClone(suspended);
  withNodeSelector.spec!.template.spec!.nodeSelector = { zone: 'a' };
  assert.deepEqual(msgs(kinds.Job!.validateUpdate!(withNodeSelector, suspended)), []);
});

function cronJob(name = 'hello', schedule = '*/1 * * * *'): CronJob {
  return {
    metadata: { name },
    spec: {
      schedule,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
  };
}

test('CronJob defaults and validation', () => {
  const k = kinds.CronJob!;
  const c = cronJob();
  k.defaults!(c);
  assert.equal(c.spec!.concurrencyPolicy, 'Allow');
  assert.equal(c.spec!.suspend, false);
  assert.equal(c.spec!.successfulJobsHistoryLimit, 3);
  assert.equal(c.spec!.failedJobsHistoryLimit, 1);
  assert.equal(c.spec!.jobTemplate.spec!.backoffLimit, 6);
  assert.deepEqual(msgs(k.validate!(c)), []);

  const bad = cronJob('a'.repeat(53), 'TZ=UTC 61 * * * *');
  k.defaults!(bad);
  bad.spec!.timeZone = 'Mars/Olympus';
  assert.deepEqual(msgs(k.validate!(bad)), [
    'spec.schedule: Invalid value: "TZ=UTC 61 * * * *": end of range (61) above maximum (59): 61',
    'spec.schedule: Invalid value: "TZ=UTC 61 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    `metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`,
  ]);

  const z = cronJob('z', '0 9 * * *');
  k.defaults!(z);
  z.spec!.timeZone = 'Europe/Berlin';
  z.spec!.concurrencyPolicy = 'Sometimes' as never;
  assert.deepEqual(msgs(k.validate!(z)), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
});
