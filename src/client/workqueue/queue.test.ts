import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, RateLimitingQueue } from './queue.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rate-limiter.js';

test('adds are de-duplicated while waiting', async () => {
  const q = new Queue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('an item being processed is not handed out again until done, then it is replayed once', async () => {
  const q = new Queue<string>();
  q.add('a');
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'a is processing: the add waits for done');
  let second: string | undefined;
  const p = q.get().then((x) => (second = x));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined);
  q.done('a');
  await p;
  assert.equal(second, 'a');
  q.done('a');
  assert.equal(q.len(), 0);
});

test('a waiting get receives a later add; shutdown releases waiters with undefined', async () => {
  const q = new Queue<string>();
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
  const w = q.get();
  q.shutdown();
  assert.equal(await w, undefined);
  q.add('y');
  assert.equal(q.len(), 0, 'adds after shutdown are dropped');
});

test('shutdownWithDrain waits for items in flight', async () => {
  const q = new Queue<string>();
  q.add('a');
  const a = await q.get();
  let drained = false;
  const d = q.shutdownWithDrain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  q.done(a!);
  await d;
  assert.equal(drained, true);
});

test('item exponential backoff doubles from base to max and resets on forget', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('b')], [5, 10, 20, 5]);
  assert.equal(l.numRequeues('a'), 3);
  for (let i = 0; i < 40; i++) l.when('a');
  assert.equal(l.when('a'), 1000 * 1000);
  l.forget('a');
  assert.equal(l.when('a'), 5);
});

test('bucket limiter allows the burst then spaces at qps', () => {
  let now = 0;
  const l = new BucketRateLimiter<string>(10, 3, () => now);
  assert.deepEqual([l.when('x'), l.when('x'), l.when('x')], [0, 0, 0]);
  assert.equal(Math.round(l.when('x')), 100);
  assert.equal(Math.round(l.when('x')), 200);
  now = 1000;
  // Refilled 10 tokens, capped at the burst of 3; two were owed.
  assert.equal(l.when('x'), 0);
});

test('max-of and the default controller limiter', () => {
  const l = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(5, 100), new ItemExponentialFailureRateLimiter(1, 1000));
  assert.equal(l.when('a'), 5);
  assert.equal(l.numRequeues('a'), 1);
  const d = defaultControllerRateLimiter<string>(() => 0);
  assert.equal(d.when('k'), 5);
  assert.equal(d.when('k'), 10);
});

test('addAfter delivers after the delay, earliest time wins, and addRateLimited backs off', async () => {
  const q = new RateLimitingQueue<string>();
  const t0 = Date.now();
  q.addAfter('late', 80);
  q.addAfter('late', 20);
  q.addAfter('late', 200);
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), 'late');
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 15 && elapsed < 150, `delivered after ${elapsed} ms`);
  q.done('late');
  q.addRateLimited('r');
  q.addRateLimited('r');
  assert.equal(q.numRequeues('r'), 2);
  assert.equal(await q.get(), 'r');
  q.done('r');
  q.forget('r');
  assert.equal(q.numRequeues('r'), 0);
  q.addAfter('never', 10_000);
  q.shutdown();
  assert.equal(await q.get(), undefined);
});
