import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds as v1 } from './v1/index.js';
import { kinds as v1beta1 } from './v1beta1/index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);

// The seed 000 manifests (rbac.authorization.k8s.io/v1beta1).
const seedClusterRole = {
  apiVersion: 'rbac.authorization.k8s.io/v1beta1',
  kind: 'ClusterRole',
  metadata: { name: 'pod-reader' },
  rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }],
};
const seedBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1beta1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'pod-reader-binding' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }],
};

test('seed v1beta1 ClusterRole and ClusterRoleBinding convert to v1, validate, and round-trip', () => {
  for (const obj of [seedClusterRole, seedBinding]) {
    const h = v1beta1[obj.kind]!;
    const o = structuredClone(obj);
    h.defaults?.(o);
    const hub = h.conversion!.toHub(o);
    assert.equal(hub.apiVersion, 'rbac.authorization.k8s.io/v1');
    assert.equal(hub.kind, obj.kind);
    assert.deepEqual(text(v1[obj.kind]!.validate!(hub)), []);
    const back = h.conversion!.fromHub(hub);
    assert.deepEqual(back, o);
  }
  assert.deepEqual(v1beta1.ClusterRoleBinding!.conversion!.hub, { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' });
  assert.equal(v1beta1.ClusterRole!.nameValidation, 'path-segment');
});

test('subject apiGroup and roleRef apiGroup defaults', () => {
  const b: any = {
    roleRef: { kind: 'Role', name: 'r' },
    subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'sa' }],
  };
  v1.RoleBinding!.defaults!(b);
  assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  // ServiceAccount subjects are in the core group: apiGroup "" is omitted on the wire.
  assert.deepEqual(b.subjects.map((s: any) => s.apiGroup), ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
  assert.deepEqual(text(v1.RoleBinding!.validate!(b)), []);
});

test('ClusterRoleBinding ServiceAccount subject requires a namespace; roleRef kind', () => {
  const b: any = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', apiGroup: '' }] };
  assert.deepEqual(text(v1.ClusterRoleBinding!.validate!(b)), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
  ]);
  b.subjects = [{ kind: 'Robot', name: 'x' }];
  b.roleRef.kind = 'ClusterRole';
  assert.deepEqual(text(v1.ClusterRoleBinding!.validate!(b)), [
    'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
});

test('roleRef is immutable', () => {
  const old: any = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [] };
  const upd: any = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [] };
  assert.deepEqual(text(v1.ClusterRoleBinding!.validateUpdate!(upd, old)), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]);
  assert.deepEqual(text(v1.ClusterRoleBinding!.validateUpdate!(old, structuredClone(old))), []);
});

test('policy rule validation', () => {
  assert.deepEqual(text(v1.Role!.validate!({ rules: [{ verbs: [] }] } as any)), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
  assert.deepEqual(text(v1.Role!.validate!({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] } as any)), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(text(v1.ClusterRole!.validate!({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] } as any)), []);
  assert.deepEqual(text(v1.ClusterRole!.validate!({ aggregationRule: { clusterRoleSelectors: [] } } as any)), [
    'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
  ]);
});
