import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { generateAPIPodStatus, getPhase, sortPodIPs } from './generate.js';
import { noProbes, runtimeContainer, runtimePod, testPod, T0 } from './testing.js';

const cond = (conds: readonly PodCondition[] | undefined, type: string): PodCondition | undefined => conds?.find((c) => c.type === type);
const condLine = (conds: readonly PodCondition[] | undefined): string[] =>
  (conds ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? ''].join('|'));

describe('generateAPIPodStatus', () => {
  it('a pod waiting on its init container is Init:0/1 (Pending, PodInitializing, ContainersNotInitialized)', () => {
    const pod = testPod({ spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [runtimeContainer('init')]), { probes: noProbes, hostIPs: ['192.168.1.10'] });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.initContainerStatuses?.[0]?.state, { running: { startedAt: '2026-01-01T00:00:00Z' } });
    assert.equal(s.initContainerStatuses?.[0]?.ready, false);
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(condLine(s.conditions), [
      'PodReadyToStartContainers|True||',
      'Initialized|False|ContainersNotInitialized|containers with incomplete status: [init]',
      'Ready|False|ContainersNotReady|containers with unready status: [c]',
      'ContainersReady|False|ContainersNotReady|containers with unready status: [c]',
      'PodScheduled|True||',
    ]);
    assert.equal(s.podIP, '10.42.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.42.0.5' }]);
    assert.equal(s.hostIP, '192.168.1.10');
    assert.deepEqual(s.hostIPs, [{ ip: '192.168.1.10' }]);
    assert.equal(s.qosClass, 'BestEffort');
  });

  it('a pod with nothing created yet is Pending with ContainerCreating', () => {
    const pod = testPod() as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [], []), { probes: noProbes });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0], { name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} });
    assert.equal(cond(s.conditions, 'PodReadyToStartContainers')?.status, 'False');
    assert.equal(s.podIP, undefined);
    assert.equal(s.initContainerStatuses, undefined);
  });

  it('a running container without readiness probe makes the pod Running and Ready', () => {
    const pod = testPod() as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [runtimeContainer('c')]), { probes: noProbes });
    assert.equal(s.phase, 'Running');
    const cs = s.containerStatuses?.[0];
    assert.deepEqual(cs, {
      name: 'c',
      restartCount: 0,
      image: 'busybox',
      imageID: 'sha256:abc',
      containerID: 'containerd://c-0',
      ready: true,
      started: true,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      lastState: {},
    });
    assert.deepEqual(condLine(s.conditions), ['PodReadyToStartContainers|True||', 'Initialized|True||', 'Ready|True||', 'ContainersReady|True||', 'PodScheduled|True||']);
  });

  it('a crash-looping container waits with CrashLoopBackOff and shows the last termination', () => {
    const pod = testPod() as Pod;
    const rt = runtimePod(pod, [
      runtimeContainer('c', { restartCount: 1, state: 'exited', exitCode: 1, reason: 'Error', finishedAt: T0 + 2000 }),
      runtimeContainer('c', { restartCount: 0, state: 'exited', exitCode: 1, reason: 'Error', finishedAt: T0 + 500 }),
    ]);
    const msg = 'back-off 10s restarting failed container=c pod=p_ns(uid-1)';
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes, syncErrors: new Map([['c', { reason: 'CrashLoopBackOff', message: msg }]]) });
    const cs = s.containerStatuses![0]!;
    assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: msg } });
    assert.deepEqual(cs.lastState, {
      terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:02Z', containerID: 'containerd://c-1' },
    });
    assert.equal(cs.restartCount, 1);
    assert.equal(cs.ready, false);
    assert.equal(s.phase, 'Running');
    assert.equal(cond(s.conditions, 'Ready')?.message, 'containers with unready status: [c]');
  });

  it('an image pull failure is the waiting reason of a never-started container', () => {
    const pod = testPod() as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, []), {
      probes: noProbes,
      syncErrors: new Map([['c', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' }]]),
    });
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } });
    assert.equal(s.phase, 'Pending');
  });

  it('a completed job pod is Succeeded with PodCompleted conditions', () => {
    const pod = testPod({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const rt = runtimePod(pod, [runtimeContainer('c', { state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: T0 + 3000 })], [readyFalse()]);
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes });
    assert.equal(s.phase, 'Succeeded');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.deepEqual(condLine(s.conditions), [
      'PodReadyToStartContainers|False||',
      'Initialized|True|PodCompleted|',
      'Ready|False|PodCompleted|',
      'ContainersReady|False|PodCompleted|',
      'PodScheduled|True||',
    ]);
  });

  it('an OOM-killed container of a Never pod fails the pod', () => {
    const pod = testPod({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const rt = runtimePod(pod, [runtimeContainer('c', { state: 'exited', exitCode: 137, reason: 'OOMKilled', finishedAt: T0 + 3000 })]);
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.reason, 'OOMKilled');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.equal(cond(s.conditions, 'ContainersReady')?.reason, 'PodFailed');
  });

  it('a failed init container of an Always pod keeps it Pending with Init:Error-like statuses', () => {
    const pod = testPod({ spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const rt = runtimePod(pod, [runtimeContainer('init', { state: 'exited', exitCode: 2, reason: 'Error', finishedAt: T0 + 1 })]);
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes });
    // Terminated with a failure, no waiting container: neither pending init nor waiting → Pending by default.
    assert.equal(s.phase, 'Pending');
    assert.equal(s.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 2);
    const never = testPod({ spec: { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    assert.equal(generateAPIPodStatus(never, rt, { probes: noProbes }).phase, 'Failed');
  });

  it('a completed init container is Initialized and its status stays terminated', () => {
    const pod = testPod({ spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const rt = runtimePod(pod, [runtimeContainer('init', { state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: T0 + 1 }), runtimeContainer('c', { restartCount: 0, createdAt: T0 + 5 })]);
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes });
    assert.equal(s.phase, 'Running');
    assert.equal(s.initContainerStatuses?.[0]?.ready, true);
    assert.equal(cond(s.conditions, 'Initialized')?.status, 'True');
    assert.equal(cond(s.conditions, 'Ready')?.status, 'True');
  });

  it('keeps a terminal phase, the phase reason and conditions the kubelet does not own', () => {
    const pod = testPod({
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      status: {
        phase: 'Succeeded',
        reason: 'Done',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'example.com/gate', status: 'True' },
        ],
      },
    }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [], []), { probes: noProbes });
    assert.equal(s.phase, 'Succeeded');
    assert.equal(s.reason, 'Done');
    assert.equal(s.conditions?.[0]?.type, 'example.com/gate');
  });

  it('readiness gates hold Ready back', () => {
    const pod = testPod({ spec: { readinessGates: [{ conditionType: 'example.com/gate' }], containers: [{ name: 'c', image: 'busybox' }] } }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [runtimeContainer('c')]), { probes: noProbes });
    assert.deepEqual(cond(s.conditions, 'Ready'), {
      type: 'Ready',
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "example.com/gate" does not exist.',
    });
  });

  it('a container that vanished after running is shown as terminated with an unknown status', () => {
    const pod = testPod({
      status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'busybox', imageID: 'x', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] },
    }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, []), { probes: noProbes });
    const cs = s.containerStatuses![0]!;
    assert.deepEqual(cs.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(cs.lastState?.terminated?.reason, 'ContainerStatusUnknown');
    assert.equal(cs.restartCount, 1);
    assert.equal(s.phase, 'Running');
  });

  it('sorts regular container statuses by name and init statuses in spec order', () => {
    const pod = testPod({
      spec: {
        initContainers: [{ name: 'z-init', image: 'b' }, { name: 'a-init', image: 'b' }],
        containers: [{ name: 'web', image: 'b' }, { name: 'app', image: 'b' }],
      },
    }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, []), { probes: noProbes });
    assert.deepEqual(s.containerStatuses?.map((c) => c.name), ['app', 'web']);
    assert.deepEqual(s.initContainerStatuses?.map((c) => c.name), ['z-init', 'a-init']);
  });

  it('host-network pods take the node IP as pod IP', () => {
    const pod = testPod({ spec: { hostNetwork: true, containers: [{ name: 'c', image: 'b' }] } }) as Pod;
    const s = generateAPIPodStatus(pod, runtimePod(pod, [runtimeContainer('c')], [readySandboxNoIP()]), { probes: noProbes, hostIPs: ['192.168.1.10'] });
    assert.equal(s.podIP, '192.168.1.10');
    assert.equal(cond(s.conditions, 'PodReadyToStartContainers')?.status, 'True');
  });

  it('a deleted pod that the worker marked terminal is Failed once its containers were killed', () => {
    const pod = testPod({ metadata: { deletionTimestamp: '2026-01-01T00:01:00Z' } }) as Pod;
    const rt = runtimePod(pod, [runtimeContainer('c', { state: 'exited', exitCode: 143, reason: 'Error', finishedAt: T0 + 60_000 })], []);
    const s = generateAPIPodStatus(pod, rt, { probes: noProbes, podIsTerminal: true });
    assert.equal(s.phase, 'Failed');
    // A deleted pod is never restarted, so no waiting reason replaces the termination.
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 143);
  });
});

