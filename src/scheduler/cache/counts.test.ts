import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../machinery/labels.js';
import { topologyPairKey, type ExistingTermKind } from '../framework/pod-counts.js';
import { PodInfo } from '../framework/types.js';
import { makeNode, makePod, type NodeObject, type PodObject } from '../testing/fixtures.js';
import { SchedulerCache } from './cache.js';

const ZONE = 'topology.kubernetes.io/zone';
const webSel = selectorFromSet({ app: 'web' });
const isWeb = (p: Pod): boolean => p.metadata?.namespace === 'default' && !p.metadata.deletionTimestamp && webSel.matches(p.metadata.labels ?? {});

function on(p: PodObject, node: string): PodObject {
  return { ...p, spec: { ...p.spec!, nodeName: node } };
}

/** Brute force: matching pods per existing node, and per zone. */
function bruteForce(c: SchedulerCache, f: (p: Pod) => boolean): { perNode: Map<string, number>; perZone: Map<string, number> } {
  const perNode = new Map<string, number>();
  const perZone = new Map<string, number>();
  for (const ni of c.list()) {
    const n = ni.pods.filter((p) => f(p.pod)).length;
    if (n) perNode.set(ni.name, n);
    const z = ni.node?.metadata?.labels?.[ZONE];
    if (n && z !== undefined) perZone.set(z, (perZone.get(z) ?? 0) + n);
  }
  return { perNode, perZone };
}

function existingNodesOnly(c: SchedulerCache, m: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...m].filter(([name]) => c.get(name)));
}

