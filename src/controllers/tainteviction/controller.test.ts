import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import { testContext } from '../shared/testing.js';
import { NAME, TaintEvictionController, toleratesTaint } from './controller.js';

const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function node(name: string, taints: Taint[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, resourceVersion: '1' }, spec: { taints } };
}
function pod(name: string, nodeName: string, tolerations: Toleration[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' }, spec: { nodeName, tolerations, containers: [] }, status: { phase: 'Running' } };
}
const unreachable = (timeAdded = '2026-01-01T00:00:00Z'): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded });
const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function setup() {
  const t = testContext({ now: T0 });
  const controller = new TaintEvictionController(t.ctx);
  const nodes = t.informers.forResource(NODES);
  const pods = t.informers.forResource(PODS);
  const addPod = (p: KubeObject): void => {
    t.client.seed(PODS, p);
    pods.add(p);
  };
  return { ...t, controller, nodes, pods, addPod };
}

test('a pod that does not tolerate a NoExecute taint is deleted at once, with the upstream event', async () => {
  assert.equal(NAME, 'taint-eviction-controller');
  const { controller, nodes, addPod, client, recorder } = setup();
  nodes.add(node('n1', [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }]));
  addPod(pod('web', 'n1'));
  assert.equal(await controller.sync('default/web', signal), undefined);
  assert.deepEqual(client.writes(), ['patch pods/status default/web', 'delete pods default/web']);
  const patch = client.actions.find((a) => a.verb === 'patch')!.object as { status: { conditions: { type: string; reason: string }[] } };
  assert.equal(patch.status.conditions[0]!.type, 'DisruptionTarget');
  assert.equal(patch.status.conditions[0]!.reason, 'DeletionByTaintManager');
  assert.deepEqual(client.actions.find((a) => a.verb === 'delete')!.options?.gracePeriodSeconds, undefined);
  assert.deepEqual(recorder.lines(), ['Normal TaintManagerEviction Marking for deletion Pod default/web']);
  assert.equal(recorder.events[0]!.object.kind, 'Pod');
});

test('tolerationSeconds count from the taint timeAdded; the pod comes back at its deadline', async () => {
  const { controller, nodes, addPod, client, clock } = setup();
  nodes.add(node('n1', [unreachable()]));
  addPod(pod('web', 'n1', defaultTolerations));
  clock.now = T0 + 100_000;
  assert.deepEqual(await controller.sync('default/web', signal), { requeueAfterMs: 200_000 });
  assert.deepEqual(client.writes(), []);
  clock.now = T0 + 300_000;
  await controller.sync('default/web', signal);
  assert.deepEqual(client.writes(), ['patch pods/status default/web', 'delete pods default/web']);
});

test('no eviction when the taint is gone, tolerated forever, or the pod is terminating', async () => {
  const { controller, nodes, addPod, client, clock } = setup();
  nodes.add(node('n1', [unreachable()]));
  addPod(pod('web', 'n1', defaultTolerations));
  // The taint goes away before the deadline: cancelled.
  nodes.add(node('n1', []));
  clock.now = T0 + 400_000;
  assert.equal(await controller.sync('default/web', signal), undefined);
  nodes.add(node('n2', [unreachable()]));
  addPod(pod('forever', 'n2', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]));
  assert.equal(await controller.sync('default/forever', signal), undefined);
  const p = pod('going', 'n2');
  (p.metadata as { deletionTimestamp?: string }).deletionTimestamp = '2026-01-01T00:00:00Z';
  addPod(p);
  await controller.sync('default/going', signal);
  await controller.sync('default/missing', signal);
  assert.deepEqual(client.writes(), []);
});

test('the smallest toleration over several taints wins; a taint without timeAdded counts from when it was seen', async () => {
  const { controller, nodes, addPod, clock } = setup();
  nodes.add(node('n1', [{ key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }]));
  addPod(
    pod('web', 'n1', [
      { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
      { key: 'b', operator: 'Exists', tolerationSeconds: 30 },
    ]),
  );
  clock.now = T0 + 10_000;
  assert.deepEqual(await controller.sync('default/web', signal), { requeueAfterMs: 20_000 });
});

test('node taint changes enqueue the pods on the node', async () => {
  const { controller, nodes, addPod } = setup();
  addPod(pod('web', 'n1'));
  nodes.add(node('n1'));
  const queue = (controller as unknown as { pool: { queue: { len(): number; get(): Promise<string | undefined>; done(k: string): void } } }).pool.queue;
  const first = await queue.get();
  queue.done(first!);
  assert.equal(queue.len(), 0);
  nodes.add({ ...node('n1'), metadata: { name: 'n1', resourceVersion: '2' } });
  assert.equal(queue.len(), 0, 'no NoExecute change, nothing to do');
  nodes.add({ ...node('n1', [unreachable()]), metadata: { name: 'n1', resourceVersion: '3' } });
  assert.equal(queue.len(), 1);
});

test('toleratesTaint follows upstream matching', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  assert.ok(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint));
  assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint));
});
