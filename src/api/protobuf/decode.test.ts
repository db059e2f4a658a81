import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from './index.js';
import { encodeKubernetesProtobuf, encodeObject, wire } from './testing/encode.js';
import { KUBECTL_FIXTURES } from './testing/kubectl-fixtures.js';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const { lenDelim, scalarField, tag, varint } = wire;

/** A body around a hand-built raw object message. */
function body(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([scalarField(1, 'string', apiVersion), scalarField(2, 'string', kind)]);
  return Buffer.concat([MAGIC, lenDelim(1, typeMeta), lenDelim(2, raw)]);
}

function roundTrip(obj: Record<string, unknown>): void {
  assert.deepStrictEqual(decodeKubernetesProtobuf(encodeKubernetesProtobuf(obj)), obj);
}

function decodeError(b: Buffer): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(b);
  } catch (err) {
    assert.ok(err instanceof ProtobufDecodeError, String(err));
    return err;
  }
  assert.fail('expected a decode error');
}

describe('kubectl 1.32 bodies', () => {
  for (const f of KUBECTL_FIXTURES) {
    it(f.command, () => {
      const got = decodeKubernetesProtobuf(Buffer.from(f.body, 'base64'));
      assert.deepStrictEqual(got, f.json);
    });
  }

  it('re-encodes to the bytes kubectl sent (same field order and zero-value rules)', () => {
    for (const f of KUBECTL_FIXTURES) {
      assert.equal(encodeKubernetesProtobuf(f.json).toString('base64'), f.body, f.command);
    }
  });
});

describe('content type', () => {
  it('recognises the protobuf media type with parameters and any case', () => {
    assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isKubernetesProtobuf('Application/VND.kubernetes.protobuf; charset=utf-8'), true);
    assert.equal(isKubernetesProtobuf('application/json'), false);
    assert.equal(isKubernetesProtobuf(undefined), false);
  });
});

