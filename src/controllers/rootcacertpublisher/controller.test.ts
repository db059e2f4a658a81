import { FakeRecorder } from '../../client/record/fake.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../shared/types.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interface } from '../../client/clientset.js';
import { SharedInformerFactory } from '../../client/cache/factory.js';
import type { GroupVersionResource, KubeObject, ResourceClient, WriteOptions } from '../../client/rest/resource.js';
import { CONFIGMAPS, NAMESPACES } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { StatusError } from '../../machinery/errors.js';
import { RootCACertPublisher, NAME, DESCRIPTION } from './controller.js';

interface Call {
  verb: string;
  namespace: string | undefined;
  obj: KubeObject;
}

function fakeClient(fail: (c: Call) => Error | undefined = () => undefined): { client: Interface; calls: Call[] } {
  const calls: Call[] = [];
  const rc = (gvr: GroupVersionResource) => {
    const write = (verb: string) => async (obj: KubeObject, opts: WriteOptions = {}) => {
      const call = { verb, namespace: opts.namespace, obj: structuredClone(obj) };
      calls.push(call);
      const err = fail(call);
      if (err) throw err;
      return obj;
    };
    return { gvr, create: write('create'), update: write('update') } as unknown as ResourceClient;
  };
  return { client: { resource: rc, metadata: rc } as unknown as Interface, calls };
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ANNOTATION = 'kubernetes.io/description';

function setup(opts: { rootCA?: string; fail?: (c: Call) => Error | undefined } = { rootCA: CA }) {
  const { client, calls } = fakeClient(opts.fail);
  const informers = new SharedInformerFactory(client, { logger: nopLogger() });
  const controller = new RootCACertPublisher({ client, informers, logger: nopLogger(), rootCA: opts.rootCA, recorder: () => new FakeRecorder(), config: DEFAULT_CONTROLLER_CONFIG, now: Date.now });
  return { controller, calls, namespaces: informers.forResource(NAMESPACES), configMaps: informers.forResource(CONFIGMAPS) };
}

const cm = (namespace: string, data: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kube-root-ca.crt', namespace, resourceVersion: '5', ...(annotations ? { annotations } : {}) },
  data,
});

test('creates kube-root-ca.crt with the CA and upstream description', async () => {
  assert.equal(NAME, 'root-ca-certificate-publisher-controller');
  assert.equal(
    DESCRIPTION,
    'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
  );
  const { controller, calls } = setup();
  await controller.sync('team', new AbortController().signal);
  assert.deepEqual(calls, [
    {
      verb: 'create',
      namespace: 'team',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'team', annotations: { [ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': CA } },
    },
  ]);
});

test('an up-to-date config map is left alone; an edited one is put back keeping other metadata', async () => {
  const signal = new AbortController().signal;
  const same = setup();
  same.configMaps.add(cm('a', { 'ca.crt': CA }, { [ANNOTATION]: 'anything non-empty' }));
  await same.controller.sync('a', signal);
  assert.deepEqual(same.calls, []);

  const edited = setup();
  const original = cm('b', { 'ca.crt': 'tampered', extra: 'x' }, { mine: 'keep' });
  edited.configMaps.add(original);
  await edited.controller.sync('b', signal);
  assert.equal(edited.calls.length, 1);
  const u = edited.calls[0]!;
  assert.equal(u.verb, 'update');
  assert.deepEqual(u.obj.data, { 'ca.crt': CA });
  assert.deepEqual(u.obj.metadata?.annotations, { mine: 'keep', [ANNOTATION]: DESCRIPTION });
  assert.equal(u.obj.metadata?.resourceVersion, '5');
  assert.deepEqual(original.data, { 'ca.crt': 'tampered', extra: 'x' }, 'the cached object is not mutated');
});

test('a missing or terminating namespace ends the sync; other errors are retried', async () => {
  const signal = new AbortController().signal;
  await setup({ rootCA: CA, fail: () => new StatusError(404, 'NotFound', 'namespaces "a" not found') }).controller.sync('a', signal);
  await setup({
    rootCA: CA,
    fail: () => new StatusError(403, 'Forbidden', 'forbidden', { causes: [{ reason: 'NamespaceTerminating', message: 'x' }] }),
  }).controller.sync('a', signal);
  await assert.rejects(setup({ rootCA: CA, fail: () => new StatusError(500, 'InternalError', 'db down') }).controller.sync('a', signal), /db down/);
});

test('namespace events and edits or deletion of the config map drive syncs; other config maps do not', async () => {
  const { controller, calls, namespaces, configMaps } = setup();
  const ac = new AbortController();
  await controller.run(ac.signal);
  try {
    namespaces.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1', resourceVersion: '1' } });
    await waitFor(() => calls.length === 1);
    configMaps.add(cm('n1', { 'ca.crt': CA }, { [ANNOTATION]: DESCRIPTION }));
    configMaps.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'n1', resourceVersion: '2' } });
    configMaps.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'n1', resourceVersion: '3' } });
    configMaps.update(cm('n1', { 'ca.crt': 'edited' }, { [ANNOTATION]: DESCRIPTION }));
    await waitFor(() => calls.length === 2);
    assert.equal(calls[1]!.verb, 'update');
    configMaps.delete(cm('n1', { 'ca.crt': 'edited' }));
    await waitFor(() => calls.length === 3);
    assert.equal(calls[2]!.verb, 'create');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls.length, 3);
  } finally {
    ac.abort();
    await controller.close();
  }
});

test('without a root CA nothing is published', async () => {
  const { controller, calls, namespaces } = setup({});
  const ac = new AbortController();
  await controller.run(ac.signal);
  namespaces.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1', resourceVersion: '1' } });
  await controller.sync('n1', ac.signal);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(calls, []);
  ac.abort();
  await controller.close();
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
