import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch, StrategicMergePatchError } from '../../machinery/patch/index.js';
import { strategicSchemaFor } from './strategic-schema.js';

function deployment(apiVersion: string) {
  return {
    apiVersion,
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a/x', 'a/y'] },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1',
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k1', operator: 'Exists' }],
        },
      },
    },
  };
}

// What kubectl apply sends after the file dropped port 443 and the sidecar, added a container,
// switched the volume to a ConfigMap and the strategy to Recreate (kubectl's three-way patch).
const applyPatch = {
  metadata: { '$deleteFromPrimitiveList/finalizers': ['a/y'] },
  spec: {
    strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
    template: {
      spec: {
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'log' }],
        containers: [
          {
            name: 'web',
            image: 'nginx:2',
            '$setElementOrder/ports': [{ containerPort: 80 }],
            ports: [{ containerPort: 443, $patch: 'delete' }],
            env: [{ name: 'B', value: '2' }],
          },
          { name: 'log', image: 'busybox:2' },
          { name: 'sidecar', $patch: 'delete' },
        ],
        '$setElementOrder/volumes': [{ name: 'data' }],
        volumes: [{ name: 'data', $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null }],
        tolerations: [{ key: 'k2', operator: 'Exists' }],
      },
    },
  },
};

function expected(apiVersion: string) {
  const d = deployment(apiVersion);
  d.metadata.finalizers = ['a/x'];
  (d.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
  const spec = d.spec.template.spec as Record<string, unknown>;
  spec.containers = [
    {
      name: 'web',
      image: 'nginx:2',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    },
    { name: 'log', image: 'busybox:2' },
  ];
  spec.volumes = [{ name: 'data', configMap: { name: 'cfg' } }];
  spec.tolerations = [{ key: 'k2', operator: 'Exists' }];
  return d;
}

describe('strategicSchemaFor', () => {
  for (const [group, version] of [
    ['apps', 'v1'],
    ['extensions', 'v1beta1'],
    ['apps', 'v1beta2'],
  ] as const) {
    it(`applies a kubectl apply patch to a ${group}/${version} Deployment`, () => {
      const schema = strategicSchemaFor(group, version, 'Deployment');
      assert.ok(schema, 'schema');
      const apiVersion = `${group}/${version}`;
      assert.deepEqual(strategicMergePatch(deployment(apiVersion), applyPatch, schema), expected(apiVersion));
    });
  }

  it('knows the facts the patch depends on', () => {
    const d = strategicSchemaFor('apps', 'v1', 'Deployment')!;
    assert.equal(d.typeName, 'Deployment');
    const podSpec = d.field('spec')?.field('template')?.field('spec');
    assert.equal(podSpec?.typeName, 'PodSpec');
    assert.equal(podSpec?.field('containers')?.patchMergeKey, 'name');
    assert.deepEqual(podSpec?.field('volumes')?.patchStrategies, ['merge', 'retainKeys']);
    assert.deepEqual(podSpec?.field('tolerations')?.patchStrategies, []);
    assert.equal(podSpec?.field('containers')?.elements()?.field('ports')?.patchMergeKey, 'containerPort');
    assert.equal(podSpec?.field('containers')?.elements()?.field('volumeMounts')?.patchMergeKey, 'mountPath');
    assert.equal(d.field('metadata')?.field('labels')?.shape, 'map');
    assert.equal(strategicSchemaFor('example.com', 'v1', 'Widget'), undefined);
  });

  it('names the struct of an unknown field as upstream', () => {
    const pod = strategicSchemaFor('', 'v1', 'Pod')!;
    assert.throws(
      () => strategicMergePatch({ spec: { containers: [] } }, { spec: { '$setElementOrder/bogus': [] } }, pod),
      (e: unknown) => e instanceof StrategicMergePatchError && e.message === 'unable to find api field in struct PodSpec for the json field "bogus"',
    );
  });

  it('patches a Scale', () => {
    const scale = strategicSchemaFor('autoscaling', 'v1', 'Scale')!;
    const got = strategicMergePatch({ kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1 } }, { spec: { replicas: 3 } }, scale);
    assert.deepEqual(got, { kind: 'Scale', spec: { replicas: 3 }, status: { replicas: 1 } });
  });

  it('merges free-form fields like JSON merge patch', () => {
    // ControllerRevision.data is a RawExtension: no schema facts below it.
    const cr = strategicSchemaFor('apps', 'v1', 'ControllerRevision')!;
    const got = strategicMergePatch({ data: { spec: { list: [1, 2], m: { a: 1 } } }, revision: 1 }, { data: { spec: { list: [3], m: { b: 2 } } } }, cr);
    assert.deepEqual(got, { data: { spec: { list: [3], m: { a: 1, b: 2 } } }, revision: 1 });
  });
});
