import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { FakeRecorder } from '../../client/record/fake.js';
import { SharedInformerFactory } from '../../client/cache/factory.js';
import { nopLogger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { SimulatedNodes, simulatedNodeNames } from './simulated-nodes.js';
import type { SimulatedNodeSpec } from './node-status.js';

type NodeObj = Node & KubeObject;
type PodObj = Pod & KubeObject;

interface Harness {
  client: FakeClient;
  clock: { now: number };
  recorder: FakeRecorder;
  informers: SharedInformerFactory;
  sim: SimulatedNodes;
  /** Plays the watch: puts the stored nodes and pods into the informers. */
  refresh(): void;
  node(name?: string): NodeObj;
  pod(name?: string): PodObj;
  /** Edits a stored object (new resourceVersion) and delivers it to the informer. */
  editNode(name: string, fn: (n: DeepMutable<Node>) => void): void;
  editPod(name: string, fn: (p: DeepMutable<Pod>) => void): void;
  addPod(p: DeepMutable<Pod>): void;
  close(): Promise<void>;
}

async function harness(specs: SimulatedNodeSpec[] = [{ name: 'sim-0001' }], opts: { seedNodes?: NodeObj[] } = {}): Promise<Harness> {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const client = new FakeClient(() => clock.now);
  const t = { client, clock, recorder: new FakeRecorder(), informers: new SharedInformerFactory(client, { logger: nopLogger() }) };
  for (const n of opts.seedNodes ?? []) t.client.seed(NODES, n);
  const nodes = t.informers.forResource<NodeObj>(NODES);
  const pods = t.informers.forResource<PodObj>(PODS);
  const sim = new SimulatedNodes({
    client: t.client,
    logger: nopLogger(),
    recorder: () => t.recorder,
    nodes: specs,
    now: () => t.clock.now,
    informers: { nodes, pods },
  });
  const ac = new AbortController();
  await sim.start(ac.signal);
  const h: Harness = {
    ...t,
    sim,
    refresh() {
      for (const n of t.client.all<NodeObj>(NODES)) if (nodes.lister().get(undefined, n.metadata!.name!)?.metadata?.resourceVersion !== n.metadata?.resourceVersion) nodes.add(n);
      for (const p of t.client.all<PodObj>(PODS)) if (pods.lister().get(p.metadata!.namespace, p.metadata!.name!)?.metadata?.resourceVersion !== p.metadata?.resourceVersion) pods.add(p);
    },
    node: (name = 'sim-0001') => t.client.stored<NodeObj>(NODES, undefined, name)!,
    pod: (name = 'p') => t.client.stored<PodObj>(PODS, 'default', name)!,
    editNode(name, fn) {
      const n = structuredClone(h.node(name)) as DeepMutable<Node>;
      fn(n);
      delete n.metadata!.resourceVersion;
      nodes.add(t.client.seed(NODES, n as KubeObject) as NodeObj);
    },
    editPod(name, fn) {
      const p = structuredClone(h.pod(name)) as DeepMutable<Pod>;
      fn(p);
      delete p.metadata!.resourceVersion;
      pods.add(t.client.seed(PODS, p as KubeObject) as PodObj);
    },
    addPod(p) {
      pods.add(t.client.seed(PODS, p as KubeObject) as PodObj);
    },
    async close() {
      ac.abort();
      await sim.close();
    },
  };
  h.refresh();
  return h;
}

function newPod(name: string, extra: { annotations?: Record<string, string>; restartPolicy?: string; node?: string; resources?: Record<string, unknown>; noInit?: boolean } = {}): DeepMutable<Pod> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: extra.annotations },
    spec: {
      nodeName: extra.node ?? 'sim-0001',
      restartPolicy: extra.restartPolicy ?? 'Always',
      initContainers: extra.noInit ? undefined : [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'nginx:1.25', resources: extra.resources }],
    },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T23:59:00Z' }] },
  };
}

const cond = (p: Pod | Node, type: string) => (p.status?.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined)?.find((c) => c.type === type);

test('simulatedNodeNames pads to four digits', () => {
  assert.deepEqual(simulatedNodeNames(3), ['sim-0001', 'sim-0002', 'sim-0003']);
  assert.equal(simulatedNodeNames(12345, 'n-')[12344], 'n-12345');
});

