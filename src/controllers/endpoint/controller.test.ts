import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { testContext } from '../shared/testing.js';
import { ANNOTATION_OVER_CAPACITY, EndpointsController, NAME, truncateEndpoints } from './controller.js';
import { repackSubsets } from './repack.js';
import { servicesToUpdateOnPodChange, TriggerTimeTracker } from '../shared/endpoints-util.js';

const signal = new AbortController().signal;

function setup() {
  const t = testContext();
  const controller = new EndpointsController(t.ctx);
  const services = t.informers.forResource(SERVICES);
  const pods = t.informers.forResource(PODS);
  const endpoints = t.informers.forResource(ENDPOINTS);
  return { ...t, controller, services, pods, endpoints };
}

function svc(name: string, extra: Partial<Service['spec']> = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '2025-12-31T00:00:00Z', ...(labels ? { labels } : {}) },
    spec: { selector: { app: 'web' }, clusterIP: '10.43.0.5', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }], ...extra },
  } as KubeObject;
}

function pod(name: string, ip: string | undefined, opts: { ready?: boolean; phase?: string; deleting?: boolean; labels?: Record<string, string>; hostname?: string; subdomain?: string } = {}): KubeObject {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '7',
      labels: opts.labels ?? { app: 'web' },
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: 'node-1',
      hostname: opts.hostname,
      subdomain: opts.subdomain,
      containers: [{ name: 'c', image: 'i', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-12-31T12:00:00Z' }],
    },
  };
  return p as KubeObject;
}

const addr = (name: string, ip: string, extra: Record<string, unknown> = {}) => ({ ip, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` }, ...extra });

test('creates Endpoints with ready and not-ready addresses and named target ports', async () => {
  assert.equal(NAME, 'endpoints-controller');
  const { controller, client, services, pods } = setup();
  services.add(svc('web', {}, { tier: 'front' }));
  pods.add(pod('a', '10.42.0.2'));
  pods.add(pod('b', '10.42.0.3', { ready: false }));
  pods.add(pod('c', undefined)); // no IP
  pods.add(pod('d', '10.42.0.4', { phase: 'Succeeded' })); // terminal
  pods.add(pod('e', '10.42.0.5', { deleting: true })); // terminating
  pods.add(pod('f', '10.42.0.6', { labels: { app: 'other' } }));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpoints ns/web']);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'web')!;
  assert.deepEqual(ep.metadata?.labels, { tier: 'front' });
  // A service seen the first time: its creation time is the trigger.
  assert.equal(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-12-31T00:00:00Z');
  assert.deepEqual(ep.subsets, [{ addresses: [addr('a', '10.42.0.2')], notReadyAddresses: [addr('b', '10.42.0.3')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
});

test('no write when the cached Endpoints already match; update when a pod turns ready', async () => {
  const { controller, client, services, pods, endpoints } = setup();
  services.add(svc('web'));
  pods.add(pod('a', '10.42.0.2'));
  await controller.sync('ns/web', signal);
  const created = client.stored(ENDPOINTS, 'ns', 'web')!;
  endpoints.add(created);
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpoints ns/web']);

  pods.add(pod('b', '10.42.0.3', { ready: false }));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpoints ns/web', 'update endpoints ns/web']);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'web')!;
  assert.equal(ep.subsets?.[0]?.notReadyAddresses?.[0]?.ip, '10.42.0.3');
});

test('publishNotReadyAddresses puts every pod, terminating ones too, under addresses', async () => {
  const { controller, client, services, pods } = setup();
  services.add(svc('web', { publishNotReadyAddresses: true }));
  pods.add(pod('a', '10.42.0.2', { ready: false }));
  pods.add(pod('b', '10.42.0.3', { deleting: true }));
  await controller.sync('ns/web', signal);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'web')!;
  assert.deepEqual(
    ep.subsets?.[0]?.addresses?.map((a) => a.ip),
    ['10.42.0.2', '10.42.0.3'],
  );
  assert.equal(ep.subsets?.[0]?.notReadyAddresses, undefined);
});

test('headless service: label, hostname for pods in its subdomain, addresses kept without ports', async () => {
  const { controller, client, services, pods } = setup();
  services.add(svc('db', { clusterIP: 'None', ports: [] }));
  pods.add(pod('db-0', '10.42.0.9', { hostname: 'db-0', subdomain: 'db' }));
  pods.add(pod('x', '10.42.0.8', { hostname: 'x', subdomain: 'other' }));
  await controller.sync('ns/db', signal);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'db')!;
  assert.deepEqual(ep.metadata?.labels, { 'service.kubernetes.io/headless': '' });
  assert.deepEqual(ep.subsets, [{ addresses: [addr('x', '10.42.0.8'), addr('db-0', '10.42.0.9', { hostname: 'db-0' })] }]);
});

test('numeric target ports, several service ports and a pod lacking a named port are repacked by port set', async () => {
  const { controller, client, services, pods } = setup();
  services.add(
    svc('web', {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
        { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9100, appProtocol: 'http' },
      ],
    }),
  );
  pods.add(pod('a', '10.42.0.2'));
  const noPort = pod('b', '10.42.0.3') as Pod;
  pods.add({ ...noPort, spec: { ...noPort.spec!, containers: [{ name: 'c', image: 'i' }] } } as KubeObject);
  await controller.sync('ns/web', signal);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'web')!;
  assert.equal(ep.subsets?.length, 2);
  // Grouped by the set of addresses behind each port: http only on a, metrics on both.
  const http = ep.subsets!.find((s) => s.ports?.[0]?.name === 'http')!;
  assert.deepEqual(http.addresses?.map((a) => a.ip), ['10.42.0.2']);
  assert.deepEqual(http.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const metrics = ep.subsets!.find((s) => s.ports?.[0]?.name === 'metrics')!;
  assert.deepEqual(metrics.addresses?.map((a) => a.ip), ['10.42.0.2', '10.42.0.3']);
  assert.deepEqual(metrics.ports, [{ name: 'metrics', port: 9100, protocol: 'TCP', appProtocol: 'http' }]);
});

test('deleted service: Endpoints deleted; selector-less and ExternalName services untouched', async () => {
  const { controller, client, services } = setup();
  client.seed(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'gone', namespace: 'ns' } });
  await controller.sync('ns/gone', signal);
  await controller.sync('ns/never', signal); // not found is fine
  services.add(svc('manual', { selector: undefined }));
  services.add(svc('ext', { type: 'ExternalName', externalName: 'example.invalid' }));
  await controller.sync('ns/manual', signal);
  await controller.sync('ns/ext', signal);
  assert.deepEqual(client.writes(), ['delete endpoints ns/gone', 'delete endpoints ns/never']);
  assert.equal(client.stored(ENDPOINTS, 'ns', 'gone'), undefined);
});

test('a failed create records FailedToCreateEndpoint and is retried; a terminating namespace drops it', async () => {
  const { controller, client, services, recorder } = setup();
  services.add(svc('web'));
  client.reactor = (a) => (a.verb === 'create' ? new StatusError(500, 'InternalError', 'boom') : undefined);
  await assert.rejects(controller.sync('ns/web', signal), /boom/);
  assert.deepEqual(recorder.lines(), ['Warning FailedToCreateEndpoint Failed to create endpoint for service ns/web: boom']);
  client.reactor = (a) =>
    a.verb === 'create' ? new StatusError(403, 'Forbidden', 'forbidden', { causes: [{ reason: 'NamespaceTerminating', message: 'x', field: 'metadata.namespace' }] }) : undefined;
  await controller.sync('ns/web', signal);
});

test('over capacity: truncated to 1000 with the annotation', async () => {
  const { controller, client, services, pods } = setup();
  services.add(svc('big'));
  for (let i = 0; i < 1100; i++) pods.add(pod(`p${i}`, `10.42.${i >> 8}.${i & 255}`, { ready: i % 2 === 0 }));
  await controller.sync('ns/big', signal);
  const ep = client.stored<Endpoints & KubeObject>(ENDPOINTS, 'ns', 'big')!;
  assert.equal(ep.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY], 'truncated');
  const s = ep.subsets![0]!;
  assert.equal(s.addresses?.length, 550);
  assert.equal(s.notReadyAddresses?.length, 450);
});

test('truncateEndpoints shares ready addresses proportionally', () => {
  const mk = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.${base}.${i}` }));
  const subsets = [
    { addresses: mk(600, 1), notReadyAddresses: mk(5, 9), ports: [{ port: 1 }] },
    { addresses: mk(600, 2), ports: [{ port: 2 }] },
  ];
  assert.equal(truncateEndpoints(subsets), true);
  assert.equal(subsets[0]!.addresses.length, 500);
  assert.equal(subsets[0]!.notReadyAddresses, undefined);
  assert.equal(subsets[1]!.addresses.length, 500);
  assert.equal(truncateEndpoints([{ addresses: mk(10, 1) }]), false);
});

