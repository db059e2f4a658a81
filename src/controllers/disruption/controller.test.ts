import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../client/rest/resource.js';
import { DEPLOYMENTS, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS } from '../../client/resources.js';
import type { PodObject } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { create, DELETION_TIMEOUT_MS, NAME, type PDBObject } from './controller.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function setup() {
  const t = testContext({ now: T0 });
  const ctrl = create(t.ctx);
  const signal = new AbortController().signal;
  const seed = (gvr: typeof PODS, o: KubeObject): void => {
    t.informers.forResource(gvr).add(t.client.seed(gvr, o));
  };
  const status = (name = 'pdb') => t.client.stored<PDBObject>(PODDISRUPTIONBUDGETS, 'ns', name)?.status;
  return { ...t, ctrl, signal, seed, status };
}

function pdb(spec: { minAvailable?: number | string; maxUnavailable?: number | string }, extra: { disruptedPods?: Record<string, string> } = {}): PDBObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'pdb', namespace: 'ns', uid: 'uid-pdb', generation: 2, resourceVersion: '1' },
    spec: { ...spec, selector: { matchLabels: { app: 'web' } } },
    status: extra.disruptedPods ? { disruptedPods: extra.disruptedPods, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 } : undefined,
  };
}

function pod(name: string, o: { ready?: boolean; owner?: { kind: string; name: string; uid: string; apiVersion?: string }; deleting?: boolean; labels?: Record<string, string> } = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '3',
      labels: o.labels ?? { app: 'web' },
      deletionTimestamp: o.deleting ? iso(T0) : undefined,
      ownerReferences: o.owner ? [{ apiVersion: o.owner.apiVersion ?? 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }] : undefined,
    },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const rsOwner = { kind: 'ReplicaSet', name: 'web-rs', uid: 'uid-rs' };

function rs(replicas: number, deployment?: { name: string; uid: string }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-rs',
      namespace: 'ns',
      uid: 'uid-rs',
      ownerReferences: deployment ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name, uid: deployment.uid, controller: true }] : undefined,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } } },
  } as KubeObject;
}

test('an integer minAvailable counts the selected pods', async () => {
  assert.equal(NAME, 'disruption-controller');
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 2 }));
  h.seed(PODS, pod('a'));
  h.seed(PODS, pod('b'));
  h.seed(PODS, pod('c'));
  h.seed(PODS, pod('d', { ready: false }));
  h.seed(PODS, pod('other', { labels: { app: 'other' } }));
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.deepEqual(h.status(), {
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 4,
    disruptionsAllowed: 1,
    observedGeneration: 2,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 2, lastTransitionTime: iso(T0) }],
  });
});

test('not enough healthy pods: no disruption, InsufficientPods; no pods at all: a NoPods event', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 2 }));
  h.seed(PODS, pod('a'));
  h.seed(PODS, pod('b', { deleting: true }));
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.equal(h.status()?.disruptionsAllowed, 0);
  assert.equal(h.status()?.currentHealthy, 1);
  assert.deepEqual(
    h.status()?.conditions?.map((c) => [c.status, c.reason]),
    [['False', 'InsufficientPods']],
  );

  const empty = setup();
  empty.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 1 }));
  await empty.ctrl.sync('ns/pdb', empty.signal);
  assert.deepEqual(empty.recorder.lines(), ['Normal NoPods No matching pods found']);
  assert.equal(empty.status()?.expectedPods, 0);
});

test('a percentage takes the expected count from the owner\'s scale (Deployment through its ReplicaSet)', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: '50%' }));
  h.seed(REPLICASETS, rs(3, { name: 'web', uid: 'uid-dep' }));
  h.seed(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'uid-dep' }, spec: { replicas: 5 } } as KubeObject);
  for (const n of ['a', 'b', 'c']) h.seed(PODS, pod(n, { owner: rsOwner }));
  await h.ctrl.sync('ns/pdb', h.signal);
  // 50% of 5 rounded up = 3 desired; 3 healthy: nothing may go.
  assert.equal(h.status()?.expectedPods, 5);
  assert.equal(h.status()?.desiredHealthy, 3);
  assert.equal(h.status()?.disruptionsAllowed, 0);
});

