import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHistogram } from 'node:perf_hooks';
import { loopDelayMs, median, percentile, targetRow } from './report.js';

test('percentile is nearest-rank on a sorted array', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('median sorts a copy', () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
});

test('targetRow compares in the stated direction', () => {
  assert.equal(targetRow('rate', 3100, '/s', '>=', 3000).met, true);
  assert.equal(targetRow('rate', 2900, '/s', '>=', 3000).met, false);
  assert.equal(targetRow('p99', 5.01, ' ms', '<=', 5).met, false);
  assert.equal(targetRow('p99', 4, ' ms', '<=', 5, 2).value, '4.00 ms');
});

test('loopDelayMs reads an event-loop delay histogram as the excess over its resolution', () => {
  const h = createHistogram();
  for (let i = 0; i < 99; i++) h.record(5_100_000); // 5.1 ms intervals of a 5 ms timer
  h.record(25_000_000);
  const d = loopDelayMs(h, 5);
  assert.ok(Math.abs(d.p99 - 0.1) < 0.01, `p99 ${d.p99}`);
  assert.ok(Math.abs(d.max - 20) < 0.05, `max ${d.max}`);
  assert.deepEqual(loopDelayMs(createHistogram(), 5), { p99: 0, max: 0 });
});
