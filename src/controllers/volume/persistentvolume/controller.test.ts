import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, STORAGECLASSES } from '../../../client/resources.js';
import { testContext } from '../../shared/testing.js';
import { NAME, PersistentVolumeController } from './controller.js';
import { defaultClass, findMatchingVolume } from './util.js';

const signal = new AbortController().signal;

function setup() {
  const t = testContext();
  const controller = new PersistentVolumeController(t.ctx);
  const pvs = t.informers.forResource(PERSISTENTVOLUMES);
  const pvcs = t.informers.forResource(PERSISTENTVOLUMECLAIMS);
  const classes = t.informers.forResource(STORAGECLASSES);
  const pods = t.informers.forResource(PODS);
  /** Stored in the fake API and in the cache. */
  const put = (inf: typeof pvs, gvr: typeof PERSISTENTVOLUMES, o: KubeObject): KubeObject => {
    const s = t.client.seed(gvr, o);
    inf.add(s);
    return s;
  };
  return {
    ...t,
    controller,
    pods,
    classes,
    addPV: (o: KubeObject) => put(pvs, PERSISTENTVOLUMES, o),
    addPVC: (o: KubeObject) => put(pvcs, PERSISTENTVOLUMECLAIMS, o),
    /** Moves what the API holds now into the caches. */
    catchUp: () => {
      for (const o of t.client.all(PERSISTENTVOLUMES)) pvs.add(o);
      for (const o of t.client.all(PERSISTENTVOLUMECLAIMS)) pvcs.add(o);
    },
    pv: (name: string) => t.client.stored<PersistentVolume & KubeObject>(PERSISTENTVOLUMES, undefined, name)!,
    pvc: (name: string) => t.client.stored<PersistentVolumeClaim & KubeObject>(PERSISTENTVOLUMECLAIMS, 'ns', name)!,
  };
}

