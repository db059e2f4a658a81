import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterEvent } from '../framework/interface.js';
import { PrioritySort } from '../plugins/queuesort/priority-sort.js';
import { makePod } from '../testing/fixtures.js';
import { SchedulingQueue } from './scheduling-queue.js';

function newQueue(clock: { now: number }, gated = new Set<string>()) {
  const ps = new PrioritySort();
  return new SchedulingQueue({
    now: () => clock.now,
    less: (a, b) => ps.less(a, b),
    preEnqueue: (p) => (gated.has(p.metadata?.name ?? '') ? 'SchedulingGates' : undefined),
    pluginEvents: new Map<string, Set<ClusterEvent>>([
      ['NodeResourcesFit', new Set<ClusterEvent>(['NodeAdd', 'AssignedPodDelete'])],
      ['TaintToleration', new Set<ClusterEvent>(['NodeUpdate'])],
    ]),
  });
}

const signal = new AbortController().signal;

describe('SchedulingQueue', () => {
  it('pops by priority, then arrival', async () => {
    const clock = { now: 1000 };
    const q = newQueue(clock);
    q.add(makePod('low', { priority: 1 }));
    clock.now++;
    q.add(makePod('high', { priority: 10 }));
    clock.now++;
    q.add(makePod('low2', { priority: 1 }));
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await q.pop(signal))!.podInfo.pod.metadata!.name);
    assert.deepEqual(names, ['high', 'low', 'low2']);
  });

  it('de-duplicates by uid and replaces on update', async () => {
    const q = newQueue({ now: 0 });
    const p = makePod('a', { uid: 'u1' });
    q.add(p);
    q.add(p);
    q.update(p, { ...p, metadata: { ...p.metadata, labels: { v: '2' } } });
    assert.equal(q.stats().active, 1);
    assert.deepEqual((await q.pop(signal))!.podInfo.pod.metadata!.labels, { v: '2' });
  });

  it('backs off 1 s doubling to 10 s', () => {
    const q = newQueue({ now: 0 });
    const qi = (attempts: number) => ({ podInfo: undefined as never, timestamp: 0, initialAttemptTimestamp: 0, attempts, unschedulablePlugins: new Set<string>() });
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => q.backoffDuration(qi(a))), [1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('moves unschedulable pods on events their plugins care about, respecting backoff', async () => {
    const clock = { now: 0 };
    const q = newQueue(clock);
    q.add(makePod('a', { uid: 'ua' }));
    q.add(makePod('b', { uid: 'ub' }));
    const a = (await q.pop(signal))!;
    const b = (await q.pop(signal))!;
    a.unschedulablePlugins = new Set(['NodeResourcesFit']);
    b.unschedulablePlugins = new Set(['TaintToleration']);
    q.addUnschedulableIfNotPresent(a);
    q.addUnschedulableIfNotPresent(b);
    assert.equal(q.where('ua'), 'unschedulable');
    assert.equal(q.moveAllToActiveOrBackoffQueue('NodeAdd'), 1);
    assert.equal(q.where('ua'), 'backoff');
    assert.equal(q.where('ub'), 'unschedulable');
    clock.now += 1001;
    assert.equal(q.flushBackoffQCompleted(), 1);
    assert.equal(q.where('ua'), 'active');
    clock.now += 5 * 60_000;
    assert.equal(q.flushUnschedulablePodsLeftover(), 1);
    assert.equal(q.where('ub'), 'active');
  });

  it('a move request during the attempt sends the pod to backoff, not unschedulable', async () => {
    const q = newQueue({ now: 0 });
    q.add(makePod('a', { uid: 'ua' }));
    const a = (await q.pop(signal))!;
    q.moveAllToActiveOrBackoffQueue('NodeAdd');
    a.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(a);
    assert.equal(q.where('ua'), 'backoff');
  });

  it('keeps gated pods out of the activeQ until the gate is removed', () => {
    const gated = new Set(['g']);
    const q = newQueue({ now: 0 }, gated);
    const p = makePod('g', { uid: 'ug' });
    q.add(p);
    assert.equal(q.where('ug'), 'gated');
    q.moveAllToActiveOrBackoffQueue('NodeAdd');
    assert.equal(q.where('ug'), 'gated');
    gated.clear();
    q.update(p, p);
    assert.equal(q.where('ug'), 'active');
  });

  it('deletes and wakes a waiting pop on add', async () => {
    const q = newQueue({ now: 0 });
    const p = makePod('a', { uid: 'ua' });
    q.add(p);
    q.delete(p);
    assert.equal(q.where('ua'), undefined);
    const popped = q.pop(signal);
    q.add(makePod('b'));
    assert.equal((await popped)!.podInfo.pod.metadata!.name, 'b');
  });
});
