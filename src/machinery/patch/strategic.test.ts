import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch, type PatchSchema } from './strategic.js';
import { StrategicMergePatchError, strategicMergePatchStatus } from './errors.js';

// A hand-written schema shaped like the core types the cases touch (tags as in upstream's
// k8s.io/api/core/v1 and apps/v1 Go structs).

type Facts = { strategy?: string; mergeKey?: string };

function node(shape: PatchSchema['shape'], typeName: string, facts: Facts, field: (n: string) => PatchSchema | undefined, elements: () => PatchSchema | undefined): PatchSchema {
  return {
    shape,
    typeName,
    patchStrategies: facts.strategy ? facts.strategy.split(',') : [],
    patchMergeKey: facts.mergeKey,
    field,
    elements,
  };
}
const scalar = (facts: Facts = {}): PatchSchema => node('scalar', 'string', facts, () => undefined, () => undefined);
const any = (facts: Facts = {}): PatchSchema => node('any', 'interface', facts, () => undefined, () => undefined);
function struct(typeName: string, fields: () => Record<string, PatchSchema>, facts: Facts = {}): PatchSchema {
  return node('struct', typeName, facts, (n) => fields()[n], () => undefined);
}
const map = (values: PatchSchema, facts: Facts = {}): PatchSchema => node('map', 'map', facts, () => values, () => values);
const list = (items: PatchSchema, facts: Facts = {}): PatchSchema => node('list', 'slice', facts, (n) => items.field(n), () => items);

const envVar = struct('EnvVar', () => ({ name: scalar(), value: scalar(), valueFrom: any() }));
const port = struct('ContainerPort', () => ({ name: scalar(), containerPort: scalar(), protocol: scalar(), hostPort: scalar() }));
const mount = struct('VolumeMount', () => ({ name: scalar(), mountPath: scalar(), readOnly: scalar() }));
const container = struct('Container', () => ({
  name: scalar(),
  image: scalar(),
  args: list(scalar()),
  env: list(envVar, { strategy: 'merge', mergeKey: 'name' }),
  ports: list(port, { strategy: 'merge', mergeKey: 'containerPort' }),
  volumeMounts: list(mount, { strategy: 'merge', mergeKey: 'mountPath' }),
  resources: struct('ResourceRequirements', () => ({ limits: map(scalar()), requests: map(scalar()) })),
}));
const volume = struct('Volume', () => ({
  name: scalar(),
  emptyDir: struct('EmptyDirVolumeSource', () => ({ medium: scalar(), sizeLimit: scalar() })),
  configMap: struct('ConfigMapVolumeSource', () => ({ name: scalar(), defaultMode: scalar() })),
  secret: struct('SecretVolumeSource', () => ({ secretName: scalar() })),
}));
const toleration = struct('Toleration', () => ({ key: scalar(), operator: scalar(), value: scalar(), effect: scalar() }));
const podSpec = struct('PodSpec', () => ({
  containers: list(container, { strategy: 'merge', mergeKey: 'name' }),
  initContainers: list(container, { strategy: 'merge', mergeKey: 'name' }),
  volumes: list(volume, { strategy: 'merge,retainKeys', mergeKey: 'name' }),
  tolerations: list(toleration),
  nodeSelector: map(scalar()),
  restartPolicy: scalar(),
}));
const objectMeta = struct('ObjectMeta', () => ({
  name: scalar(),
  labels: map(scalar()),
  annotations: map(scalar()),
  finalizers: list(scalar(), { strategy: 'merge' }),
  ownerReferences: list(struct('OwnerReference', () => ({ uid: scalar(), name: scalar() })), { strategy: 'merge', mergeKey: 'uid' }),
}));
const pod = struct('Pod', () => ({ apiVersion: scalar(), kind: scalar(), metadata: objectMeta, spec: podSpec }));
const deployment = struct('Deployment', () => ({
  metadata: objectMeta,
  spec: struct('DeploymentSpec', () => ({
    replicas: scalar(),
    selector: struct('LabelSelector', () => ({ matchLabels: map(scalar()) })),
    strategy: struct('DeploymentStrategy', () => ({ type: scalar(), rollingUpdate: struct('RollingUpdateDeployment', () => ({ maxSurge: scalar(), maxUnavailable: scalar() })) }), {
      strategy: 'retainKeys',
    }),
    template: struct('PodTemplateSpec', () => ({ metadata: objectMeta, spec: podSpec })),
  })),
}));
// Upstream's test struct (strategicpatch/testing): merging lists by name, primitive merging lists, retainKeys maps.
const mergeItem: PatchSchema = struct('MergeItem', () => ({
  name: scalar(),
  value: scalar(),
  other: scalar(),
  mergingList: list(mergeItem, { strategy: 'merge', mergeKey: 'name' }),
  nonMergingList: list(mergeItem),
  mergingIntList: list(scalar(), { strategy: 'merge' }),
  simpleMap: map(scalar()),
  replacingItem: any({ strategy: 'replace' }),
  retainKeysMap: struct('RetainKeysMap', () => ({ name: scalar(), value: scalar(), other: scalar(), simpleMap: map(scalar()), mergingList: list(mergeItem, { strategy: 'merge', mergeKey: 'name' }) }), {
    strategy: 'retainKeys',
  }),
}));

