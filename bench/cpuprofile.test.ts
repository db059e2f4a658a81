import assert from 'node:assert/strict';
import { test } from 'node:test';
import { from, summarise, tasks, window } from './cpuprofile.js';

// root → main (file:///repo/dist/a.js) → leaf (file:///repo/dist/b.js); idle under root.
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4] },
    { id: 2, callFrame: frame('main', 'file:///repo/dist/a.js'), children: [3] },
    { id: 3, callFrame: frame('leaf', 'file:///repo/dist/b.js') },
    { id: 4, callFrame: frame('(idle)') },
  ],
  // Sample i lasts timeDeltas[i + 1] µs.
  samples: [2, 3, 3, 4, 3, 4],
  timeDeltas: [0, 1000, 2000, 2000, 5000, 1000, 0],
  startTime: 0,
  endTime: 11000,
};

test('summarise gives self and inclusive time per function', () => {
  const { entries, totalMs } = summarise(profile);
  assert.equal(totalMs, 11);
  const by = new Map(entries.map((e) => [e.name.split(' ')[0], e]));
  assert.equal(by.get('main')!.self, 1);
  assert.equal(by.get('main')!.total, 1 + 2 + 2 + 1);
  assert.equal(by.get('leaf')!.self, 5);
  assert.equal(by.get('(idle)')!.self, 5);
});

test('tasks are runs of non-idle samples', () => {
  const t = tasks(profile);
  assert.deepEqual(
    t.map((x) => x.ms),
    [5, 1],
  );
  assert.equal(t[0]!.top[0]![0], 'leaf dist/b.js:1');
  assert.equal(t[1]!.at, 10);
});

test('from drops the samples taken before the given offset', () => {
  // Samples start at 0, 1, 3, 5, 10 and 11 ms.
  const rest = from(profile, 4);
  assert.deepEqual(rest.samples, [4, 3, 4]);
  const { totalMs, entries } = summarise(rest);
  assert.equal(totalMs, 6);
  assert.equal(entries.find((e) => e.name.startsWith('leaf'))!.self, 1);
  assert.equal(from(profile, 0).samples.length, profile.samples.length);
});

test('window keeps the samples that start inside it', () => {
  // Samples start at 0, 1, 3, 5, 10 and 11 ms.
  assert.deepEqual(window(profile, 4, 10).samples, [4]);
  assert.deepEqual(window(profile, 4, 11).samples, [4, 3]);
  assert.equal(summarise(window(profile, 0, 4)).totalMs, 5);
  assert.equal(summarise(window(profile, 4, 11)).totalMs, 6);
  assert.deepEqual(window(profile, 4).samples, from(profile, 4).samples);
});
