import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDefinitions } from './definitions.js';
import { patchMetaFor } from './patch-meta.js';
import { UnknownKindError, findDuplicateFields, findTypeErrors, findUnknownFields } from './validation.js';

const deployment = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', 'x.io/y': 'z' }, annotations: { a: 'b' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    ...extra,
  },
});

test('findUnknownFields: upstream paths with list indices; maps, IntOrString and Quantity are not fields', () => {
  const ok = deployment([
    { name: 'a', image: 'x', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: 128 } }, livenessProbe: { httpGet: { port: 'http', path: '/' } } },
  ]);
  assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', ok), []);
  const bad = deployment([{ name: 'a', image: 'x' }, { name: 'b', imagePullPolice: 'Always', ports: [{ containerPort: 80, hostPortt: 1 }] }], { bogus: true });
  (bad.metadata as Record<string, unknown>)['nam'] = 'x';
  assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', bad), [
    'metadata.nam',
    'spec.template.spec.containers[1].imagePullPolice',
    'spec.template.spec.containers[1].ports[0].hostPortt',
    'spec.bogus',
  ]);
  assert.deepEqual(findUnknownFields('', 'v1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { anything: 'x' }, extra: 1 }), ['extra']);
});

test('findUnknownFields: raw extensions and CRD schemas accept anything where upstream does', () => {
  assert.deepEqual(findUnknownFields('apps', 'v1', 'ControllerRevision', { metadata: { name: 'r' }, revision: 1, data: { whatever: { nested: true } } }), []);
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'foos.example.com' },
    spec: {
      group: 'example.com',
      names: { plural: 'foos', kind: 'Foo' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 1 } }, additionalProperties: false, tpyo: 1 } },
            },
          },
        },
      ],
    },
  };
  assert.deepEqual(findUnknownFields('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', crd), [
    'spec.versions[0].schema.openAPIV3Schema.properties.spec.tpyo',
  ]);
  assert.throws(() => findUnknownFields('nope', 'v1', 'Thing', {}), UnknownKindError);
});

