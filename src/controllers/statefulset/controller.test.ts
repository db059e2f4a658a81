import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import type { DeepMutable } from '../../util/mutable.js';
import { testContext } from '../shared/testing.js';
import type { PodObject } from '../shared/podutil.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevisionObject } from '../shared/history.js';
import { NAME, StatefulSetController } from './controller.js';
import type { ClaimObject, StatefulSetObject } from './utils.js';

const signal = new AbortController().signal;

function webSet(over: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; partition?: number; onDelete?: boolean; image?: string; claims?: boolean; historyLimit?: number } = {}): StatefulSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 1, resourceVersion: '1' },
    spec: {
      replicas: over.replicas ?? 3,
      serviceName: 'nginx',
      podManagementPolicy: over.policy ?? 'OrderedReady',
      revisionHistoryLimit: over.historyLimit ?? 10,
      selector: { matchLabels: { app: 'nginx' } },
      updateStrategy: over.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: over.partition ?? 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: over.image ?? 'nginx:1', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] },
      },
      volumeClaimTemplates:
        over.claims === false ? undefined : [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

/** A controller over a fake API whose caches are refreshed from the API after each step. */
function setup(set: StatefulSetObject) {
  const t = testContext();
  const controller = new StatefulSetController(t.ctx);
  t.client.seed(STATEFULSETS, set);
  const resources: GroupVersionResource[] = [STATEFULSETS, PODS, CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS];
  /** Copies the API's objects into the informers (pods get the phase the API server gives them). */
  const refresh = (): void => {
    for (const gvr of resources) {
      const inf = t.informers.forResource(gvr);
      const objs = t.client.all(gvr).map((o) => {
        const c = structuredClone(o) as DeepMutable<KubeObject> & { status?: { phase?: string } };
        if (gvr === PODS && !c.status?.phase) c.status = { ...(c.status ?? {}), phase: 'Pending' };
        return c as KubeObject;
      });
      inf.replace(objs, '1');
    }
  };
  refresh();
  const step = async (): Promise<string[]> => {
    const before = t.client.actions.length;
    await controller.sync('default/web', signal);
    const writes = t.client.actions
      .slice(before)
      .filter((a) => a.verb !== 'get' && a.verb !== 'list')
      .map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.name ?? ''}`);
    refresh();
    return writes;
  };
  /** Marks pods Running and Ready in the API. */
  const ready = (...names: string[]): void => {
    for (const n of names) {
      const p = t.client.stored<DeepMutable<PodObject>>(PODS, 'default', n)!;
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] };
    }
    refresh();
  };
  const pod = (n: string) => t.client.stored<PodObject>(PODS, 'default', n);
  const stored = () => t.client.stored<StatefulSetObject>(STATEFULSETS, 'default', 'web')!;
  const updateSet = (fn: (s: DeepMutable<StatefulSetObject>) => void): void => {
    const s = t.client.stored<DeepMutable<StatefulSetObject>>(STATEFULSETS, 'default', 'web')!;
    fn(s);
    s.metadata!.generation = (s.metadata!.generation ?? 1) + 1;
    refresh();
  };
  return { ...t, controller, step, ready, pod, stored, updateSet, refresh };
}

test('OrderedReady: claims before pods, one ordinal at a time, each waiting for the previous to be Running and Ready', async () => {
  assert.equal(NAME, 'statefulset-controller');
  const s = setup(webSet());
  let w = await s.step();
  const rev = s.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS);
  assert.equal(rev.length, 1);
  const revName = rev[0]!.metadata!.name!;
  assert.match(revName, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev[0]!.revision, 1);
  assert.deepEqual((rev[0]!.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
  assert.deepEqual(w, [`create controllerrevisions ${revName}`, 'create persistentvolumeclaims www-web-0', 'create pods web-0', 'update statefulsets/status web']);
  const p0 = s.pod('web-0')!;
  assert.equal(p0.spec?.hostname, 'web-0');
  assert.equal(p0.spec?.subdomain, 'nginx');
  assert.deepEqual(p0.metadata?.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', [CONTROLLER_REVISION_HASH_LABEL]: revName });
  assert.deepEqual(p0.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0', readOnly: false } }]);
  assert.equal(p0.metadata?.ownerReferences?.[0]?.uid, 'set-uid');
  const claim = s.client.stored<ClaimObject>(PERSISTENTVOLUMECLAIMS, 'default', 'www-web-0')!;
  assert.deepEqual(claim.metadata?.labels, { app: 'nginx' });
  assert.deepEqual(claim.spec?.resources?.requests, { storage: '1Gi' });
  assert.deepEqual(s.recorder.lines(), ['Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success', 'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful']);
  assert.equal(s.stored().status?.updateRevision, revName);
  assert.equal(s.stored().status?.currentRevision, revName);
  assert.equal(s.stored().status?.observedGeneration, 1);

  // web-0 pending: nothing more.
  w = await s.step();
  assert.deepEqual(w.filter((x) => !x.startsWith('update statefulsets/status')), []);
  s.ready('web-0');
  w = await s.step();
  assert.deepEqual(w, ['create persistentvolumeclaims www-web-1', 'create pods web-1', 'update statefulsets/status web']);
  s.ready('web-1');
  await s.step();
  s.ready('web-2');
  await s.step();
  const st = s.stored().status!;
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.currentReplicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.collisionCount, 0);
});

test('Parallel creates every pod at once; ordinals start at spec.ordinals.start', async () => {
  const set = webSet({ policy: 'Parallel', claims: false }) as DeepMutable<StatefulSetObject>;
  set.spec!.ordinals = { start: 5 };
  const s = setup(set as StatefulSetObject);
  const w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('create pods')).sort(), ['create pods web-5', 'create pods web-6', 'create pods web-7']);
});

test('scale down deletes the highest ordinal first and waits for it to go', async () => {
  const s = setup(webSet({ claims: false }));
  for (let i = 0; i < 3; i++) {
    await s.step();
    s.ready(`web-${i}`);
  }
  s.updateSet((x) => (x.spec!.replicas = 1));
  s.recorder.events.length = 0;
  let w = await s.step();
  assert.deepEqual(w, ['delete pods web-2', 'update statefulsets/status web']);
  assert.deepEqual(s.recorder.lines(), ['Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful']);
  // web-1 terminating: the controller waits.
  const p1 = s.client.stored<DeepMutable<PodObject>>(PODS, 'default', 'web-1')!;
  p1.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
  s.refresh();
  w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('delete')), []);
});

test('OrderedReady scale down waits for unhealthy pods unless the condemned pod is the unhealthy one', async () => {
  const s = setup(webSet({ claims: false }));
  for (let i = 0; i < 3; i++) {
    await s.step();
    s.ready(`web-${i}`);
  }
  s.updateSet((x) => (x.spec!.replicas = 2));
  const p2 = s.client.stored<DeepMutable<PodObject>>(PODS, 'default', 'web-2')!;
  p2.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
  s.refresh();
  const w = await s.step();
  assert.deepEqual(w, ['delete pods web-2', 'update statefulsets/status web']);
});

test('a failed pod is deleted and then recreated', async () => {
  const s = setup(webSet({ replicas: 1, claims: false }));
  await s.step();
  const p = s.client.stored<DeepMutable<PodObject>>(PODS, 'default', 'web-0')!;
  p.status = { phase: 'Failed' };
  s.refresh();
  let w = await s.step();
  assert.ok(w.includes('delete pods web-0'));
  w = await s.step();
  assert.ok(w.includes('create pods web-0'));
});

test('RollingUpdate replaces pods from the highest ordinal down to the partition, one at a time', async () => {
  const s = setup(webSet({ claims: false, partition: 2 }));
  for (let i = 0; i < 3; i++) {
    await s.step();
    s.ready(`web-${i}`);
  }
  await s.step();
  const oldRev = s.stored().status!.currentRevision!;
  s.updateSet((x) => (x.spec!.template!.spec!.containers[0]!.image = 'nginx:2'));
  let w = await s.step();
  const revs = s.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS);
  assert.equal(revs.length, 2);
  const newRev = revs.find((r) => r.metadata?.name !== oldRev)!;
  assert.equal(newRev.revision, 2);
  assert.deepEqual(w, [`create controllerrevisions ${newRev.metadata!.name}`, 'delete pods web-2', 'update statefulsets/status web']);
  let st = s.stored().status!;
  assert.equal(st.currentRevision, oldRev);
  assert.equal(st.updateRevision, newRev.metadata!.name);
  assert.equal(st.currentReplicas, 2);
  // Recreated at the new revision.
  w = await s.step();
  assert.ok(w.includes('create pods web-2'));
  assert.equal(s.pod('web-2')!.spec?.containers[0]?.image, 'nginx:2');
  assert.equal(s.pod('web-2')!.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL], newRev.metadata!.name);
  // Not ready yet: web-1 waits.
  w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('delete')), []);
  s.ready('web-2');
  w = await s.step();
  // Partition 2: web-1 and web-0 stay at the old revision.
  assert.deepEqual(w.filter((x) => x.startsWith('delete')), []);
  st = s.stored().status!;
  assert.equal(st.updatedReplicas, 1);
  assert.equal(st.currentReplicas, 2);
  assert.equal(s.pod('web-1')!.spec?.containers[0]?.image, 'nginx:1');
  // Partition 0 finishes the update, and then the current revision becomes the update revision.
  s.updateSet((x) => (x.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }));
  w = await s.step();
  assert.ok(w.includes('delete pods web-1'));
  await s.step();
  s.ready('web-1');
  w = await s.step();
  assert.ok(w.includes('delete pods web-0'));
  await s.step();
  s.ready('web-0');
  await s.step();
  st = s.stored().status!;
  assert.equal(st.currentRevision, newRev.metadata!.name);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.currentReplicas, 3);
});

test('OnDelete leaves old pods alone until they are deleted', async () => {
  const s = setup(webSet({ replicas: 1, claims: false, onDelete: true }));
  await s.step();
  s.ready('web-0');
  await s.step();
  s.updateSet((x) => (x.spec!.template!.spec!.containers[0]!.image = 'nginx:2'));
  let w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('delete')), [], 'OnDelete: the pod stays');
  await s.client.resource(PODS).delete('web-0', { namespace: 'default' });
  s.refresh();
  w = await s.step();
  assert.ok(w.includes('create pods web-0'));
  assert.equal(s.pod('web-0')!.spec?.containers[0]?.image, 'nginx:2');
});

test('history beyond revisionHistoryLimit is deleted once no pod uses it; a rollback re-numbers the earlier revision', async () => {
  const s = setup(webSet({ replicas: 1, claims: false, historyLimit: 0 }));
  await s.step();
  s.ready('web-0');
  await s.step();
  const first = s.stored().status!.currentRevision!;
  s.updateSet((x) => (x.spec!.template!.spec!.containers[0]!.image = 'nginx:2'));
  let w = await s.step();
  assert.ok(w.includes('delete pods web-0'));
  assert.ok(!w.includes(`delete controllerrevisions ${first}`), 'still live');
  await s.step();
  s.ready('web-0');
  w = await s.step();
  assert.ok(w.includes(`delete controllerrevisions ${first}`), w.join('\n'));
  assert.equal(s.client.all(CONTROLLERREVISIONS).length, 1);
  assert.equal(s.stored().status?.currentRevision, s.stored().status?.updateRevision);

  const s2 = setup(webSet({ replicas: 0, claims: false }));
  await s2.step();
  s2.updateSet((x) => (x.spec!.template!.spec!.containers[0]!.image = 'nginx:2'));
  await s2.step();
  s2.updateSet((x) => (x.spec!.template!.spec!.containers[0]!.image = 'nginx:1'));
  w = await s2.step();
  assert.deepEqual(w.filter((x) => x.startsWith('create controllerrevisions')), []);
  assert.ok(w.some((x) => x.startsWith('update controllerrevisions')));
  const revs = s2.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS);
  assert.equal(revs.length, 2);
  assert.equal(revs.find((r) => r.revision === 3)?.metadata?.name, s2.stored().status?.updateRevision);
});

test('a revision name collision bumps collisionCount', async () => {
  const s = setup(webSet({ replicas: 0, claims: false }));
  let first = true;
  s.client.reactor = (a) => {
    if (a.verb === 'create' && a.resource === 'controllerrevisions' && first) {
      first = false;
      // Someone else's revision holds the name.
      const o = structuredClone(a.object) as DeepMutable<ControllerRevisionObject>;
      o.data = { other: true } as never;
      s.client.seed(CONTROLLERREVISIONS, o as KubeObject);
      return new StatusError(409, 'AlreadyExists', 'exists');
    }
    return undefined;
  };
  await s.step();
  assert.equal(s.stored().status?.collisionCount, 1);
  assert.equal(s.client.all(CONTROLLERREVISIONS).length, 2);
});

test('orphan pods named as members are adopted; failures to create are reported as FailedCreate', async () => {
  const s = setup(webSet({ replicas: 2, claims: false }));
  s.client.seed(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', labels: { app: 'nginx' } }, status: { phase: 'Pending' } });
  s.client.seed(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'default', labels: { app: 'nginx' } }, status: { phase: 'Pending' } });
  s.refresh();
  s.client.reactor = (a) => (a.verb === 'create' && a.resource === 'pods' ? new StatusError(403, 'Forbidden', 'exceeded quota') : undefined);
  const w = await s.step();
  assert.ok(w.includes('patch pods web-0'));
  assert.ok(!w.includes('patch pods other'));
  assert.equal(s.pod('web-0')!.metadata?.ownerReferences?.[0]?.uid, 'set-uid');
  s.ready('web-0');
  await assert.rejects(s.step(), /exceeded quota/);
  assert.ok(s.recorder.lines().includes('Warning FailedCreate create Pod web-1 in StatefulSet web failed error: exceeded quota'));
});

test('WhenDeleted=Delete puts the set as owner of its claims', async () => {
  const set = webSet({ replicas: 1 }) as DeepMutable<StatefulSetObject>;
  set.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
  const s = setup(set as StatefulSetObject);
  await s.step();
  s.ready('web-0');
  await s.step();
  const claim = s.client.stored<ClaimObject>(PERSISTENTVOLUMECLAIMS, 'default', 'www-web-0')!;
  assert.deepEqual(
    claim.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`),
    ['StatefulSet/web/set-uid'],
  );
});

test('a deleted set is done', async () => {
  const t = testContext();
  const c = new StatefulSetController(t.ctx);
  await c.sync('default/missing', signal);
  assert.deepEqual(t.client.writes(), []);
});
