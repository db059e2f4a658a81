import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS, REPLICASETS } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import type { PodObject } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { create, NAME, type ReplicaSetObject } from './controller.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function setup() {
  const t = testContext({ now: T0 });
  const ctrl = create(t.ctx);
  const rsInf = t.informers.forResource<ReplicaSetObject>(REPLICASETS);
  const podInf = t.informers.forResource<PodObject>(PODS);
  const signal = new AbortController().signal;
  const addRS = (rs: ReplicaSetObject): ReplicaSetObject => {
    const stored = t.client.seed(REPLICASETS, rs) as ReplicaSetObject;
    rsInf.add(stored);
    return stored;
  };
  const addPod = (pod: PodObject): PodObject => {
    const stored = t.client.seed(PODS, pod) as PodObject;
    podInf.add(stored);
    return stored;
  };
  /** Feeds what the controller wrote to pods back into the informer, as a watch would. */
  const observe = (): void => {
    const stored = new Map(t.client.all<PodObject>(PODS).map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    for (const p of podInf.lister().list()) if (!stored.has(`${p.metadata?.namespace}/${p.metadata?.name}`)) podInf.delete(p);
    for (const p of stored.values()) {
      const cached = podInf.lister().get(p.metadata?.namespace, p.metadata?.name ?? '');
      if (cached?.metadata?.resourceVersion !== p.metadata?.resourceVersion) podInf.add(structuredClone(p));
    }
  };
  const drain = async (): Promise<string[]> => {
    const out: string[] = [];
    while (ctrl.queue.len() > 0) {
      const k = (await ctrl.queue.get())!;
      ctrl.queue.done(k);
      out.push(k);
    }
    return out.sort();
  };
  const stored = (name: string) => t.client.stored<ReplicaSetObject>(REPLICASETS, 'ns', name)!;
  return { ...t, ctrl, rsInf, podInf, signal, addRS, addPod, observe, drain, stored };
}

function rs(name: string, replicas: number, extra: { minReadySeconds?: number; uid?: string; deletionTimestamp?: string } = {}): ReplicaSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'ns', uid: extra.uid ?? `uid-${name}`, generation: 1, resourceVersion: '1', deletionTimestamp: extra.deletionTimestamp },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

interface PodOpts {
  owner?: ReplicaSetObject;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  ready?: number;
  created?: number;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): PodObject {
  const owner = o.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '5',
      labels: o.labels ?? (owner ? { app: owner.metadata!.name!, tier: 'web' } : {}),
      creationTimestamp: iso(o.created ?? T0 - 3600_000),
      deletionTimestamp: o.deleting ? iso(T0) : undefined,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true }] : undefined,
    },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.ready) }] : [{ type: 'Ready', status: 'False' }],
    },
  };
}

test('creates the missing pods with a controller reference, events and status', async () => {
  assert.equal(NAME, 'replicaset-controller');
  const h = setup();
  const r = h.addRS(rs('web', 3));
  await h.ctrl.sync('ns/web', h.signal);
  const pods = h.client.all<PodObject>(PODS);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.equal(p.metadata?.generateName, 'web-');
    assert.deepEqual(p.metadata?.labels, { app: 'web', tier: 'web' });
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: r.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  }
  assert.deepEqual(
    h.recorder.lines(),
    pods.map((p) => `Normal SuccessfulCreate Created pod: ${p.metadata?.name}`),
  );
  // Status is written after the creations; the pods are not in the cache yet, so 0 replicas.
  assert.equal(h.client.writes().at(-1), 'update replicasets/status ns/web');
  assert.deepEqual(h.stored('web').status, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
});

test('expectations hold further creations until the informer has seen the pods', async () => {
  const h = setup();
  h.addRS(rs('web', 2));
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.client.all(PODS).length, 2);
  h.rsInf.add(h.stored('web'));
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.client.all(PODS).length, 2, 'no second round while creations are outstanding');
  h.observe();
  h.rsInf.add(h.stored('web'));
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.client.all(PODS).length, 2);
  assert.deepEqual(h.stored('web').status?.replicas, 2);
  assert.deepEqual(h.stored('web').status?.fullyLabeledReplicas, 2);
});

