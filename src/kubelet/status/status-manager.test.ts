import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { PODS } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { strategicMergePatch } from '../../machinery/patch/index.js';
import { strategicSchemaFor } from '../../api/openapi/strategic-schema.js';
import { TestAPI } from '../util/testing/pod-api.js';
import { StatusManager, checkContainerStateTransition, mergePodStatus } from './status-manager.js';
import { podStatusPatch } from './patch.js';
import { testPod, T0 } from './testing.js';

const running = (ready: boolean): PodStatus => ({
  phase: 'Running',
  podIP: '10.42.0.5',
  podIPs: [{ ip: '10.42.0.5' }],
  conditions: [
    { type: 'Ready', status: ready ? 'True' : 'False' },
    { type: 'PodScheduled', status: 'True' },
  ],
  containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }],
});

function setup() {
  const api = new TestAPI();
  let now = T0;
  const pod = api.apply(PODS, testPod() as Pod);
  let terminated = false;
  const sm = new StatusManager({ client: api, logger: nopLogger(), now: () => now, retryMs: 10, canBeDeleted: () => terminated });
  return {
    api,
    pod,
    sm,
    advance: (ms: number) => (now += ms),
    setTerminated: () => (terminated = true),
    stored: () => api.stored<Pod>(PODS, 'ns', 'p'),
  };
}

