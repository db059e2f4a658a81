import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);

test('StorageClass defaults, validation and immutable fields', () => {
  const h = kinds.StorageClass!;
  const sc: any = { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', parameters: { a: 'b' } };
  h.defaults!(sc);
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.deepEqual(text(h.validate!(sc)), []);
  assert.deepEqual(text(h.validate!({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' } as any)), [
    'provisioner: Required value',
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
  const upd = { ...sc, provisioner: 'x.io/y', parameters: { a: 'c' } };
  assert.deepEqual(text(h.validateUpdate!(upd, sc)), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
  ]);
});

test('CSIDriver defaults and immutable attachRequired', () => {
  const h = kinds.CSIDriver!;
  const d: any = { metadata: { name: 'csi.example.com' } };
  h.defaults!(d);
  assert.deepEqual(d.spec, {
    attachRequired: true,
    podInfoOnMount: false,
    storageCapacity: false,
    fsGroupPolicy: 'ReadWriteOnceWithFSType',
    volumeLifecycleModes: ['Persistent'],
    requiresRepublish: false,
    seLinuxMount: false,
  });
  assert.deepEqual(text(h.validate!(d)), []);
  const upd = structuredClone(d);
  upd.spec.attachRequired = false;
  assert.deepEqual(text(h.validateUpdate!(upd, d)), ['spec.attachedRequired: Invalid value: false: field is immutable']);
});

test('VolumeAttachment source and spec immutability', () => {
  const h = kinds.VolumeAttachment!;
  const va: any = { spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } };
  assert.deepEqual(text(h.validate!(va)), []);
  assert.deepEqual(text(h.validate!({ spec: { attacher: 'csi.example.com', nodeName: 'n1', source: {} } } as any)), [
    'spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName',
  ]);
  const upd = structuredClone(va);
  upd.spec.nodeName = 'n2';
  assert.equal(text(h.validateUpdate!(upd, va)).length, 1);
});

test('CSINode and CSIStorageCapacity', () => {
  assert.deepEqual(text(kinds.CSINode!.validate!({ spec: { drivers: [{ name: 'csi.example.com', nodeID: '' }, { name: 'csi.example.com', nodeID: 'n' }] } } as any)), [
    'spec.drivers[0].nodeID: Required value',
    'spec.drivers[1].name: Duplicate value: "csi.example.com"',
  ]);
  assert.deepEqual(text(kinds.CSIStorageCapacity!.validate!({ storageClassName: 'local', capacity: '-1Gi' } as any)), [
    'capacity: Invalid value: "-1Gi": must be greater than or equal to 0',
  ]);
});
