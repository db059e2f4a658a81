import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { testContext } from '../shared/testing.js';
import { CONTROLLER_NAME, EndpointSliceController, NAME } from './controller.js';
import type { SliceObject } from './reconciler.js';

const signal = new AbortController().signal;

function setup(opts: { max?: number } = {}) {
  const t = testContext();
  const controller = new EndpointSliceController(t.ctx, { maxEndpointsPerSlice: opts.max });
  const services = t.informers.forResource(SERVICES);
  const pods = t.informers.forResource(PODS);
  const slices = t.informers.forResource<SliceObject>(ENDPOINTSLICES);
  const nodes = t.informers.forResource(NODES);
  nodes.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  nodes.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } });
  /** Makes the informer see what the fake API holds now (as a watch would). */
  const catchUp = (): void => {
    const stored = new Map(t.client.all<SliceObject>(ENDPOINTSLICES).map((s) => [s.metadata!.name!, s]));
    for (const s of slices.lister().list()) if (!stored.has(s.metadata!.name!)) slices.delete(s);
    for (const s of stored.values()) slices.add(s);
  };
  return { ...t, controller, services, pods, slices, catchUp };
}

function svc(name: string, extra: Partial<Service['spec']> = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '2025-12-31T00:00:00Z', ...(labels ? { labels } : {}) },
    spec: { selector: { app: 'web' }, clusterIP: '10.43.0.5', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...extra },
  } as KubeObject;
}

function pod(name: string, ip: string, opts: { ready?: boolean; deleting?: boolean; node?: string; hostname?: string; subdomain?: string } = {}): KubeObject {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: opts.node ?? 'node-1', hostname: opts.hostname, subdomain: opts.subdomain, containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
  return p as KubeObject;
}

test('creates one slice with labels, owner, conditions, zone and hostname', async () => {
  assert.equal(NAME, 'endpointslice-controller');
  const { controller, client, services, pods } = setup();
  services.add(svc('web', {}, { team: 'x' }));
  pods.add(pod('a', '10.42.0.2', { hostname: 'a', subdomain: 'web' }));
  pods.add(pod('b', '10.42.0.3', { ready: false, node: 'node-2' }));
  pods.add(pod('c', '10.42.0.4', { deleting: true }));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpointslices ns/web-00001']);
  const s = client.all<SliceObject>(ENDPOINTSLICES)[0]!;
  assert.equal(s.metadata?.generateName, 'web-');
  assert.deepEqual(s.metadata?.labels, { team: 'x', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME });
  assert.deepEqual(s.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
  assert.equal(s.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-12-31T00:00:00Z');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const byName = Object.fromEntries(s.endpoints.map((e) => [e.targetRef?.name, e]));
  assert.deepEqual(byName.a, {
    addresses: ['10.42.0.2'],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
    nodeName: 'node-1',
    zone: 'zone-a',
    hostname: 'a',
  });
  assert.deepEqual(byName.b?.conditions, { ready: false, serving: false, terminating: false });
  assert.equal(byName.b?.zone, undefined);
  // Terminating pods stay, serving but not ready.
  assert.deepEqual(byName.c?.conditions, { ready: false, serving: true, terminating: true });
});

test('steady state writes nothing; a changed pod updates its slice in place', async () => {
  const { controller, client, services, pods, catchUp } = setup();
  services.add(svc('web'));
  pods.add(pod('a', '10.42.0.2'));
  await controller.sync('ns/web', signal);
  // Before the informer sees our create, the sync waits instead of creating a duplicate.
  assert.deepEqual(await controller.sync('ns/web', signal), { requeueAfterMs: 100 });
  catchUp();
  await controller.sync('ns/web', signal);
  assert.equal(client.writes().length, 1);
  pods.add(pod('a', '10.42.0.2', { ready: false }));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpointslices ns/web-00001', 'update endpointslices ns/web-00001']);
  assert.equal(client.all<SliceObject>(ENDPOINTSLICES)[0]!.endpoints[0]!.conditions?.ready, false);
});

test('more than max endpoints split into several slices; removals shrink and delete slices', async () => {
  const { controller, client, services, pods, catchUp } = setup({ max: 3 });
  services.add(svc('web'));
  for (let i = 0; i < 7; i++) pods.add(pod(`p${i}`, `10.42.0.${10 + i}`));
  await controller.sync('ns/web', signal);
  catchUp();
  const sizes = () =>
    client
      .all<SliceObject>(ENDPOINTSLICES)
      .map((s) => s.endpoints.length)
      .sort();
  assert.deepEqual(sizes(), [1, 3, 3]);
  // Remove the pods of one full slice: that slice is deleted, no other write.
  const full = client.all<SliceObject>(ENDPOINTSLICES).find((s) => s.endpoints.length === 3)!;
  for (const e of full.endpoints) pods.delete(pod(e.targetRef!.name!, e.addresses[0]!));
  client.actions.length = 0;
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), [`delete endpointslices ns/${full.metadata!.name!}`]);
  catchUp();
  // A new pod fills the partial slice rather than creating one.
  pods.add(pod('new', '10.42.0.99'));
  client.actions.length = 0;
  await controller.sync('ns/web', signal);
  assert.equal(client.writes().length, 1);
  assert.match(client.writes()[0]!, /^update endpointslices/);
  assert.deepEqual(sizes(), [2, 3]);
});

