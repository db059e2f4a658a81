import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodIPAllocator } from './ipam.js';
import { TimerWheel } from './timer-wheel.js';
import { KeyedRunner } from './runner.js';
import { computePodStatus, computeQOSClass, statusDiffers } from './pod-status.js';

test('pod IPs: from .2 to .254 of a /24, next-fit, freed addresses reused, claims respected', () => {
  const a = PodIPAllocator.forCIDR('10.42.3.0/24')!;
  assert.equal(a.allocate(), '10.42.3.2');
  assert.equal(a.claim('10.42.3.3'), true);
  assert.equal(a.claim('10.42.3.3'), false);
  assert.equal(a.claim('10.42.4.3'), false);
  assert.equal(a.allocate(), '10.42.3.4');
  const got = new Set<string>();
  for (let ip = a.allocate(); ip; ip = a.allocate()) got.add(ip);
  assert.equal(a.allocated, 253);
  assert.ok(!got.has('10.42.3.255') && !got.has('10.42.3.1') && !got.has('10.42.3.0'));
  a.release('10.42.3.7');
  assert.equal(a.allocate(), '10.42.3.7');
  assert.equal(a.allocate(), undefined);
  assert.equal(PodIPAllocator.forCIDR('fd00::/64'), undefined);
});

test('timer wheel: earliest time wins, due keys fire in order, cancel skips', () => {
  let now = 1000;
  const fired: string[] = [];
  const w = new TimerWheel(() => now, (k) => fired.push(k));
  try {
    w.schedule('b', 3000);
    w.schedule('a', 2000);
    w.schedule('b', 5000); // later: ignored
    w.schedule('c', 2500);
    w.schedule('c', 1500); // earlier: wins
    w.schedule('d', 2200);
    w.cancel('d');
    assert.equal(w.nextAt(), 1500);
    now = 2600;
    assert.equal(w.runDue(), 2);
    assert.deepEqual(fired, ['c', 'a']);
    now = 10_000;
    w.runDue();
    assert.deepEqual(fired, ['c', 'a', 'b']);
    assert.equal(w.nextAt(), undefined);
  } finally {
    w.close();
  }
});

test('keyed runner: dedupes queued keys, reruns a key added while running, bounds concurrency', async () => {
  let inFlight = 0;
  let max = 0;
  const runs: string[] = [];
  let r!: KeyedRunner;
  r = new KeyedRunner(2, async (k) => {
    inFlight++;
    max = Math.max(max, inFlight);
    runs.push(k);
    await new Promise((res) => setImmediate(res));
    if (k === 'a' && runs.filter((x) => x === 'a').length === 1) r.add('a');
    inFlight--;
  });
  for (const k of ['a', 'b', 'c', 'c', 'd']) r.add(k);
  await r.idle();
  assert.equal(max, 2);
  assert.deepEqual(runs.sort(), ['a', 'a', 'b', 'c', 'd']);
});

const pod = (resources: Record<string, unknown>[], init: Record<string, unknown>[] = []): Pod => ({
  spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })), initContainers: init.map((r, i) => ({ name: `i${i}`, resources: r })) },
});

test('qosClass as upstream ComputePodQOS', () => {
  assert.equal(computeQOSClass(pod([{}])), 'BestEffort');
  assert.equal(computeQOSClass(pod([{ requests: { 'ephemeral-storage': '1Gi' } }])), 'BestEffort', 'only cpu and memory count');
  assert.equal(computeQOSClass(pod([{ requests: { cpu: '0' } }])), 'BestEffort', 'zero quantities do not count');
  assert.equal(computeQOSClass(pod([{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } }])), 'Guaranteed');
  assert.equal(computeQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, { limits: { cpu: '1' }, requests: { cpu: '1' } }])), 'Burstable');
  assert.equal(computeQOSClass(pod([{ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }])), 'Burstable');
  assert.equal(computeQOSClass(pod([{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }], [{}])), 'Burstable');
});

test('pod status is stable when computed again, and sidecars run', () => {
  const p: Pod = {
    metadata: { name: 'p', namespace: 'd' },
    spec: { containers: [{ name: 'app', image: 'x' }], initContainers: [{ name: 'side', image: 'y', restartPolicy: 'Always' }, { name: 'setup', image: 'z' }] },
    status: { phase: 'Pending' },
  };
  let n = 0;
  const inp = { now: Date.parse('2026-01-01T00:00:00Z'), hostIP: '10.44.0.1', podIP: '10.42.0.2', newContainerID: () => String(++n).padStart(64, '0') };
  const first = computePodStatus(p, inp).status;
  assert.equal(first.phase, 'Running');
  assert.deepEqual(first.initContainerStatuses?.map((s) => [s.name, Object.keys(s.state ?? {})[0], s.ready]), [['side', 'running', true], ['setup', 'terminated', true]]);
  const again = computePodStatus({ ...p, status: first as Pod['status'] }, { ...inp, now: inp.now + 60_000 }).status;
  assert.equal(statusDiffers(first as Pod['status'], again as NonNullable<Pod['status']>), false);
  assert.equal(again.containerStatuses?.[0]?.containerID, first.containerStatuses?.[0]?.containerID);
  assert.equal(again.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');
});
