import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS, REPLICATIONCONTROLLERS } from '../../client/resources.js';
import type { PodObject } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { create, NAME, type ReplicationControllerObject } from './controller.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function setup() {
  const t = testContext({ now: T0 });
  const ctrl = create(t.ctx);
  const rcInf = t.informers.forResource<ReplicationControllerObject>(REPLICATIONCONTROLLERS);
  const podInf = t.informers.forResource<PodObject>(PODS);
  const signal = new AbortController().signal;
  const addRC = (rc: ReplicationControllerObject): ReplicationControllerObject => {
    const stored = t.client.seed(REPLICATIONCONTROLLERS, rc) as ReplicationControllerObject;
    rcInf.add(stored);
    return stored;
  };
  /** Mirrors the fake API's pods and controllers into the informers, as watches would. */
  const observe = (): void => {
    const stored = new Map(t.client.all<PodObject>(PODS).map((p) => [p.metadata!.name!, p]));
    for (const p of podInf.lister().list()) if (!stored.has(p.metadata!.name!)) podInf.delete(p);
    for (const p of stored.values()) {
      if (podInf.lister().get('ns', p.metadata!.name!)?.metadata?.resourceVersion !== p.metadata?.resourceVersion) podInf.add(structuredClone(p));
    }
    for (const rc of t.client.all<ReplicationControllerObject>(REPLICATIONCONTROLLERS)) rcInf.add(structuredClone(rc));
  };
  const sync = async (name = 'kubia'): Promise<void> => {
    await ctrl.sync(`ns/${name}`, signal);
    observe();
  };
  const pods = (): PodObject[] => t.client.all<PodObject>(PODS);
  return { ...t, ctrl, rcInf, podInf, addRC, observe, sync, pods };
}

function rc(name: string, replicas: number, uid = `uid-${name}`): ReplicationControllerObject {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: 'ns', uid, generation: 1, resourceVersion: '1' },
    spec: { replicas, selector: { app: 'kubia' }, template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } } },
  };
}

test('an RC creates its pods, with ReplicationController controller references and its own event source', async () => {
  assert.equal(NAME, 'replicationcontroller-controller');
  const h = setup();
  h.addRC(rc('kubia', 3));
  await h.sync();
  assert.equal(h.pods().length, 3);
  for (const p of h.pods()) assert.deepEqual(p.metadata?.ownerReferences?.[0], { apiVersion: 'v1', kind: 'ReplicationController', name: 'kubia', uid: 'uid-kubia', controller: true, blockOwnerDeletion: true });
  assert.equal(h.recorder.events[0]?.object.kind, 'ReplicationController');
  await h.sync();
  assert.deepEqual(h.client.stored<ReplicationControllerObject>(REPLICATIONCONTROLLERS, 'ns', 'kubia')?.status, {
    replicas: 3,
    fullyLabeledReplicas: 3,
    readyReplicas: 0,
    availableReplicas: 0,
    observedGeneration: 1,
  });
});

test('the selector defaults to the template labels when the RC has none', async () => {
  const h = setup();
  const c = rc('kubia', 1);
  delete (c.spec as { selector?: unknown }).selector;
  h.addRC(c);
  await h.sync();
  assert.equal(h.pods().length, 1);
});

test('scaling up and down, and a deleted pod is replaced', async () => {
  const h = setup();
  h.addRC(rc('kubia', 3));
  await h.sync();
  const scaled = structuredClone(h.client.stored<ReplicationControllerObject>(REPLICATIONCONTROLLERS, 'ns', 'kubia')!) as ReplicationControllerObject & { spec: { replicas: number } };
  scaled.spec.replicas = 5;
  h.client.seed(REPLICATIONCONTROLLERS, scaled);
  h.observe();
  await h.sync();
  assert.equal(h.pods().length, 5);
  scaled.spec.replicas = 2;
  h.client.seed(REPLICATIONCONTROLLERS, { ...scaled, metadata: { ...scaled.metadata, resourceVersion: '50' } });
  h.observe();
  await h.sync();
  assert.equal(h.pods().length, 2);
  // kubectl delete pod: the RC makes a new one.
  await h.client.resource(PODS).delete(h.pods()[0]!.metadata!.name!, { namespace: 'ns' });
  h.observe();
  await h.sync();
  assert.equal(h.pods().length, 2);
});

test('a pod relabelled out of the selector is released and replaced', async () => {
  const h = setup();
  h.addRC(rc('kubia', 3));
  await h.sync();
  const victim = h.pods()[0]!;
  await h.client.resource(PODS).patch(victim.metadata!.name!, 'merge', { metadata: { labels: { app: 'foo' } } }, { namespace: 'ns' });
  h.observe();
  await h.sync();
  const released = h.client.stored<PodObject>(PODS, 'ns', victim.metadata!.name!)!;
  assert.deepEqual(released.metadata?.labels, { app: 'foo' });
  // The fake applies strategic patches as merge patches; the released reference list is what was sent.
  const patch = h.client.actions.find((a) => a.verb === 'patch' && a.name === victim.metadata!.name && a.patchType === 'strategic');
  assert.deepEqual(patch?.object, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-kubia' }], uid: victim.metadata!.uid } });
  assert.equal(h.pods().filter((p) => p.metadata?.labels?.app === 'kubia').length, 3, 'a replacement was created');
});

test('pods orphaned by a cascade=orphan delete are adopted by a new RC with the same selector', async () => {
  const h = setup();
  h.addRC(rc('kubia', 3));
  await h.sync();
  // The garbage collector removed the RC and the pods' owner references.
  h.rcInf.delete(h.rcInf.lister().get('ns', 'kubia')!);
  for (const p of h.pods()) await h.client.resource(PODS).patch(p.metadata!.name!, 'merge', { metadata: { ownerReferences: null } }, { namespace: 'ns' });
  h.observe();
  await h.ctrl.sync('ns/kubia', new AbortController().signal);
  const before = h.client.actions.length;
  h.addRC(rc('kubia-v2', 3, 'uid-v2'));
  await h.sync('kubia-v2');
  assert.equal(h.pods().length, 3, 'no new pods: the orphans are adopted');
  for (const p of h.pods()) assert.equal(p.metadata?.ownerReferences?.[0]?.uid, 'uid-v2');
  assert.ok(h.client.actions.slice(before).every((a) => a.verb !== 'create' || a.resource !== 'pods'));
});
