import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyGraph } from './graph.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { nopLogger } from '../../logging/index.js';

function setup() {
  const toDelete: string[] = [];
  const toOrphan: string[] = [];
  const g = new DependencyGraph({ attemptToDelete: (u) => toDelete.push(u), attemptToOrphan: (u) => toOrphan.push(u) }, nopLogger());
  const add = (obj: KubeObject, type: 'add' | 'update' | 'delete' = 'add'): void => g.apply({ type, obj, apiVersion: 'v1', kind: 'ConfigMap' });
  return { g, toDelete, toOrphan, add };
}

const cm = (name: string, uid: string, meta: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject => ({ metadata: { name, namespace: 'ns', uid, ...meta } });
const ref = (name: string, uid: string, block = false) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...(block ? { blockOwnerDeletion: true } : {}) });

test('an unseen owner becomes a virtual node queued for verification; observing it makes it real', () => {
  const { g, toDelete, add } = setup();
  add(cm('dep', 'd1', { ownerReferences: [ref('own', 'o1')] }));
  const owner = g.node('o1')!;
  assert.equal(owner.virtual, true);
  assert.deepEqual(owner.identity, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'own', uid: 'o1' });
  assert.deepEqual(toDelete, ['o1']);
  add(cm('own', 'o1'));
  assert.equal(g.node('o1')!.virtual, false);
  assert.deepEqual([...g.node('o1')!.dependents].map((d) => d.identity.uid), ['d1']);
});

test('deleting an owner removes it and queues its dependents', () => {
  const { g, toDelete, add } = setup();
  add(cm('own', 'o1'));
  add(cm('dep', 'd1', { ownerReferences: [ref('own', 'o1')] }));
  add(cm('own', 'o1'), 'delete');
  assert.equal(g.node('o1'), undefined);
  assert.deepEqual(toDelete, ['d1']);
});

test('a virtual delete removes only unobserved nodes', () => {
  const { g, toDelete, add } = setup();
  add(cm('dep', 'd1', { ownerReferences: [ref('ghost', 'g1')] }));
  toDelete.length = 0;
  g.apply({ type: 'virtualDelete', identity: g.node('g1')!.identity });
  assert.equal(g.node('g1'), undefined);
  assert.deepEqual(toDelete, ['d1']);
});

test('owner reference changes move the edges', () => {
  const { g, add } = setup();
  add(cm('a', 'a1'));
  add(cm('b', 'b1'));
  add(cm('dep', 'd1', { ownerReferences: [ref('a', 'a1')] }), 'add');
  add(cm('dep', 'd1', { ownerReferences: [ref('b', 'b1')] }), 'update');
  assert.equal(g.node('a1')!.dependents.size, 0);
  assert.equal(g.node('b1')!.dependents.size, 1);
});

test('foreground: the owner is marked and it and its dependents are queued; blocking dependents are counted', () => {
  const { g, toDelete, add } = setup();
  add(cm('own', 'o1'));
  add(cm('dep1', 'd1', { ownerReferences: [ref('own', 'o1', true)] }));
  add(cm('dep2', 'd2', { ownerReferences: [ref('own', 'o1')] }));
  add(cm('own', 'o1', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'update');
  const owner = g.node('o1')!;
  assert.equal(owner.deletingDependents, true);
  assert.deepEqual(toDelete.sort(), ['d1', 'd2', 'o1']);
  assert.deepEqual(owner.blockingDependents().map((d) => d.identity.uid), ['d1']);
  // Dropping the blocking reference re-queues the waiting owner.
  toDelete.length = 0;
  add(cm('dep1', 'd1', { ownerReferences: [ref('own', 'o1')] }), 'update');
  assert.deepEqual(toDelete, ['o1']);
  assert.deepEqual(owner.blockingDependents(), []);
});

test('orphan: a deleting owner with the orphan finalizer is queued for orphaning', () => {
  const { toOrphan, add } = setup();
  add(cm('own', 'o1', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] }));
  assert.deepEqual(toOrphan, ['o1']);
});

test('enqueued changes are applied asynchronously in order; idle() waits for them', async () => {
  const { g } = setup();
  for (let i = 0; i < 1200; i++) g.enqueue({ type: 'add', obj: cm(`c${i}`, `u${i}`), apiVersion: 'v1', kind: 'ConfigMap' });
  assert.equal(g.size, 0);
  await g.idle();
  assert.equal(g.size, 1200);
});
