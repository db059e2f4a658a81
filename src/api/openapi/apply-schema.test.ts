// Server-side apply over the real Deployment (apps/v1) and ConfigMap (v1) schemas.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApplyConflictError,
  applyPatch,
  decodeFieldsV1,
  encodeFieldsV1,
  updateManagedFields,
  type ManagedFieldsEntry,
} from '../../machinery/fieldmanager/index.js';
import { applySchemaFor } from './apply-schema.js';

const deploymentSchema = applySchemaFor('apps', 'v1', 'Deployment')!;
const configMapSchema = applySchemaFor('', 'v1', 'ConfigMap')!;
const T0 = new Date('2024-05-01T10:00:00.500Z');
const T1 = new Date('2024-05-01T10:05:00Z');

type Obj = Record<string, any>;

function deployment(spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...metadata }, spec };
}

function podSpec(containers: Obj[], extra: Obj = {}): Obj {
  return {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } },
  };
}

function apply(current: Obj | undefined, applied: Obj, manager: string, extra: { force?: boolean; now?: Date } = {}): Obj {
  return applyPatch(current, applied, {
    manager,
    force: extra.force ?? false,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    now: extra.now ?? T0,
    schema: deploymentSchema,
  }).object;
}

/** Stands in for the stored object: what the server would persist (uid set on create). */
function stored(obj: Obj): Obj {
  return { ...obj, metadata: { uid: 'u-1', ...obj['metadata'] } };
}

function entries(obj: Obj): ManagedFieldsEntry[] {
  return obj['metadata']['managedFields'] as ManagedFieldsEntry[];
}

function entry(obj: Obj, manager: string, operation = 'Apply'): ManagedFieldsEntry | undefined {
  return entries(obj).find((e) => e.manager === manager && e.operation === operation);
}

