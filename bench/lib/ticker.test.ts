import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openLoop } from './ticker.js';

test('openLoop calls onDue once per tick, in order, never before its scheduled time', async () => {
  const seen: { k: number; scheduledAt: number; calledAt: number }[] = [];
  const t0 = performance.now();
  await openLoop(2, 25, (k, scheduledAt) => seen.push({ k, scheduledAt, calledAt: performance.now() }));
  assert.deepEqual(
    seen.map((s) => s.k),
    [...Array(25).keys()],
  );
  // The worker's clock and this thread's agree to well under a microsecond.
  for (const s of seen) assert.ok(s.calledAt >= s.scheduledAt - 0.001, `tick ${s.k} called ${s.scheduledAt - s.calledAt} ms early`);
  assert.ok(seen[0]!.scheduledAt >= t0);
  assert.ok(Math.abs(seen[24]!.scheduledAt - seen[0]!.scheduledAt - 48) < 1e-6);
});

test('openLoop with no ticks calls nothing', async () => {
  let calls = 0;
  await openLoop(1, 0, () => calls++);
  assert.equal(calls, 0);
});
