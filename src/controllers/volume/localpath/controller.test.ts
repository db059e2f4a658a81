import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, STORAGECLASSES } from '../../../client/resources.js';
import { testContext } from '../../shared/testing.js';
import { DEFAULT_STORAGE_CLASS, LocalPathProvisioner, NAME, PROVISIONER_NAME } from './controller.js';

const signal = new AbortController().signal;

function setup() {
  const t = testContext({ config: { localVolumeDir: '/var/lib/k8ts/storage' } });
  const controller = new LocalPathProvisioner(t.ctx);
  const pvcs = t.informers.forResource(PERSISTENTVOLUMECLAIMS);
  const pvs = t.informers.forResource(PERSISTENTVOLUMES);
  t.informers.forResource(STORAGECLASSES).add(DEFAULT_STORAGE_CLASS);
  t.informers.forResource(NODES).add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } });
  return { ...t, controller, pvcs, pvs };
}

function claim(annotations: Record<string, string>, spec: Partial<PersistentVolumeClaim['spec']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'ns', uid: 'abc', resourceVersion: '42', annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'local-path', ...spec },
  } as KubeObject;
}

const handed = { 'volume.kubernetes.io/storage-provisioner': PROVISIONER_NAME, 'volume.kubernetes.io/selected-node': 'node-1' };

test('the default StorageClass k8ts bootstraps', () => {
  assert.equal(NAME, 'local-path-provisioner');
  assert.deepEqual(DEFAULT_STORAGE_CLASS, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'k8ts.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
});

test('provisions a hostPath volume on the selected node, pre-bound to the claim', async () => {
  const { controller, client, recorder, pvcs } = setup();
  pvcs.add(claim(handed));
  await controller.sync('claim/ns/data', signal);
  assert.deepEqual(client.writes(), ['create persistentvolumes pvc-abc']);
  const pv = client.stored<PersistentVolume & KubeObject>(PERSISTENTVOLUMES, undefined, 'pvc-abc')!;
  assert.deepEqual(pv.metadata?.annotations, { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' });
  assert.deepEqual(pv.spec, {
    capacity: { storage: '2Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'local-path',
    persistentVolumeReclaimPolicy: 'Delete',
    volumeMode: 'Filesystem',
    hostPath: { path: '/var/lib/k8ts/storage/pvc-abc_ns_data', type: 'DirectoryOrCreate' },
    claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'ns', name: 'data', uid: 'abc', resourceVersion: '42' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } },
  });
  assert.deepEqual(recorder.lines(), ['Normal Provisioning External provisioner is provisioning volume for claim "ns/data"', 'Normal ProvisioningSucceeded Successfully provisioned volume pvc-abc']);
});

test('claims not (yet) handed to this provisioner are left alone', async () => {
  const { controller, client, pvcs, pvs } = setup();
  pvcs.add(claim({ 'volume.kubernetes.io/storage-provisioner': PROVISIONER_NAME })); // no node yet
  await controller.sync('claim/ns/data', signal);
  pvcs.add(claim({ ...handed, 'volume.kubernetes.io/storage-provisioner': 'other.io/x' }));
  await controller.sync('claim/ns/data', signal);
  pvcs.add(claim(handed, { volumeName: 'already' }));
  await controller.sync('claim/ns/data', signal);
  // Provisioned before: the volume exists.
  pvcs.add(claim(handed));
  pvs.add({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-abc' } });
  await controller.sync('claim/ns/data', signal);
  await controller.sync('claim/ns/missing', signal);
  assert.deepEqual(client.writes(), []);
});

test('unsupported claims fail with ProvisioningFailed', async () => {
  const { controller, recorder, pvcs } = setup();
  pvcs.add(claim(handed, { accessModes: ['ReadWriteMany'] }));
  await assert.rejects(controller.sync('claim/ns/data', signal));
  assert.equal(
    recorder.lines()[1],
    'Warning ProvisioningFailed failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes',
  );
  pvcs.add(claim({ ...handed, 'volume.kubernetes.io/selected-node': 'ghost' }));
  await assert.rejects(controller.sync('claim/ns/data', signal));
  assert.equal(recorder.lines()[3], 'Warning ProvisioningFailed failed to get target node: nodes "ghost" not found');
});

test('Released volumes of this provisioner with policy Delete are deleted; others stay', async () => {
  const { controller, client, pvs } = setup();
  const mk = (name: string, phase: string, policy: string, by = PROVISIONER_NAME): KubeObject => {
    const o = client.seed(PERSISTENTVOLUMES, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': by } }, spec: { persistentVolumeReclaimPolicy: policy }, status: { phase } });
    pvs.add(o);
    return o;
  };
  mk('released', 'Released', 'Delete');
  mk('bound', 'Bound', 'Delete');
  mk('retained', 'Released', 'Retain');
  mk('foreign', 'Released', 'Delete', 'other.io/x');
  for (const n of ['released', 'bound', 'retained', 'foreign']) await controller.sync(`volume/${n}`, signal);
  assert.deepEqual(client.writes(), ['delete persistentvolumes released']);
});
