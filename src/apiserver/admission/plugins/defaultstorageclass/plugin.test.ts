import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { StatusError } from '../../../../machinery/errors.js';
import { create, NAME } from './plugin.js';

function sc(name: string, isDefault: boolean, created = '2025-01-01T00:00:00Z', beta = false): StorageClass {
  const key = beta ? 'storageclass.beta.kubernetes.io/is-default-class' : 'storageclass.kubernetes.io/is-default-class';
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, creationTimestamp: created, annotations: isDefault ? { [key]: 'true' } : {} }, provisioner: 'x' };
}

function claim(spec: Partial<PersistentVolumeClaim['spec']> = {}, annotations?: Record<string, string>): PersistentVolumeClaim {
  return { metadata: { name: 'c', namespace: 'ns', ...(annotations ? { annotations } : {}) }, spec: { accessModes: ['ReadWriteOnce'], ...spec } };
}

const plugin = (classes: StorageClass[]) => create({ listStorageClasses: async () => classes });

test('a claim without a class gets the default one', async () => {
  assert.equal(NAME, 'DefaultStorageClass');
  const c = claim();
  await plugin([sc('slow', false), sc('local-path', true)]).admitClaim('CREATE', c);
  assert.equal(c.spec?.storageClassName, 'local-path');
});

test('the newest default wins; the beta annotation counts; ties go by name', async () => {
  const c = claim();
  await plugin([sc('old', true, '2024-01-01T00:00:00Z'), sc('new', true, '2025-06-01T00:00:00Z', true), sc('none', false, '2026-01-01T00:00:00Z')]).admitClaim('CREATE', c);
  assert.equal(c.spec?.storageClassName, 'new');
  const d = claim();
  await plugin([sc('b', true), sc('a', true)]).admitClaim('CREATE', d);
  assert.equal(d.spec?.storageClassName, 'a');
});

test('a chosen class (even "") or the beta annotation is kept; updates and no default change nothing', async () => {
  const classes = [sc('def', true)];
  const empty = claim({ storageClassName: '' });
  await plugin(classes).admitClaim('CREATE', empty);
  assert.equal(empty.spec?.storageClassName, '');
  const beta = claim({}, { 'volume.beta.kubernetes.io/storage-class': 'gold' });
  await plugin(classes).admitClaim('CREATE', beta);
  assert.equal(beta.spec?.storageClassName, undefined);
  const upd = claim();
  await plugin(classes).admitClaim('UPDATE', upd);
  assert.equal(upd.spec?.storageClassName, undefined);
  const nodef = claim();
  await plugin([sc('x', false)]).admitClaim('CREATE', nodef);
  assert.equal(nodef.spec?.storageClassName, undefined);
});

test('a failed lookup is Forbidden', async () => {
  const p = create({ listStorageClasses: async () => Promise.reject(new Error('cache down')) });
  await assert.rejects(p.admitClaim('CREATE', claim()), (e: unknown) => e instanceof StatusError && e.code === 403 && e.message === 'persistentvolumeclaims "c" is forbidden: cache down');
});
