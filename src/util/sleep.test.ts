import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from './sleep.js';

test('sleep resolves after its time, or at once when aborted', async () => {
  const ac = new AbortController();
  let t0 = performance.now();
  await sleep(20, ac.signal);
  assert.ok(performance.now() - t0 >= 15, 'waited');
  t0 = performance.now();
  const p = sleep(10_000, ac.signal);
  ac.abort();
  await p;
  assert.ok(performance.now() - t0 < 1000, 'aborted early');
  await sleep(10_000, ac.signal); // already aborted: resolves at once
});
