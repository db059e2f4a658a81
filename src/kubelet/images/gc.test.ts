import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRecorder } from '../../client/record/index.js';
import { nopLogger } from '../../logging/index.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { ImageGCManager, type ImageGCManagerOptions } from './gc.js';

const MIN = 60_000;
const PAUSE = 'registry.k8s.io/pause:3.10';

function setup(extra: Partial<ImageGCManagerOptions> = {}) {
  const clock = { t: 1_700_000_000_000 };
  const now = () => clock.t;
  const fake = new FakeRuntime({ now });
  const recorder = new FakeRecorder();
  const disk = { capacity: 1000 };
  const gc = new ImageGCManager({
    images: fake,
    runtime: fake,
    recorder,
    nodeRef: { kind: 'Node', name: 'node-1' },
    logger: nopLogger(),
    now,
    capacityBytes: async () => disk.capacity,
    pinned: (img) => img.repoTags.includes(PAUSE),
    ...extra,
  });
  const ids = new Map<string, string>();
  const add = (name: string, size: number) => {
    const img = fake.addImage(name, size);
    ids.set(img.id, name);
    return img;
  };
  /** Names of the images removed, in order. */
  const removed = () => fake.calls.filter((c) => c.startsWith('RemoveImage ')).map((c) => ids.get(c.slice('RemoveImage '.length)) ?? c);
  let n = 0;
  const runContainer = async (image: string) => {
    n++;
    const meta = { name: `p${n}`, namespace: 'default', uid: `uid-${n}`, attempt: 0 };
    const sb = await fake.runPodSandbox({ metadata: meta });
    return fake.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: { image } }, { metadata: meta });
  };
  return { clock, fake, recorder, disk, gc, add, removed, runContainer };
}

test('nothing is removed below the high threshold', async () => {
  const s = setup();
  s.add('a', 300);
  s.add('b', 300);
  s.add('c', 240); // 84% < 85%
  await s.gc.garbageCollect();
  s.clock.t += 60 * MIN;
  await s.gc.garbageCollect();
  assert.deepEqual(s.removed(), []);
  assert.deepEqual(s.recorder.lines(), []);
});

test('unused images go least recently used first, until usage reaches the low threshold', async () => {
  const s = setup({ lowThresholdPercent: 50 });
  s.disk.capacity = 100_000; // plenty: passes only record usage
  s.add('a', 300);
  s.add('b', 300);
  s.add('c', 300);
  const ca = await s.runContainer('a');
  const cb = await s.runContainer('b');
  await s.gc.garbageCollect(); // a and b used now
  s.clock.t += MIN;
  await s.fake.removeContainer(ca);
  await s.gc.garbageCollect(); // only b used now
  await s.fake.removeContainer(cb);
  s.clock.t += 5 * MIN;
  s.disk.capacity = 1000; // 90% used: free 900 - 500 = 400 bytes
  await s.gc.garbageCollect();
  // c was never used, a was used before b.
  assert.deepEqual(s.removed(), ['c', 'a']);
  assert.deepEqual([...s.fake.images.keys()], ['docker.io/library/b:latest']);
  assert.deepEqual(s.recorder.lines(), []);
});

test('images of containers, running or exited, pinned images and the sandbox image are kept', async () => {
  const s = setup();
  s.add('a', 300);
  s.add(PAUSE, 300);
  s.add('q', 300).pinned = true; // the CRI says pinned
  const id = await s.runContainer('a');
  await s.fake.startContainer(id);
  s.fake.exitContainer(id, 0);
  await s.gc.garbageCollect().catch(() => undefined);
  s.clock.t += 10 * MIN;
  await assert.rejects(s.gc.garbageCollect(), /only found 0 bytes eligible/);
  assert.deepEqual(s.removed(), []);
  assert.equal(s.fake.images.size, 3);
});

