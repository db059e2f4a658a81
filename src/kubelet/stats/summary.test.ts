import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import type { ContainerStats } from '../cri/types.js';
import { nanoCoresBetween, parseMemInfo, parseProcStat } from './procfs.js';
import { SummaryProvider } from './summary.js';

const STAT = (busy: number, idle: number) =>
  `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nintr 1\nbtime 1700000000\n`;
const MEMINFO = 'MemTotal:        8000000 kB\nMemFree:         1000000 kB\nMemAvailable:    3000000 kB\nBuffers:  10 kB\nHugePages_Total:       0\n';

test('parseProcStat and nanoCoresBetween: busy share of all CPUs', () => {
  const a = parseProcStat(STAT(1000, 3000));
  assert.deepEqual(a, { busyJiffies: 1000, totalJiffies: 4000, cpus: 2, bootTime: 1700000000 });
  const b = parseProcStat(STAT(1100, 3100));
  // 100 busy of 200 jiffies on 2 CPUs: one core busy.
  assert.equal(nanoCoresBetween(a, b), 1e9);
  assert.equal(nanoCoresBetween(b, a), undefined);
  assert.throws(() => parseProcStat('intr 1\n'));
});

test('parseMemInfo reads kB values as bytes and bare counts as is', () => {
  const m = parseMemInfo(MEMINFO);
  assert.equal(m.get('MemTotal'), 8000000 * 1024);
  assert.equal(m.get('HugePages_Total'), 0);
});

async function setup(t: import('node:test').TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-stats-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'stat'), STAT(1000, 3000));
  await writeFile(join(dir, 'meminfo'), MEMINFO);
  let clock = 1_700_000_100_000;
  const now = () => clock;
  const rt = new FakeRuntime({ now, images: ['busybox'] });
  const sb = await rt.runPodSandbox({ metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 } });
  const cid = await rt.createContainer(sb, { metadata: { name: 'app', attempt: 0 }, image: { image: 'busybox' }, labels: { 'io.kubernetes.container.name': 'app' } }, {});
  await rt.startContainer(cid);
  // The fake's CPU counter is constant: make it grow 0.25 core per second of fake time.
  const base = rt.listContainerStats.bind(rt);
  rt.listContainerStats = async (f) =>
    (await base(f)).map((s): ContainerStats => ({ ...s, cpu: s.cpu && { ...s.cpu, usageCoreNanoSeconds: { value: clock * 1e6 * 0.25 } } }));
  const sleeps: number[] = [];
  const provider = new SummaryProvider({
    runtime: rt,
    nodeName: 'n1',
    rootDir: dir,
    now,
    procRoot: dir,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
      await writeFile(join(dir, 'stat'), STAT(1050, 3150));
    },
  });
  return { dir, provider, rt, sleeps, advance: (ms: number) => (clock += ms) };
}

test('summary: node cpu/memory/fs, pods with container stats and computed rates', async (t) => {
  const { dir, provider, sleeps, advance } = await setup(t);
  const s = await provider.summary();
  assert.deepEqual(sleeps, [100], 'a second sample is taken once to compute rates');
  assert.equal(s.node.nodeName, 'n1');
  assert.equal(s.node.startTime, '2023-11-14T22:13:20Z');
  // 50 busy of 200 jiffies on 2 CPUs.
  assert.equal(s.node.cpu?.usageNanoCores, 5e8);
  assert.equal(s.node.cpu?.usageCoreNanoSeconds, 1050 * 1e7);
  assert.deepEqual(s.node.memory && { ...s.node.memory, time: undefined }, {
    time: undefined,
    availableBytes: 3000000 * 1024,
    workingSetBytes: 5000000 * 1024,
    usageBytes: 7000000 * 1024,
  });
  assert.ok((s.node.fs?.capacityBytes ?? 0) > 0, `statfs of ${dir}`);
  assert.equal(s.node.runtime?.imageFs?.usedBytes, 1_000_000);
  assert.equal(s.pods.length, 1);
  const pod = s.pods[0]!;
  assert.deepEqual(pod.podRef, { name: 'web', namespace: 'default', uid: 'u1' });
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0]!;
  assert.equal(c.name, 'app');
  assert.equal(c.cpu?.usageNanoCores, 2.5e8);
  assert.equal(c.memory?.workingSetBytes, 1 << 20);
  assert.equal(pod.cpu?.usageNanoCores, 2.5e8);
  assert.equal(pod.memory?.workingSetBytes, 1 << 20);

  // Later calls use the kept sample: no more bootstrap sleeps.
  advance(10_000);
  const s2 = await provider.summary();
  assert.deepEqual(sleeps, [100]);
  assert.equal(s2.pods[0]!.containers[0]!.cpu?.usageNanoCores, 2.5e8);
});

test('summary: exited containers and stopped sandboxes are left out', async (t) => {
  const { provider, rt } = await setup(t);
  const [cid] = rt.containers.keys();
  rt.exitContainer(cid!, 0);
  let s = await provider.summary();
  assert.equal(s.pods.length, 1);
  assert.deepEqual(s.pods[0]!.containers, []);
  const [sb] = rt.sandboxes.keys();
  await rt.stopPodSandbox(sb!);
  s = await provider.summary();
  assert.deepEqual(s.pods, []);
});

test('summary: a runtime failure rejects', async (t) => {
  const { provider, rt } = await setup(t);
  rt.failNext('ListContainerStats', 'UNAVAILABLE');
  await assert.rejects(provider.summary(), /ListContainerStats/);
});
