import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { FakeRecorder } from '../../client/record/fake.js';
import { LEASES, NODES } from '../../client/resources.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { nopLogger } from '../../logging/index.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { NodeStatusManager, type NodeStatusManagerOptions } from './manager.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const HOUR = 3_600_000;

async function machineRoot(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-nodestatus-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'proc/sys/kernel/random'), { recursive: true });
  await mkdir(join(root, 'sys/kernel/mm/hugepages/hugepages-2048kB'), { recursive: true });
  await mkdir(join(root, 'sys/kernel/mm/hugepages/hugepages-1048576kB'), { recursive: true });
  await writeFile(join(root, 'etc/machine-id'), 'abc123\n');
  await writeFile(join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  await writeFile(join(root, 'proc/sys/kernel/random/boot_id'), 'boot-1\n');
  await writeFile(join(root, 'proc/meminfo'), 'MemTotal:        8048144 kB\nMemFree:  1 kB\nMemAvailable: 2 kB\n');
  await writeFile(join(root, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'), '0\n');
  await writeFile(join(root, 'sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages'), '0\n');
  return root;
}

async function setup(t: TestContext, over: Partial<NodeStatusManagerOptions> = {}) {
  const root = await machineRoot(t);
  let clock = T0;
  const now = () => clock;
  const client = new FakeClient(now);
  const runtime = new FakeRuntime({ now, images: ['registry.k8s.io/pause:3.10'] });
  runtime.networkReady = false;
  const recorder = new FakeRecorder();
  const m = new NodeStatusManager({
    client,
    nodeName: 'node-a',
    runtime,
    kubeletPort: 10250,
    addresses: { internalIP: '10.0.0.5', hostname: 'node-a' },
    labels: { role: 'worker' },
    taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }],
    rootDir: root,
    logger: nopLogger(),
    recorder,
    now,
    // Loops wait an hour: the test drives syncs itself.
    statusPeriodMs: HOUR,
    leasePeriodMs: HOUR,
    fastStatusPeriodMs: HOUR,
    machinePaths: { procRoot: join(root, 'proc'), sysRoot: join(root, 'sys'), etcRoot: join(root, 'etc') },
    ...over,
  });
  const ac = new AbortController();
  t.after(async () => {
    ac.abort();
    await m.close();
  });
  return { m, client, runtime, recorder, ac, advance: (ms: number) => (clock += ms) };
}

const stored = (c: FakeClient) => c.stored<Node & KubeObject>(NODES, undefined, 'node-a')!;

test('registers the node with labels, taints, capacity, not-ready status, and events', async (t) => {
  const { m, client, recorder, ac } = await setup(t);
  await m.start(ac.signal);
  const node = stored(client);
  assert.deepEqual(node.metadata?.labels, {
    'kubernetes.io/hostname': 'node-a',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    role: 'worker',
  });
  assert.equal(node.metadata?.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
  assert.deepEqual(node.spec?.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
  const cap = node.status?.capacity ?? {};
  assert.equal(cap.cpu, String(cpus().length));
  assert.equal(cap.memory, '8048144Ki');
  assert.equal(cap.pods, '110');
  assert.match(cap['ephemeral-storage'] ?? '', /^\d+(Ki|Mi|Gi|Ti)?$/);
  assert.equal(cap['hugepages-2Mi'], '0');
  assert.equal(cap['hugepages-1Gi'], '0');
  assert.deepEqual(node.status?.allocatable, cap);
  assert.deepEqual(m.allocatable(), cap);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, 'KubeletNotReady');
  assert.equal(ready?.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
  assert.equal(node.status?.nodeInfo?.machineID, 'abc123');
  assert.equal(node.status?.nodeInfo?.systemUUID, 'abc123');
  assert.equal(node.status?.nodeInfo?.bootID, 'boot-1');
  assert.equal(node.status?.nodeInfo?.osImage, 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'fake://0.0.1');
  assert.deepEqual(node.status?.images, [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 1_000_000 }]);
  assert.deepEqual(recorder.lines(), [
    'Normal Starting Starting kubelet.',
    'Normal NodeHasSufficientMemory Node node-a status is now: NodeHasSufficientMemory',
    'Normal NodeHasNoDiskPressure Node node-a status is now: NodeHasNoDiskPressure',
    'Normal NodeHasSufficientPID Node node-a status is now: NodeHasSufficientPID',
  ]);
  assert.deepEqual(recorder.events[0]!.object, { kind: 'Node', name: 'node-a', uid: 'node-a', namespace: '' });
});

test('status: patched when it changes or once a report period, Ready event on transition', async (t) => {
  const { m, client, runtime, recorder, ac, advance } = await setup(t);
  await m.start(ac.signal);
  const patches = () => client.writes().filter((w) => w === 'patch nodes/status node-a').length;

  advance(10_000);
  await m.updateRuntimeUp();
  await m.syncStatus();
  assert.equal(patches(), 0, 'nothing changed: no write');

  runtime.networkReady = true;
  advance(10_000);
  await m.updateRuntimeUp();
  await m.syncStatus();
  assert.equal(patches(), 1);
  const patch = client.actions.find((a) => a.verb === 'patch' && a.subresource === 'status')!;
  assert.equal(patch.patchType, 'strategic');
  assert.deepEqual(Object.keys((patch.object as { status: object }).status).sort(), ['addresses', 'allocatable', 'capacity', 'conditions', 'daemonEndpoints', 'images', 'nodeInfo', 'runtimeHandlers']);
  const ready = stored(client).status?.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason, ready?.message, ready?.lastTransitionTime], ['True', 'KubeletReady', 'kubelet is posting ready status', '2025-01-01T00:00:20Z']);
  assert.equal(recorder.lines().at(-1), 'Normal NodeReady Node node-a status is now: NodeReady');

  advance(30_000);
  await m.updateRuntimeUp();
  await m.syncStatus();
  assert.equal(patches(), 1, 'within the report period');
  advance(30_000);
  await m.updateRuntimeUp();
  await m.syncStatus();
  assert.equal(patches(), 2, 'report period passed');
  const mem = stored(client).status?.conditions?.find((c) => c.type === 'MemoryPressure');
  assert.equal(mem?.lastHeartbeatTime, '2025-01-01T00:01:20Z');
  assert.equal(mem?.lastTransitionTime, '2025-01-01T00:00:00Z');

  // A runtime that stops answering turns the node NotReady after 30 s.
  runtime.failNext('Status', 'UNAVAILABLE');
  advance(31_000);
  await m.updateRuntimeUp();
  await m.syncStatus();
  const notReady = stored(client).status?.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([notReady?.status, notReady?.message], ['False', 'container runtime is down']);
  assert.equal(recorder.lines().at(-1), 'Normal NodeNotReady Node node-a status is now: NodeNotReady');
});

