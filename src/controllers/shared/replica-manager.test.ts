import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodObject } from './podutil.js';
import { calculateStatus, podsToDelete, selectorFromMap, slowStartBatch, TrackingExpectations, type ReplicaOwner } from './replica-manager.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; ready?: number; cost?: string; created?: number; restarts?: number; labels?: Record<string, string> } = {}): PodObject {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'x' },
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
      creationTimestamp: iso(o.created ?? NOW - 3600_000),
    },
    spec: { nodeName: o.node, containers: [] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: o.ready !== undefined ? 'True' : 'False', lastTransitionTime: o.ready !== undefined ? iso(o.ready) : undefined }],
      containerStatuses: o.restarts ? [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: o.restarts }] : undefined,
    },
  };
}

test('slowStartBatch: 1, 2, 4, … and stops after the first batch with a failure', async () => {
  let calls = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    calls++;
  });
  assert.deepEqual(ok, { successes: 10 });
  assert.equal(calls, 10);
  calls = 0;
  const failed = await slowStartBatch(20, 1, async () => {
    if (++calls === 2) throw new Error('boom');
  });
  // Batch 1 (1 call) ok, batch 2 (2 calls) has the failure: nothing after it.
  assert.equal(calls, 3);
  assert.equal(failed.successes, 2);
  assert.equal(failed.error?.message, 'boom');
});

test('podsToDelete: deletion cost, then pods doubled up on a node, then restarts, then the newer', () => {
  const ready = NOW - 86400_000;
  const cheap = pod('cheap', { node: 'n1', ready, cost: '-5' });
  const crowded = pod('crowded', { node: 'n2', ready });
  const alone = pod('alone', { node: 'n3', ready });
  const related = [crowded, pod('sibling', { node: 'n2', ready }), alone, cheap];
  assert.deepEqual(
    podsToDelete([alone, crowded, cheap], related, 2, NOW).map((p) => p.metadata?.name),
    ['cheap', 'crowded'],
  );
  const restarts = pod('restarts', { node: 'n1', restarts: 3 });
  const newer = pod('newer', { node: 'n1', created: NOW - 60_000 });
  const older = pod('older', { node: 'n1', created: NOW - 86400_000 * 10 });
  assert.deepEqual(
    podsToDelete([older, newer, restarts], [], 3 - 1, NOW).map((p) => p.metadata?.name),
    ['restarts', 'newer'],
  );
});

test('calculateStatus counts fully labelled, ready and available pods, and sets/clears ReplicaFailure', () => {
  const owner: ReplicaOwner = {
    metadata: { name: 'rs' },
    spec: { replicas: 3, minReadySeconds: 10, template: { metadata: { labels: { app: 'x', v: '1' } } } },
    status: { replicas: 0 },
  };
  const pods = [pod('a', { labels: { app: 'x', v: '1' }, ready: NOW - 60_000 }), pod('b', { ready: NOW - 1000 }), pod('c')];
  const s = calculateStatus(owner, pods, undefined, NOW);
  assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1 });
  const failed = calculateStatus(owner, pods.slice(0, 1), new Error('quota'), NOW);
  assert.deepEqual(failed.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: iso(NOW), reason: 'FailedCreate', message: 'quota' }]);
  const cleared = calculateStatus({ ...owner, status: failed }, pods, undefined, NOW);
  assert.equal(cleared.conditions, undefined);
});

test('TrackingExpectations counts each expected deletion once', () => {
  const e = new TrackingExpectations(() => NOW);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/other');
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/b');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('selectorFromMap falls back to the template labels and refuses an empty selector', () => {
  assert.equal(selectorFromMap({ app: 'x' }).toString(), 'app=x');
  assert.equal(selectorFromMap(undefined, { metadata: { labels: { a: 'b' } } }).toString(), 'a=b');
  assert.throws(() => selectorFromMap({}, {}), /selector is empty/);
});