function owned(obj: Obj, manager: string, operation = 'Apply'): string[] {
  const e = entry(obj, manager, operation);
  return e ? decodeFieldsV1(e.fieldsV1).paths().map((p) => p.map((pe) => ('f' in pe ? `.${pe.f}` : JSON.stringify(pe))).join('')) : [];
}

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApplyConflictError, `expected ApplyConflictError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a conflict');
}

describe('server-side apply (Deployment apps/v1)', () => {
  const nginx = deployment({ replicas: 2, ...podSpec([{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }]) }, { labels: { app: 'web' } });

  it('creates via apply with upstream FieldsV1', () => {
    const obj = apply(undefined, nginx, 'kubectl');
    assert.equal(obj['spec']['replicas'], 2);
    assert.deepEqual(entries(obj), [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    // Key order on the wire follows the Go struct.
    assert.deepEqual(Object.keys(entries(obj)[0]!), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  });

  it('applying the same configuration again changes nothing, not even the time', () => {
    const first = stored(apply(undefined, nginx, 'kubectl'));
    const r = applyPatch(first, nginx, { manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: T1, schema: deploymentSchema });
    assert.equal(r.changed, false);
    assert.deepEqual(r.object, first);
  });

  it('two managers: separate and shared ownership', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    // Same replicas value (shared), a new label (separate).
    const b = apply(a, deployment({ replicas: 2 }, { labels: { team: 'x' } }), 'other', { now: T1 });
    assert.deepEqual(b['metadata']['labels'], { app: 'web', team: 'x' });
    assert.deepEqual(owned(b, 'other'), ['.metadata.labels.team', '.spec.replicas']);
    assert.ok(owned(b, 'kubectl').includes('.spec.replicas'));
    assert.deepEqual(
      entries(b).map((e) => [e.manager, e.operation, e.time]),
      [
        ['kubectl', 'Apply', '2024-05-01T10:00:00Z'],
        ['other', 'Apply', '2024-05-01T10:05:00Z'],
      ],
    );
    // kubectl drops replicas: another applier still owns it, so it stays.
    const c = apply(stored(b), { ...nginx, spec: podSpec(nginx['spec'].template.spec.containers) }, 'kubectl', { now: T1 });
    assert.equal(c['spec']['replicas'], 2);
    assert.ok(!owned(c, 'kubectl').includes('.spec.replicas'));
  });

  it('conflicts: exact upstream message and causes', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    const err = conflictOf(() => apply(a, deployment({ replicas: 3 }), 'hpa'));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    assert.deepEqual(err.toStatus().details, {
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }],
    });

    // An Update manager prints with its version; several conflicts are listed per manager.
    const updated = stored(
      updateManagedFields(a, { ...a, spec: { ...a['spec'], replicas: 5, paused: true } }, { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T1, schema: deploymentSchema }),
    );
    const img = structuredClone(nginx);
    img['spec'].replicas = 7;
    img['spec'].paused = false;
    img['spec'].template.spec.containers[0].image = 'nginx:1.26';
    const err2 = conflictOf(() => apply(updated, img, 'ci'));
    assert.equal(
      err2.message,
      'Apply failed with 3 conflicts: conflicts with "kubectl":\n- .spec.template.spec.containers[name="nginx"].image\n' +
        'conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.paused\n- .spec.replicas',
    );
    assert.deepEqual(
      err2.toStatus().details?.causes?.map((c) => [c.message, c.field]),
      [
        ['conflict with "kubectl"', '.spec.template.spec.containers[name="nginx"].image'],
        ['conflict with "kubectl-client-side-apply" using apps/v1', '.spec.paused'],
        ['conflict with "kubectl-client-side-apply" using apps/v1', '.spec.replicas'],
      ],
    );
  });

  it('force moves ownership to the applier', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    const b = apply(a, deployment({ replicas: 3 }), 'hpa', { force: true, now: T1 });
    assert.equal(b['spec']['replicas'], 3);
    assert.deepEqual(owned(b, 'hpa'), ['.spec.replicas']);
    assert.ok(!owned(b, 'kubectl').includes('.spec.replicas'));
    // kubectl re-applying its old value now conflicts with hpa.
    const err = conflictOf(() => apply(stored(b), nginx, 'kubectl'));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "hpa": .spec.replicas');
  });

  it('removing a field from the applied configuration removes it from the object', () => {
    const withEnv = structuredClone(nginx);
    withEnv['spec'].template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
    withEnv['metadata'].annotations = { note: 'x' };
    const a = stored(apply(undefined, withEnv, 'kubectl'));
    const fewer = structuredClone(withEnv);
    fewer['spec'].template.spec.containers[0].env = [{ name: 'B', value: '2' }];
    delete fewer['metadata'].annotations;
    delete fewer['spec'].replicas;
    const b = apply(a, fewer, 'kubectl', { now: T1 });
    assert.deepEqual(b['spec']['template']['spec']['containers'][0]['env'], [{ name: 'B', value: '2' }]);
    assert.equal(b['metadata']['annotations'], undefined);
    assert.equal(b['spec']['replicas'], undefined);
    // Fields nobody owns (e.g. defaults the server added) are kept.
    const defaulted = stored({ ...a, spec: { ...a['spec'], strategy: { type: 'RollingUpdate' } } });
    const c = apply(defaulted, fewer, 'kubectl', { now: T1 });
    assert.deepEqual(c['spec']['strategy'], { type: 'RollingUpdate' });
  });

  it('no longer applying any field of a struct removes the struct, unowned defaults included', () => {
    const withStrategy = deployment({ strategy: { type: 'RollingUpdate' }, ...podSpec([{ name: 'app', image: 'a' }]) });
    const a = stored(apply(undefined, withStrategy, 'kubectl'));
    // The server defaulted rollingUpdate and revisionHistoryLimit; nobody owns them.
    const live = stored({ ...a, spec: { ...a['spec'], revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } });
    const b = apply(live, deployment(podSpec([{ name: 'app', image: 'a' }])), 'kubectl', { now: T1 });
    assert.equal(b['spec']['strategy'], undefined);
    assert.equal(b['spec']['revisionHistoryLimit'], 10);
  });

  it('list order: applied items in applied order, items only in the live list kept in place', () => {
    const names = (o: Obj): string[] => o['spec']['template']['spec']['containers'].map((c: Obj) => c['name']);
    const live = stored(apply(undefined, deployment(podSpec([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }])), 'm1'));
    assert.deepEqual(names(apply(live, deployment(podSpec([{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }])), 'm2', { now: T1 })), ['b', 'c', 'a']);
    assert.deepEqual(names(apply(live, deployment(podSpec([{ name: 'd', image: 'd' }, { name: 'a', image: 'a' }])), 'm2', { now: T1 })), ['d', 'a', 'b', 'c']);
  });

  it('merges associative lists by key: containers by name, ports by containerPort+protocol', () => {
    const live = stored(
      apply(
        undefined,
        deployment(podSpec([{ name: 'app', image: 'a', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }])),
        'kubectl',
      ),
    );
    // A second manager adds a sidecar and a TCP port 53 to "app".
    const sidecar = apply(
      live,
      deployment(podSpec([{ name: 'app', ports: [{ containerPort: 53, protocol: 'TCP' }] }, { name: 'sidecar', image: 's' }])),
      'mesh',
      { now: T1 },
    );
    const containers = sidecar['spec']['template']['spec']['containers'];
    assert.deepEqual(
      containers.map((c: Obj) => c['name']),
      ['app', 'sidecar'],
    );
    assert.deepEqual(containers[0]['ports'], [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }]);
    assert.equal(containers[0]['image'], 'a');
    assert.deepEqual(owned(sidecar, 'mesh').filter((p) => p.includes('"k"')).length > 0, true);
    const mesh = encodeFieldsV1(decodeFieldsV1(entry(sidecar, 'mesh')!.fieldsV1)) as Obj;
    assert.deepEqual(Object.keys(mesh['f:spec']['f:template']['f:spec']['f:containers']), ['k:{"name":"app"}', 'k:{"name":"sidecar"}']);
    assert.deepEqual(mesh['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}'], {
      '.': {},
      'f:name': {},
      'f:ports': { 'k:{"containerPort":53,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
    });
    // kubectl drops the UDP port: removed; mesh's items stay.
    const dropped = apply(stored(sidecar), deployment(podSpec([{ name: 'app', image: 'a', ports: [{ containerPort: 80 }] }])), 'kubectl', { now: T1 });
    const after = dropped['spec']['template']['spec']['containers'];
    assert.deepEqual(after[0]['ports'], [{ containerPort: 80 }, { containerPort: 53, protocol: 'TCP' }]);
    assert.equal(after[1]['name'], 'sidecar');
  });

  it('set lists (finalizers) union; atomic lists (args) replace', () => {
    const a = stored(apply(undefined, deployment(podSpec([{ name: 'app', image: 'a', args: ['x', 'y'] }]), { finalizers: ['a/one'] }), 'kubectl'));
    assert.deepEqual(entry(a, 'kubectl')!.fieldsV1!['f:metadata'], { 'f:finalizers': { 'v:"a/one"': {} } });
    const b = apply(a, deployment({}, { finalizers: ['b/two'] }), 'ctrl', { now: T1 });
    assert.deepEqual(b['metadata']['finalizers'], ['a/one', 'b/two']);
    // args is atomic: owned as one leaf, replaced whole; another manager changing it conflicts.
    assert.deepEqual(entry(a, 'kubectl')!.fieldsV1!['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}']['f:args'], {});
    const err = conflictOf(() => apply(stored(b), deployment(podSpec([{ name: 'app', args: ['z'] }])), 'ctrl'));
    assert.match(err.message, /conflict with "kubectl": \.spec\.template\.spec\.containers\[name="app"\]\.args$/);
    const forced = apply(stored(b), deployment(podSpec([{ name: 'app', args: ['z'] }])), 'ctrl', { force: true, now: T1 });
    assert.deepEqual(forced['spec']['template']['spec']['containers'][0]['args'], ['z']);
  });

  it('atomic structs (LabelSelector) and maps (nodeSelector) are owned as a whole', () => {
    const a = stored(apply(undefined, deployment({ ...podSpec([{ name: 'app', image: 'a' }], { nodeSelector: { disk: 'ssd' } }) }), 'kubectl'));
    const spec = entry(a, 'kubectl')!.fieldsV1!['f:spec'];
    assert.deepEqual(spec['f:selector'], {});
    assert.deepEqual(spec['f:template']['f:spec']['f:nodeSelector'], {});
    const b = apply(a, deployment(podSpec([{ name: 'app', image: 'a' }], { nodeSelector: { zone: 'a' } })), 'kubectl', { now: T1 });
    assert.deepEqual(b['spec']['template']['spec']['nodeSelector'], { zone: 'a' });
  });

  it('tracks an Update after an apply; the updater takes changed fields', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    const scaled = { ...a, spec: { ...a['spec'], replicas: 4 } };
    const b = updateManagedFields(a, scaled, { manager: 'kube-controller-manager', apiVersion: 'apps/v1', now: T1, schema: deploymentSchema });
    assert.deepEqual(owned(b, 'kube-controller-manager', 'Update'), ['.spec.replicas']);
    assert.ok(!owned(b, 'kubectl').includes('.spec.replicas'));
    assert.deepEqual(
      entries(b).map((e) => [e.manager, e.operation, e.apiVersion, e.time]),
      [
        ['kubectl', 'Apply', 'apps/v1', '2024-05-01T10:00:00Z'],
        ['kube-controller-manager', 'Update', 'apps/v1', '2024-05-01T10:05:00Z'],
      ],
    );
    // An update that changes nothing leaves managedFields as they are.
    const same = updateManagedFields(stored(b), stored(b), { manager: 'other', apiVersion: 'apps/v1', now: new Date('2025-01-01T00:00:00Z'), schema: deploymentSchema });
    assert.deepEqual(entries(same), entries(b));
  });

  it('an object without managedFields is owned by before-first-apply before the first apply', () => {
    const legacy = stored(deployment({ replicas: 1, ...podSpec([{ name: 'nginx', image: 'nginx:1.24' }]) }));
    const err = conflictOf(() => apply(legacy, nginx, 'ci'));
    assert.match(err.message, /conflicts with "before-first-apply" using apps\/v1:\n- \.spec\.replicas\n- \.spec\.template\.spec\.containers\[name="nginx"\]\.image/);
    const forced = apply(legacy, nginx, 'ci', { force: true, now: T1 });
    assert.deepEqual(
      entries(forced).map((e) => [e.manager, e.operation]),
      [
        ['ci', 'Apply'],
        ['before-first-apply', 'Update'],
      ],
    );
  });

  it('kubectl upgrading from client-side apply: last-applied fields do not conflict; the annotation is kept in sync', () => {
    const lastApplied = JSON.stringify(deployment({ replicas: 2, ...podSpec([{ name: 'nginx', image: 'nginx:1.25' }]) }));
    const csa = deployment({ replicas: 2, ...podSpec([{ name: 'nginx', image: 'nginx:1.25' }]) }, {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
    });
    const created = stored(updateManagedFields(undefined, csa, { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, schema: deploymentSchema }));
    const ssa = deployment({ replicas: 3, ...podSpec([{ name: 'nginx', image: 'nginx:1.25' }]) });
    const out = apply(created, ssa, 'kubectl', { now: T1 });
    assert.equal(out['spec']['replicas'], 3);
    assert.equal(
      out['metadata']['annotations']['kubectl.kubernetes.io/last-applied-configuration'],
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"nginx"}]}}}}\n',
    );
    // Any other manager still conflicts.
    conflictOf(() => apply(created, ssa, 'ci'));
  });

  it('refuses applied configurations upstream refuses', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    assert.throws(() => apply(a, { ...nginx, apiVersion: 'apps/v1beta1' }, 'x'), { code: 400, message: 'invalid object type: apps/v1beta1, Kind=Deployment' });
    assert.throws(
      () => applyPatch(a, { ...nginx, apiVersion: 'apps/v1beta1' }, { manager: 'x', force: false, apiVersion: 'apps/v1', now: T0, schema: deploymentSchema }),
      { code: 400, message: 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1' },
    );
    assert.throws(() => apply(a, deployment({}, { managedFields: [] }), 'x'), { code: 400, message: 'metadata.managedFields must be nil' });
    assert.throws(() => apply(a, deployment(podSpec([{ name: 'a' }, { name: 'a' }])), 'x'), {
      code: 500,
      message: 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    });
  });

  it('FieldsV1 round-trips for a real object', () => {
    const a = stored(apply(undefined, nginx, 'kubectl'));
    const b = updateManagedFields(a, { ...a, spec: { ...a['spec'], paused: true } }, { manager: 'x', apiVersion: 'apps/v1', now: T1, schema: deploymentSchema });
    for (const e of entries(b)) assert.deepEqual(JSON.stringify(encodeFieldsV1(decodeFieldsV1(e.fieldsV1))), JSON.stringify(e.fieldsV1));
  });
});

describe('managed fields (ConfigMap v1)', () => {
  const opts = (manager: string, now = T0) => ({ manager, apiVersion: 'v1', now, schema: configMapSchema });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', labels: { a: '1' } }, data: { k: 'v' } };

  it('a create is an Update from an empty object', () => {
    const out = updateManagedFields(undefined, cm, opts('kubectl-create'));
    assert.deepEqual(out.metadata, {
      ...cm.metadata,
      managedFields: [
        {
          manager: 'kubectl-create',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
        },
      ],
    });
  });

  it('updates move fields between managers and drop managers left with none', () => {
    const created = stored(updateManagedFields(undefined, cm, opts('creator')));
    const next = { ...created, data: { k: 'v2' }, metadata: { ...created.metadata, labels: { a: '2' } } };
    const out = updateManagedFields(created, next, opts('editor', T1)) as Obj;
    assert.deepEqual(owned(out, 'editor', 'Update'), ['.data.k', '.metadata.labels.a']);
    assert.deepEqual(owned(out, 'creator', 'Update'), ['.data', '.metadata.labels']);
    // Removing the data map entirely takes it from its owner.
    const removed = updateManagedFields(stored(out), { ...stored(out), data: undefined }, opts('editor', T1)) as Obj;
    assert.deepEqual(owned(removed, 'creator', 'Update'), ['.metadata.labels']);
  });

  it('subresource updates are separate entries; requests may reset managedFields', () => {
    const created = stored(updateManagedFields(undefined, cm, opts('creator')));
    const viaSub = updateManagedFields(created, { ...created, data: { k: 'z' } }, { ...opts('c', T1), subresource: 'status' }) as Obj;
    assert.deepEqual(
      entries(viaSub).map((e) => [e.manager, e.subresource]),
      [
        ['creator', undefined],
        ['c', 'status'],
      ],
    );
    const reset = updateManagedFields(created, { ...created, metadata: { ...created.metadata, managedFields: [] } }, opts('x', T1));
    assert.equal((reset.metadata as Obj)['managedFields'], undefined);
    // An update that omits managedFields keeps the stored ones.
    const kept = updateManagedFields(created, { ...cm, metadata: { ...cm.metadata, uid: 'u-1' } }, opts('x', T1));
    assert.deepEqual((kept.metadata as Obj)['managedFields'], created.metadata.managedFields);
  });

  it('server-side apply works for core kinds', () => {
    const r = applyPatch(undefined, cm, { manager: 'm', force: false, apiVersion: 'v1', kind: 'ConfigMap', now: T0, schema: configMapSchema });
    assert.deepEqual(entries(r.object as Obj)[0]!.fieldsV1, { 'f:data': { 'f:k': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } });
  });
});
