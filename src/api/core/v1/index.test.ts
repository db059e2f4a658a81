import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../../scheme.js';
import { kinds, validatePodTemplateSpecForReplicaSet, normalizeClusterIPs } from './index.js';
import { Path } from '../../../machinery/field.js';

/** Defaults then validates like the registry does; returns the error strings. */
function check(kind: string, obj: ApiObject): string[] {
  const h = kinds[kind]!;
  const o = structuredClone(obj);
  h.defaults?.(o);
  if (kind === 'Service') normalizeClusterIPs(o as Parameters<typeof normalizeClusterIPs>[0]);
  return (h.validate?.(o) ?? []).map((e) => e.toString());
}

function update(kind: string, obj: ApiObject, old: ApiObject, status = false): string[] {
  const h = kinds[kind]!;
  const o = structuredClone(obj);
  const p = structuredClone(old);
  h.defaults?.(o);
  h.defaults?.(p);
  const fn = status ? h.validateStatusUpdate : h.validateUpdate;
  return (fn?.(o, p) ?? []).map((e) => e.toString());
}

const nginxPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
};

const livenessPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'liveness-exec', namespace: 'default' },
  spec: {
    containers: [
      {
        name: 'liveness',
        image: 'busybox',
        args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
};

const DNS_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('valid pods', () => {
  assert.deepEqual(check('Pod', nginxPod), []);
  assert.deepEqual(check('Pod', livenessPod), []);
});

test('invalid pods', () => {
  const cases: [string, (p: any) => void, string[]][] = [
    ['no containers', (p) => (p.spec.containers = []), ['spec.containers: Required value']],
    ['no name', (p) => delete p.spec.containers[0].name, ['spec.containers[0].name: Required value']],
    ['no image', (p) => delete p.spec.containers[0].image, ['spec.containers[0].image: Required value']],
    ['bad name', (p) => (p.spec.containers[0].name = 'Bad_Name'), [`spec.containers[0].name: Invalid value: "Bad_Name": ${DNS_LABEL_MSG}`]],
    [
      'duplicate name',
      (p) => p.spec.containers.push({ name: 'nginx', image: 'nginx' }),
      ['spec.containers[1].name: Duplicate value: "nginx"'],
    ],
    [
      'port range',
      (p) => (p.spec.containers[0].ports[0].containerPort = 70000),
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'protocol',
      (p) => (p.spec.containers[0].ports[0].protocol = 'HTTP'),
      ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'restartPolicy',
      (p) => (p.spec.restartPolicy = 'Sometimes'),
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'dnsPolicy',
      (p) => (p.spec.dnsPolicy = 'X'),
      ['spec.dnsPolicy: Unsupported value: "X": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    ],
    [
      'mount of unknown volume',
      (p) => (p.spec.containers[0].volumeMounts = [{ name: 'x', mountPath: '/x' }]),
      ['spec.containers[0].volumeMounts[0].name: Not found: "x"'],
    ],
    [
      'two volume sources',
      (p) => (p.spec.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }]),
      ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'duplicate volumes',
      (p) => (p.spec.volumes = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]),
      ['spec.volumes[1].name: Duplicate value: "v"'],
    ],
    [
      'requests above limits',
      (p) => (p.spec.containers[0].resources = { requests: { cpu: '1' }, limits: { cpu: '500m' } }),
      ['spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m'],
    ],
    [
      'env name',
      (p) => (p.spec.containers[0].env = [{ name: '1X', value: 'y' }]),
      [
        'spec.containers[0].env[0].name: Invalid value: "1X": a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', and must not start with a digit (e.g. \'my.env-name\',  or \'MY_ENV.NAME\',  or \'MyEnvName1\', regex used for validation is \'[-._a-zA-Z][-._a-zA-Z0-9]*\')',
      ],
    ],
    [
      'liveness successThreshold',
      (p) => (p.spec.containers[0].livenessProbe = { tcpSocket: { port: 80 }, successThreshold: 2 }),
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'probe without handler',
      (p) => (p.spec.containers[0].readinessProbe = { periodSeconds: 3 }),
      ['spec.containers[0].readinessProbe: Required value: must specify a handler type'],
    ],
    [
      'toleration',
      (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'x' }]),
      ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    const p = structuredClone(nginxPod);
    mutate(p);
    assert.deepEqual(check('Pod', p), want, name);
  }
});

test('pod updates may change only images and a few fields', () => {
  const h = kinds['Pod']!;
  const old = structuredClone(nginxPod);
  h.defaults!(old);
  const img = structuredClone(old);
  img.spec.containers[0]!.image = 'nginx:1.26';
  assert.deepEqual(update('Pod', img, old), []);
  const bad = structuredClone(old);
  (bad.spec as any).restartPolicy = 'Never';
  const errs = update('Pod', bad, old);
  assert.equal(errs.length, 1);
  assert.ok(
    errs[0]!.startsWith(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    ),
    errs[0],
  );
  const added = structuredClone(old);
  added.spec.containers.push({ name: 'b', image: 'b' } as any);
  assert.deepEqual(update('Pod', added, old), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('pod status update may not change nodeName', () => {
  const old = { ...structuredClone(nginxPod), spec: { ...nginxPod.spec, nodeName: 'n1' } };
  const n = structuredClone(old);
  n.spec.nodeName = 'n2';
  assert.deepEqual(update('Pod', n, old, true), ['status.nodeName: Forbidden: may not be changed directly']);
});

const svc = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-service', namespace: 'default' },
  spec: { selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 9376 }] },
};

test('services', () => {
  assert.deepEqual(check('Service', svc), []);
  assert.deepEqual(check('Service', { ...svc, spec: { ...svc.spec, clusterIP: 'None', ports: [] } }), []);
  assert.deepEqual(check('Service', { ...svc, spec: { ...svc.spec, ports: [] } }), ['spec.ports: Required value']);
  assert.deepEqual(check('Service', { ...svc, spec: { ...svc.spec, type: 'Bogus' } }), [
    'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(check('Service', { ...svc, spec: { ...svc.spec, ports: [{ port: 80 }, { port: 81 }] } }), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].name: Required value',
  ]);
  assert.deepEqual(check('Service', { ...svc, spec: { type: 'ExternalName', externalName: 'example.com' } }), []);
  assert.deepEqual(check('Service', { ...svc, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } }), []);
  assert.deepEqual(check('Service', { ...svc, spec: { ...svc.spec, ports: [{ port: 80, nodePort: 30080 }] } }), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
});

test('service clusterIP may not change', () => {
  const old = structuredClone(svc) as any;
  old.spec.clusterIP = '10.43.0.10';
  old.spec.clusterIPs = ['10.43.0.10'];
  const n = structuredClone(old);
  n.spec.clusterIP = '10.43.0.11';
  normalizeClusterIPs(n, old);
  assert.deepEqual(update('Service', n, old), ['spec.clusterIPs[0]: Invalid value: []string{"10.43.0.11"}: may not change once set']);
  const same = structuredClone(old);
  delete same.spec.clusterIPs;
  normalizeClusterIPs(same, old);
  assert.deepEqual(update('Service', same, old), []);
});

test('configmaps and secrets', () => {
  assert.deepEqual(check('ConfigMap', { metadata: { name: 'c' }, data: { 'game.properties': 'x', 'ok-key_1': 'y' } }), []);
  assert.deepEqual(check('ConfigMap', { metadata: { name: 'c' }, data: { 'bad key': 'x' } }), [
    'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
  ]);
  assert.deepEqual(check('ConfigMap', { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }), ['Too long: may not be more than 1048576 bytes']);
  const immutable = { metadata: { name: 'c' }, immutable: true, data: { a: '1' } };
  assert.deepEqual(update('ConfigMap', { ...immutable, data: { a: '2' } }, immutable), ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(update('ConfigMap', { ...immutable, immutable: false }, immutable), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(check('Secret', { metadata: { name: 's' }, stringData: { password: 'x' } }), []);
  assert.deepEqual(check('Secret', { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==' } }), ['data[tls.key]: Required value']);
  assert.deepEqual(check('Secret', { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: {} }), ['data[.dockerconfigjson]: Required value']);
  const s = { metadata: { name: 's' }, type: 'Opaque', data: {} };
  assert.deepEqual(update('Secret', { ...s, type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } }, s), [
    'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
  ]);
});

test('namespaces', () => {
  assert.deepEqual(check('Namespace', { metadata: { name: 'dev' }, spec: { finalizers: ['kubernetes'] } }), []);
  assert.deepEqual(check('Namespace', { metadata: { name: 'dev' }, spec: { finalizers: ['foo'] } }), [
    'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  assert.equal(kinds['Namespace']!.nameValidation, 'dns1123-label');
  assert.equal(kinds['Service']!.nameValidation, 'dns1035-label');
  assert.equal(kinds['Pod']!.nameValidation, 'dns1123-subdomain');
});

const rc = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'nginx' },
  spec: {
    replicas: 3,
    selector: { app: 'nginx' },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
  },
};

test('replication controllers', () => {
  assert.deepEqual(check('ReplicationController', rc), []);
  assert.deepEqual(check('ReplicationController', { ...rc, spec: { ...rc.spec, replicas: -1 } }), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  ]);
  assert.deepEqual(check('ReplicationController', { ...rc, spec: { ...rc.spec, selector: { app: 'other' } } }), [
    'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(check('ReplicationController', { ...rc, spec: { replicas: 1, selector: { a: 'b' } } }), ['spec.template: Required value']);
  const never = structuredClone(rc) as any;
  never.spec.template.spec.restartPolicy = 'Never';
  assert.deepEqual(check('ReplicationController', never), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  assert.deepEqual(update('ReplicationController', { ...rc, status: { replicas: 2, readyReplicas: 3, availableReplicas: 1 } }, rc, true), [
    'status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas',
  ]);
  assert.deepEqual(update('ReplicationController', { ...rc, status: { replicas: 1, readyReplicas: 0, availableReplicas: 1 } }, rc, true), [
    'status.availableReplicas: Invalid value: 1: cannot be greater than readyReplicas',
  ]);
});

test('pod template for replica sets', () => {
  const t = structuredClone(rc.spec.template) as any;
  kinds['PodTemplate']!.defaults!({ template: t });
  assert.deepEqual(validatePodTemplateSpecForReplicaSet(t, { matchLabels: { app: 'nginx' } }, 3, Path.root('spec', 'template')), []);
  t.spec.restartPolicy = 'Never';
  assert.deepEqual(
    validatePodTemplateSpecForReplicaSet(t, { matchLabels: { app: 'x' } }, 3, Path.root('spec', 'template')).map(String),
    [
      'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
  );
});

test('nodes', () => {
  const node = { metadata: { name: 'n1' }, spec: { podCIDRs: ['10.42.0.0/24'], taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '4', pods: '110' } } };
  assert.deepEqual(check('Node', node), []);
  assert.deepEqual(check('Node', { ...node, spec: { taints: [{ key: 'k', effect: 'Bad' }] } }), [
    'metadata.taints[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  assert.deepEqual(update('Node', { ...node, spec: { podCIDRs: ['10.42.1.0/24'] } }, node), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
  ]);
});

test('other kinds', () => {
  assert.deepEqual(check('Endpoints', { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }] }), []);
  assert.deepEqual(check('Endpoints', { metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] }), [
    'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
  assert.deepEqual(check('PersistentVolumeClaim', { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }), []);
  assert.deepEqual(check('PersistentVolumeClaim', { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'] } }), ['spec.resources[storage]: Required value']);
  assert.deepEqual(
    check('PersistentVolume', { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } }),
    [],
  );
  assert.deepEqual(check('LimitRange', { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', min: { cpu: '1' }, max: { cpu: '500m' } }] } }), [
    'spec.limits[0].min[cpu]: Invalid value: "1": min value 1 is greater than max value 500m',
    'spec.limits[0].defaultRequest[cpu]: Invalid value: "500m": min value 1 is greater than default request value 500m',
    'spec.limits[0].default[cpu]: Invalid value: "1": min value 1 is greater than default value 500m',
  ]);
  assert.deepEqual(check('LimitRange', { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' } }] } }), []);
  assert.deepEqual(check('ResourceQuota', { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '4' } } }), []);
  assert.deepEqual(check('ResourceQuota', { metadata: { name: 'q' }, spec: { hard: { pods: '1.5' } } }), ['spec.hard[pods]: Invalid value: "1500m": must be an integer']);
  assert.deepEqual(check('Binding', { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }), []);
  assert.deepEqual(check('Binding', { metadata: { name: 'p' }, target: {} }), ['target.name: Required value']);
  assert.deepEqual(check('Event', { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', namespace: 'other' } }), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
});