test('registration creates the node with the kubelet shape, taints and events', async () => {
  const h = await harness([{ name: 'sim-0001', labels: { zone: 'a' }, taints: [{ key: 'k8ts.io/sim', effect: 'NoSchedule' }] }, { name: 'sim-0002', capacity: { cpu: '8' } }]);
  try {
    const n = h.node();
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'sim-0001');
    assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(n.metadata?.labels?.['kubernetes.io/arch'], 'amd64');
    assert.equal(n.metadata?.labels?.['node.k8ts.io/simulated'], 'true');
    assert.equal(n.metadata?.labels?.zone, 'a');
    assert.equal(n.metadata?.annotations?.['k8ts.io/simulated'], 'true');
    assert.deepEqual(n.spec?.taints, [{ key: 'k8ts.io/sim', effect: 'NoSchedule' }]);
    assert.deepEqual(n.status?.capacity, { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
    assert.deepEqual(n.status?.allocatable, n.status?.capacity);
    assert.equal(h.node('sim-0002').status?.capacity?.cpu, '8');
    assert.deepEqual(
      n.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`),
      ['MemoryPressure=False KubeletHasSufficientMemory', 'DiskPressure=False KubeletHasNoDiskPressure', 'PIDPressure=False KubeletHasSufficientPID', 'Ready=True KubeletReady'],
    );
    assert.equal(cond(n, 'Ready')?.message, 'kubelet is posting ready status');
    assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '10.44.0.1' }, { type: 'Hostname', address: 'sim-0001' }]);
    assert.equal(h.node('sim-0002').status?.addresses?.[0]?.address, '10.44.0.2');
    assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0');
    assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'k8ts-simulated://0.1.0');
    assert.equal(n.status?.nodeInfo?.osImage, 'k8ts simulated node');
    assert.equal(n.status?.nodeInfo?.machineID.length, 32);
    assert.notEqual(n.status?.nodeInfo?.machineID, h.node('sim-0002').status?.nodeInfo?.machineID);
    assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 0);
    assert.deepEqual(h.recorder.lines().filter((l) => l.includes('sim-0001') || l.includes('Starting')).slice(0, 1), ['Normal Starting Starting kubelet.']);
    assert.ok(h.recorder.lines().includes('Normal NodeReady Node sim-0001 status is now: NodeReady'));
    assert.equal(h.recorder.events[0]?.object.kind, 'Node');
  } finally {
    await h.close();
  }
});

test('an existing node is taken over: labels added, status posted over it', async () => {
  const existing = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-0001', labels: { keep: 'me' } }, spec: { podCIDR: '10.42.7.0/24' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } } as NodeObj;
  const h = await harness([{ name: 'sim-0001' }], { seedNodes: [existing] });
  try {
    assert.deepEqual(h.client.writes(), ['create nodes sim-0001', 'update nodes sim-0001', 'update nodes/status sim-0001']);
    const n = h.node();
    assert.equal(n.metadata?.labels?.keep, 'me');
    assert.equal(n.metadata?.labels?.['node.k8ts.io/simulated'], 'true');
    assert.equal(n.spec?.podCIDR, '10.42.7.0/24');
    assert.equal(cond(n, 'Ready')?.status, 'True');
    assert.ok(h.recorder.lines().includes('Normal NodeReady Node sim-0001 status is now: NodeReady'));
  } finally {
    await h.close();
  }
});

test('leases: created once with the node as owner, then renewed by PUT of the last one, spread over the period', async () => {
  const h = await harness(simulatedNodeNames(4).map((name) => ({ name })));
  try {
    const t0 = h.clock.now;
    assert.deepEqual(['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004'].map((n) => h.sim.dueAt('lease', n)! - t0), [0, 2500, 5000, 7500]);
    h.client.actions.length = 0;
    await h.sim.runDue();
    assert.deepEqual(h.client.writes(), ['create leases kube-node-lease/sim-0001']);
    const lease = h.client.stored<Lease & KubeObject>(LEASES, 'kube-node-lease', 'sim-0001')!;
    assert.equal(lease.spec?.holderIdentity, 'sim-0001');
    assert.equal(lease.spec?.leaseDurationSeconds, 40);
    assert.equal(lease.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
    assert.deepEqual(lease.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'sim-0001', uid: h.node().metadata?.uid }]);

    h.clock.now += 10_000;
    h.client.actions.length = 0;
    await h.sim.runDue();
    const leaseWrites = h.client.writes().filter((w) => w.includes('leases')).sort();
    assert.deepEqual(leaseWrites, [
      'create leases kube-node-lease/sim-0002',
      'create leases kube-node-lease/sim-0003',
      'create leases kube-node-lease/sim-0004',
      'update leases kube-node-lease/sim-0001',
    ]);
    assert.equal(h.client.actions.filter((a) => a.verb === 'get' && a.resource === 'leases' && a.name === 'sim-0001').length, 0, 'renewal does not GET');
    assert.equal(h.client.stored<Lease & KubeObject>(LEASES, 'kube-node-lease', 'sim-0001')!.spec?.renewTime, '2026-01-01T00:00:10.000000Z');
  } finally {
    await h.close();
  }
});

test('node status is reposted after the report period and at once when the conditions were changed', async () => {
  const h = await harness([{ name: 'sim-0001' }], {});
  try {
    await h.sim.runDue();
    h.client.actions.length = 0;
    h.clock.now += 300_000;
    await h.sim.runDue();
    assert.ok(h.client.writes().includes('update nodes/status sim-0001'));
    assert.equal(cond(h.node(), 'Ready')?.status, 'True');
    assert.equal((h.node().status?.conditions?.find((c) => c.type === 'Ready'))?.lastHeartbeatTime, '2026-01-01T00:05:00Z');

    // The node lifecycle controller marks it Unknown: the node answers with Ready again.
    h.client.actions.length = 0;
    h.editNode('sim-0001', (n) => {
      n.status!.conditions = n.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c));
    });
    await h.sim.runDue();
    assert.deepEqual(h.client.writes(), ['update nodes/status sim-0001']);
    assert.equal(cond(h.node(), 'Ready')?.status, 'True');
    assert.equal(h.recorder.lines().filter((l) => l.startsWith('Normal NodeReady')).length, 2);
  } finally {
    await h.close();
  }
});

test('the heartbeat-stopped annotation stops leases and status; removing it resumes at once', async () => {
  const h = await harness();
  try {
    await h.sim.runDue();
    h.editNode('sim-0001', (n) => {
      n.metadata!.annotations = { ...n.metadata!.annotations, 'k8ts.io/simulated-heartbeat': 'stopped' };
    });
    h.client.actions.length = 0;
    for (let i = 0; i < 40; i++) {
      h.clock.now += 10_000;
      await h.sim.runDue();
    }
    assert.deepEqual(h.client.writes(), []);

    h.editNode('sim-0001', (n) => {
      delete n.metadata!.annotations!['k8ts.io/simulated-heartbeat'];
      n.status!.conditions = n.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c));
    });
    await h.sim.runDue();
    assert.deepEqual(h.client.writes().sort(), ['update leases kube-node-lease/sim-0001', 'update nodes/status sim-0001']);
    assert.equal(h.client.stored<Lease & KubeObject>(LEASES, 'kube-node-lease', 'sim-0001')!.spec?.renewTime, new Date(h.clock.now).toISOString().replace('Z', '000Z'));
  } finally {
    await h.close();
  }
});

test('pods wait for the pod CIDR, then run with an address from it', async () => {
  const h = await harness();
  try {
    h.addPod(newPod('p'));
    h.addPod(newPod('q'));
    await h.sim.runDue();
    assert.equal(h.client.writes().filter((w) => w.includes('pods')).length, 0, 'no pod CIDR yet: pods stay Pending');

    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    await h.sim.runDue();
    const p = h.pod('p');
    const s = p.status!;
    assert.equal(s.phase, 'Running');
    assert.equal(s.hostIP, '10.44.0.1');
    assert.deepEqual(s.hostIPs, [{ ip: '10.44.0.1' }]);
    assert.equal(s.podIP, '10.42.3.2');
    assert.deepEqual(s.podIPs, [{ ip: '10.42.3.2' }]);
    assert.equal(h.pod('q').status?.podIP, '10.42.3.3');
    assert.equal(s.startTime, '2026-01-01T00:00:00Z');
    assert.equal(s.qosClass, 'BestEffort');
    assert.deepEqual(
      s.conditions?.map((c) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
    );
    assert.equal(cond(p, 'PodScheduled') && s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2025-12-31T23:59:00Z');
    const c = s.containerStatuses![0]!;
    assert.equal(c.name, 'app');
    assert.equal(c.image, 'nginx:1.25');
    assert.equal(c.imageID, 'k8ts-simulated://nginx:1.25');
    assert.match(c.containerID!, /^k8ts-simulated:\/\/[0-9a-f]{64}$/);
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.restartCount, 0);
    assert.equal(c.state?.running?.startedAt, '2026-01-01T00:00:00Z');
    const ic = s.initContainerStatuses![0]!;
    assert.equal(ic.state?.terminated?.reason, 'Completed');
    assert.equal(ic.state?.terminated?.exitCode, 0);

    // Seen again through the watch: nothing to write.
    h.refresh();
    h.client.actions.length = 0;
    await h.sim.runDue();
    assert.deepEqual(h.client.writes(), []);

    // Addresses go next-fit: the one a deleted pod frees is not handed out again at once.
    h.informers.forResource<PodObj>(PODS).delete(h.pod('p'));
    h.addPod(newPod('r'));
    h.addPod(newPod('s'));
    await h.sim.runDue();
    assert.equal(h.pod('r').status?.podIP, '10.42.3.4');
  } finally {
    await h.close();
  }
});

test('duration and exit code: Succeeded for 0, Failed otherwise; Always pods never end', async () => {
  const h = await harness();
  try {
    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    h.addPod(newPod('ok', { restartPolicy: 'Never', annotations: { 'k8ts.io/simulated-duration': '5s' } }));
    h.addPod(newPod('bad', { restartPolicy: 'OnFailure', annotations: { 'k8ts.io/simulated-duration': '5s', 'k8ts.io/simulated-exit-code': '1' } }));
    h.addPod(newPod('svc', { annotations: { 'k8ts.io/simulated-duration': '5s' } }));
    await h.sim.runDue();
    assert.equal(h.pod('ok').status?.phase, 'Running');
    assert.equal(h.sim.dueAt('pod', 'default/ok'), h.clock.now + 5000);
    h.refresh();
    h.clock.now += 5000;
    await h.sim.runDue();

    const ok = h.pod('ok');
    assert.equal(ok.status?.phase, 'Succeeded');
    const t = ok.status!.containerStatuses![0]!.state!.terminated!;
    assert.deepEqual([t.reason, t.exitCode, t.startedAt, t.finishedAt], ['Completed', 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z']);
    assert.equal(ok.status!.containerStatuses![0]!.ready, false);
    assert.deepEqual([cond(ok, 'Ready')?.status, cond(ok, 'Ready')?.reason], ['False', 'PodCompleted']);
    assert.deepEqual([cond(ok, 'ContainersReady')?.status, cond(ok, 'ContainersReady')?.reason], ['False', 'PodCompleted']);

    const bad = h.pod('bad');
    assert.equal(bad.status?.phase, 'Failed');
    assert.deepEqual([bad.status!.containerStatuses![0]!.state!.terminated!.reason, bad.status!.containerStatuses![0]!.state!.terminated!.exitCode], ['Error', 1]);
    assert.equal(cond(bad, 'Ready')?.reason, 'PodFailed');

    assert.equal(h.pod('svc').status?.phase, 'Running');
    assert.equal(h.sim.dueAt('pod', 'default/svc'), undefined);
  } finally {
    await h.close();
  }
});

test('ready-after delays readiness', async () => {
  const h = await harness();
  try {
    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    h.addPod(newPod('p', { annotations: { 'k8ts.io/simulated-ready-after': '3s' } }));
    await h.sim.runDue();
    let p = h.pod('p');
    assert.equal(p.status?.phase, 'Running');
    assert.deepEqual([cond(p, 'Ready')?.status, cond(p, 'Ready')?.reason, cond(p, 'Ready')?.message], ['False', 'ContainersNotReady', 'containers with unready status: [app]']);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, false);
    h.refresh();
    h.clock.now += 3000;
    await h.sim.runDue();
    p = h.pod('p');
    assert.equal(cond(p, 'Ready')?.status, 'True');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:03Z');
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
  } finally {
    await h.close();
  }
});

test('a deleted pod is finished: containers terminated, then DELETE with grace 0 and its UID', async () => {
  const h = await harness();
  try {
    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    h.addPod(newPod('p'));
    await h.sim.runDue();
    h.refresh();
    const uid = h.pod('p').metadata?.uid;
    h.editPod('p', (p) => {
      p.metadata!.deletionTimestamp = '2026-01-01T00:00:30Z';
      p.metadata!.deletionGracePeriodSeconds = 30;
    });
    h.client.actions.length = 0;
    await h.sim.runDue();
    assert.deepEqual(h.client.writes(), ['update pods/status default/p', 'delete pods default/p']);
    const status = h.client.actions[0]!.object as Pod;
    assert.equal(status.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 143);
    assert.equal(status.status?.phase, 'Failed');
    assert.deepEqual(h.client.actions[1]!.options, { namespace: 'default', gracePeriodSeconds: 0, preconditions: { uid } });
    assert.equal(h.pod('p'), undefined);
  } finally {
    await h.close();
  }
});

test('qosClass follows upstream', async () => {
  const h = await harness();
  try {
    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    h.addPod(newPod('g', { noInit: true, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1Gi' } } }));
    h.addPod(newPod('b', { resources: { requests: { cpu: '100m' } } }));
    // An init container without limits keeps a pod from being Guaranteed.
    h.addPod(newPod('gi', { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }));
    await h.sim.runDue();
    assert.equal(h.pod('g').status?.qosClass, 'Guaranteed');
    assert.equal(h.pod('b').status?.qosClass, 'Burstable');
    assert.equal(h.pod('gi').status?.qosClass, 'Burstable');
  } finally {
    await h.close();
  }
});

test('pods of other nodes are left alone', async () => {
  const h = await harness();
  try {
    h.editNode('sim-0001', (n) => {
      n.spec!.podCIDR = '10.42.3.0/24';
    });
    h.addPod(newPod('real', { node: 'worker-1' }));
    await h.sim.runDue();
    assert.equal(h.pod('real').status?.phase, 'Pending');
  } finally {
    await h.close();
  }
});