type Case = { name: string; schema: PatchSchema | undefined; original: object; patch: object; want: object };

function run(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const original = structuredClone(c.original) as Record<string, unknown>;
      const patch = structuredClone(c.patch) as Record<string, unknown>;
      const got = strategicMergePatch(original, patch, c.schema);
      assert.deepEqual(got, c.want);
      // Neither input is touched.
      assert.deepEqual(original, c.original);
      assert.deepEqual(patch, c.patch);
    });
  }
}

const podWith = <S extends object>(spec: S, metadata: object = { name: 'p' }) => ({ metadata, spec });

describe('strategicMergePatch: maps', () => {
  run([
    {
      name: 'labels merge, null deletes a key, null for an absent key is dropped',
      schema: pod,
      original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { b: null, c: '3', zz: null } } },
      want: { metadata: { name: 'p', labels: { a: '1', c: '3' } } },
    },
    {
      name: 'a new map drops its nulls',
      schema: pod,
      original: { metadata: { name: 'p' } },
      patch: { metadata: { annotations: { a: '1', b: null } } },
      want: { metadata: { name: 'p', annotations: { a: '1' } } },
    },
    {
      name: '$patch: replace replaces the whole map',
      schema: pod,
      original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
      want: { metadata: { name: 'p', labels: { c: '3' } } },
    },
    {
      name: '$patch: delete empties the map',
      schema: pod,
      original: { metadata: { name: 'p', labels: { a: '1' } } },
      patch: { metadata: { labels: { $patch: 'delete' } } },
      want: { metadata: { name: 'p', labels: {} } },
    },
    {
      name: 'a new map carrying a directive is not added',
      schema: pod,
      original: { metadata: { name: 'p' } },
      patch: { metadata: { labels: { $patch: 'replace', a: '1' } } },
      want: { metadata: { name: 'p' } },
    },
    {
      name: 'a value of another type replaces',
      schema: undefined,
      original: { a: { b: 1 }, c: 'x' },
      patch: { a: 'flat', c: { d: [1] } },
      want: { a: 'flat', c: { d: [1] } },
    },
    {
      name: 'retainKeys clears fields the list does not name (upstream "retainKeys map should clear defaulted field")',
      schema: mergeItem,
      original: { retainKeysMap: { value: 'foo' } },
      patch: { retainKeysMap: { $retainKeys: ['other'], other: 'bar' } },
      want: { retainKeysMap: { other: 'bar' } },
    },
    {
      name: 'retainKeys keeps listed fields and merges inside them',
      schema: mergeItem,
      original: { retainKeysMap: { name: 'foo', value: 'v', simpleMap: { a: '1' } } },
      patch: { retainKeysMap: { $retainKeys: ['name', 'simpleMap'], simpleMap: { b: '2' } } },
      want: { retainKeysMap: { name: 'foo', simpleMap: { a: '1', b: '2' } } },
    },
    {
      name: 'Deployment strategy: RollingUpdate → Recreate through $retainKeys',
      schema: deployment,
      original: { spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } },
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
      want: { spec: { replicas: 1, strategy: { type: 'Recreate' } } },
    },
    {
      name: 'a replace strategy on a map field takes the patch value',
      schema: mergeItem,
      original: { replacingItem: { a: 1, b: 2 } },
      patch: { replacingItem: { c: 3 } },
      want: { replacingItem: { c: 3 } },
    },
    {
      name: 'without schema facts: maps merge and lists replace (JSON merge patch)',
      schema: undefined,
      original: { spec: { items: [{ name: 'a', v: 1 }], m: { x: 1 } } },
      patch: { spec: { items: [{ name: 'b' }], m: { y: 2 } } },
      want: { spec: { items: [{ name: 'b' }], m: { x: 1, y: 2 } } },
    },
  ]);
});

