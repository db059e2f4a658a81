import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CpuMeter, cpuSeconds, machineBusySeconds, parseShebang, rssMiB, settlesWithin } from './server.js';

test('process figures come from /proc', () => {
  assert.ok(rssMiB(process.pid) > 10);
  const before = cpuSeconds(process.pid);
  const busy0 = machineBusySeconds();
  const meter = new CpuMeter(process.pid);
  const end = performance.now() + 300;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  assert.ok(cpuSeconds(process.pid) > before);
  assert.ok(machineBusySeconds() > busy0);
  const r = meter.read();
  // This process spun one core for the whole interval.
  assert.ok(r.server > 50 && r.client > 50, JSON.stringify(r));
});

test('parseShebang splits the environment bin/k8ts sets from its Node flags', () => {
  assert.deepEqual(parseShebang('#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4'), { env: { MALLOC_ARENA_MAX: '2' }, flags: ['--max-semi-space-size=4'] });
  assert.deepEqual(parseShebang('#!/usr/bin/env -S node'), { env: {}, flags: [] });
  assert.throws(() => parseShebang('#!/bin/sh'), /unexpected shebang/);
});

test('settlesWithin reports a time-out and clears its timer', async () => {
  assert.equal(await settlesWithin(Promise.resolve(1), 60_000), true);
  assert.equal(await settlesWithin(new Promise(() => undefined), 10), false);
  // A 60 s timer left behind would keep this test file's process alive for a minute.
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, 0);
});
