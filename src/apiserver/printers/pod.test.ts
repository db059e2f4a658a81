import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { podPrinter, podSummary, podTemplatePrinter } from './pod.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const MIN = 60_000;

function cs(name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, ...extra };
}

function pod(opts: {
  containers?: string[];
  init?: { name: string; sidecar?: boolean }[];
  phase?: string;
  reason?: string;
  statuses?: ContainerStatus[];
  initStatuses?: ContainerStatus[];
  conditions?: PodCondition[];
  deleting?: boolean;
}): Pod {
  return {
    metadata: {
      name: 'p',
      creationTimestamp: ago(10 * MIN),
      ...(opts.deleting ? { deletionTimestamp: ago(MIN) } : {}),
    },
    spec: {
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'img' })),
      initContainers: (opts.init ?? []).map((c) => ({ name: c.name, image: 'img', ...(c.sidecar ? { restartPolicy: 'Always' } : {}) })),
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.reason ? { reason: opts.reason } : {}),
      containerStatuses: opts.statuses ?? [],
      initContainerStatuses: opts.initStatuses ?? [],
      conditions: opts.conditions ?? [],
    },
  };
}

const running = { running: { startedAt: ago(5 * MIN) } };
const status = (p: Pod): string => podSummary(p, NOW).status;

test('pending pod without statuses shows its phase', () => {
  const s = podSummary(pod({ phase: 'Pending' }), NOW);
  assert.deepEqual(s, { ready: '0/1', status: 'Pending', restarts: '0' });
});

test('running and ready', () => {
  const s = podSummary(pod({ statuses: [cs('app', { ready: true, state: running })] }), NOW);
  assert.deepEqual(s, { ready: '1/1', status: 'Running', restarts: '0' });
});

test('waiting reasons: ContainerCreating, CrashLoopBackOff, ErrImagePull, ImagePullBackOff', () => {
  for (const reason of ['ContainerCreating', 'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff']) {
    assert.equal(status(pod({ phase: 'Pending', statuses: [cs('app', { state: { waiting: { reason } } })] })), reason);
  }
});

test('RESTARTS shows the latest lastState.terminated.finishedAt', () => {
  const p = pod({
    containers: ['a', 'b'],
    statuses: [
      cs('a', { restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(9 * MIN) } } }),
      cs('b', { restartCount: 1, ready: true, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * MIN) } } }),
    ],
  });
  assert.deepEqual(podSummary(p, NOW), { ready: '1/2', status: 'CrashLoopBackOff', restarts: '3 (5m ago)' });
  // Restarts without a recorded termination time print the bare count.
  const q = pod({ statuses: [cs('app', { restartCount: 2, ready: true, state: running })] });
  assert.equal(podSummary(q, NOW).restarts, '2');
});

test('terminated reasons: Completed, OOMKilled, Error', () => {
  for (const reason of ['Completed', 'OOMKilled', 'Error']) {
    const p = pod({ phase: reason === 'Completed' ? 'Succeeded' : 'Failed', statuses: [cs('app', { state: { terminated: { exitCode: reason === 'Completed' ? 0 : 1, reason } } })] });
    assert.equal(status(p), reason);
  }
});

test('terminated without reason: Signal:N and ExitCode:N', () => {
  assert.equal(status(pod({ statuses: [cs('app', { state: { terminated: { exitCode: 137, signal: 9 } } })] })), 'Signal:9');
  assert.equal(status(pod({ statuses: [cs('app', { state: { terminated: { exitCode: 3 } } })] })), 'ExitCode:3');
});