test('creations go in slow-start batches and stop at the first failed batch', async () => {
  const h = setup();
  h.addRS(rs('web', 10));
  let creates = 0;
  h.client.reactor = (a) => {
    if (a.verb === 'create' && a.resource === 'pods' && ++creates === 5) return new StatusError(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota: q');
    return undefined;
  };
  await assert.rejects(h.ctrl.sync('ns/web', h.signal), /exceeded quota/);
  // Batches 1, 2, 4: the third batch has a failure, so 7 attempts and 6 pods.
  assert.equal(creates, 7);
  assert.equal(h.client.all(PODS).length, 6);
  assert.equal(h.recorder.lines().filter((l) => l.startsWith('Warning FailedCreate Error creating: pods "web-x" is forbidden')).length, 1);
  const cond = h.stored('web').status?.conditions;
  assert.deepEqual(cond, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: iso(T0), reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota: q' }]);
  // The 4 never attempted are not expected; the 6 created are: observing them allows the next round.
  h.observe();
  h.client.reactor = undefined;
  h.rsInf.add(h.stored('web'));
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.client.all(PODS).length, 10);
  assert.equal(h.stored('web').status?.conditions, undefined, 'the failure condition goes once creating works');
});

test('at most burstReplicas pods per sync', async () => {
  const t = testContext({ now: T0 });
  const ctrl = create(t.ctx, { burstReplicas: 3 });
  const r = t.client.seed(REPLICASETS, rs('web', 5));
  t.informers.forResource(REPLICASETS).add(r);
  await ctrl.sync('ns/web', new AbortController().signal);
  assert.equal(t.client.all(PODS).length, 3);
});

test('surplus pods go in upstream order: unassigned, pending, not ready, then the most recently ready', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 2));
  h.addPod(pod('old-ready', { owner: r, node: 'n1', ready: T0 - 86400_000 }));
  h.addPod(pod('new-ready', { owner: r, node: 'n2', ready: T0 - 10_000 }));
  h.addPod(pod('not-ready', { owner: r, node: 'n3' }));
  h.addPod(pod('pending', { owner: r, node: 'n4', phase: 'Pending' }));
  h.addPod(pod('unassigned', { owner: r, phase: 'Pending' }));
  h.ctrl.expectations.delete('ns/web');
  await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(h.client.writes().filter((w) => w.startsWith('delete')).sort(), ['delete pods ns/not-ready', 'delete pods ns/pending', 'delete pods ns/unassigned']);
  assert.deepEqual(h.client.all<PodObject>(PODS).map((p) => p.metadata?.name).sort(), ['new-ready', 'old-ready']);
  assert.ok(h.recorder.lines().includes('Normal SuccessfulDelete Deleted pod: unassigned'));
  // The deletions are expected: until seen, no new round.
  h.podInf.add({ ...h.podInf.lister().get('ns', 'pending')!, metadata: { ...h.podInf.lister().get('ns', 'pending')!.metadata, resourceVersion: '9', deletionTimestamp: iso(T0) } });
  h.podInf.delete(h.podInf.lister().get('ns', 'pending')!);
  assert.equal(h.ctrl.expectations.satisfied('ns/web'), false, 'a pod seen twice counts once');
  h.observe();
  assert.equal(h.ctrl.expectations.satisfied('ns/web'), true);
});

test('the scale-down prefers the pods ready for the shortest time', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 1));
  h.addPod(pod('a', { owner: r, node: 'n1', ready: T0 - 86400_000 * 30 }));
  h.addPod(pod('b', { owner: r, node: 'n2', ready: T0 - 60_000 }));
  await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(h.client.writes().filter((w) => w.startsWith('delete')), ['delete pods ns/b']);
});

test('orphans matching the selector are adopted, owned pods that stop matching are released', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 2));
  h.addPod(pod('orphan', { labels: { app: 'web' }, node: 'n1', ready: T0 - 60_000 }));
  h.addPod(pod('relabelled', { owner: r, labels: { app: 'other' }, node: 'n1' }));
  h.addPod(pod('mine', { owner: r, node: 'n1' }));
  await h.ctrl.sync('ns/web', h.signal);
  const orphan = h.client.stored<PodObject>(PODS, 'ns', 'orphan')!;
  assert.equal(orphan.metadata?.ownerReferences?.[0]?.uid, r.metadata!.uid);
  assert.ok(h.client.actions.some((a) => a.verb === 'get' && a.resource === 'replicasets'), 'the owner is re-read before adopting');
  const release = h.client.actions.find((a) => a.verb === 'patch' && a.name === 'relabelled');
  assert.deepEqual(release?.object, { metadata: { ownerReferences: [{ $patch: 'delete', uid: r.metadata!.uid }], uid: 'uid-relabelled' } });
  assert.equal(h.client.writes().filter((w) => w.startsWith('create pods')).length, 0, 'orphan + mine = 2 replicas');
  assert.equal(h.stored('web').status?.replicas, 2);
  assert.equal(h.stored('web').status?.readyReplicas, 1);
});