describe('StatusManager', () => {
  it('writes a strategic patch on pods/status with the uid and keeps lastTransitionTime while a condition holds', async () => {
    const t = setup();
    t.sm.setPodStatus(t.pod, running(false));
    await t.sm.idle();
    assert.deepEqual(t.api.writes(), ['patch pods/status ns/p']);
    const body = t.api.calls[0]!.body as { metadata: { uid: string } };
    assert.equal(body.metadata.uid, t.pod.metadata?.uid);
    let st = t.stored()!.status!;
    assert.equal(st.phase, 'Running');
    assert.equal(st.startTime, '2026-01-01T00:00:00Z');
    const ready1 = st.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready1?.lastTransitionTime, '2026-01-01T00:00:00Z');
    // The scheduler's PodScheduled time stays.
    assert.equal(st.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2025-12-31T00:00:00Z');

    // Same status again: no write.
    t.advance(5000);
    t.sm.setPodStatus(t.stored()!, running(false));
    await t.sm.idle();
    assert.equal(t.api.calls.length, 1);

    t.advance(5000);
    t.sm.setPodStatus(t.stored()!, running(true));
    await t.sm.idle();
    st = t.stored()!.status!;
    assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:10Z');
    assert.equal(st.startTime, '2026-01-01T00:00:00Z');
    assert.equal(t.sm.getPodStatus(t.pod.metadata!.uid!)?.containerStatuses?.[0]?.ready, true);
  });

  it('coalesces changes made while a write is in flight and retries failures', async () => {
    const t = setup();
    let fail = 1;
    t.api.reactor = (c) => (c.verb === 'patch' && fail-- > 0 ? new Error('boom') : undefined);
    t.sm.setPodStatus(t.pod, running(false));
    t.sm.setPodStatus(t.pod, { ...running(true), podIP: '10.42.0.6', podIPs: [{ ip: '10.42.0.6' }] });
    t.sm.setPodStatus(t.pod, running(true));
    await t.sm.idle();
    await new Promise((r) => setTimeout(r, 30));
    await t.sm.idle();
    // One failed write, then one carrying the latest status.
    assert.deepEqual(t.api.writes(), ['patch pods/status ns/p', 'patch pods/status ns/p']);
    assert.equal(t.stored()!.status!.containerStatuses?.[0]?.ready, true);
    assert.equal(t.stored()!.status!.podIP, '10.42.0.5');
    await t.sm.close();
  });

  it('never writes the status of a pod whose uid changed', async () => {
    const t = setup();
    t.api.remove(PODS, 'ns', 'p');
    t.api.apply(PODS, testPod({ metadata: { uid: 'other' } }) as Pod);
    t.sm.setPodStatus(t.pod, running(true));
    await t.sm.idle();
    assert.deepEqual(t.api.writes(), []);
  });

  it('deletes a deleted pod with grace 0 and a uid precondition once it can be deleted', async () => {
    const t = setup();
    const deleting = t.api.apply(PODS, { ...t.pod, metadata: { ...t.pod.metadata, deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } });
    t.sm.setPodStatus(deleting, running(false));
    await t.sm.idle();
    assert.deepEqual(t.api.writes(), ['patch pods/status ns/p']);
    t.setTerminated();
    t.sm.sync(t.pod.metadata!.uid!);
    await t.sm.idle();
    assert.deepEqual(t.api.writes(), ['patch pods/status ns/p', 'delete pods ns/p']);
    assert.deepEqual(t.api.calls[1]!.options, { namespace: 'ns', gracePeriodSeconds: 0, preconditions: { uid: t.pod.metadata!.uid } });
    assert.equal(t.stored(), undefined);
  });

  it('writes a static pod\'s status to its mirror pod (by the mirror\'s uid), waits while there is none and never deletes a mirror', async () => {
    const api = new TestAPI();
    const staticPod = testPod({ metadata: { name: 'web-n1', namespace: 'default', uid: 'static-uid', deletionTimestamp: undefined } }) as Pod;
    let mirrorUID: string | undefined;
    const sm = new StatusManager({ client: api, logger: nopLogger(), now: () => T0, retryMs: 10, canBeDeleted: () => true, apiPodUID: (uid) => (uid === 'static-uid' ? mirrorUID : uid) });
    sm.setPodStatus(staticPod, running(true));
    await sm.idle();
    assert.deepEqual(api.writes(), [], 'no mirror yet: nothing written');
    const mirror = api.apply(PODS, { ...staticPod, metadata: { ...staticPod.metadata, uid: 'mirror-uid', annotations: { 'kubernetes.io/config.mirror': 'static-uid' } }, status: { phase: 'Pending' } });
    mirrorUID = mirror.metadata!.uid;
    sm.resync('static-uid');
    await sm.idle();
    assert.deepEqual(api.writes(), ['patch pods/status default/web-n1']);
    assert.equal((api.calls[0]!.body as { metadata: { uid: string } }).metadata.uid, 'mirror-uid');
    assert.equal(api.stored<Pod>(PODS, 'default', 'web-n1')!.status!.phase, 'Running');
    // A mirror being deleted stays for the kubelet to replace (canBeDeleted says yes here).
    api.apply(PODS, { ...api.stored<Pod>(PODS, 'default', 'web-n1')!, metadata: { ...mirror.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' } });
    sm.resync('static-uid');
    await sm.idle();
    assert.ok(!api.calls.some((c) => c.verb === 'delete'));
    // A mirror of another version (other uid) is not written to.
    mirrorUID = 'someone-else';
    sm.setPodStatus(staticPod, running(false));
    await sm.idle();
    assert.equal(api.writes().length, 1);
  });

  it('rejects a terminated container running again under restartPolicy Never', () => {
    const pod = testPod({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'b' }] } }) as Pod;
    const old: PodStatus = { containerStatuses: [{ name: 'c', image: 'b', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } }] };
    assert.match(checkContainerStateTransition(old, running(true), pod) ?? '', /illegal transition/);
    assert.equal(checkContainerStateTransition(old, running(true), testPod() as Pod), undefined);
  });

  it('holds a terminal phase back while containers may run and keeps foreign conditions', () => {
    const merged = mergePodStatus(
      { phase: 'Running', conditions: [{ type: 'example.com/x', status: 'True' }] },
      { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False' }] },
      true,
    );
    assert.equal(merged.phase, 'Running');
    assert.deepEqual(merged.conditions?.map((c) => c.type), ['Ready', 'example.com/x']);
  });
});

describe('podStatusPatch', () => {
  it('applied with strategic merge patch turns the old status into the new one', () => {
    const schema = strategicSchemaFor('', 'v1', 'Pod');
    const old: PodStatus = {
      phase: 'Pending',
      reason: 'X',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: 'a' },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'm', lastTransitionTime: 'a' },
        { type: 'Gone', status: 'True' },
      ],
      podIPs: [{ ip: '10.0.0.1' }],
      containerStatuses: [{ name: 'c', image: 'b', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
    };
    const next: PodStatus = {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: 'b' },
        { type: 'Ready', status: 'True', lastTransitionTime: 'b' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: 'a' },
      ],
      podIPs: [{ ip: '10.0.0.2' }],
      containerStatuses: [{ name: 'c', image: 'b', imageID: 'i', ready: true, restartCount: 0, state: { running: { startedAt: 's' } } }],
    };
    const patch = podStatusPatch('u1', old, next);
    const result = strategicMergePatch({ metadata: { uid: 'u1' }, status: old } as Record<string, unknown>, patch, schema) as { status: PodStatus };
    assert.deepEqual(result.status, next);
    assert.deepEqual(podStatusPatch('u1', next, next).status, {});
  });
});