describe('strategicMergePatch: lists merged by key', () => {
  const base = podWith({
    containers: [
      { name: 'a', image: 'nginx:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 443 }] },
      { name: 'b', image: 'redis' },
    ],
  });
  run([
    {
      name: 'containers by name: update the image (kubectl set image)',
      schema: pod,
      original: base,
      patch: { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } },
      want: podWith({
        containers: [
          { name: 'a', image: 'nginx:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 443 }] },
          { name: 'b', image: 'redis' },
        ],
      }),
    },
    {
      // Without $setElementOrder, items the live list lacks go before the live items: upstream's
      // mergeSortedSlice only puts a live item first when both are in the live order.
      name: 'containers by name: a new one goes first when the patch gives no order',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', image: 'x' }] }),
      patch: { spec: { containers: [{ name: 'c', image: 'y' }] } },
      want: podWith({ containers: [{ name: 'c', image: 'y' }, { name: 'a', image: 'x' }] }),
    },
    {
      name: 'containers by name: a new one is appended when $setElementOrder says so (kubectl apply)',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', image: 'x' }] }),
      patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }], containers: [{ name: 'c', image: 'y' }] } },
      want: podWith({ containers: [{ name: 'a', image: 'x' }, { name: 'c', image: 'y' }] }),
    },
    {
      name: 'containers by name: $patch: delete removes one',
      schema: pod,
      original: base,
      patch: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
      want: podWith({ containers: [base.spec.containers[0]] }),
    },
    {
      name: 'env by name: change, delete and add',
      schema: pod,
      original: base,
      patch: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }, { name: 'X', $patch: 'delete' }, { name: 'Z', value: 'z' }] }] } },
      want: podWith({
        containers: [
          { name: 'a', image: 'nginx:1', env: [{ name: 'Y', value: '3' }, { name: 'Z', value: 'z' }], ports: [{ containerPort: 80 }, { containerPort: 443 }] },
          { name: 'b', image: 'redis' },
        ],
      }),
    },
    {
      name: 'ports by containerPort: delete one (kubectl apply after removing it from the file)',
      schema: pod,
      original: base,
      patch: { spec: { containers: [{ name: 'a', '$setElementOrder/ports': [{ containerPort: 80 }], ports: [{ containerPort: 443, $patch: 'delete' }] }] } },
      want: podWith({
        containers: [
          { name: 'a', image: 'nginx:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'redis' },
        ],
      }),
    },
    {
      name: 'ports: same containerPort with another protocol merges into the first (upstream quirk, kubernetes#39188)',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'TCP' }] }] }),
      patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'UDP' }] }] } },
      want: podWith({ containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'UDP' }] }] }),
    },
    {
      name: 'volumeMounts by mountPath',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/a' }, { name: 'w', mountPath: '/b' }] }] }),
      patch: { spec: { containers: [{ name: 'a', volumeMounts: [{ mountPath: '/b', readOnly: true }, { name: 'x', mountPath: '/c' }] }] } },
      want: podWith({ containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/a' }, { name: 'w', mountPath: '/b', readOnly: true }, { name: 'x', mountPath: '/c' }] }] }),
    },
    {
      name: 'volumes by name with $retainKeys: emptyDir → configMap',
      schema: pod,
      original: podWith({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', secret: { secretName: 's' } }] }),
      patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } },
      want: podWith({ volumes: [{ name: 'v', configMap: { name: 'cm' } }, { name: 'w', secret: { secretName: 's' } }] }),
    },
    {
      name: 'tolerations have no strategy: the list is replaced',
      schema: pod,
      original: podWith({ tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] }),
      patch: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } },
      want: podWith({ tolerations: [{ key: 'c', operator: 'Exists' }] }),
    },
    {
      name: 'a list item $patch: replace replaces the whole list',
      schema: pod,
      original: base,
      patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z' }] } },
      want: podWith({ containers: [{ name: 'z', image: 'z' }] }),
    },
    {
      name: 'a new container keeps what the patch gives',
      schema: pod,
      original: podWith({ containers: [{ name: 'a' }] }),
      patch: { spec: { containers: [{ name: 'b', env: [{ name: 'X', value: '1' }] }] } },
      want: podWith({ containers: [{ name: 'b', env: [{ name: 'X', value: '1' }] }, { name: 'a' }] }),
    },
    {
      name: 'a list that did not exist takes the patch without its directives',
      schema: pod,
      original: podWith({}),
      patch: { spec: { containers: [{ name: 'a' }, { name: 'b', $patch: 'delete' }] } },
      want: podWith({ containers: [{ name: 'a' }] }),
    },
    {
      name: 'non-merging list nested in a merging list is replaced (upstream "replace non merging list nested in merging list")',
      schema: mergeItem,
      original: { mergingList: [{ name: '1', nonMergingList: [{ name: '1' }, { name: '2', value: '2' }] }, { name: '2' }] },
      patch: { mergingList: [{ name: '1', nonMergingList: [{ name: '1', value: '1' }] }] },
      want: { mergingList: [{ name: '1', nonMergingList: [{ name: '1', value: '1' }] }, { name: '2' }] },
    },
    {
      name: 'ownerReferences by uid',
      schema: pod,
      original: { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'a' }] } },
      patch: { metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }] } },
      want: { metadata: { name: 'p', ownerReferences: [{ uid: 'u2', name: 'b' }, { uid: 'u1', name: 'a' }] } },
    },
  ]);
});

