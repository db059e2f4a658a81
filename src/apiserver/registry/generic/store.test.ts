import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteBackend, createStorage, type Storage } from '../../../storage/index.js';
import { RESOURCES, type ResourceInfo } from '../../../api/catalogue.js';
import { GenericStore, type RequestContext } from './store.js';
import { defaultStrategy, defaultStatusStrategy } from './default-strategy.js';
import { podStrategyOverrides } from '../core/pods/strategy.js';
import { StatusError } from '../../../machinery/errors.js';
import type { ApiObject } from '../../../api/scheme.js';

const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
await backend.start();
const storage: Storage = createStorage(backend);
after(() => backend.close());

const info = (group: string, resource: string): ResourceInfo => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
const ctx = (ns = 'default', dryRun = false): RequestContext => ({ user: { name: 'test', groups: [] }, namespace: ns, dryRun, warnings: [] });

function store(group: string, resource: string, overrides = {}): GenericStore {
  const i = info(group, resource);
  const strategy = defaultStrategy(i, undefined, overrides);
  return new GenericStore({ info: i, storage, strategy, statusStrategy: defaultStatusStrategy(undefined), validateMeta: () => [] });
}

const deployments = store('apps', 'deployments');
const configmaps = store('', 'configmaps');
const pods = store('', 'pods', podStrategyOverrides());

const deployment = (name: string): ApiObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  status: { replicas: 7 },
});

test('create fills server metadata, drops status and starts generation at 1', async () => {
  const d = await deployments.create(ctx(), deployment('d1'));
  assert.match(d.metadata!.uid, /^[0-9a-f-]{36}$/);
  assert.match(d.metadata!.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(d.metadata!.generation, 1);
  assert.equal(d.metadata!.namespace, 'default');
  assert.equal(d.status, undefined);
  assert.ok(Number(d.metadata!.resourceVersion) > 0);
});

test('generateName gets a five-character suffix', async () => {
  const cm = await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
  assert.match(cm.metadata!.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('generation moves with spec changes only', async () => {
  const d = await deployments.create(ctx(), deployment('d2'));
  const labelled = await deployments.update(ctx(), 'd2', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { x: 'y' } } }));
  assert.equal(labelled.object.metadata!.generation, 1);
  const scaled = await deployments.update(ctx(), 'd2', (cur) => ({ ...cur!, spec: { ...cur!.spec, replicas: 3 } }));
  assert.equal(scaled.object.metadata!.generation, 2);
  assert.ok(Number(scaled.object.metadata!.resourceVersion) > Number(d.metadata!.resourceVersion));
});

test('a stale resourceVersion is a 409 Conflict with upstream wording', async () => {
  const d = await deployments.create(ctx(), deployment('d3'));
  await deployments.update(ctx(), 'd3', (cur) => ({ ...cur!, spec: { ...cur!.spec, replicas: 2 } }));
  await assert.rejects(
    // A write's result is frozen and shared with the watch cache; a request body is a copy.
    deployments.update(ctx(), 'd3', () => ({ ...structuredClone(d), spec: { ...d.spec, replicas: 5 } })),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 409 &&
      e.message === 'Operation cannot be fulfilled on deployments.apps "d3": the object has been modified; please apply your changes to the latest version and try again',
  );
});

test('the status subresource changes status only; the main resource keeps status', async () => {
  await deployments.create(ctx(), deployment('d4'));
  const st = await deployments.update(ctx(), 'd4', (cur) => ({ ...cur!, spec: { ...cur!.spec, replicas: 9 }, status: { replicas: 4 } }), { subresource: 'status' });
  assert.equal(st.object.spec.replicas, 1);
  assert.deepEqual(st.object.status, { replicas: 4 });
  const main = await deployments.update(ctx(), 'd4', (cur) => ({ ...cur!, status: { replicas: 0 } }));
  assert.deepEqual(main.object.status, { replicas: 4 });
});

test('a finalizer holds a deletion until an update removes it', async () => {
  await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const r = await configmaps.delete(ctx(), 'held', {});
  assert.equal(r.deleted, false);
  assert.ok(r.object.metadata!.deletionTimestamp);
  await assert.rejects(
    configmaps.update(ctx(), 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: ['example.com/hold', 'example.com/new'] } })),
    (e: unknown) => e instanceof StatusError && e.code === 422 && /no new finalizers can be added/.test(e.message),
  );
  const done = await configmaps.update(ctx(), 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
  assert.equal(done.object.metadata!.name, 'held');
  await assert.rejects(configmaps.get(ctx(), 'held'), (e: unknown) => e instanceof StatusError && e.code === 404);
});

test('Orphan and Foreground propagation add their finalizers', async () => {
  await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fg' } });
  const r = await configmaps.delete(ctx(), 'fg', { propagationPolicy: 'Foreground' });
  assert.equal(r.deleted, false);
  assert.deepEqual(r.object.metadata!.finalizers, ['foregroundDeletion']);
  await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'or' } });
  const o = await configmaps.delete(ctx(), 'or', { propagationPolicy: 'Orphan' });
  assert.deepEqual(o.object.metadata!.finalizers, ['orphan']);
});

test('pods on a node are deleted gracefully; unscheduled pods at once', async () => {
  const pod = (name: string, nodeName?: string): ApiObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName, terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'i' }] },
  });
  await pods.create(ctx(), pod('bound', 'n1'));
  const r = await pods.delete(ctx(), 'bound', {});
  assert.equal(r.deleted, false);
  assert.equal(r.object.metadata!.deletionGracePeriodSeconds, 30);
  const zero = await pods.delete(ctx(), 'bound', { gracePeriodSeconds: 0 });
  assert.equal(zero.deleted, true);
  await pods.create(ctx(), pod('free'));
  assert.equal((await pods.delete(ctx(), 'free', {})).deleted, true);
});

test('delete preconditions are checked', async () => {
  await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pre' } });
  await assert.rejects(configmaps.delete(ctx(), 'pre', { preconditions: { uid: 'nope' } }), (e: unknown) => e instanceof StatusError && e.code === 409);
});

test('dry run writes nothing', async () => {
  await configmaps.create(ctx('default', true), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } });
  await assert.rejects(configmaps.get(ctx(), 'dry'), (e: unknown) => e instanceof StatusError && e.code === 404);
});

test('unsupported field selectors are 400s; supported ones filter', async () => {
  assert.throws(() => configmaps.predicate(undefined, 'spec.foo=bar'), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'field label not supported: spec.foo');
  const list = await pods.list(ctx(), { fieldSelector: 'status.phase=Pending' });
  for (const p of list.items) assert.equal(p.status.phase, 'Pending');
});

test('an update without resourceVersion is unconditional where the strategy allows it', async () => {
  await configmaps.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uncond' }, data: { a: '1' } });
  const r = await configmaps.update(ctx(), 'uncond', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uncond' }, data: { a: '2' } }));
  assert.deepEqual(r.object.data, { a: '2' });
});
