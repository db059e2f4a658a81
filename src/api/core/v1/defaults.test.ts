import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service, ReplicationController, Secret, LimitRange, Namespace } from 'kubernetes-types/core/v1.js';
import {
  defaultPullPolicy,
  setDefaultsLimitRange,
  setDefaultsNamespace,
  setDefaultsPod,
  setDefaultsReplicationController,
  setDefaultsSecret,
  setDefaultsService,
} from './defaults.js';

test('image pull policy follows the tag', () => {
  for (const [img, want] of [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/nginx', 'Always'],
    ['localhost:5000/nginx:1.2', 'IfNotPresent'],
    ['busybox@sha256:abc', 'IfNotPresent'],
    ['busybox:latest@sha256:abc', 'Always'],
  ] as const) {
    assert.equal(defaultPullPolicy(img), want, img);
  }
});

test('pod defaults', () => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '500m' } },
          livenessProbe: { httpGet: { port: 8080 } },
          env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'h', hostPath: { path: '/x' } }],
    },
  };
  setDefaultsPod(pod);
  const s = pod.spec!;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  const c = s.containers[0]!;
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports![0]!.protocol, 'TCP');
  assert.deepEqual(c.resources!.requests, { cpu: '500m' });
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.env![0]!.valueFrom!.fieldRef!.apiVersion, 'v1');
  assert.deepEqual(s.volumes![0], { name: 'a', emptyDir: {} });
  assert.equal(s.volumes![1]!.configMap!.defaultMode, 420);
  assert.equal(s.volumes![2]!.hostPath!.type, '');
  // idempotent
  const again = structuredClone(pod);
  setDefaultsPod(again);
  assert.deepEqual(again, pod);
});

test('hostNetwork pods default hostPort to containerPort', () => {
  const pod: Pod = { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 53 }] }] } };
  setDefaultsPod(pod);
  assert.equal(pod.spec!.containers[0]!.ports![0]!.hostPort, 53);
});

test('service defaults', () => {
  const svc: Service = { spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } };
  setDefaultsService(svc);
  assert.equal(svc.spec!.type, 'ClusterIP');
  assert.equal(svc.spec!.sessionAffinity, 'None');
  assert.equal(svc.spec!.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec!.externalTrafficPolicy, undefined);
  assert.deepEqual(svc.spec!.ports![0], { port: 80, protocol: 'TCP', targetPort: 80 });
  const lb: Service = { spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }] } };
  setDefaultsService(lb);
  assert.equal(lb.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec!.allocateLoadBalancerNodePorts, true);
  assert.equal(lb.spec!.ports![0]!.targetPort, 'http');
  const ci: Service = { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } };
  setDefaultsService(ci);
  assert.deepEqual(ci.spec!.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('replication controller defaults from the template', () => {
  const rc: ReplicationController = {
    metadata: { name: 'rc' },
    spec: { template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'n', image: 'nginx' }] } } },
  };
  setDefaultsReplicationController(rc);
  assert.deepEqual(rc.spec!.selector, { app: 'nginx' });
  assert.deepEqual(rc.metadata!.labels, { app: 'nginx' });
  assert.equal(rc.spec!.replicas, 1);
  assert.equal(rc.spec!.template!.spec!.restartPolicy, 'Always');
});

test('secret defaults merge stringData into data', () => {
  const s: Secret = { stringData: { user: 'admin' }, data: { pw: 'cGFzcw==' } };
  setDefaultsSecret(s);
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { pw: 'cGFzcw==', user: 'YWRtaW4=' });
  assert.equal(s.stringData, undefined);
});

test('limit range container defaults', () => {
  const lr: LimitRange = { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' }, default: { memory: '64Mi' } }] } };
  setDefaultsLimitRange(lr);
  const item = lr.spec!.limits[0]!;
  assert.deepEqual(item.default, { memory: '64Mi', cpu: '2' });
  assert.deepEqual(item.defaultRequest, { memory: '64Mi', cpu: '2' });
});

test('namespace defaults', () => {
  const ns: Namespace = { metadata: { name: 'dev' } };
  setDefaultsNamespace(ns);
  assert.deepEqual(ns.metadata!.labels, { 'kubernetes.io/metadata.name': 'dev' });
  assert.equal(ns.status!.phase, 'Active');
});