describe('Go encoding/json semantics', () => {
  it('keeps a set pointer to zero and drops zero omitempty fields', () => {
    const spec = Buffer.concat([scalarField(1, 'int32', 0), scalarField(5, 'int32', 0)]); // replicas (ptr), minReadySeconds
    const raw = Buffer.concat([lenDelim(1, Buffer.alloc(0)), lenDelim(2, spec), lenDelim(3, Buffer.alloc(0))]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(body('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {},
      spec: { replicas: 0, template: { metadata: {}, spec: {} }, strategy: {} },
      status: {},
    });
  });

  it('writes non-omitempty zero values and non-pointer structs', () => {
    // Container.name has no omitempty; an absent one is "" in Go.
    const container = lenDelim(2, Buffer.from('')); // image "" only
    const podSpec = lenDelim(2, container);
    const got = decodeKubernetesProtobuf(body('v1', 'Pod', lenDelim(2, podSpec)));
    assert.deepStrictEqual(got, { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [{ name: '', resources: {} }] }, status: {} });
  });

  it('inlines embedded structs (Volume.VolumeSource, Probe.ProbeHandler)', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', labels: { b: '2', a: '1' }, generation: 3 },
      spec: {
        volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'c', configMap: { name: 'cm', defaultMode: 420, optional: false } }],
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', 'sleep 1'],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'A', value: 'x' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 3 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            securityContext: { runAsUser: 0, privileged: false, capabilities: { add: ['NET_ADMIN'] } },
            volumeMounts: [{ name: 'v', mountPath: '/data' }],
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -1 }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox', resources: {}, targetContainerName: 'c' }],
      },
      status: {},
    });
  });

  it('turns []byte into base64 and keeps map keys sorted', () => {
    const got = decodeKubernetesProtobuf(
      encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, binaryData: { z: 'AAEC', a: '' }, data: { k: 'v' } }),
    );
    assert.deepStrictEqual(got, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, binaryData: { a: '', z: 'AAEC' }, data: { k: 'v' } });
    assert.deepStrictEqual(Object.keys(got['binaryData'] as object), ['a', 'z']);
  });

  it('decodes times, micro times, quantities and int-or-strings', () => {
    roundTrip({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', creationTimestamp: '2024-01-02T03:04:05Z', deletionTimestamp: '1970-01-01T00:00:00Z' },
      eventTime: '2024-01-02T03:04:05.123456Z',
      series: { count: 2, lastObservedTime: '2024-01-02T03:04:06.000001Z' },
      reportingController: 'c',
      regarding: {},
      deprecatedSource: {},
    });
    roundTrip({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec: { maxUnavailable: 1 },
      status: { disruptedPods: { a: '2020-02-29T23:59:59Z' }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
  });

  it('keeps only whole seconds of metav1.Time, truncates MicroTime to microseconds', () => {
    const ts = Buffer.concat([scalarField(1, 'int64', 1704164645), scalarField(2, 'int32', 999_999_999)]);
    const meta = lenDelim(8, ts); // creationTimestamp
    const got = decodeKubernetesProtobuf(body('v1', 'ConfigMap', lenDelim(1, meta)));
    assert.deepStrictEqual(got['metadata'], { creationTimestamp: '2024-01-02T03:04:05Z' });
    const ev = Buffer.concat([lenDelim(1, Buffer.alloc(0)), lenDelim(2, ts)]);
    assert.equal(decodeKubernetesProtobuf(body('events.k8s.io/v1', 'Event', ev))['eventTime'], '2024-01-02T03:04:05.999999Z');
  });

  it('parses RawExtension and FieldsV1 as JSON', () => {
    roundTrip({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: 'r',
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      },
      data: { spec: { template: { metadata: { labels: { a: 'b' } } } } },
      revision: 2,
    });
  });

  it('decodes CRD schemas (JSONSchemaProps and its custom JSON forms)', () => {
    roundTrip({
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
                properties: {
                  spec: {
                    type: 'object',
                    required: ['size'],
                    properties: {
                      size: { type: 'integer', minimum: 1, maximum: 10.5, default: 3 },
                      mode: { type: 'string', enum: ['a', 'b', null] },
                      tags: { type: 'array', items: { type: 'string' } },
                      tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
                    },
                    additionalProperties: false,
                    dependencies: { size: ['mode'], mode: { required: ['size'] } },
                    'x-kubernetes-preserve-unknown-fields': true,
                  },
                  extra: { type: 'object', additionalProperties: { type: 'string' } },
                },
              },
            },
          },
        ],
        conversion: { strategy: 'None' },
      },
      status: { conditions: [{ type: 'Established', status: 'True', lastTransitionTime: '2024-01-02T03:04:05Z' }], acceptedNames: { plural: '', kind: '' } },
    });
  });

  it('writes named slices (ExtraValue) as arrays', () => {
    roundTrip({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: { user: 'alice', groups: ['g'], extra: { scopes: ['a', 'b'], empty: [] }, nonResourceAttributes: { path: '/healthz', verb: 'get' } },
      status: { allowed: true },
    });
  });

  it('decodes Eviction with its DeleteOptions', () => {
    roundTrip({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, propagationPolicy: 'Background', dryRun: ['All'] },
    });
  });

  it('decodes removed versions the seeds use', () => {
    roundTrip({
      apiVersion: 'extensions/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'i' },
      spec: { backend: { serviceName: 's', servicePort: 80 }, rules: [{ host: 'a.b', http: { paths: [{ path: '/', backend: { serviceName: 's', servicePort: 'http' } }] } }] },
      status: { loadBalancer: {} },
    });
    roundTrip({
      apiVersion: 'rbac.authorization.k8s.io/v1beta1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      subjects: [{ kind: 'User', name: 'u' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    });
  });

  it('reads packed and unpacked repeated scalars alike', () => {
    // PodPortForwardOptions.ports []int32 = field 1
    const unpacked = Buffer.concat([scalarField(1, 'int32', 80), scalarField(1, 'int32', 443)]);
    const packed = lenDelim(1, Buffer.concat([varint(80n), varint(443n)]));
    for (const raw of [unpacked, packed, Buffer.concat([packed, scalarField(1, 'int32', 8080)])]) {
      const got = decodeKubernetesProtobuf(body('v1', 'PodPortForwardOptions', raw));
      assert.deepStrictEqual(got['ports'], raw.length > packed.length ? [80, 443, 8080] : [80, 443]);
    }
  });

  it('merges repeated occurrences of a message field and keeps the last scalar', () => {
    const m1 = lenDelim(1, Buffer.concat([scalarField(1, 'string', 'a'), lenDelim(11, Buffer.concat([scalarField(1, 'string', 'x'), scalarField(2, 'string', '1')]))]));
    const m2 = lenDelim(1, Buffer.concat([scalarField(1, 'string', 'b'), lenDelim(11, Buffer.concat([scalarField(1, 'string', 'y'), scalarField(2, 'string', '2')]))]));
    const got = decodeKubernetesProtobuf(body('v1', 'ConfigMap', Buffer.concat([m1, m2])));
    assert.deepStrictEqual(got['metadata'], { name: 'b', labels: { x: '1', y: '2' } });
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = Buffer.concat([
      scalarField(99, 'int64', 5),
      lenDelim(100, Buffer.from('zz')),
      tag(101, 1), Buffer.alloc(8),
      tag(102, 5), Buffer.alloc(4),
      tag(103, 3), scalarField(1, 'int32', 1), tag(103, 4),
    ]);
    const got = decodeKubernetesProtobuf(body('v1', 'ConfigMap', Buffer.concat([unknown, lenDelim(1, scalarField(1, 'string', 'n'))])));
    assert.deepStrictEqual(got, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' } });
  });

  it('reads negative and large int64 values, rejects those beyond 2^53', () => {
    const meta = (gen: bigint) => lenDelim(1, Buffer.concat([tag(7, 0), varint(gen)]));
    assert.deepStrictEqual(decodeKubernetesProtobuf(body('v1', 'ConfigMap', meta(-2n)))['metadata'], { generation: -2 });
    assert.deepStrictEqual(decodeKubernetesProtobuf(body('v1', 'ConfigMap', meta(2n ** 53n - 1n)))['metadata'], { generation: 2 ** 53 - 1 });
    assert.deepStrictEqual(decodeKubernetesProtobuf(body('v1', 'ConfigMap', meta(-(2n ** 53n) + 1n)))['metadata'], { generation: -(2 ** 53) + 1 });
    assert.equal(decodeError(body('v1', 'ConfigMap', meta(2n ** 53n))).code, 'IntegerOverflow');
    assert.equal(decodeError(body('v1', 'ConfigMap', meta(-(2n ** 53n)))).code, 'IntegerOverflow');
  });

  it('wraps int32 like Go (sign-extended negatives)', () => {
    const spec = lenDelim(2, Buffer.concat([tag(1, 0), varint(-5n)])); // spec.replicas = -5
    assert.deepStrictEqual((decodeKubernetesProtobuf(body('apps/v1', 'Deployment', spec))['spec'] as Record<string, unknown>)['replicas'], -5);
  });

  it('uses expected apiVersion/kind when the envelope has none', () => {
    const raw = encodeObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    const b = Buffer.concat([MAGIC, lenDelim(1, Buffer.alloc(0)), lenDelim(2, raw)]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(b, { group: '', version: 'v1', kind: 'Namespace' }), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    });
    assert.equal(decodeError(b).code, 'UnknownKind');
  });

  it('finds meta/v1 kinds in any group version', () => {
    const raw = Buffer.concat([scalarField(1, 'int64', 0), lenDelim(4, Buffer.from('Foreground'))]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(body('apps/v1', 'DeleteOptions', raw)), {
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
    });
  });
});

