import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, StatefulSet, DaemonSet } from 'kubernetes-types/apps/v1.js';
import { kinds } from './index.js';
import type { ErrorList } from '../../../machinery/field.js';

const msgs = (errs: ErrorList | undefined) => (errs ?? []).map((e) => e.toString());
const h = kinds.Deployment!;

function deployment(): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

test('Deployment defaults', () => {
  const d = deployment();
  h.defaults!(d);
  assert.equal(d.spec!.replicas, 1);
  assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec!.revisionHistoryLimit, 10);
  assert.equal(d.spec!.progressDeadlineSeconds, 600);
  assert.equal(d.spec!.template.spec!.restartPolicy, 'Always');
  assert.deepEqual(msgs(h.validate!(d)), []);
});

test('Deployment validation messages', () => {
  const d = deployment();
  h.defaults!(d);
  d.spec!.template.metadata!.labels = { app: 'other' };
  d.spec!.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
  d.spec!.replicas = -1;
  d.spec!.progressDeadlineSeconds = 5;
  d.spec!.minReadySeconds = 10;
  assert.deepEqual(msgs(h.validate!(d)), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
  ]);

  const r = deployment();
  h.defaults!(r);
  r.spec!.strategy = { type: 'Recreate', rollingUpdate: {} };
  delete (r.spec as { selector?: unknown }).selector;
  assert.deepEqual(msgs(h.validate!(r)), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
  ]);

  const p = deployment();
  h.defaults!(p);
  p.spec!.template.spec!.restartPolicy = 'Never';
  p.spec!.strategy!.rollingUpdate!.maxUnavailable = '120%';
  const got = msgs(h.validate!(p));
  assert.ok(got.includes('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'), got.join('\n'));
  assert.ok(got.includes('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%'), got.join('\n'));
});

test('Deployment selector is immutable', () => {
  const old = deployment();
  h.defaults!(old);
  const d = structuredClone(old);
  d.spec!.selector = { matchLabels: { app: 'web', tier: 'x' } };
  d.spec!.template.metadata!.labels = { app: 'web', tier: 'x' };
  assert.deepEqual(msgs(h.validateUpdate!(d, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  scaled.spec!.replicas = 5;
  assert.deepEqual(msgs(h.validateUpdate!(scaled, old)), []);
});

test('Deployment status validation', () => {
  const d = deployment();
  d.status = { replicas: 1, readyReplicas: 2, availableReplicas: 1, collisionCount: 0 };
  const old = { ...deployment(), status: { collisionCount: 1 } };
  assert.deepEqual(msgs(h.validateStatusUpdate!(d, old)), [
    'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    'status.collisionCount: Invalid value: 0: cannot be decremented',
  ]);
});

function statefulSet(): StatefulSet {
  return {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    },
  };
}

test('StatefulSet defaults and update rules', () => {
  const s = kinds.StatefulSet!;
  const ss = statefulSet();
  s.defaults!(ss);
  assert.equal(ss.spec!.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(ss.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(ss.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(ss.spec!.revisionHistoryLimit, 10);
  assert.equal(ss.spec!.replicas, 1);
  assert.equal(ss.spec!.volumeClaimTemplates![0]!.spec!.volumeMode, 'Filesystem');
  assert.equal(s.nameValidation, 'dns1123-label');
  assert.deepEqual(msgs(s.validate!(ss)), []);

  const up = structuredClone(ss);
  up.spec!.replicas = 3;
  up.spec!.template.spec!.containers[0]!.image = 'y';
  assert.deepEqual(msgs(s.validateUpdate!(up, ss)), []);
  up.spec!.serviceName = 'other';
  assert.deepEqual(msgs(s.validateUpdate!(up, ss)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('DaemonSet defaults and strategy validation', () => {
  const k = kinds.DaemonSet!;
  const ds: DaemonSet = {
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'a' } },
      template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  };
  k.defaults!(ds);
  assert.deepEqual(ds.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec!.revisionHistoryLimit, 10);
  assert.deepEqual(msgs(k.validate!(ds)), []);
  ds.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 };
  assert.deepEqual(msgs(k.validate!(ds)), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
});

test('ControllerRevision data is required and immutable', () => {
  const k = kinds.ControllerRevision!;
  assert.deepEqual(msgs(k.validate!({ metadata: { name: 'r' }, revision: -1 })), [
    'data: Required value: data is mandatory',
    'revision: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const old = { metadata: { name: 'r' }, revision: 1, data: { a: 1 } };
  assert.deepEqual(msgs(k.validateUpdate!({ ...old, data: { a: 2 } }, old)), ['data: Invalid value: {"a":2}: field is immutable']);
});