function pv(name: string, size: string, extra: Partial<PersistentVolume['spec']> = {}, meta: Record<string, unknown> = {}, phase = 'Available'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, ...meta },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/data/${name}` }, ...extra },
    status: { phase },
  } as KubeObject;
}

function pvc(name: string, size: string, extra: Partial<PersistentVolumeClaim['spec']> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...meta },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: '', volumeMode: 'Filesystem', ...extra },
    status: { phase: 'Pending' },
  } as KubeObject;
}

function sc(name: string, extra: Partial<StorageClass> = {}, isDefault = false, created = '2025-01-01T00:00:00Z'): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    provisioner: 'k8ts.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    ...extra,
  } as KubeObject;
}

test('binds a claim to the smallest fitting static volume, in upstream order with upstream annotations', async () => {
  assert.equal(NAME, 'persistentvolume-binder-controller');
  const t = setup();
  t.addPV(pv('small', '1Gi'));
  t.addPV(pv('big', '10Gi'));
  t.addPV(pv('fits', '5Gi'));
  t.addPV(pv('rwx', '5Gi', { accessModes: ['ReadWriteMany'] }));
  t.addPV(pv('classy', '5Gi', { storageClassName: 'fast' }));
  const seeded = t.addPVC(pvc('data', '4Gi'));
  await t.controller.syncClaimKey('ns/data', signal);
  assert.deepEqual(t.client.writes(), [
    'update persistentvolumes fits',
    'update persistentvolumes/status fits',
    'update persistentvolumeclaims ns/data',
    'update persistentvolumeclaims/status ns/data',
  ]);
  const v = t.pv('fits');
  assert.deepEqual(v.spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'data', uid: 'uid-data', apiVersion: 'v1', resourceVersion: seeded.metadata?.resourceVersion });
  assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(v.status?.phase, 'Bound');
  const c = t.pvc('data');
  assert.equal(c.spec?.volumeName, 'fits');
  assert.deepEqual(c.metadata?.annotations, { 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' });
  assert.deepEqual(c.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } });

  // Steady state: syncing again writes nothing.
  t.catchUp();
  t.client.actions.length = 0;
  await t.controller.syncClaimKey('ns/data', signal);
  await t.controller.syncVolumeKey('fits', signal);
  assert.deepEqual(t.client.writes(), []);
});

test('selector, volumeMode and pre-bound claimRef are honoured', () => {
  const claim = pvc('c', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }) as PersistentVolumeClaim;
  const vols = [pv('plain', '1Gi'), pv('gold', '2Gi', {}, { labels: { tier: 'gold' } }), pv('block', '1Gi', { volumeMode: 'Block' }, { labels: { tier: 'gold' } })] as PersistentVolume[];
  assert.equal(findMatchingVolume(claim, vols, false)?.metadata?.name, 'gold');
  const prebound = pv('mine', '3Gi', { claimRef: { namespace: 'ns', name: 'c' } }, {}, 'Available') as PersistentVolume;
  assert.equal(findMatchingVolume(claim, [...vols, prebound], false)?.metadata?.name, 'mine');
  // Delayed binding leaves unbound volumes to the scheduler but takes pre-bound ones.
  assert.equal(findMatchingVolume(claim, vols, true), undefined);
  assert.equal(findMatchingVolume(claim, [...vols, prebound], true)?.metadata?.name, 'mine');
  // Bound to someone else: skipped.
  const taken = pv('taken', '1Gi', { claimRef: { namespace: 'ns', name: 'other', uid: 'x' } }, { labels: { tier: 'gold' } }) as PersistentVolume;
  assert.equal(findMatchingVolume(claim, [taken], false), undefined);
});

test('a claim naming a volume binds it, or reports the mismatch', async () => {
  const t = setup();
  t.addPV(pv('exact', '1Gi'));
  t.addPVC(pvc('want', '1Gi', { volumeName: 'exact' }));
  await t.controller.syncClaimKey('ns/want', signal);
  assert.equal(t.pvc('want').status?.phase, 'Bound');
  assert.equal(t.pv('exact').spec?.claimRef?.uid, 'uid-want');
  // The user named the volume: the controller did not choose it.
  assert.equal(t.pvc('want').metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);

  t.addPV(pv('tiny', '1Mi'));
  t.addPVC(pvc('big', '1Gi', { volumeName: 'tiny' }));
  await t.controller.syncClaimKey('ns/big', signal);
  assert.deepEqual(t.recorder.lines(), ['Warning VolumeMismatch Cannot bind to requested volume "tiny": requested PV is too small']);
});

test('no volume and no class: FailedBinding, claim stays Pending', async () => {
  const t = setup();
  t.addPVC(pvc('lonely', '1Gi'));
  await t.controller.syncClaimKey('ns/lonely', signal);
  assert.deepEqual(t.recorder.lines(), ['Normal FailedBinding no persistent volumes available for this claim and no storage class is set']);
  assert.deepEqual(t.client.writes(), []);
});

test('retroactive default class for a claim without storageClassName', async () => {
  const t = setup();
  t.classes.add(sc('old', {}, true, '2024-01-01T00:00:00Z'));
  t.classes.add(sc('new', {}, true, '2025-06-01T00:00:00Z'));
  t.addPVC(pvc('nil', '1Gi', { storageClassName: undefined }));
  await t.controller.syncClaimKey('ns/nil', signal);
  assert.deepEqual(t.client.writes(), ['update persistentvolumeclaims ns/nil']);
  assert.equal(t.pvc('nil').spec?.storageClassName, 'new');
  assert.equal(defaultClass([sc('b', {}, true) as unknown as StorageClass, sc('a', {}, true) as unknown as StorageClass])?.metadata?.name, 'a');
});

test('immediate provisioning class: provisioner annotations and ExternalProvisioning event', async () => {
  const t = setup();
  t.classes.add(sc('fast'));
  t.addPVC(pvc('dyn', '1Gi', { storageClassName: 'fast' }));
  await t.controller.syncClaimKey('ns/dyn', signal);
  const a = t.pvc('dyn').metadata?.annotations;
  assert.equal(a?.['volume.kubernetes.io/storage-provisioner'], 'k8ts.io/local-path');
  assert.equal(a?.['volume.beta.kubernetes.io/storage-provisioner'], 'k8ts.io/local-path');
  assert.match(t.recorder.lines()[0]!, /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'k8ts.io\/local-path'/);
});

test('WaitForFirstConsumer: waits (with the upstream events) until the scheduler selects a node', async () => {
  const t = setup();
  t.classes.add(sc('local-path', { volumeBindingMode: 'WaitForFirstConsumer' }));
  t.addPVC(pvc('wffc', '1Gi', { storageClassName: 'local-path' }));
  await t.controller.syncClaimKey('ns/wffc', signal);
  assert.deepEqual(t.client.writes(), []);
  t.pods.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'ns' }, spec: { containers: [], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'wffc' } }] } });
  await t.controller.syncClaimKey('ns/wffc', signal);
  assert.deepEqual(t.recorder.lines(), ['Normal WaitForFirstConsumer waiting for first consumer to be created before binding', 'Normal WaitForPodScheduled waiting for pod ns/user to be scheduled']);
  t.addPVC(pvc('wffc', '1Gi', { storageClassName: 'local-path' }, { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }));
  await t.controller.syncClaimKey('ns/wffc', signal);
  assert.equal(t.pvc('wffc').metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'k8ts.io/local-path');
});

test('a provisioned, pre-bound volume is bound to its claim', async () => {
  const t = setup();
  t.classes.add(sc('local-path', { volumeBindingMode: 'WaitForFirstConsumer' }));
  t.addPVC(pvc('dyn', '1Gi', { storageClassName: 'local-path' }, { annotations: { 'volume.kubernetes.io/selected-node': 'n' } }));
  t.addPV(pv('pvc-uid-dyn', '1Gi', { storageClassName: 'local-path', persistentVolumeReclaimPolicy: 'Delete', claimRef: { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'dyn', uid: 'uid-dyn' } }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } }, 'Pending'));
  // The volume sync hands over to the claim sync.
  await t.controller.syncVolumeKey('pvc-uid-dyn', signal);
  assert.deepEqual(t.client.writes(), []);
  await t.controller.syncClaimKey('ns/dyn', signal);
  assert.equal(t.pv('pvc-uid-dyn').status?.phase, 'Bound');
  assert.equal(t.pv('pvc-uid-dyn').metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  assert.equal(t.pvc('dyn').status?.phase, 'Bound');
  assert.equal(t.pvc('dyn').spec?.volumeName, 'pvc-uid-dyn');
});

test('claim deleted: volume Released; Retain keeps it, Delete without a provisioner fails as upstream', async () => {
  const t = setup();
  const ref = { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'gone', uid: 'uid-gone' };
  t.addPV(pv('kept', '1Gi', { claimRef: ref }, {}, 'Bound'));
  t.addPV(pv('static-del', '1Gi', { claimRef: { ...ref, name: 'gone2', uid: 'u2' }, persistentVolumeReclaimPolicy: 'Delete' }, {}, 'Bound'));
  t.addPV(pv('dyn-del', '1Gi', { claimRef: { ...ref, name: 'gone3', uid: 'u3' }, persistentVolumeReclaimPolicy: 'Delete' }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } }, 'Bound'));
  await t.controller.syncVolumeKey('kept', signal);
  await t.controller.syncVolumeKey('static-del', signal);
  await t.controller.syncVolumeKey('dyn-del', signal);
  assert.equal(t.pv('kept').status?.phase, 'Released');
  assert.equal(t.pv('static-del').status?.phase, 'Failed');
  assert.equal(t.pv('dyn-del').status?.phase, 'Released');
  assert.deepEqual(t.recorder.lines(), ['Warning VolumeFailedDelete Error getting deleter volume plugin for volume "static-del": no deletable volume plugin matched']);
  // Released stays Released without further writes.
  t.catchUp();
  t.client.actions.length = 0;
  await t.controller.syncVolumeKey('kept', signal);
  assert.deepEqual(t.client.writes(), []);
});

test('an unused volume becomes Available; a bound claim whose volume vanished is Lost', async () => {
  const t = setup();
  t.addPV(pv('fresh', '1Gi', {}, {}, 'Pending'));
  await t.controller.syncVolumeKey('fresh', signal);
  assert.equal(t.pv('fresh').status?.phase, 'Available');
  assert.equal(t.pv('fresh').status?.lastPhaseTransitionTime, '2026-01-01T00:00:00Z');
  const bound = pvc('orphan', '1Gi', { volumeName: 'nothere' }, { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }) as PersistentVolumeClaim;
  t.addPVC({ ...bound, status: { phase: 'Bound' } } as KubeObject);
  await t.controller.syncClaimKey('ns/orphan', signal);
  assert.equal(t.pvc('orphan').status?.phase, 'Lost');
  assert.deepEqual(t.recorder.lines(), ['Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
});