describe('strategicMergePatch: lists of primitives', () => {
  run([
    {
      name: 'finalizers merge as a union without duplicates',
      schema: pod,
      original: { metadata: { finalizers: ['a', 'b'] } },
      patch: { metadata: { finalizers: ['b', 'c'] } },
      want: { metadata: { finalizers: ['a', 'b', 'c'] } },
    },
    {
      name: 'finalizers: $deleteFromPrimitiveList removes items',
      schema: pod,
      original: { metadata: { finalizers: ['a', 'b', 'c'] } },
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } },
      want: { metadata: { finalizers: ['a', 'c'] } },
    },
    {
      name: '$deleteFromPrimitiveList of an absent list adds nothing',
      schema: pod,
      original: { metadata: { name: 'p' } },
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      want: { metadata: { name: 'p' } },
    },
    {
      name: '$deleteFromPrimitiveList applies to a list without the merge strategy too',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
      patch: { spec: { containers: [{ name: 'a', '$deleteFromPrimitiveList/args': ['x'] }] } },
      want: podWith({ containers: [{ name: 'a', args: ['y'] }] }),
    },
    {
      name: 'a list of primitives without strategy is replaced',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
      patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
      want: podWith({ containers: [{ name: 'a', args: ['z'] }] }),
    },
    {
      name: 'delete all duplicate items in lists of scalars (upstream case)',
      schema: mergeItem,
      original: { mergingIntList: [1, 2, 3, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
      want: { mergingIntList: [1, 2, 4] },
    },
  ]);
});