test('findTypeErrors: Go decoder wording', () => {
  assert.equal(findTypeErrors('apps', 'v1', 'Deployment', deployment([{ name: 'a', image: 'x' }])), undefined);
  assert.equal(
    findTypeErrors('', 'v1', 'Pod', { spec: { containers: 'nginx' } }),
    'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
  );
  assert.equal(
    findTypeErrors('apps', 'v1', 'Deployment', deployment([{ name: 'a', ports: [{ containerPort: '80' }] }])),
    'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
  );
  assert.equal(findTypeErrors('', 'v1', 'Pod', { metadata: 'x' }), 'json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta');
  assert.equal(findTypeErrors('', 'v1', 'Pod', { metadata: { labels: { a: 1 } } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(findTypeErrors('apps', 'v1', 'Deployment', deployment([], { replicas: 1.5 })), 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(findTypeErrors('', 'v1', 'Pod', { spec: { hostNetwork: 'yes' } }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool');
  assert.equal(findTypeErrors('', 'v1', 'Pod', { spec: { containers: [{ name: 'a', resources: { limits: { cpu: 'lots' } } }] } }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(findTypeErrors('', 'v1', 'Pod', { spec: { containers: [{ name: 'a', resources: { limits: { cpu: 0.5, memory: '128Mi' } } }] } }), undefined);
  assert.equal(findTypeErrors('', 'v1', 'Service', { spec: { ports: [{ port: 80, targetPort: {} }] } }), 'json: cannot unmarshal object into Go value of type int32');
  assert.equal(findTypeErrors('', 'v1', 'Pod', { metadata: { creationTimestamp: '2024-01-02T03:04:05Z' } }), undefined);
  assert.match(findTypeErrors('', 'v1', 'Pod', { metadata: { creationTimestamp: 'yesterday' } }) ?? '', /^parsing time "yesterday" as "2006-01-02T15:04:05Z07:00"/);
  assert.equal(findTypeErrors('', 'v1', 'Secret', { data: { k: 'aGVsbG8=' } }), undefined);
  assert.equal(findTypeErrors('', 'v1', 'Secret', { data: { k: 'not base64!' } }), 'illegal base64 data at input byte 3');
  // unknown fields and nulls are not type errors
  assert.equal(findTypeErrors('', 'v1', 'Pod', { spec: { nope: 1, containers: null } }), undefined);
});

test('enum values are not checked by the schema (upstream leaves them to the per-kind validators)', () => {
  // Precondition: these fields do carry `enum` in the generated schemas.
  const defs = loadDefinitions();
  const enumOf = (def: string, p: string): unknown => (defs[def]?.properties?.[p] as { enum?: unknown } | undefined)?.enum;
  assert.ok(Array.isArray(enumOf('io.k8s.api.apps.v1.DeploymentStrategy', 'type')));
  assert.ok(Array.isArray(enumOf('io.k8s.api.core.v1.ServiceSpec', 'type')));
  const dep = deployment([{ name: 'a', image: 'x', imagePullPolicy: 'Sometimes', ports: [{ containerPort: 80, protocol: 'QUIC' }] }], {
    strategy: { type: 'Bogus' },
  });
  (dep.spec.template.spec as Record<string, unknown>)['restartPolicy'] = 'Sometimes';
  (dep.spec.template.spec as Record<string, unknown>)['tolerations'] = [{ key: 'k', operator: 'Gt', value: '1' }];
  assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', dep), []);
  assert.equal(findTypeErrors('apps', 'v1', 'Deployment', dep), undefined);
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Whatever', ipFamilies: ['IPv5'], ports: [{ port: 80 }] } };
  assert.deepEqual(findUnknownFields('', 'v1', 'Service', svc), []);
  assert.equal(findTypeErrors('', 'v1', 'Service', svc), undefined);
  const pvc = { spec: { accessModes: ['ReadWriteSometimes'] }, status: { allocatedResourceStatuses: { storage: 'Dreaming' } } };
  assert.equal(findTypeErrors('', 'v1', 'PersistentVolumeClaim', pvc), undefined);
  // A value of the wrong JSON type in an enum field is still a decoding error.
  assert.match(findTypeErrors('apps', 'v1', 'Deployment', deployment([], { strategy: { type: 5 } })) ?? '', /^json: cannot unmarshal number into Go struct field DeploymentStrategy\.spec\.strategy\.type of type /);
  assert.match(findTypeErrors('', 'v1', 'PersistentVolumeClaim', { spec: { accessModes: [true] } }) ?? '', /^json: cannot unmarshal bool into Go struct field PersistentVolumeClaimSpec\.spec\.accessModes of type /);
});

test('findDuplicateFields: paths of repeated keys, escapes and strings handled', () => {
  assert.deepEqual(findDuplicateFields('{"metadata":{"name":"a","name":"b"}}'), ['metadata.name']);
  assert.deepEqual(
    findDuplicateFields('{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y","image":"z"}]},"kind":"Pod","kind":"Pod"}'),
    ['spec.containers[1].image', 'kind'],
  );
  // same key in sibling objects is not a duplicate; braces and quotes inside strings are text
  assert.deepEqual(findDuplicateFields('{"a":{"x":1},"b":{"x":"}{\\"x\\":"},"c":[[{"x":1}],[{"x":2}]]}'), []);
  // escaped spellings of the same key collide, as after decoding
  assert.deepEqual(findDuplicateFields('{"name":1,"n\\u0061me":2}'), ['name']);
  assert.deepEqual(findDuplicateFields('{"a":[1,2,{"b":1,"b":2}]}'), ['a[2].b']);
  assert.deepEqual(findDuplicateFields('{"a":'), []);
});

test('patchMetaFor: merge keys, strategies and list types along a path', () => {
  const pod = patchMetaFor('', 'v1', 'Pod');
  assert.ok(pod);
  const containers = pod.lookup(['spec', 'containers'])!;
  assert.equal(containers.shape, 'list');
  assert.equal(containers.patchMergeKey, 'name');
  assert.deepEqual(containers.patchStrategies, ['merge']);
  const ports = containers.elements()!.field('ports')!;
  assert.equal(ports.patchMergeKey, 'containerPort');
  assert.equal(ports.listType, 'map');
  assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(pod.lookup(['spec', 'containers', 'ports'])!.patchMergeKey, 'containerPort');
  assert.deepEqual(pod.lookup(['spec', 'volumes'])!.patchStrategies, ['merge', 'retainKeys']);
  assert.deepEqual(pod.lookup(['metadata', 'finalizers'])!.patchStrategies, ['merge']);
  assert.equal(pod.lookup(['metadata', 'labels'])!.shape, 'map');
  assert.equal(pod.lookup(['metadata', 'labels', 'app'])!.shape, 'scalar');
  const dep = patchMetaFor('apps', 'v1', 'Deployment')!;
  assert.equal(dep.lookup(['spec', 'selector'])!.mapType, 'atomic');
  assert.equal(dep.lookup(['spec', 'strategy', 'rollingUpdate', 'maxSurge'])!.shape, 'scalar');
  assert.equal(dep.lookup(['spec', 'nope']), undefined);
  assert.equal(patchMetaFor('x', 'v1', 'Nope'), undefined);
});