test('Completed beside a running container: Running with Ready condition, else NotReady', () => {
  const statuses = [
    cs('a', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
    cs('b', { ready: true, state: running }),
  ];
  const notReady = pod({ containers: ['a', 'b'], statuses, conditions: [{ type: 'Ready', status: 'False' }] });
  assert.deepEqual(podSummary(notReady, NOW), { ready: '1/2', status: 'NotReady', restarts: '0' });
  const ready = pod({ containers: ['a', 'b'], statuses, conditions: [{ type: 'Ready', status: 'True' }] });
  assert.equal(status(ready), 'Running');
});

test('init containers: Init:N/M while running', () => {
  const init = [{ name: 'i1' }, { name: 'i2' }];
  const first = pod({ phase: 'Pending', init, initStatuses: [cs('i1', { state: running }), cs('i2', { state: { waiting: { reason: 'PodInitializing' } } })] });
  assert.equal(status(first), 'Init:0/2');
  const second = pod({
    phase: 'Pending',
    init,
    initStatuses: [cs('i1', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('i2', { state: running })],
  });
  assert.equal(status(second), 'Init:1/2');
});

test('init containers: Init:<waiting reason>, Init:<terminated reason>, Init:Signal, Init:ExitCode', () => {
  const init = [{ name: 'i1' }];
  const mk = (state: ContainerStatus['state'], restartCount = 0): Pod =>
    pod({ phase: 'Pending', init, initStatuses: [cs('i1', { state, restartCount })] });
  assert.equal(status(mk({ waiting: { reason: 'CrashLoopBackOff' } })), 'Init:CrashLoopBackOff');
  assert.equal(status(mk({ terminated: { exitCode: 1, reason: 'Error' } })), 'Init:Error');
  assert.equal(status(mk({ terminated: { exitCode: 137, signal: 9 } })), 'Init:Signal:9');
  assert.equal(status(mk({ terminated: { exitCode: 2 } })), 'Init:ExitCode:2');
  // Restarts of a failing init container count while the pod initializes.
  assert.equal(podSummary(mk({ waiting: { reason: 'CrashLoopBackOff' } }, 4), NOW).restarts, '4');
});

test('PodInitializing once init containers are done', () => {
  const p = pod({
    phase: 'Pending',
    init: [{ name: 'i1' }],
    initStatuses: [cs('i1', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })],
    statuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
  });
  assert.equal(status(p), 'PodInitializing');
});

test('restartable init containers (sidecars) count in READY and RESTARTS', () => {
  const p = pod({
    init: [{ name: 'side', sidecar: true }],
    initStatuses: [
      cs('side', { started: true, ready: true, state: running, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * MIN) } } }),
    ],
    statuses: [cs('app', { ready: true, state: running })],
    conditions: [{ type: 'Initialized', status: 'True' }],
  });
  assert.deepEqual(podSummary(p, NOW), { ready: '2/2', status: 'Running', restarts: '1 (3m ago)' });
  const notStarted = pod({ phase: 'Pending', init: [{ name: 'side', sidecar: true }], initStatuses: [cs('side', { started: false, state: running })] });
  assert.deepEqual(podSummary(notStarted, NOW), { ready: '0/2', status: 'Init:0/1', restarts: '0' });
});

test('Terminating while deleted and not terminal; Unknown for NodeLost', () => {
  const statuses = [cs('app', { ready: true, state: running })];
  assert.equal(status(pod({ statuses, deleting: true })), 'Terminating');
  assert.equal(status(pod({ statuses, deleting: true, reason: 'NodeLost' })), 'Unknown');
  const done = pod({ phase: 'Succeeded', deleting: true, statuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] });
  assert.equal(status(done), 'Completed');
});

test('status.reason: Evicted, NodeLost; SchedulingGated', () => {
  assert.equal(status(pod({ phase: 'Failed', reason: 'Evicted' })), 'Evicted');
  assert.equal(status(pod({ reason: 'NodeLost', statuses: [cs('app', { ready: true, state: running })] })), 'NodeLost');
  const gated = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(status(gated), 'SchedulingGated');
});

test('pod row: columns, AGE and wide cells', () => {
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
      ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ],
  );
  const p = pod({ statuses: [cs('app', { ready: true, state: running })] });
  assert.deepEqual(podPrinter.cells(p, NOW), ['p', '1/1', 'Running', '0', '10m', '<none>', '<none>', '<none>', '<none>']);

  p.spec!.nodeName = 'node-1';
  p.spec!.readinessGates = [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }];
  p.status!.podIP = '10.42.0.5';
  p.status!.nominatedNodeName = 'node-2';
  p.status!.conditions = [{ type: 'example.com/a', status: 'True' }, { type: 'example.com/b', status: 'False' }];
  assert.deepEqual(podPrinter.cells(p, NOW).slice(5), ['10.42.0.5', 'node-1', 'node-2', '1/2']);
  p.status!.podIPs = [{ ip: 'fd00::5' }, { ip: '10.42.0.5' }];
  assert.equal(podPrinter.cells(p, NOW)[5], 'fd00::5');
});

test('finished pods carry the Completed row condition', () => {
  assert.deepEqual(podPrinter.conditions!(pod({ phase: 'Succeeded' })).map((c) => c.reason), ['Succeeded']);
  assert.deepEqual(podPrinter.conditions!(pod({ phase: 'Failed' })).map((c) => c.reason), ['Failed']);
  assert.deepEqual(podPrinter.conditions!(pod({ phase: 'Running' })), []);
});

test('pod template row', () => {
  const cells = podTemplatePrinter.cells(
    { metadata: { name: 't' }, template: { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'c1', image: 'i1' }, { name: 'c2', image: 'i2' }] } } },
    NOW,
  );
  assert.deepEqual(cells, ['t', 'c1,c2', 'i1,i2', 'a=1,b=2']);
});