describe('strategicMergePatch: $setElementOrder', () => {
  run([
    {
      name: 'preserve the order from the patch in a merging list (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
      patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
      want: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] },
    },
    {
      name: 'preserve the order from the patch in a merging list 2 (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
      patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
      want: { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    },
    {
      name: 'preserve the order from the patch in a merging int list (upstream case)',
      schema: mergeItem,
      original: { mergingIntList: [1, 2, 3] },
      patch: { mergingIntList: [3, 1] },
      want: { mergingIntList: [2, 3, 1] },
    },
    {
      name: 'delete all duplicate entries in a merging list (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
      patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
      want: { mergingList: [{ name: '2', value: 'a' }] },
    },
    {
      name: 'add key and delete all keys from map (upstream case)',
      schema: mergeItem,
      original: { name: '1', value: '1' },
      patch: { other: 'a', $patch: 'replace' },
      want: { other: 'a' },
    },
    {
      name: 'add map and delete map from merging list (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '2', other: 'b' }, { name: '4', other: 'c' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '3' }], mergingList: [{ name: '3' }, { name: '1', $patch: 'delete' }] },
      want: { mergingList: [{ name: '2', other: 'b' }, { name: '4', other: 'c' }, { name: '3' }] },
    },
    {
      name: 'add an item in a list of primitives and preserve order (upstream case)',
      schema: mergeItem,
      original: { mergingIntList: [1, 4, 2] },
      patch: { '$setElementOrder/mergingIntList': [3, 1, 2], mergingIntList: [3] },
      want: { mergingIntList: [3, 1, 4, 2] },
    },
    {
      name: 'delete an item in a list of primitives and preserve order (upstream case)',
      schema: mergeItem,
      original: { mergingIntList: [1, 2, 3] },
      patch: { '$setElementOrder/mergingIntList': [2, 1], '$deleteFromPrimitiveList/mergingIntList': [3] },
      want: { mergingIntList: [2, 1] },
    },
    {
      name: 'set elements order in a list with server-only items (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1', other: 'a' }, { name: '3', value: '3' }, { name: '4', value: '4' }, { name: '2', value: '2' }, { name: '9' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '4' }, { name: '2' }, { name: '3' }, { name: '1' }] },
      want: { mergingList: [{ name: '4', value: '4' }, { name: '2', value: '2' }, { name: '3', value: '3' }, { name: '1', other: 'a' }, { name: '9' }] },
    },
    {
      name: 'set elements order in a list with server-only items 2 (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2' }, { name: '9' }, { name: '3', value: '3' }, { name: '4', value: '4' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
      want: { mergingList: [{ name: '2', value: '2' }, { name: '1', other: 'a' }, { name: '9' }, { name: '4', value: '4' }, { name: '3', value: '3' }] },
    },
    {
      name: 'set elements order in a list with server-only items 3 (upstream case)',
      schema: mergeItem,
      original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '3', value: '3' }, { name: '4', value: '4' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
      want: {
        mergingList: [{ name: '2', value: '2' }, { name: '1', other: 'a' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '4', value: '4' }, { name: '3', value: '3' }],
      },
    },
    {
      name: 'duplicates in a merging list keep together (upstream "behavior of set element order for a merging list with duplicate")',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '2', value: 'dup1' }, { name: '3' }, { name: '2', value: 'dup2' }, { name: '4' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }, { name: '2' }] },
      want: { mergingList: [{ name: '2', value: 'dup1' }, { name: '2', value: 'dup2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
    },
    {
      name: 'kubectl apply: add a container between two, remove a port',
      schema: pod,
      original: podWith({ containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 81 }] }, { name: 'c' }] }),
      patch: {
        spec: {
          '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
          containers: [{ name: 'a', '$setElementOrder/ports': [{ containerPort: 80 }], ports: [{ containerPort: 81, $patch: 'delete' }] }, { name: 'b', image: 'b' }],
        },
      },
      want: podWith({ containers: [{ name: 'a', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b' }, { name: 'c' }] }),
    },
  ]);
});

