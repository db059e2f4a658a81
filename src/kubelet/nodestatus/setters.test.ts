import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineInfo } from './machine.js';
import { goArch, prettyName } from './machine.js';
import { aggregateMessage, allocatableOf, capacityOf, nodeStatusChanged, runtimeConditionString, setNodeStatus, type MutableNode, type StatusInputs } from './setters.js';

const machine: MachineInfo = {
  machineID: 'm1',
  systemUUID: 'm1',
  bootID: 'b1',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  numCores: 2,
  memoryCapacityBytes: 8048144 * 1024,
  hugePages: [
    { pageSizeKiB: 1048576, numPages: 0 },
    { pageSizeKiB: 2048, numPages: 0 },
  ],
};

const T0 = Date.parse('2025-01-01T00:00:00Z');

function inputs(over: Partial<StatusInputs> = {}): StatusInputs {
  return {
    nodeName: 'n1',
    now: T0,
    machine,
    ephemeralStorageBytes: 100 * 1024 ** 3,
    maxPods: 110,
    internalIP: '10.0.0.5',
    hostname: 'n1',
    kubeletPort: 10250,
    runtimeVersion: { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' },
    images: [
      { id: 'sha256:a', repoTags: ['docker.io/library/busybox:latest'], repoDigests: ['docker.io/library/busybox@sha256:aa'], size: 10, uid: null, username: '', spec: null, pinned: false },
      { id: 'sha256:b', repoTags: ['registry.k8s.io/pause:3.10'], repoDigests: [], size: 20, uid: null, username: '', spec: null, pinned: true },
    ],
    runtimeHandlers: [],
    readinessErrors: [],
    kubeletVersion: 'v1.32.4+k8ts',
    operatingSystem: 'linux',
    architecture: 'amd64',
    ...over,
  };
}

test('capacity and allocatable: cores, memory in Ki, pods, ephemeral storage, huge pages', () => {
  const cap = capacityOf(inputs());
  assert.deepEqual(cap, {
    cpu: '2',
    memory: '8048144Ki',
    pods: '110',
    'ephemeral-storage': '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  });
  assert.deepEqual(allocatableOf(cap), cap);
  const withHuge = capacityOf(inputs({ machine: { ...machine, hugePages: [{ pageSizeKiB: 2048, numPages: 512 }] } }));
  assert.equal(withHuge['hugepages-2Mi'], '1Gi');
  assert.equal(allocatableOf(withHuge).memory, `${8048144 - 1024 * 1024}Ki`);
});

test('setNodeStatus on a new node: upstream conditions, events, node info, images', () => {
  const node: MutableNode = { metadata: { name: 'n1' }, status: {} };
  const events: string[] = [];
  setNodeStatus(node, inputs(), (type, reason, message) => events.push(`${type} ${reason} ${message}`));
  const s = node.status!;
  assert.deepEqual(
    s.conditions!.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime, c.lastTransitionTime]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ],
  );
  // A new Ready condition records no event (upstream needToRecordEvent only on a change).
  assert.deepEqual(events, [
    'Normal NodeHasSufficientMemory Node n1 status is now: NodeHasSufficientMemory',
    'Normal NodeHasNoDiskPressure Node n1 status is now: NodeHasNoDiskPressure',
    'Normal NodeHasSufficientPID Node n1 status is now: NodeHasSufficientPID',
  ]);
  assert.deepEqual(s.addresses, [
    { type: 'InternalIP', address: '10.0.0.5' },
    { type: 'Hostname', address: 'n1' },
  ]);
  assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.deepEqual(s.nodeInfo, {
    machineID: 'm1',
    systemUUID: 'm1',
    bootID: 'b1',
    kernelVersion: '6.1.0',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    containerRuntimeVersion: 'containerd://1.6.20~ds1',
    kubeletVersion: 'v1.32.4+k8ts',
    kubeProxyVersion: 'v1.32.4+k8ts',
    operatingSystem: 'linux',
    architecture: 'amd64',
  });
  assert.deepEqual(s.images, [
    { names: ['registry.k8s.io/pause:3.10'], sizeBytes: 20 },
    { names: ['docker.io/library/busybox@sha256:aa', 'docker.io/library/busybox:latest'], sizeBytes: 10 },
  ]);
});

test('Ready: not ready with the runtime network message, transition and event on change', () => {
  const node: MutableNode = { metadata: { name: 'n1' }, status: {} };
  const events: string[] = [];
  const rec = (type: string, reason: string) => events.push(`${type} ${reason}`);
  const netErr = `container runtime network not ready: ${runtimeConditionString({ type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' })}`;
  assert.equal(netErr, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
  setNodeStatus(node, inputs({ readinessErrors: [netErr] }), rec);
  let ready = node.status!.conditions!.at(-1)!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'KubeletNotReady', netErr]);

  events.length = 0;
  const before = structuredClone(node.status);
  setNodeStatus(node, inputs({ now: T0 + 10_000, readinessErrors: [netErr] }), rec);
  assert.deepEqual(events, [], 'no transitions, no events');
  assert.equal(nodeStatusChanged(before, node.status), false, 'heartbeat times alone are no change');
  assert.equal(node.status!.conditions![0]!.lastHeartbeatTime, '2025-01-01T00:00:10Z');
  assert.equal(node.status!.conditions![0]!.lastTransitionTime, '2025-01-01T00:00:00Z');

  setNodeStatus(node, inputs({ now: T0 + 20_000 }), rec);
  ready = node.status!.conditions!.at(-1)!;
  assert.deepEqual([ready.status, ready.reason, ready.lastTransitionTime], ['True', 'KubeletReady', '2025-01-01T00:00:20Z']);
  assert.deepEqual(events, ['Normal NodeReady']);
  assert.equal(nodeStatusChanged(before, node.status), true);
});

test('Ready: several reasons aggregate as Go does; missing capacity is a reason', () => {
  assert.equal(aggregateMessage(['a']), 'a');
  assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
  const node: MutableNode = { metadata: { name: 'n1' }, status: {} };
  setNodeStatus(node, inputs({ ephemeralStorageBytes: undefined, readinessErrors: ['container runtime status check may not have completed yet'] }), () => undefined);
  assert.equal(node.status!.conditions!.at(-1)!.message, '[container runtime status check may not have completed yet, missing node capacity for resources: ephemeral-storage]');
});

test('conditions of other owners are kept; a changed boot id is a Rebooted warning', () => {
  const node: MutableNode = {
    metadata: { name: 'n1' },
    status: { nodeInfo: { machineID: 'm1', systemUUID: 'm1', bootID: 'old', kernelVersion: '', osImage: '', containerRuntimeVersion: '', kubeletVersion: '', kubeProxyVersion: '', operatingSystem: '', architecture: '' }, conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }] },
  };
  const events: string[] = [];
  setNodeStatus(node, inputs(), (type, reason, message) => events.push(`${type} ${reason} ${message}`));
  assert.deepEqual(node.status!.conditions!.map((c) => c.type), ['NetworkUnavailable', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
  assert.equal(events[0], 'Warning Rebooted Node n1 has been rebooted, boot id: b1');
});

test('machine helpers', () => {
  assert.equal(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(prettyName(undefined), 'Linux');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});