test('FreeDiskSpaceFailed tells how much could not be freed', async () => {
  const s = setup();
  s.add('a', 300);
  s.add('b', 50);
  s.add(PAUSE, 550); // 900 of 1000 used: free 100, only b (50) can go
  await s.gc.garbageCollect().catch(() => undefined); // images first seen now
  s.recorder.events.length = 0;
  await s.runContainer('a');
  s.clock.t += 3 * MIN;
  await assert.rejects(s.gc.garbageCollect());
  assert.deepEqual(s.removed(), ['b']);
  assert.deepEqual(s.recorder.lines(), [
    'Warning FreeDiskSpaceFailed Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 50 bytes eligible to free.',
  ]);
  assert.deepEqual(s.recorder.events[0]?.object, { kind: 'Node', name: 'node-1' });
});

test('images younger than the minimum age are kept', async () => {
  const s = setup();
  s.add('a', 900);
  await assert.rejects(s.gc.garbageCollect()); // first seen now
  s.clock.t += 2 * MIN - 1;
  await assert.rejects(s.gc.garbageCollect());
  assert.deepEqual(s.removed(), []);
  s.clock.t += 1;
  await s.gc.garbageCollect();
  assert.deepEqual(s.removed(), ['a']);
});

test('an image that fails to be removed does not stop the pass', async () => {
  const s = setup();
  s.add('a', 450);
  s.add('b', 450);
  await s.gc.garbageCollect().catch(() => undefined);
  s.clock.t += 3 * MIN;
  s.fake.failNext('RemoveImage', 'UNKNOWN', 'device busy');
  await assert.rejects(s.gc.garbageCollect(), /wanted to free 100 bytes, but freed 450 bytes space with errors in image deletion/);
  assert.equal(s.removed().length, 2);
  assert.equal(s.fake.images.size, 1);
});

test('start: images present at the first detection are old; repeated failures record ImageGCFailed', async () => {
  const s = setup({ periodMs: 5 });
  s.add('a', 900);
  const ac = new AbortController();
  s.gc.start(ac.signal);
  await waitFor(() => s.removed().length === 1);
  assert.deepEqual(s.removed(), ['a']); // no minimum age wait after a restart
  s.disk.capacity = 0;
  await waitFor(() => s.recorder.lines().some((l) => l.startsWith('Warning ImageGCFailed')));
  ac.abort();
  await s.gc.close();
  await s.gc.close();
  const lines = s.recorder.lines();
  assert.equal(lines[0], 'Warning InvalidDiskCapacity invalid capacity 0 on image filesystem');
  assert.equal(lines[1], 'Warning InvalidDiskCapacity invalid capacity 0 on image filesystem');
  assert.equal(lines[2], 'Warning ImageGCFailed invalid capacity 0 on image filesystem');
});

test('thresholds are validated', () => {
  assert.throws(() => setup({ highThresholdPercent: 70, lowThresholdPercent: 80 }), /LowThresholdPercent 80 can not be higher than HighThresholdPercent 70/);
  assert.throws(() => setup({ highThresholdPercent: 101 }), /invalid HighThresholdPercent/);
});

async function waitFor(cond: () => boolean, timeoutMs = 1500): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('with availableBytes, usage is the filesystem\'s (other data counts too)', async () => {
  const free = { bytes: 500 };
  const s = setup({ availableBytes: async () => free.bytes });
  s.add('a', 100);
  s.clock.t += 10 * MIN;
  await s.gc.garbageCollect(); // 50 % used: nothing to do although the images are small
  assert.deepEqual(s.removed(), []);
  free.bytes = 50; // 95 % used, mostly by other data: the unused image goes, still not enough
  s.clock.t += 3 * MIN; // past the minimum age
  await assert.rejects(s.gc.garbageCollect());
  assert.deepEqual(s.removed(), ['a']);
  assert.match(s.recorder.lines().at(-1) ?? '', /^Warning FreeDiskSpaceFailed Failed to garbage collect required amount of images\. Attempted to free 150 bytes, but only found 100 bytes eligible to free\.$/);
});