describe('strategicMergePatch: errors', () => {
  const cases: { name: string; schema: PatchSchema | undefined; original: object; patch: object; code: string; message: string | RegExp; status: number }[] = [
    {
      name: 'an item without the merge key',
      schema: pod,
      original: podWith({ containers: [{ name: 'a' }] }),
      patch: { spec: { containers: [{ image: 'x' }] } },
      code: 'PatchFailed',
      message: 'map: map[image:x] does not contain declared merge key: name',
      status: 400,
    },
    {
      name: '$patch: merge in a list',
      schema: pod,
      original: podWith({ containers: [{ name: 'a' }] }),
      patch: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } },
      code: 'PatchFailed',
      message: 'merging lists cannot yet be specified in the patch',
      status: 400,
    },
    {
      name: 'an unknown $patch directive in a map',
      schema: pod,
      original: { metadata: { labels: { a: '1' } } },
      patch: { metadata: { labels: { $patch: 'bogus' } } },
      code: 'PatchFailed',
      message: 'unknown patch type: bogus in map: map[$patch:bogus]',
      status: 400,
    },
    {
      name: 'a field the struct does not have',
      schema: pod,
      original: { spec: { containers: [] } },
      patch: { spec: { '$setElementOrder/bogus': [] } },
      code: 'PatchFailed',
      message: 'unable to find api field in struct PodSpec for the json field "bogus"',
      status: 400,
    },
    {
      name: 'a field set outside $retainKeys',
      schema: deployment,
      original: { spec: { strategy: { type: 'RollingUpdate' } } },
      patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } },
      code: 'BadPatchFormatForRetainKeys',
      message: 'invalid patch format of retainKeys',
      status: 400,
    },
    {
      name: '$retainKeys that is not a list',
      schema: deployment,
      original: { spec: { strategy: { type: 'Recreate' } } },
      patch: { spec: { strategy: { $retainKeys: 'type' } } },
      code: 'BadPatchFormatForRetainKeys',
      message: 'invalid patch format of retainKeys',
      status: 400,
    },
    {
      name: 'a malformed $deleteFromPrimitiveList key',
      schema: pod,
      original: { metadata: { finalizers: ['a'] } },
      patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
      code: 'BadPatchFormatForPrimitiveList',
      message: 'invalid patch format of primitive list',
      status: 400,
    },
    {
      name: 'a $setElementOrder that contradicts the patch list',
      schema: mergeItem,
      original: { mergingList: [{ name: '1' }, { name: '2' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }], mergingList: [{ name: '2' }, { name: '1' }] },
      code: 'PatchFailed',
      message: /^The order in patch list:\n\[map\[name:2\] map\[name:1\]\]\n doesn't match \$setElementOrder list:/,
      status: 400,
    },
    {
      name: 'lists of lists',
      schema: mergeItem,
      original: { mergingIntList: [[1]] },
      patch: { mergingIntList: [[2]] },
      code: 'NoListOfLists',
      message: 'lists of lists are not supported',
      status: 422,
    },
    {
      name: 'a merging list of maps without a merge key',
      schema: struct('T', () => ({ items: list(struct('Item', () => ({})), { strategy: 'merge' }) })),
      original: { items: [{ a: 1 }] },
      patch: { items: [{ a: 2 }] },
      code: 'PatchFailed',
      message: 'cannot merge lists without merge key for struct',
      status: 400,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let caught: unknown;
      try {
        strategicMergePatch(c.original as Record<string, unknown>, c.patch as Record<string, unknown>, c.schema);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof StrategicMergePatchError, `expected a StrategicMergePatchError, got ${String(caught)}`);
      assert.equal(caught.code, c.code);
      if (typeof c.message === 'string') assert.equal(caught.message, c.message);
      else assert.match(caught.message, c.message);
      const status = strategicMergePatchStatus(caught).toStatus();
      assert.equal(status.code, c.status);
      if (c.status === 422) assert.equal(status.message, 'the server rejected our request due to an error in our request');
      if (c.status === 400) {
        assert.equal(status.reason, 'BadRequest');
        assert.equal(status.message, caught.message);
      }
    });
  }
});

describe('strategicMergePatch: hostile keys', () => {
  it('keeps __proto__ an ordinary key', () => {
    const patch = JSON.parse('{"spec":{"__proto__":{"polluted":true},"x":1}}') as Record<string, unknown>;
    const got = strategicMergePatch({ spec: { y: 2 } }, patch, undefined);
    const spec = got.spec as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(spec), Object.prototype);
    assert.deepEqual(Object.keys(spec).sort(), ['__proto__', 'x', 'y']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