test('repackSubsets: not ready trumps ready, dedup by ip+uid, stable order', () => {
  const a = { ip: '10.0.0.2', targetRef: { uid: 'a' } };
  const b = { ip: '10.0.0.1', targetRef: { uid: 'b' } };
  const out = repackSubsets([
    { addresses: [a], ports: [{ port: 80 }] },
    { notReadyAddresses: [a], ports: [{ port: 80 }] },
    { addresses: [b], ports: [{ port: 80 }] },
    { addresses: [b], ports: [{ port: 80 }] },
  ]);
  assert.deepEqual(out, [{ addresses: [b], notReadyAddresses: [a], ports: [{ port: 80 }] }]);
});

test('pod updates enqueue only the services they concern', () => {
  const { services, controller } = setup();
  services.add(svc('web'));
  services.add(svc('api', { selector: { app: 'api' } }));
  const lister = (controller as unknown as { services: Parameters<typeof servicesToUpdateOnPodChange>[0] }).services;
  const p = pod('a', '10.42.0.2') as Pod;
  const bump = (o: Pod, extra: Partial<Pod>): Pod => ({ ...o, ...extra, metadata: { ...o.metadata, resourceVersion: '8', ...extra.metadata } });
  assert.deepEqual([...servicesToUpdateOnPodChange(lister, p, p)], []);
  assert.deepEqual([...servicesToUpdateOnPodChange(lister, p, bump(p, { metadata: { annotations: { x: 'y' } } }))], []);
  assert.deepEqual([...servicesToUpdateOnPodChange(lister, p, bump(p, { status: { ...p.status, conditions: [{ type: 'Ready', status: 'False' }] } }))], ['ns/web']);
  assert.deepEqual([...servicesToUpdateOnPodChange(lister, p, bump(p, { metadata: { labels: { app: 'api' } } }))].sort(), ['ns/api', 'ns/web']);
});

test('trigger time: creation time first, then the earliest changed Ready transition, else none', () => {
  const t = new TriggerTimeTracker();
  const s = svc('web') as Service;
  const p = (name: string, at: string): Pod => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });
  assert.equal(t.compute('ns', s, [p('a', '2026-01-01T00:00:01Z')]), Date.parse('2025-12-31T00:00:00Z'));
  assert.equal(t.compute('ns', s, [p('a', '2026-01-01T00:00:01Z')]), 0);
  assert.equal(t.compute('ns', s, [p('a', '2026-01-01T00:00:05Z'), p('b', '2026-01-01T00:00:03Z')]), Date.parse('2026-01-01T00:00:03Z'));
});