test('no pods: a placeholder slice without endpoints, kept across syncs', async () => {
  const { controller, client, services, catchUp } = setup();
  services.add(svc('web'));
  await controller.sync('ns/web', signal);
  catchUp();
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpointslices ns/web-00001']);
  const s = client.all<SliceObject>(ENDPOINTSLICES)[0]!;
  assert.deepEqual([s.endpoints, s.ports], [[], []]);
});

test('the placeholder is reused (updated, not recreated) when pods appear', async () => {
  const { controller, client, services, pods, catchUp } = setup();
  services.add(svc('web'));
  await controller.sync('ns/web', signal);
  catchUp();
  pods.add(pod('a', '10.42.0.2'));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpointslices ns/web-00001', 'update endpointslices ns/web-00001']);
  assert.equal(client.all<SliceObject>(ENDPOINTSLICES)[0]!.endpoints.length, 1);
});

test('headless services are labelled; label changes on the service are copied', async () => {
  const { controller, client, services, pods, catchUp } = setup();
  services.add(svc('db', { clusterIP: 'None', ports: [] }));
  pods.add(pod('a', '10.42.0.2'));
  await controller.sync('ns/db', signal);
  catchUp();
  let s = client.all<SliceObject>(ENDPOINTSLICES)[0]!;
  assert.equal(s.metadata?.labels?.['service.kubernetes.io/headless'], '');
  assert.deepEqual(s.ports, []);
  services.add(svc('db', { clusterIP: 'None', ports: [] }, { tier: 'data' }));
  await controller.sync('ns/db', signal);
  s = client.all<SliceObject>(ENDPOINTSLICES)[0]!;
  assert.equal(s.metadata?.labels?.tier, 'data');
  assert.equal(client.writes()[1], `update endpointslices ns/${s.metadata!.name!}`);
});

test('a pod on an unknown node is left out and the sync fails for a retry, with an event', async () => {
  const { controller, client, services, pods, recorder } = setup();
  services.add(svc('web'));
  pods.add(pod('a', '10.42.0.2'));
  pods.add(pod('lost', '10.42.0.3', { node: 'gone' }));
  await assert.rejects(controller.sync('ns/web', signal), /Node gone Not Found/);
  assert.equal(client.all<SliceObject>(ENDPOINTSLICES)[0]!.endpoints.length, 1);
  assert.match(recorder.lines()[0]!, /^Warning FailedToUpdateEndpointSlices Error updating Endpoint Slices for Service ns\/web: /);
});

test('slices of another owner are replaced; selector-less and missing services are left alone', async () => {
  const { controller, client, services, pods, slices } = setup();
  const stale = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-old', namespace: 'ns', uid: 'u-old', resourceVersion: '3', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'previous' }] },
    addressType: 'IPv4',
    endpoints: [],
  } as SliceObject;
  client.seed(ENDPOINTSLICES, stale);
  slices.add(stale);
  services.add(svc('web'));
  pods.add(pod('a', '10.42.0.2'));
  await controller.sync('ns/web', signal);
  assert.deepEqual(client.writes(), ['create endpointslices ns/web-00001', 'delete endpointslices ns/web-old']);
  services.add(svc('manual', { selector: undefined }));
  await controller.sync('ns/manual', signal);
  await controller.sync('ns/nothere', signal);
  assert.equal(client.writes().length, 2);
});

test('a failed create is an error to retry', async () => {
  const { controller, client, services } = setup();
  services.add(svc('web'));
  client.reactor = (a) => (a.verb === 'create' ? new StatusError(500, 'InternalError', 'db down') : undefined);
  await assert.rejects(controller.sync('ns/web', signal), /failed to create EndpointSlice for Service ns\/web: db down/);
});
