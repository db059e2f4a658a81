import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../client/rest/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import { testContext } from '../shared/testing.js';
import { NAME, NodeLifecycleController } from './controller.js';

const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
}
type NodeObj = KubeObject & { spec?: { taints?: { key: string; effect: string; timeAdded?: string }[]; unschedulable?: boolean }; status?: { conditions?: Cond[] } };

function node(name: string, ready = 'True', extra: Partial<NodeObj> = {}): NodeObj {
  const conditions: Cond[] = [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: iso(T0) },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: iso(T0) },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: iso(T0) },
    { type: 'Ready', status: ready, lastHeartbeatTime: iso(T0) },
  ];
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: iso(T0 - 3600_000) }, spec: {}, status: { conditions }, ...extra };
}
function lease(name: string, renew: number): KubeObject {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease', resourceVersion: String(renew) }, spec: { holderIdentity: name, renewTime: new Date(renew).toISOString() } };
}
function pod(name: string, nodeName: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' }, spec: { nodeName, containers: [] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
}

function setup() {
  const t = testContext({ now: T0 });
  const controller = new NodeLifecycleController(t.ctx);
  const nodes = t.informers.forResource(NODES);
  const leases = t.informers.forResource(LEASES);
  const pods = t.informers.forResource(PODS);
  const addNode = (n: KubeObject): void => {
    t.client.seed(NODES, n);
    nodes.add(t.client.stored(NODES, undefined, n.metadata!.name!)!);
  };
  const addPod = (p: KubeObject): void => {
    t.client.seed(PODS, p);
    pods.add(p);
  };
  /** What a watch would deliver: the stored nodes into the cache. */
  const refresh = (): void => {
    for (const n of t.client.all(NODES)) nodes.add(structuredClone(n));
  };
  const stored = (name: string): NodeObj => t.client.stored<NodeObj>(NODES, undefined, name)!;
  return { ...t, controller, nodes, leases, addNode, addPod, refresh, stored };
}

test('nodes renewing their lease stay healthy; no writes', async () => {
  assert.equal(NAME, 'node-lifecycle-controller');
  const { controller, addNode, leases, client, clock } = setup();
  addNode(node('a'));
  leases.add(lease('a', T0));
  await controller.monitorNodeHealth(signal);
  for (let i = 1; i <= 10; i++) {
    clock.now = T0 + i * 10_000;
    leases.add(lease('a', clock.now));
    await controller.monitorNodeHealth(signal);
  }
  assert.deepEqual(client.writes(), []);
});

test('a node silent past the grace period: conditions Unknown, pods not ready, NodeNotReady, unreachable NoExecute taint', async () => {
  const { controller, addNode, addPod, leases, client, clock, recorder, refresh, stored } = setup();
  addNode(node('dead'));
  addNode(node('alive'));
  leases.add(lease('dead', T0));
  leases.add(lease('alive', T0));
  addPod(pod('web', 'dead'));
  addPod(pod('other', 'alive'));
  await controller.monitorNodeHealth(signal);
  clock.now = T0 + 40_000;
  leases.add(lease('alive', clock.now));
  await controller.monitorNodeHealth(signal);
  assert.deepEqual(client.writes(), [], 'exactly the grace period is not past it');
  clock.now = T0 + 40_001;
  await controller.monitorNodeHealth(signal);
  assert.deepEqual(client.writes(), ['update nodes/status dead', 'update pods/status default/web']);
  const conds = stored('dead').status!.conditions!;
  for (const c of conds) {
    assert.equal(c.status, 'Unknown', c.type);
    assert.equal(c.reason, 'NodeStatusUnknown');
    assert.equal(c.message, 'Kubelet stopped posting node status.');
  }
  const p = client.stored<KubeObject & { status: { conditions: Cond[] } }>(PODS, 'default', 'web')!;
  assert.equal(p.status.conditions[0]!.status, 'False');
  assert.ok(recorder.lines().includes('Normal NodeNotReady Node dead status is now: NodeNotReady'));
  assert.ok(recorder.lines().includes('Warning NodeNotReady Node is not ready'));
  const ev = recorder.events.find((e) => e.message === 'Node dead status is now: NodeNotReady')!;
  assert.deepEqual({ kind: ev.object.kind, name: ev.object.name }, { kind: 'Node', name: 'dead' });

  await controller.doNoExecuteTaintingPass(signal);
  const taints = stored('dead').spec!.taints!;
  assert.deepEqual(
    taints.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/unreachable:NoExecute'],
  );
  assert.equal(taints[0]!.timeAdded, iso(clock.now));
  // The condition change also brings the NoSchedule taint.
  refresh();
  await controller.syncNoScheduleTaints('dead', signal);
  assert.deepEqual(
    stored('dead').spec!.taints!.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'],
  );
  // A second pass writes nothing more.
  const before = client.writes().length;
  await controller.monitorNodeHealth(signal);
  await controller.doNoExecuteTaintingPass(signal);
  assert.equal(client.writes().length, before);

  // The node comes back: NoExecute taints go.
  clock.now += 5000;
  const back = stored('dead');
  back.status!.conditions = node('dead').status!.conditions!.map((c) => ({ ...c, lastHeartbeatTime: iso(clock.now) }));
  client.seed(NODES, back);
  refresh();
  await controller.monitorNodeHealth(signal);
  refresh();
  await controller.syncNoScheduleTaints('dead', signal);
  assert.deepEqual(stored('dead').spec!.taints, []);
});