test('a ReplicaSet being deleted creates nothing and adopts nothing', async () => {
  const h = setup();
  h.addRS(rs('web', 3, { deletionTimestamp: iso(T0) }));
  h.addPod(pod('orphan', { labels: { app: 'web' } }));
  await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(
    h.client.writes().filter((w) => !w.startsWith('update replicasets/status')),
    [],
  );
});

test('terminating and finished pods are not counted and get replaced', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 2));
  h.addPod(pod('ok', { owner: r, node: 'n1' }));
  h.addPod(pod('going', { owner: r, node: 'n1', deleting: true }));
  h.addPod(pod('done', { owner: r, node: 'n1', phase: 'Succeeded' }));
  h.ctrl.expectations.delete('ns/web');
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.client.writes().filter((w) => w.startsWith('create pods')).length, 1);
  assert.equal(h.stored('web').status?.replicas, 1);
});

test('minReadySeconds: ready pods count as available only later, and the sync asks to come back', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 2, { minReadySeconds: 30 }));
  h.addPod(pod('a', { owner: r, node: 'n1', ready: T0 - 10_000 }));
  h.addPod(pod('b', { owner: r, node: 'n1', ready: T0 - 60_000 }));
  const res = await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(res, { requeueAfterMs: 30_000 });
  assert.equal(h.stored('web').status?.readyReplicas, 2);
  assert.equal(h.stored('web').status?.availableReplicas, 1);
  h.clock.now = T0 + 25_000;
  h.rsInf.add(h.stored('web'));
  assert.equal(await h.ctrl.sync('ns/web', h.signal), undefined);
  assert.equal(h.stored('web').status?.availableReplicas, 2);
});

test('status is not rewritten when nothing changed', async () => {
  const h = setup();
  const r = h.addRS(rs('web', 1));
  h.addPod(pod('a', { owner: r, node: 'n1' }));
  await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(h.client.writes(), ['update replicasets/status ns/web']);
  h.rsInf.add(h.stored('web'));
  await h.ctrl.sync('ns/web', h.signal);
  assert.deepEqual(h.client.writes(), ['update replicasets/status ns/web']);
});

test('pod events wake the right ReplicaSets', async () => {
  const h = setup();
  const a = h.addRS(rs('a', 1));
  h.addRS(rs('b', 1));
  await h.drain();
  // An orphan wakes every ReplicaSet whose selector matches.
  h.podInf.add(pod('o', { labels: { app: 'b' } }));
  assert.deepEqual(await h.drain(), ['ns/b']);
  // An owned pod wakes its owner (and counts as an observed creation).
  h.ctrl.expectations.expectCreations('ns/a', 1);
  h.podInf.add(pod('p', { owner: a }));
  assert.deepEqual(await h.drain(), ['ns/a']);
  assert.equal(h.ctrl.expectations.satisfied('ns/a'), true);
  // Released by a: wakes a, and b that may adopt it.
  const released = pod('p', { labels: { app: 'b' } });
  h.podInf.add({ ...released, metadata: { ...released.metadata, resourceVersion: '6' } });
  assert.deepEqual(await h.drain(), ['ns/a', 'ns/b']);
  // A pod of an unknown owner wakes nobody.
  h.podInf.add(pod('q', { owner: rs('gone', 1) }));
  assert.deepEqual(await h.drain(), []);
  await h.ctrl.close();
});

test('a deleted ReplicaSet is done and forgets its expectations', async () => {
  const h = setup();
  h.ctrl.expectations.expectCreations('ns/web', 3);
  await h.ctrl.sync('ns/web', h.signal);
  assert.equal(h.ctrl.expectations.satisfied('ns/web'), true);
  assert.deepEqual(h.client.writes(), []);
});