describe('pod count indexes', () => {
  it('follow pod add, label update, deletion mark, delete, assume and forget', () => {
    const c = new SchedulerCache(1000, () => 0);
    c.addNode(makeNode('n1', { labels: { [ZONE]: 'a' } }));
    c.addNode(makeNode('n2', { labels: { [ZONE]: 'b' } }));
    const a = on(makePod('a', { labels: { app: 'web' }, uid: 'ua' }), 'n1');
    c.addPod(a);
    c.addPod(on(makePod('other-ns', { namespace: 'x', labels: { app: 'web' }, uid: 'ux' }), 'n1'));
    // Built from the pods already placed.
    const ix = c.podCounts('web', 'default', isWeb);
    assert.equal(ix.get('n1'), 1);
    const zones = c.podCountsByDomain(ix, ZONE);
    assert.deepEqual([...zones], [['a', 1]]);
    // Same key: the same index.
    assert.equal(c.podCounts('web', 'default', isWeb), ix);
    const b = on(makePod('b', { labels: { app: 'web' }, uid: 'ub' }), 'n2');
    c.addPod(b);
    assert.equal(ix.get('n2'), 1);
    assert.equal(zones.get('b'), 1);
    // Label change away from the selector, and back.
    const b2 = { ...b, metadata: { ...b.metadata, labels: { app: 'db' } } };
    c.updatePod(b, b2);
    assert.equal(ix.get('n2'), 0);
    assert.equal(zones.get('b'), undefined);
    c.updatePod(b2, b);
    assert.equal(ix.get('n2'), 1);
    // Being deleted: no longer counted by this predicate.
    const aDel = { ...a, metadata: { ...a.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    c.updatePod(a, aDel);
    assert.equal(ix.get('n1'), 0);
    c.removePod(aDel);
    assert.equal(ix.get('n1'), 0);
    // Assumed pods count at once; forgetting takes them back.
    const p = makePod('c', { labels: { app: 'web' }, uid: 'uc' });
    c.assumePod(new PodInfo(p), 'n1');
    assert.equal(ix.get('n1'), 1);
    assert.equal(zones.get('a'), 1);
    c.forgetPod('uc');
    assert.equal(ix.get('n1'), 0);
    assert.equal(zones.get('a'), undefined);
    c.removePod(b);
    assert.equal(ix.counts.size, 0);
  });

  it('move domain sums with node label changes, removal and re-adding', () => {
    const c = new SchedulerCache(1000, () => 0);
    const n1 = makeNode('n1', { labels: { [ZONE]: 'a' } });
    c.addNode(n1);
    c.addPod(on(makePod('a', { labels: { app: 'web' }, uid: 'ua' }), 'n1'));
    c.addPod(on(makePod('b', { labels: { app: 'web' }, uid: 'ub' }), 'n1'));
    const ix = c.podCounts('web', 'default', isWeb);
    const zones = c.podCountsByDomain(ix, ZONE);
    assert.deepEqual([...zones], [['a', 2]]);
    const moved: NodeObject = { ...n1, metadata: { ...n1.metadata, labels: { ...n1.metadata?.labels, [ZONE]: 'b' } } };
    c.updateNode(n1, moved);
    assert.deepEqual([...zones], [['b', 2]]);
    c.removeNode(moved);
    assert.deepEqual([...zones], []);
    // Pods on a removed node stay counted per node (a ghost) but in no domain.
    assert.equal(ix.get('n1'), 2);
    c.addNode(n1);
    assert.deepEqual([...zones], [['a', 2]]);
  });

  it('agree with a recount after random operations', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const c = new SchedulerCache(1000, () => 0);
    const nodes = new Map<string, NodeObject>();
    for (let i = 0; i < 6; i++) {
      const n = makeNode(`n${i}`, { labels: { [ZONE]: `z${i % 3}` } });
      nodes.set(`n${i}`, n);
      c.addNode(n);
    }
    const ix = c.podCounts('web', 'default', isWeb);
    const zones = c.podCountsByDomain(ix, ZONE);
    const pods = new Map<string, PodObject>();
    for (let step = 0; step < 600; step++) {
      const op = rnd(6);
      const uid = `u${rnd(40)}`;
      const cur = pods.get(uid);
      const labels = { app: ['web', 'db'][rnd(2)]! };
      const ns = ['default', 'x'][rnd(4) === 0 ? 1 : 0]!;
      if (op <= 1 && !cur) {
        const p = on(makePod(uid, { namespace: ns, labels, uid }), `n${rnd(6)}`);
        pods.set(uid, p);
        c.addPod(p);
      } else if (op === 2 && cur) {
        const p = { ...cur, metadata: { ...cur.metadata, labels, deletionTimestamp: rnd(5) === 0 ? '2026-01-01T00:00:00Z' : undefined } };
        pods.set(uid, p);
        c.updatePod(cur, p);
      } else if (op === 3 && cur) {
        pods.delete(uid);
        c.removePod(cur);
      } else if (op === 4) {
        const name = `n${rnd(6)}`;
        const old = nodes.get(name);
        const n = makeNode(name, { labels: { [ZONE]: `z${rnd(3)}` } });
        nodes.set(name, n);
        if (old) c.updateNode(old, n);
        else c.addNode(n);
      } else if (op === 5 && rnd(4) === 0) {
        const name = `n${rnd(6)}`;
        const old = nodes.get(name);
        if (old) {
          nodes.delete(name);
          c.removeNode(old);
        }
      }
      const want = bruteForce(c, isWeb);
      assert.deepEqual(existingNodesOnly(c, ix.counts), want.perNode, `step ${step}`);
      assert.deepEqual(new Map([...zones].sort()), new Map([...want.perZone].sort()), `step ${step}`);
    }
  });

  it('are dropped least recently used first beyond the cap, and when idle', () => {
    const clock = { now: 0 };
    const c = new SchedulerCache(1000, () => clock.now);
    for (let i = 0; i < 70; i++) {
      clock.now = i;
      c.podCounts(`k${i}`, 'default', () => true);
    }
    assert.equal(c.countIndexCount, 64);
    clock.now = 10 * 60_000;
    c.podCounts('fresh', 'default', () => true);
    assert.equal(c.cleanupIdleCountIndexes(), 63);
    assert.equal(c.countIndexCount, 1);
  });
});

describe('existing affinity term groups', () => {
  const antiPod = (name: string, node: string, key = 'kubernetes.io/hostname'): PodObject =>
    on(
      makePod(name, {
        uid: `u-${name}`,
        labels: { app: 'web' },
        spec: { containers: [{ name: 'c', image: 'i' }], affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: key }] } } },
      }),
      node,
    );
  const pairs = (c: SchedulerCache, kind: ExistingTermKind): Map<string, number> => {
    const out = new Map<string, number>();
    for (const g of c.existingTerms(kind)) for (const [k, n] of g.pairs) out.set(k, (out.get(k) ?? 0) + n);
    return out;
  };

  it('group equal terms of many pods and follow pods and node labels', () => {
    const c = new SchedulerCache(1000, () => 0);
    const n1 = makeNode('n1', { labels: { [ZONE]: 'a' } });
    c.addNode(n1);
    c.addNode(makeNode('n2', { labels: { [ZONE]: 'a' } }));
    c.addPod(antiPod('a', 'n1', ZONE));
    c.addPod(antiPod('b', 'n2', ZONE));
    assert.equal([...c.existingTerms('requiredAntiAffinity')].length, 1);
    assert.deepEqual(pairs(c, 'requiredAntiAffinity'), new Map([[topologyPairKey(ZONE, 'a'), 2]]));
    const n1b: NodeObject = { ...n1, metadata: { ...n1.metadata, labels: { ...n1.metadata?.labels, [ZONE]: 'b' } } };
    c.updateNode(n1, n1b);
    assert.deepEqual(pairs(c, 'requiredAntiAffinity'), new Map([[topologyPairKey(ZONE, 'a'), 1], [topologyPairKey(ZONE, 'b'), 1]]));
    c.removeNode(n1b);
    assert.deepEqual(pairs(c, 'requiredAntiAffinity'), new Map([[topologyPairKey(ZONE, 'a'), 1]]));
    c.addNode(n1b);
    assert.deepEqual(pairs(c, 'requiredAntiAffinity'), new Map([[topologyPairKey(ZONE, 'a'), 1], [topologyPairKey(ZONE, 'b'), 1]]));
    c.removePod(antiPod('a', 'n1', ZONE));
    c.removePod(antiPod('b', 'n2', ZONE));
    assert.equal([...c.existingTerms('requiredAntiAffinity')].length, 0);
    assert.equal([...c.existingTerms('preferredAffinity')].length, 0);
  });
});