test('maxUnavailable with ReplicaSet, ReplicationController and StatefulSet owners', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ maxUnavailable: 1 }));
  h.seed(REPLICASETS, rs(2));
  h.seed(REPLICATIONCONTROLLERS, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'ns', uid: 'uid-rc' }, spec: { replicas: 1 } } as KubeObject);
  h.seed(STATEFULSETS, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ss', namespace: 'ns', uid: 'uid-ss' }, spec: { replicas: 3 } } as KubeObject);
  h.seed(PODS, pod('a', { owner: rsOwner }));
  h.seed(PODS, pod('b', { owner: rsOwner }));
  h.seed(PODS, pod('c', { owner: { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'uid-rc' } }));
  h.seed(PODS, pod('d', { owner: { kind: 'StatefulSet', name: 'ss', uid: 'uid-ss' } }));
  h.seed(PODS, pod('e', { owner: { kind: 'StatefulSet', name: 'ss', uid: 'uid-ss' }, ready: false }));
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.equal(h.status()?.expectedPods, 6);
  assert.equal(h.status()?.desiredHealthy, 5);
  assert.equal(h.status()?.currentHealthy, 4);
  assert.equal(h.status()?.disruptionsAllowed, 0);
});

test('a pod without a known controller fails safe with SyncFailed', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ maxUnavailable: '10%' }));
  h.seed(PODS, pod('a', { owner: { kind: 'CronTab', name: 'x', uid: 'uid-x', apiVersion: 'example.com/v1' } }));
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.equal(h.status()?.disruptionsAllowed, 0);
  assert.deepEqual(h.status()?.conditions?.[0]?.reason, 'SyncFailed');
  assert.equal(h.status()?.conditions?.[0]?.message, 'found no controllers for pod "a"');
  assert.ok(h.recorder.lines().some((l) => l.startsWith('Warning CalculateExpectedPodCountFailed')));
});

test('unmanaged pods under a percentage get a warning and count for nothing', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: '50%' }));
  h.seed(PODS, pod('a'));
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.ok(h.recorder.lines()[0]?.startsWith('Warning UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},})'));
  assert.equal(h.status()?.expectedPods, 0);
  assert.equal(h.status()?.disruptionsAllowed, 0);
});

test('disrupted pods are not healthy until the timeout, then pruned; the sync comes back at the timeout', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 1 }, { disruptedPods: { a: iso(T0 - 30_000), gone: iso(T0 - 1000), b: iso(T0 - DELETION_TIMEOUT_MS - 1000) } }));
  h.seed(PODS, pod('a'));
  h.seed(PODS, pod('b'));
  h.seed(PODS, pod('c'));
  const res = await h.ctrl.sync('ns/pdb', h.signal);
  assert.deepEqual(h.status()?.disruptedPods, { a: iso(T0 - 30_000) });
  assert.equal(h.status()?.currentHealthy, 2);
  assert.equal(h.status()?.disruptionsAllowed, 1);
  assert.deepEqual(res, { requeueAfterMs: DELETION_TIMEOUT_MS - 30_000 });
  assert.ok(h.recorder.lines().includes("Warning NotDeleted Pod was expected by PDB ns/pdb to be deleted but it wasn't"));
});

test('an up-to-date status is not written again; the condition keeps its transition time', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 1 }));
  h.seed(PODS, pod('a'));
  h.seed(PODS, pod('b'));
  await h.ctrl.sync('ns/pdb', h.signal);
  const inf = h.informers.forResource<PDBObject>(PODDISRUPTIONBUDGETS);
  inf.add(h.client.stored(PODDISRUPTIONBUDGETS, 'ns', 'pdb')!);
  await h.ctrl.sync('ns/pdb', h.signal);
  assert.equal(h.client.writes().length, 1);
  // One pod goes unready: the condition flips, with a new transition time.
  h.clock.now = T0 + 5000;
  h.informers.forResource(PODS).add(pod('b', { ready: false }));
  await h.ctrl.sync('ns/pdb', h.signal);
  const c = h.status()?.conditions?.[0];
  assert.deepEqual([c?.status, c?.reason, c?.lastTransitionTime], ['False', 'InsufficientPods', iso(T0 + 5000)]);
});

test('pod events wake the budgets that select the pod', async () => {
  const h = setup();
  h.seed(PODDISRUPTIONBUDGETS, pdb({ minAvailable: 1 }));
  while (h.ctrl.queue.len()) h.ctrl.queue.done((await h.ctrl.queue.get())!);
  h.informers.forResource(PODS).add(pod('x', { labels: { app: 'other' } }));
  assert.equal(h.ctrl.queue.len(), 0);
  h.informers.forResource(PODS).add(pod('y'));
  assert.equal(h.ctrl.queue.len(), 1);
  await h.ctrl.close();
});
