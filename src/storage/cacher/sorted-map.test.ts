import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { SortedMap } from './sorted-map.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function range<V>(m: SortedMap<V>, from: string, to: string | undefined): [string, V][] {
  const out: [string, V][] = [];
  m.forEachInRange(from, to, (k, v) => {
    out.push([k, v]);
  });
  return out;
}

describe('SortedMap', () => {
  it('matches a sorted reference under random inserts, replaces and deletes', () => {
    const rand = rng(7);
    // Small chunks so that splits and merges happen constantly.
    const m = new SortedMap<number>(8);
    const ref = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const key = `/k/${Math.floor(rand() * 600)
        .toString(36)
        .padStart(2, '0')}`;
      if (rand() < 0.6) {
        assert.equal(m.set(key, step), !ref.has(key));
        ref.set(key, step);
      } else {
        assert.equal(m.delete(key), ref.delete(key));
      }
      assert.equal(m.size, ref.size);
      if (step % 997 === 0) {
        const sorted = [...ref.keys()].sort();
        assert.deepEqual(m.keys(), sorted);
        for (const k of sorted) assert.equal(m.get(k), ref.get(k));
      }
    }
    const sorted = [...ref.keys()].sort();
    assert.deepEqual(m.keys(), sorted);
    assert.equal(m.get('/k/zzzz'), undefined);
    assert.equal(m.has(sorted[0]!), true);
    assert.equal(m.has('/j'), false);
  });

  it('iterates a prefix range in order, stops when told, and counts ranges without visiting', () => {
    const keys = ['/a/1', '/a/2', '/a/3', '/b/1', '/b/2', '/c', '/d/x/1'];
    const m = new SortedMap<string>(4);
    for (const k of [...keys].reverse()) m.set(k, k.toUpperCase());
    assert.deepEqual(
      range(m, '/b/', '/b0').map(([k]) => k),
      ['/b/1', '/b/2'],
    );
    assert.deepEqual(range(m, '/a/2', '/b/2'), [
      ['/a/2', '/A/2'],
      ['/a/3', '/A/3'],
      ['/b/1', '/B/1'],
    ]);
    assert.deepEqual(
      range(m, '/c', undefined).map(([k]) => k),
      ['/c', '/d/x/1'],
    );
    assert.deepEqual(range(m, '/e', undefined), []);
    assert.deepEqual(range(m, '', '/a/2').map(([k]) => k), ['/a/1']);
    const seen: string[] = [];
    m.forEachInRange('', undefined, (k) => {
      seen.push(k);
      return seen.length < 3;
    });
    assert.deepEqual(seen, ['/a/1', '/a/2', '/a/3']);
    assert.equal(m.countInRange('/a/', '/a0'), 3);
    assert.equal(m.countInRange('/a/2\x00', '/a0'), 1);
    assert.equal(m.countInRange('/b/', undefined), 4);
    assert.equal(m.countInRange('', undefined), 7);
    assert.equal(m.countInRange('/x', undefined), 0);
    assert.equal(new SortedMap<string>().countInRange('', undefined), 0);
  });

  it('builds from sorted entries, and from unsorted ones by sorting', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `/k/${String(i).padStart(4, '0')}`);
    const m = SortedMap.fromSorted(keys, keys.map((_, i) => i), 16);
    assert.equal(m.size, 1000);
    assert.deepEqual(m.keys(), keys);
    assert.equal(m.get('/k/0500'), 500);
    m.set('/k/0500x', -1);
    assert.equal(m.countInRange('/k/0500', '/k/0501'), 2);
    const un = SortedMap.fromSorted(['/b', '/a', '/c', '/a'], [1, 2, 3, 4]);
    assert.deepEqual(un.keys(), ['/a', '/b', '/c']);
    assert.equal(un.get('/a'), 4, 'the last duplicate wins');
  });

  it('keeps inserts and deletes cheap in a large map (no O(n) work per insert)', () => {
    const n = 200_000;
    const rand = rng(11);
    const names = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [names[i], names[j]] = [names[j]!, names[i]!];
    }
    const keys = names.map((i) => `/registry/pods/ns-${i % 100}/pod-${i}`);
    const m = new SortedMap<number>();
    // The last quarter of the inserts (into 150,000 to 200,000 keys) costs a small multiple of
    // the first (into an almost empty map, all in CPU cache); with a sorted array and splice it
    // costs about 40 times more.
    const quarter = n / 4;
    const t0 = performance.now();
    for (let i = 0; i < quarter; i++) m.set(keys[i]!, i);
    const first = performance.now() - t0;
    for (let i = quarter; i < n - quarter; i++) m.set(keys[i]!, i);
    const t1 = performance.now();
    for (let i = n - quarter; i < n; i++) m.set(keys[i]!, i);
    const last = performance.now() - t1;
    assert.ok(last < 10 * first + 100, `first quarter of the inserts ${first.toFixed(0)} ms, last quarter ${last.toFixed(0)} ms`);
    for (let i = 0; i < n; i += 2) m.delete(keys[i]!);
    assert.equal(m.size, n / 2);
    let listed = 0;
    const t2 = performance.now();
    m.forEachInRange('/registry/pods/', '/registry/pods0', () => {
      listed++;
      return listed < 10_000;
    });
    assert.equal(listed, 10_000);
    assert.ok(performance.now() - t2 < 50, 'walking 10,000 entries is fast');
  });
});