describe('getPhase', () => {
  it('OnFailure with a failed container is Running (restarting), with all succeeded Succeeded', () => {
    const pod = testPod({ spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'b' }] } }) as Pod;
    const term = (exitCode: number) => [{ name: 'c', image: 'b', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode } } }];
    assert.equal(getPhase(pod, term(1), false), 'Running');
    assert.equal(getPhase(pod, term(0), false), 'Succeeded');
    assert.equal(getPhase(pod, term(1), true), 'Failed');
  });
});

describe('sortPodIPs', () => {
  it('puts the node family first and keeps one of each family', () => {
    assert.deepEqual(sortPodIPs(['fd00::5', '10.0.0.5', '10.0.0.6'], '192.168.1.1'), ['10.0.0.5', 'fd00::5']);
    assert.deepEqual(sortPodIPs(['10.0.0.5', 'fd00::5'], 'fd00::1'), ['fd00::5', '10.0.0.5']);
  });
});

function readyFalse() {
  return { id: 'sb1', state: 'notready' as const, createdAt: T0, attempt: 0, ip: '', additionalIPs: [] };
}
function readySandboxNoIP() {
  return { id: 'sb1', state: 'ready' as const, createdAt: T0, attempt: 0, ip: '', additionalIPs: [] };
}
