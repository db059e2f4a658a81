import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { testContext } from '../shared/testing.js';
import { NAME, PodGCController, QUARANTINE_MS } from './controller.js';

const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string, opts: { node?: string; phase?: string; created?: number; deleting?: boolean; reason?: string } = {}): KubeObject {
  const metadata: Record<string, unknown> = { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: new Date(opts.created ?? T0).toISOString() };
  if (opts.deleting) metadata.deletionTimestamp = new Date(T0).toISOString();
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { nodeName: opts.node, containers: [] }, status: { phase: opts.phase ?? 'Running', reason: opts.reason } };
}
function node(name: string, ready = true, taints: { key: string; effect: string }[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, resourceVersion: '1' }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

function setup(threshold = 12_500) {
  const t = testContext({ now: T0, config: { terminatedPodGCThreshold: threshold } });
  const controller = new PodGCController(t.ctx);
  const pods = t.informers.forResource(PODS);
  const nodes = t.informers.forResource(NODES);
  const addPod = (p: KubeObject): void => {
    t.client.seed(PODS, p);
    pods.add(p);
  };
  const addNode = (n: KubeObject): void => {
    t.client.seed(NODES, n);
    nodes.add(n);
  };
  return { ...t, controller, addPod, addNode };
}

test('terminated pods beyond the threshold go oldest first (evicted first), with grace 0', async () => {
  assert.equal(NAME, 'pod-garbage-collector-controller');
  const { controller, addPod, addNode, client } = setup(2);
  addNode(node('n1'));
  addPod(pod('old', { node: 'n1', phase: 'Succeeded', created: T0 - 3000 }));
  addPod(pod('mid', { node: 'n1', phase: 'Failed', created: T0 - 2000 }));
  addPod(pod('new', { node: 'n1', phase: 'Succeeded', created: T0 - 1000 }));
  addPod(pod('evicted', { node: 'n1', phase: 'Failed', created: T0, reason: 'Evicted' }));
  addPod(pod('running', { node: 'n1', created: T0 - 9000 }));
  await controller.gc(signal);
  assert.deepEqual(client.writes().sort(), ['delete pods default/evicted', 'delete pods default/old']);
  assert.ok(client.actions.filter((a) => a.verb === 'delete').every((a) => a.options?.gracePeriodSeconds === 0));
});

test('orphaned pods are deleted after the 40 s quarantine, checked against the API, marked Failed with DisruptionTarget', async () => {
  const { controller, addPod, addNode, client, clock } = setup();
  addNode(node('n1'));
  addPod(pod('kept', { node: 'n1' }));
  addPod(pod('orphan', { node: 'gone' }));
  await controller.gc(signal);
  assert.deepEqual(client.writes(), []);
  clock.now = T0 + QUARANTINE_MS - 1;
  await controller.gc(signal);
  assert.deepEqual(client.writes(), []);
  clock.now = T0 + QUARANTINE_MS;
  await controller.gc(signal);
  assert.deepEqual(client.writes(), ['patch pods/status default/orphan', 'delete pods default/orphan']);
  const patch = client.actions.find((a) => a.verb === 'patch')!.object as { status: { phase: string; conditions: { type: string; reason: string; message: string }[] } };
  assert.equal(patch.status.phase, 'Failed');
  assert.deepEqual(
    { type: patch.status.conditions[0]!.type, reason: patch.status.conditions[0]!.reason, message: patch.status.conditions[0]!.message },
    { type: 'DisruptionTarget', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' },
  );
});

test('a node missing only from the cache is not treated as gone', async () => {
  const { controller, addPod, client, clock } = setup();
  client.seed(NODES, node('late'));
  addPod(pod('p', { node: 'late' }));
  await controller.gc(signal);
  clock.now = T0 + QUARANTINE_MS;
  await controller.gc(signal);
  assert.deepEqual(client.writes(), []);
});

test('terminating unscheduled pods and terminating pods on out-of-service NotReady nodes are force-deleted', async () => {
  const { controller, addPod, addNode, client } = setup();
  addNode(node('dead', false, [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }]));
  addNode(node('sick', false));
  addPod(pod('unbound', { deleting: true }));
  addPod(pod('oos', { node: 'dead', deleting: true }));
  addPod(pod('waiting', { node: 'sick', deleting: true }));
  await controller.gc(signal);
  assert.deepEqual(client.writes().sort(), ['delete pods default/oos', 'delete pods default/unbound', 'patch pods/status default/oos', 'patch pods/status default/unbound']);
});

test('failures are reported after the pass; NotFound is not a failure', async () => {
  const { controller, addPod, client } = setup(0);
  addPod(pod('a', { deleting: true }));
  addPod(pod('b', { deleting: true }));
  client.reactor = (a) => (a.verb === 'patch' && a.name === 'a' ? new StatusError(500, 'InternalError', 'boom') : a.name === 'b' ? new StatusError(404, 'NotFound', 'gone') : undefined);
  await assert.rejects(controller.gc(signal), /1 pod deletions failed/);
});

test('run does a pass at once; close stops the loop', async () => {
  const { controller, addPod, client } = setup();
  addPod(pod('unbound', { deleting: true }));
  const ac = new AbortController();
  await controller.run(ac.signal);
  for (let i = 0; i < 100 && !client.writes().length; i++) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await controller.close();
  assert.ok(client.writes().includes('delete pods default/unbound'));
});
