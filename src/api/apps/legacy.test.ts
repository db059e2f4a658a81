import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject, KindHandlers } from '../scheme.js';
import { kinds as ext } from '../extensions/v1beta1/index.js';
import { kinds as v1beta1 } from './v1beta1/index.js';
import { kinds as v1beta2 } from './v1beta2/index.js';
import { kinds as v1 } from './v1/index.js';

/** Decode as a legacy version: defaults, then conversion to the hub, then hub validation. */
function toHub(h: KindHandlers, obj: ApiObject): ApiObject {
  h.defaults?.(obj);
  return h.conversion!.toHub(obj);
}

function seedDeployment(): ApiObject {
  // Seed 000: extensions/v1beta1, no selector, template labels app: nginx.
  return {
    apiVersion: 'extensions/v1beta1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: 'default' },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.9', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

test('extensions/v1beta1 Deployment from seed 000 becomes a valid apps/v1 Deployment', () => {
  const hub = toHub(ext.Deployment!, seedDeployment());
  assert.equal(hub.apiVersion, 'apps/v1');
  assert.equal(hub.kind, 'Deployment');
  assert.deepEqual(hub.spec.selector, { matchLabels: { app: 'nginx' } });
  assert.deepEqual(hub.metadata!.labels, { app: 'nginx' });
  assert.deepEqual(hub.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
  assert.equal(hub.spec.revisionHistoryLimit, 2147483647);
  assert.equal(hub.spec.progressDeadlineSeconds, 2147483647);
  assert.equal(hub.spec.replicas, 3);
  assert.deepEqual(v1.Deployment!.validate!(hub).map(String), []);
});

test('legacy Deployment round trips, rollbackTo through an annotation', () => {
  for (const [h, gv] of [
    [ext.Deployment!, 'extensions/v1beta1'],
    [v1beta1.Deployment!, 'apps/v1beta1'],
    [v1beta2.Deployment!, 'apps/v1beta2'],
  ] as const) {
    const legacy: ApiObject = { ...seedDeployment(), apiVersion: gv };
    if (gv !== 'apps/v1beta2') legacy.spec.rollbackTo = { revision: 2 };
    else legacy.spec.selector = { matchLabels: { app: 'nginx' } };
    h.defaults!(legacy);
    const hub = h.conversion!.toHub(legacy);
    assert.equal(hub.spec.rollbackTo, undefined);
    if (gv !== 'apps/v1beta2') assert.equal(hub.metadata!.annotations!['deprecated.deployment.rollback.to'], '2');
    assert.deepEqual(h.conversion!.fromHub(hub), legacy, gv);
  }
});

test('apps/v1beta1 Deployment defaults (selector from labels, 25%, history 2)', () => {
  const hub = toHub(v1beta1.Deployment!, { ...seedDeployment(), apiVersion: 'apps/v1beta1' });
  assert.deepEqual(hub.spec.selector, { matchLabels: { app: 'nginx' } });
  assert.deepEqual(hub.spec.strategy.rollingUpdate, { maxUnavailable: '25%', maxSurge: '25%' });
  assert.equal(hub.spec.revisionHistoryLimit, 2);
  assert.equal(hub.spec.progressDeadlineSeconds, 600);
});

test('an apps/v1 Deployment reads sensibly as extensions/v1beta1', () => {
  const d: ApiObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } },
  };
  v1.Deployment!.defaults!(d);
  const legacy = ext.Deployment!.conversion!.fromHub(d);
  assert.equal(legacy.apiVersion, 'extensions/v1beta1');
  assert.equal(legacy.spec.rollbackTo, undefined);
  assert.deepEqual(legacy.spec.strategy.rollingUpdate, { maxUnavailable: '25%', maxSurge: '25%' });
  assert.deepEqual(ext.Deployment!.conversion!.toHub(legacy), d);
});

test('extensions/v1beta1 DaemonSet defaults to OnDelete; templateGeneration round trips', () => {
  const ds: ApiObject = {
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    metadata: { name: 'ds' },
    spec: { templateGeneration: 3, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  const h = ext.DaemonSet!;
  h.defaults!(ds);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'OnDelete' });
  const hub = h.conversion!.toHub(ds);
  assert.equal(hub.metadata!.annotations!['deprecated.daemonset.template.generation'], '3');
  assert.deepEqual(v1.DaemonSet!.validate!(hub).map(String), []);
  assert.deepEqual(h.conversion!.fromHub(hub), ds);
});

test('extensions/v1beta1 ReplicaSet and apps/v1beta1 StatefulSet', () => {
  const rs: ApiObject = {
    apiVersion: 'extensions/v1beta1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: { template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  const rsHub = toHub(ext.ReplicaSet!, rs);
  assert.deepEqual(rsHub.spec.selector, { matchLabels: { app: 'r' } });
  assert.equal(rsHub.spec.replicas, 1);
  assert.deepEqual(ext.ReplicaSet!.conversion!.fromHub(rsHub), rs);

  const ss: ApiObject = {
    apiVersion: 'apps/v1beta1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: { serviceName: 'web', template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  const ssHub = toHub(v1beta1.StatefulSet!, ss);
  assert.deepEqual(ssHub.spec.updateStrategy, { type: 'OnDelete' });
  assert.equal(ssHub.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(ssHub.spec.selector, { matchLabels: { app: 's' } });
  assert.deepEqual(v1.StatefulSet!.validate!(ssHub).map(String), []);
  assert.deepEqual(v1beta1.StatefulSet!.conversion!.fromHub(ssHub), ss);
});

test('extensions/v1beta1 Ingress converts to networking.k8s.io/v1 and back', () => {
  const ing: ApiObject = {
    apiVersion: 'extensions/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'fe', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    spec: {
      backend: { serviceName: 'default', servicePort: 80 },
      rules: [{ host: 'todo.example.com', http: { paths: [{ path: '/app', backend: { serviceName: 'fe', servicePort: 'http' } }] } }],
    },
  };
  const h = ext.Ingress!;
  h.defaults!(ing);
  const hub = h.conversion!.toHub(ing);
  assert.equal(hub.apiVersion, 'networking.k8s.io/v1');
  assert.deepEqual(hub.spec.defaultBackend, { service: { name: 'default', port: { number: 80 } } });
  assert.deepEqual(hub.spec.rules[0].http.paths[0], {
    path: '/app',
    pathType: 'ImplementationSpecific',
    backend: { service: { name: 'fe', port: { name: 'http' } } },
  });
  assert.deepEqual(h.conversion!.fromHub(hub), ing);
});
