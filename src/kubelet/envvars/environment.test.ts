import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, NODES, SECRETS, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import type { KubeObject } from '../../client/index.js';
import { ContainerConfigError } from '../container/runtime.js';
import { EnvironmentBuilder } from './environment.js';
import { fromServices } from './envvars.js';
import { containerResourceValue, limitsWithAllocatable } from './downward.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function svc(namespace: string, name: string, clusterIP: string, ports: ServicePort[]): Service & KubeObject {
  return { metadata: { namespace, name }, spec: { clusterIP, ports } };
}

function basePod(container: Container, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'uid-9', labels: { app: 'web', tier: 'fe' }, annotations: { 'example.com/x': 'y' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [container], ...extra },
  };
}

function envMap(list: { name: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(list.map((e) => [e.name, e.value]));
}

function setup(): { client: FakeClient; builder: EnvironmentBuilder } {
  const client = new FakeClient();
  client.seed(SERVICES, svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]));
  client.seed(SERVICES, svc('default', 'other', '10.43.0.9', [{ port: 1 }]));
  client.seed(SERVICES, svc('shop', 'redis-master', '10.43.0.20', [{ port: 6379 }, { name: 'metrics', port: 9121, protocol: 'UDP' }]));
  client.seed(SERVICES, svc('shop', 'headless', 'None', [{ port: 80 }]));
  client.seed(SERVICES, { metadata: { namespace: 'shop', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  client.seed(NODES, { metadata: { name: 'node-1' }, status: { addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'ExternalIP', address: '203.0.113.1' }, { type: 'InternalIP', address: '192.168.1.10' }, { type: 'InternalIP', address: 'fd00::10' }] } });
  const builder = new EnvironmentBuilder({ client, nodeName: 'node-1', nodeAllocatable: () => ({ cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' }) });
  return { client, builder };
}

describe('service environment variables', () => {
  it('match upstream names and values', () => {
    const vars = fromServices([svc('shop', 'redis-master', '10.43.0.20', [{ port: 6379 }, { name: 'metrics', port: 9121, protocol: 'UDP' }])]);
    assert.deepEqual(vars, [
      { name: 'REDIS_MASTER_SERVICE_HOST', value: '10.43.0.20' },
      { name: 'REDIS_MASTER_SERVICE_PORT', value: '6379' },
      { name: 'REDIS_MASTER_SERVICE_PORT_METRICS', value: '9121' },
      { name: 'REDIS_MASTER_PORT', value: 'tcp://10.43.0.20:6379' },
      { name: 'REDIS_MASTER_PORT_6379_TCP', value: 'tcp://10.43.0.20:6379' },
      { name: 'REDIS_MASTER_PORT_6379_TCP_PROTO', value: 'tcp' },
      { name: 'REDIS_MASTER_PORT_6379_TCP_PORT', value: '6379' },
      { name: 'REDIS_MASTER_PORT_6379_TCP_ADDR', value: '10.43.0.20' },
      { name: 'REDIS_MASTER_PORT_9121_UDP', value: 'udp://10.43.0.20:9121' },
      { name: 'REDIS_MASTER_PORT_9121_UDP_PROTO', value: 'udp' },
      { name: 'REDIS_MASTER_PORT_9121_UDP_PORT', value: '9121' },
      { name: 'REDIS_MASTER_PORT_9121_UDP_ADDR', value: '10.43.0.20' },
    ]);
    assert.deepEqual(fromServices([svc('x', 'v6', 'fd00::1', [{ port: 80 }])]).find((e) => e.name === 'V6_PORT')?.value, 'tcp://[fd00::1]:80');
  });

  it('include the namespace services and kubernetes, skipping headless and ExternalName', async () => {
    const { builder } = setup();
    const env = envMap(await builder.makeEnvironmentVariables(basePod({ name: 'app' }), { name: 'app' }, '10.42.0.5', ['10.42.0.5']));
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
    assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
    assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
    assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, '10.43.0.1');
    assert.equal(env.REDIS_MASTER_SERVICE_HOST, '10.43.0.20');
    assert.equal(env.OTHER_SERVICE_HOST, undefined, 'other namespaces are not linked');
    assert.equal(env.HEADLESS_SERVICE_HOST, undefined);
    assert.equal(env.EXT_SERVICE_HOST, undefined);
  });

  it('keep only the master services when enableServiceLinks is false', async () => {
    const { builder } = setup();
    const env = envMap(await builder.makeEnvironmentVariables(basePod({ name: 'app' }, { enableServiceLinks: false }), { name: 'app' }, '10.42.0.5', ['10.42.0.5']));
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
    assert.equal(env.REDIS_MASTER_SERVICE_HOST, undefined);
  });

  it('use the service lister when given', async () => {
    const { client } = setup();
    const builder = new EnvironmentBuilder({ client, nodeName: 'node-1', nodeAllocatable: () => ({}), serviceLister: (ns) => (ns === 'default' ? [svc('default', 'kubernetes', '10.43.0.99', [{ port: 443 }])] : []) });
    const env = envMap(await builder.makeEnvironmentVariables(basePod({ name: 'app' }), { name: 'app' }, '', []));
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.99');
    assert.equal(env.REDIS_MASTER_SERVICE_HOST, undefined);
  });
});

describe('EnvironmentBuilder', () => {
  it('resolves envFrom, env, expansion and valueFrom in order', async () => {
    const { client, builder } = setup();
    client.seed(CONFIGMAPS, { metadata: { namespace: 'shop', name: 'cfg' }, data: { MODE: 'prod', LEVEL: 'debug', 'bad.key': 'kept' } });
    client.seed(SECRETS, { metadata: { namespace: 'shop', name: 'creds' }, data: { password: b64('s3cret'), user: b64('admin') } });
    const container: Container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }, { configMapRef: { name: 'absent', optional: true } }],
      env: [
        { name: 'MODE', value: 'staging' },
        { name: 'URL', value: 'redis://$(REDIS_MASTER_SERVICE_HOST):$(REDIS_MASTER_SERVICE_PORT)/$(MODE)/$(LATER)/$$(MODE)' },
        { name: 'LATER', value: 'x' },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'LVL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
        { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } },
        { name: 'EMPTY' },
        { name: 'KUBERNETES_SERVICE_HOST', value: 'overridden' },
      ],
    };
    const list = await builder.makeEnvironmentVariables(basePod(container), container, '10.42.0.5', ['10.42.0.5']);
    const env = envMap(list);
    assert.equal(env.MODE, 'staging');
    assert.equal(env.LEVEL, 'debug');
    assert.equal(env['bad.key'], 'kept');
    assert.equal(env.DB_password, 's3cret');
    assert.equal(env.DB_user, 'admin');
    assert.equal(env.URL, 'redis://10.43.0.20:6379/staging/$(LATER)/$(MODE)');
    assert.equal(env.PW, 's3cret');
    assert.equal(env.LVL, 'debug');
    assert.ok(!('OPT' in env) && !('OPT2' in env), 'optional missing refs are skipped');
    assert.equal(env.EMPTY, '');
    assert.equal(env.KUBERNETES_SERVICE_HOST, 'overridden');
    assert.equal(list.filter((e) => e.name === 'KUBERNETES_SERVICE_HOST').length, 1);
    // The container's own variables come before the service variables.
    assert.ok(list.findIndex((e) => e.name === 'MODE') < list.findIndex((e) => e.name === 'REDIS_MASTER_SERVICE_HOST'), 'service variables come last');
  });

  it('fails with CreateContainerConfigError and upstream messages', async () => {
    const { client, builder } = setup();
    client.seed(CONFIGMAPS, { metadata: { namespace: 'shop', name: 'cfg' }, data: { A: '1' } });
    client.seed(SECRETS, { metadata: { namespace: 'shop', name: 'creds' }, data: { A: b64('1') } });
    const cases: [Container, string][] = [
      [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
      [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap shop/cfg"],
      [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
      [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret shop/creds"],
      [{ name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] }, 'configmap "gone" not found'],
      [{ name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, 'secret "gone" not found'],
      [{ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, 'field label not supported: spec.bogus'],
      [{ name: 'c', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }, 'unsupported container resource : limits.gpu'],
    ];
    for (const [container, message] of cases) {
      await assert.rejects(builder.makeEnvironmentVariables(basePod(container), container, '10.42.0.5', ['10.42.0.5']), (err: unknown) => {
        assert.ok(err instanceof ContainerConfigError, 'a ContainerConfigError');
        assert.equal(err.reason, 'CreateContainerConfigError');
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  it('resolves the downward API fields', async () => {
    const { builder } = setup();
    const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
    const container: Container = {
      name: 'app',
      env: [
        field('NAME', 'metadata.name'),
        field('NS', 'metadata.namespace'),
        field('UID', 'metadata.uid'),
        field('APP', "metadata.labels['app']"),
        field('ANN', "metadata.annotations['example.com/x']"),
        field('LABELS', 'metadata.labels'),
        field('NODE', 'spec.nodeName'),
        field('SA', 'spec.serviceAccountName'),
        field('HOST_IP', 'status.hostIP'),
        field('HOST_IPS', 'status.hostIPs'),
        field('POD_IP', 'status.podIP'),
        field('POD_IPS', 'status.podIPs'),
      ],
    };
    const env = envMap(await builder.makeEnvironmentVariables(basePod(container), container, '10.42.0.5', ['10.42.0.5', 'fd42::5']));
    assert.deepEqual(
      { NAME: env.NAME, NS: env.NS, UID: env.UID, APP: env.APP, ANN: env.ANN, LABELS: env.LABELS, NODE: env.NODE, SA: env.SA, HOST_IP: env.HOST_IP, HOST_IPS: env.HOST_IPS, POD_IP: env.POD_IP, POD_IPS: env.POD_IPS },
      { NAME: 'web', NS: 'shop', UID: 'uid-9', APP: 'web', ANN: 'y', LABELS: 'app="web"\ntier="fe"', NODE: 'node-1', SA: 'sa', HOST_IP: '192.168.1.10', HOST_IPS: '192.168.1.10,fd00::10', POD_IP: '10.42.0.5', POD_IPS: '10.42.0.5,fd42::5' },
    );
  });

  it('resolves resourceFieldRef with divisors and node allocatable defaults', async () => {
    const { builder } = setup();
    const res = (name: string, resource: string, divisor?: string, containerName?: string) => ({ name, valueFrom: { resourceFieldRef: { resource, divisor, containerName } } });
    const container: Container = {
      name: 'app',
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
      env: [
        res('CPU_LIMIT', 'limits.cpu'),
        res('CPU_LIMIT_M', 'limits.cpu', '1m'),
        res('CPU_REQ_M', 'requests.cpu', '1m'),
        res('MEM_LIMIT', 'limits.memory'),
        res('MEM_LIMIT_MI', 'limits.memory', '1Mi'),
        res('MEM_REQ_GI', 'requests.memory', '1Gi'),
        res('STORAGE_LIMIT_GI', 'limits.ephemeral-storage', '1Gi'),
        res('STORAGE_REQ', 'requests.ephemeral-storage'),
        res('SIDE_CPU', 'limits.cpu', '1m', 'side'),
      ],
    };
    const pod = basePod(container);
    const withSide: Pod = { ...pod, spec: { ...pod.spec!, containers: [container, { name: 'side' }] } };
    const env = envMap(await builder.makeEnvironmentVariables(withSide, container, '10.42.0.5', ['10.42.0.5']));
    assert.equal(env.CPU_LIMIT, '1', '500m rounds up to 1 core');
    assert.equal(env.CPU_LIMIT_M, '500');
    assert.equal(env.CPU_REQ_M, '250');
    assert.equal(env.MEM_LIMIT, String(128 * 1024 * 1024));
    assert.equal(env.MEM_LIMIT_MI, '128');
    assert.equal(env.MEM_REQ_GI, '1');
    assert.equal(env.STORAGE_LIMIT_GI, '100', 'unset limit: node allocatable');
    assert.equal(env.STORAGE_REQ, '0');
    assert.equal(env.SIDE_CPU, '4000');
  });

  it('merges allocatable only into unset or zero limits', () => {
    assert.deepEqual(limitsWithAllocatable({ name: 'c', resources: { limits: { cpu: '0', memory: '1Gi' } } }, { cpu: '2', memory: '4Gi' }), { cpu: '2', memory: '1Gi' });
    assert.equal(containerResourceValue({ resource: 'limits.hugepages-2Mi', divisor: '1Mi' }, { 'hugepages-2Mi': '4Mi' }, {}), '4');
  });
});