describe('errors', () => {
  it('rejects a body without the magic', () => {
    const err = decodeError(Buffer.from('{"kind":"Pod"}'));
    assert.equal(err.code, 'BadMagic');
    assert.match(err.message, /expected prefix \[107 56 115 0\]/);
  });

  it('rejects kinds it does not know', () => {
    assert.equal(decodeError(body('v1', 'Nope', Buffer.alloc(0))).code, 'UnknownKind');
    assert.match(decodeError(body('example.com/v1', 'Foo', Buffer.alloc(0))).message, /no kind "Foo" is registered for version "example.com\/v1"/);
  });

  it('reports truncated input as unexpected EOF', () => {
    const full = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'abc' }, data: { k: 'v' } });
    for (let n = 5; n < full.length; n++) {
      const cut = full.subarray(0, n);
      let err: unknown;
      try {
        decodeKubernetesProtobuf(cut);
      } catch (e) {
        err = e;
      }
      // Some prefixes are complete messages by themselves; every other one must fail cleanly.
      if (err !== undefined) assert.ok(err instanceof ProtobufDecodeError, `prefix ${n}: ${String(err)}`);
    }
    const err = decodeError(full.subarray(0, full.length - 1));
    assert.equal(err.code, 'Truncated');
    assert.equal(err.message, 'unexpected EOF');
  });

  it('rejects wrong wire types, end groups and illegal tags with upstream wording', () => {
    let err = decodeError(body('v1', 'ConfigMap', scalarField(1, 'int32', 1))); // metadata as varint
    assert.equal(err.code, 'BadWireType');
    assert.equal(err.message, 'proto: wrong wireType = 0 for field metadata');
    err = decodeError(body('v1', 'ConfigMap', tag(5, 4)));
    assert.equal(err.message, 'proto: ConfigMap: wiretype end group for non-group');
    err = decodeError(body('v1', 'ConfigMap', tag(0, 0)));
    assert.equal(err.message, 'proto: ConfigMap: illegal tag 0 (wire type 0)');
    err = decodeError(body('v1', 'ConfigMap', Buffer.from([0x0f])));
    assert.equal(err.code, 'BadWireType');
  });

  it('rejects varints longer than 64 bits', () => {
    const err = decodeError(body('v1', 'ConfigMap', Buffer.concat([tag(7, 0), Buffer.alloc(11, 0xff)])));
    assert.equal(err.message, 'proto: integer overflow');
  });

  it('rejects invalid special values', () => {
    const q = (s: string) => lenDelim(2, lenDelim(1, Buffer.concat([scalarField(1, 'string', 'cpu'), lenDelim(2, scalarField(1, 'string', s))])));
    assert.equal(decodeError(body('v1', 'ResourceQuota', q('1x'))).code, 'InvalidValue');
    assert.equal(decodeError(body('v1', 'ResourceQuota', q(''))).code, 'InvalidValue');
    const ios = lenDelim(2, lenDelim(1, Buffer.concat([scalarField(1, 'int64', 7)]))); // PDB spec.minAvailable type 7
    assert.match(decodeError(body('policy/v1', 'PodDisruptionBudget', ios)).message, /impossible IntOrString.Type/);
    const raw = lenDelim(2, lenDelim(1, Buffer.from('not json')));
    assert.equal(decodeError(body('apps/v1', 'ControllerRevision', raw)).code, 'InvalidValue');
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    // JSONSchemaProps.not (28) nested 2000 deep inside a CRD's validation schema.
    let m: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 2000; i++) m = lenDelim(28, m);
    const crd = lenDelim(2, lenDelim(7, lenDelim(4, lenDelim(1, m)))); // spec.versions[].schema.openAPIV3Schema
    assert.equal(decodeError(body('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd)).code, 'TooDeep');
  });
});