test('a Ready heartbeat or a lease renewal restarts the grace period', async () => {
  const { controller, addNode, leases, client, clock } = setup();
  addNode(node('a'));
  addNode(node('b'));
  await controller.monitorNodeHealth(signal);
  clock.now = T0 + 30_000;
  leases.add(lease('a', clock.now));
  addNode(node('b', 'True', { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso(clock.now) }] } }));
  await controller.monitorNodeHealth(signal);
  clock.now = T0 + 60_000;
  await controller.monitorNodeHealth(signal);
  assert.deepEqual(client.writes(), []);
  clock.now = T0 + 70_001;
  await controller.monitorNodeHealth(signal);
  assert.deepEqual(client.writes().sort(), ['update nodes/status a', 'update nodes/status b']);
});

test('kubelet-reported NotReady taints not-ready:NoExecute; switching reasons swaps the taint at once', async () => {
  const { controller, addNode, leases, clock, stored, refresh } = setup();
  addNode(node('sick', 'False'));
  addNode(node('ok'));
  leases.add(lease('sick', T0));
  leases.add(lease('ok', T0));
  await controller.monitorNodeHealth(signal);
  await controller.doNoExecuteTaintingPass(signal);
  assert.deepEqual(stored('sick').spec!.taints!.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/not-ready:NoExecute']);
  refresh();
  clock.now = T0 + 41_000;
  leases.add(lease('ok', clock.now));
  await controller.monitorNodeHealth(signal);
  assert.deepEqual(stored('sick').spec!.taints!.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoExecute']);
});

test('tainting is rate limited per zone (0.1 nodes/s) and stops when every node is down', async () => {
  const { controller, addNode, leases, clock, stored } = setup();
  for (const n of ['a', 'b', 'c', 'd']) addNode(node(n, 'True'));
  addNode(node('x', 'False'));
  addNode(node('y', 'False'));
  for (const n of ['a', 'b', 'c', 'd', 'x', 'y']) leases.add(lease(n, T0));
  await controller.monitorNodeHealth(signal);
  await controller.doNoExecuteTaintingPass(signal);
  const tainted = (): string[] => ['x', 'y'].filter((n) => stored(n).spec?.taints?.length);
  assert.deepEqual(tainted(), ['x']);
  clock.now = T0 + 9_000;
  await controller.doNoExecuteTaintingPass(signal);
  assert.deepEqual(tainted(), ['x']);
  clock.now = T0 + 10_000;
  await controller.doNoExecuteTaintingPass(signal);
  assert.deepEqual(tainted(), ['x', 'y']);

  const solo = setup();
  solo.addNode(node('only', 'False'));
  solo.leases.add(lease('only', T0));
  await solo.controller.monitorNodeHealth(signal);
  solo.clock.now = T0 + 1000;
  await solo.controller.monitorNodeHealth(signal);
  await solo.controller.doNoExecuteTaintingPass(signal);
  assert.deepEqual(solo.stored('only').spec!.taints ?? [], []);
});

test('NoSchedule taints follow conditions and spec.unschedulable (TaintNodesByCondition)', async () => {
  const { controller, addNode, stored, refresh } = setup();
  const n = node('n');
  n.status!.conditions!.find((c) => c.type === 'MemoryPressure')!.status = 'True';
  n.spec = { unschedulable: true, taints: [{ key: 'user', effect: 'NoSchedule' }] };
  addNode(n);
  await controller.syncNoScheduleTaints('n', signal);
  assert.deepEqual(
    stored('n').spec!.taints!.map((t) => `${t.key}:${t.effect}`),
    ['user:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule'],
  );
  const s = stored('n');
  s.spec!.unschedulable = false;
  s.status!.conditions!.find((c) => c.type === 'MemoryPressure')!.status = 'False';
  refresh();
  await controller.syncNoScheduleTaints('n', signal);
  assert.deepEqual(stored('n').spec!.taints!.map((t) => `${t.key}:${t.effect}`), ['user:NoSchedule']);
});

test('a node that never posted status gets the startup grace period, then NodeStatusNeverUpdated', async () => {
  const { controller, addNode, clock, stored } = setup();
  const n: NodeObj = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'new', uid: 'u', resourceVersion: '1', creationTimestamp: iso(T0) }, spec: {}, status: {} };
  addNode(n);
  addNode(node('other'));
  clock.now = T0 + 59_000;
  await controller.monitorNodeHealth(signal);
  assert.equal(stored('new').status!.conditions, undefined);
  clock.now = T0 + 61_000;
  await controller.monitorNodeHealth(signal);
  const ready = stored('new').status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual({ status: ready.status, reason: ready.reason, message: ready.message }, { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
});

test('a monitor pass over 5,000 healthy nodes is quick and writes nothing', async () => {
  const { controller, nodes, leases, client, clock } = setup();
  for (let i = 0; i < 5000; i++) {
    nodes.add(node(`n${i}`));
    leases.add(lease(`n${i}`, T0));
  }
  await controller.monitorNodeHealth(signal);
  clock.now = T0 + 10_000;
  const start = performance.now();
  await controller.monitorNodeHealth(signal);
  assert.ok(performance.now() - start < 1000, `took ${performance.now() - start} ms`);
  assert.deepEqual(client.writes(), []);
});

test('run starts the loops and close stops them', async () => {
  const { controller, addNode } = setup();
  addNode(node('a'));
  const ac = new AbortController();
  await controller.run(ac.signal);
  await new Promise((r) => setTimeout(r, 20));
  await controller.close();
  await controller.close();
});
