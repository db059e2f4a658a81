import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FNV_OFFSET_32, canonicalJSON, computeHash, fnv1a, safeEncodeString } from '../shared/hash.js';
import {
  equalIgnoreHash,
  getProportion,
  maxSurge,
  maxUnavailable,
  resolveFenceposts,
  setDeploymentCondition,
  setNewReplicaSetAnnotations,
  type DeploymentObject,
  type MutableDeploymentStatus,
  type ReplicaSetObject,
} from './util.js';

test('FNV-1a 32 matches the reference vectors', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(fnv1a(FNV_OFFSET_32, enc('')), 0x811c9dc5);
  assert.equal(fnv1a(FNV_OFFSET_32, enc('a')), 0xe40c292c);
  assert.equal(fnv1a(FNV_OFFSET_32, enc('foobar')), 0xbf9cf968);
});

test('SafeEncodeString maps digits into the vowel-free alphabet', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('the template hash ignores key order and empty values, and changes with the collision count', () => {
  const a = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const b = { spec: { containers: [{ image: 'i', name: 'c', env: [] }] }, metadata: { labels: { app: 'x' }, creationTimestamp: null } };
  assert.equal(canonicalJSON(a), canonicalJSON(b));
  assert.equal(computeHash(a), computeHash(b));
  assert.notEqual(computeHash(a), computeHash(a, 0));
  assert.notEqual(computeHash(a, 0), computeHash(a, 1));
  assert.ok(equalIgnoreHash({ ...a, metadata: { labels: { app: 'x', 'pod-template-hash': 'zz' } } }, a));
  assert.ok(!equalIgnoreHash({ ...a, metadata: { labels: { app: 'y' } } }, a));
});

test('ResolveFenceposts: surge rounds up, unavailable down, both zero gives unavailable 1', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('1%', '1%', 2), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, '1%', 2), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(1, 1, 4), { surge: 1, unavailable: 1 });
  const d = (type: string, replicas: number): DeploymentObject => ({
    spec: { replicas, selector: {}, template: {}, strategy: { type, rollingUpdate: type === 'RollingUpdate' ? { maxSurge: 5, maxUnavailable: 5 } : undefined } },
  });
  assert.equal(maxUnavailable(d('RollingUpdate', 3)), 3, 'never more than the replicas');
  assert.equal(maxUnavailable(d('Recreate', 3)), 0);
  assert.equal(maxSurge(d('Recreate', 3)), 0);
});

test('a reused ReplicaSet keeps its old revisions in revision-history, capped in length', () => {
  const d: DeploymentObject = { metadata: { annotations: { 'kubernetes.io/change-cause': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: { replicas: 2, selector: {}, template: {} } };
  const rs: ReplicaSetObject = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/revision-history': '1' } } };
  assert.equal(setNewReplicaSetAnnotations(d, rs, '5', true, 2000), true);
  assert.deepEqual(rs.metadata?.annotations, {
    'deployment.kubernetes.io/revision': '5',
    'deployment.kubernetes.io/revision-history': '1,2',
    'kubernetes.io/change-cause': 'x',
  });
  // A lower revision never replaces a higher one.
  assert.equal(setNewReplicaSetAnnotations(d, rs, '3', true, 2000), false);
  // Old entries are dropped from the front to respect the length limit.
  assert.equal(setNewReplicaSetAnnotations(d, rs, '6', true, 4), true);
  assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '2,5');
});

test('proportions round half away from zero and never exceed what is left', () => {
  const d: DeploymentObject = { spec: { replicas: 8, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } };
  const rs = (replicas: number, max: number): ReplicaSetObject => ({ metadata: { annotations: { 'deployment.kubernetes.io/max-replicas': String(max) } }, spec: { replicas, selector: {}, template: {} } });
  assert.equal(getProportion(rs(3, 5), d, 4, 0), 2); // 3·9/5 = 5.4 → 5
  assert.equal(getProportion(rs(2, 5), d, 4, 3), 1); // 2·9/5 = 3.6 → 4, but only 1 left
  assert.equal(getProportion(rs(0, 5), d, 4, 0), 0);
  const down: DeploymentObject = { ...d, spec: { ...d.spec!, replicas: 2 } };
  assert.equal(getProportion(rs(5, 9), down, -6, 0), -3); // 5·3/9 = 1.67 → 2: lose 3
});

test('SetDeploymentCondition keeps lastTransitionTime when only the reason changes and ignores repeats', () => {
  const status: MutableDeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't0', lastUpdateTime: 't0' }] };
  setDeploymentCondition(status, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
  assert.equal(status.conditions![0]!.lastUpdateTime, 't0');
  setDeploymentCondition(status, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't2', lastUpdateTime: 't2' });
  assert.deepEqual(status.conditions![0], { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't0', lastUpdateTime: 't2' });
  setDeploymentCondition(status, { type: 'Progressing', status: 'False', reason: 'C', lastTransitionTime: 't3', lastUpdateTime: 't3' });
  assert.equal(status.conditions![0]!.lastTransitionTime, 't3');
});
