import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool } from './workers.js';
import { RateLimitingQueue } from '../../client/workqueue/queue.js';
import { ItemExponentialFailureRateLimiter } from '../../client/workqueue/rate-limiter.js';
import { nopLogger } from '../../logging/index.js';

test('a key is never synced concurrently; errors retry with backoff; requeueAfter comes back', async () => {
  let active = 0;
  let maxActive = 0;
  const calls = new Map<string, number>();
  const pool = new WorkerPool<string>({
    name: 't',
    logger: nopLogger(),
    workers: 4,
    queue: new RateLimitingQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 10) }),
    sync: async (key) => {
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      if (key === 'same') {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
      }
      if (key === 'flaky' && n < 3) throw new Error('not yet');
      if (key === 'later' && n === 1) return { requeueAfterMs: 20 };
    },
  });
  const ac = new AbortController();
  pool.start(ac.signal);
  pool.queue.add('same');
  await new Promise((r) => setTimeout(r, 2));
  pool.queue.add('same');
  pool.queue.add('same');
  pool.queue.add('flaky');
  pool.queue.add('later');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(maxActive, 1);
  assert.equal(calls.get('same'), 2, 'adds during processing collapse into one more sync');
  assert.equal(calls.get('flaky'), 3);
  assert.equal(pool.queue.numRequeues('flaky'), 0, 'success forgets the failures');
  assert.equal(calls.get('later'), 2);
  ac.abort();
  await pool.close();
});

test('close aborts running syncs and awaits them', async () => {
  let sawAbort = false;
  const pool = new WorkerPool<string>({
    name: 't',
    logger: nopLogger(),
    workers: 1,
    sync: (_key, signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          sawAbort = true;
          resolve();
        });
      }),
  });
  pool.start(new AbortController().signal);
  pool.queue.add('k');
  await new Promise((r) => setTimeout(r, 5));
  await pool.close();
  assert.equal(sawAbort, true);
});