test('lease: created in kube-node-lease owned by the node, then renewed', async (t) => {
  const { m, client, ac, advance } = await setup(t);
  await m.start(ac.signal);
  await m.renewLease();
  let lease = client.stored<Lease & KubeObject>(LEASES, 'kube-node-lease', 'node-a')!;
  assert.equal(lease.spec?.holderIdentity, 'node-a');
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  assert.deepEqual(lease.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: stored(client).metadata?.uid }]);
  advance(10_000);
  await m.renewLease();
  lease = client.stored<Lease & KubeObject>(LEASES, 'kube-node-lease', 'node-a')!;
  assert.equal(lease.spec?.renewTime, '2025-01-01T00:00:10.000000Z');
});

test('podCIDR: the configured one at once, else spec.podCIDR once the IPAM controller sets it', async (t) => {
  const { m, client, ac } = await setup(t);
  await m.start(ac.signal);
  let got: string | undefined;
  const p = m.podCIDR().then((c) => (got = c));
  await m.syncStatus();
  assert.equal(got, undefined);
  await client.resource(NODES).patch('node-a', 'merge', { spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] } });
  await m.syncStatus();
  await p;
  assert.equal(got, '10.42.1.0/24');

  const { m: m2 } = await setup(t, { podCIDR: '10.42.7.0/24' });
  assert.equal(await m2.podCIDR(), '10.42.7.0/24');
});

test('adopts an existing node: default labels and attach/detach annotation reconciled, status posted', async (t) => {
  const { m, client, ac } = await setup(t);
  client.seed(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a', keep: 'me' } }, spec: { podCIDR: '10.42.3.0/24' }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } });
  await m.start(ac.signal);
  const node = stored(client);
  assert.equal(node.metadata?.labels?.keep, 'me');
  assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.equal(node.metadata?.labels?.role, undefined, '--node-labels apply at registration only');
  assert.equal(node.metadata?.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
  assert.deepEqual(node.status?.conditions?.map((c) => c.type), ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']);
  assert.equal(node.status?.conditions?.[0]?.reason, 'KubeletNotReady');
  assert.equal(await m.podCIDR(), '10.42.3.0/24');
  assert.ok(client.writes().includes('patch nodes/status node-a'));
});

test('start: the loops renew the lease and post status on their own; close stops them', async (t) => {
  const { m, client, runtime, ac } = await setup(t, { leasePeriodMs: 5, fastStatusPeriodMs: 5 });
  runtime.networkReady = true;
  await m.start(ac.signal);
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline) {
    const ready = stored(client).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const leases = client.writes().filter((w) => w.startsWith('update leases')).length;
    if (ready && leases >= 2) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(stored(client).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.ok(client.writes().filter((w) => w.startsWith('update leases')).length >= 2);
  await m.close();
  const n = client.actions.length;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(client.actions.length, n, 'nothing after close');
  assert.equal(m.currentState, 'closed');
});
