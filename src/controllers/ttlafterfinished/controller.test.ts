import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { JOBS } from '../../client/resources.js';
import type { DeepMutable } from '../../util/mutable.js';
import { testContext } from '../shared/testing.js';
import { create, NAME, TTLAfterFinishedController, needsCleanup } from './controller.js';

type MJob = DeepMutable<Job> & KubeObject;
const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function job(ttl: number | undefined, finishedAt: number | undefined, type = 'Complete'): MJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'ns' },
    spec: { template: {}, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
    status: finishedAt === undefined ? {} : { conditions: [{ type, status: 'True', lastTransitionTime: iso(finishedAt) }] },
  };
}

function setup(now: number, j: MJob) {
  const t = testContext({ now });
  const c = new TTLAfterFinishedController(t.ctx);
  const stored = t.client.seed(JOBS, j);
  t.informers.forResource(JOBS).add(stored);
  return { ...t, c, stored };
}

test('a finished Job is deleted in the foreground with a uid precondition once its TTL passed', async () => {
  assert.equal(NAME, 'ttl-after-finished-controller');
  const s = setup(T0 + 100_000, job(100, T0, 'Failed'));
  assert.equal(await s.c.sync('ns/j', signal), undefined);
  assert.deepEqual(s.client.writes(), ['delete jobs ns/j']);
  const del = s.client.actions.find((a) => a.verb === 'delete')!;
  assert.deepEqual(del.options?.propagationPolicy, 'Foreground');
  assert.deepEqual(del.options?.preconditions, { uid: s.stored.metadata!.uid });
});

test('before the TTL the Job is requeued for when it expires', async () => {
  const s = setup(T0 + 30_000, job(100, T0));
  assert.deepEqual(await s.c.sync('ns/j', signal), { requeueAfterMs: 70_000 });
  assert.deepEqual(s.client.writes(), []);
});

test('Jobs without a TTL, unfinished or being deleted are left alone', async () => {
  for (const j of [job(undefined, T0), job(10, undefined), { ...job(10, T0), metadata: { name: 'j', namespace: 'ns', deletionTimestamp: iso(T0) } }]) {
    const s = setup(T0 + 3_600_000, j);
    assert.equal(await s.c.sync('ns/j', signal), undefined);
    assert.deepEqual(s.client.writes(), []);
  }
  assert.equal(needsCleanup(job(0, T0)), true);
  assert.equal(needsCleanup(job(0, T0, 'SuccessCriteriaMet')), false);
});

test('a TTL extended meanwhile (fresh read) defers the deletion', async () => {
  const s = setup(T0 + 100_000, job(100, T0));
  const fresh = structuredClone(s.client.stored<MJob>(JOBS, 'ns', 'j')!);
  fresh.spec!.ttlSecondsAfterFinished = 1000;
  s.client.seed(JOBS, fresh);
  assert.deepEqual(await s.c.sync('ns/j', signal), { requeueAfterMs: 900_000 });
  assert.deepEqual(s.client.writes(), []);
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
