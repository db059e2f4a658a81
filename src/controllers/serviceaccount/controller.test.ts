import { FakeRecorder } from '../../client/record/fake.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../shared/types.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interface } from '../../client/clientset.js';
import { SharedInformerFactory } from '../../client/cache/factory.js';
import type { GroupVersionResource, KubeObject, ResourceClient, WriteOptions } from '../../client/rest/resource.js';
import { NAMESPACES } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { StatusError } from '../../machinery/errors.js';
import { ServiceAccountsController, SERVICEACCOUNTS, NAME } from './controller.js';

interface Call {
  verb: string;
  resource: string;
  namespace: string | undefined;
  obj: KubeObject;
}

/** A clientset that records writes; `fail` decides an error per call. */
function fakeClient(fail: (c: Call) => Error | undefined = () => undefined): { client: Interface; calls: Call[] } {
  const calls: Call[] = [];
  const rc = (gvr: GroupVersionResource) => {
    const write = (verb: string) => async (obj: KubeObject, opts: WriteOptions = {}) => {
      const call = { verb, resource: gvr.resource, namespace: opts.namespace, obj: structuredClone(obj) };
      calls.push(call);
      const err = fail(call);
      if (err) throw err;
      return obj;
    };
    return { gvr, create: write('create'), update: write('update') } as unknown as ResourceClient;
  };
  const client = { resource: rc, metadata: rc } as unknown as Interface;
  return { client, calls };
}

function setup(fail?: (c: Call) => Error | undefined) {
  const { client, calls } = fakeClient(fail);
  const informers = new SharedInformerFactory(client, { logger: nopLogger() });
  const controller = new ServiceAccountsController({ client, informers, logger: nopLogger(), recorder: () => new FakeRecorder(), config: DEFAULT_CONTROLLER_CONFIG, now: Date.now });
  const namespaces = informers.forResource(NAMESPACES);
  const accounts = informers.forResource(SERVICEACCOUNTS);
  return { controller, calls, namespaces, accounts };
}

const ns = (name: string, phase = 'Active'): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: '1' }, status: { phase } });
const sa = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, resourceVersion: '1' } });

test('an active namespace without default gets one', async () => {
  assert.equal(NAME, 'serviceaccount-controller');
  const { controller, calls, namespaces } = setup();
  namespaces.add(ns('team'));
  await controller.sync('team', new AbortController().signal);
  assert.deepEqual(calls, [
    { verb: 'create', resource: 'serviceaccounts', namespace: 'team', obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team' } } },
  ]);
});

test('nothing is created when the account exists, the namespace is gone or not active', async () => {
  const { controller, calls, namespaces, accounts } = setup();
  namespaces.add(ns('has'));
  accounts.add(sa('has', 'default'));
  namespaces.add(ns('ending', 'Terminating'));
  const signal = new AbortController().signal;
  await controller.sync('has', signal);
  await controller.sync('ending', signal);
  await controller.sync('missing', signal);
  assert.deepEqual(calls, []);
});

test('AlreadyExists and a terminating namespace are not errors; other failures are retried', async () => {
  const signal = new AbortController().signal;
  const exists = setup(() => new StatusError(409, 'AlreadyExists', 'serviceaccounts "default" already exists'));
  exists.namespaces.add(ns('a'));
  await exists.controller.sync('a', signal);

  const terminating = setup(
    () => new StatusError(403, 'Forbidden', 'forbidden', { causes: [{ reason: 'NamespaceTerminating', message: 'namespace a is being terminated', field: 'metadata.namespace' }] }),
  );
  terminating.namespaces.add(ns('a'));
  await terminating.controller.sync('a', signal);

  const broken = setup(() => new StatusError(500, 'InternalError', 'db down'));
  broken.namespaces.add(ns('a'));
  await assert.rejects(broken.controller.sync('a', signal), /db down/);
});

test('namespace events and account deletions drive syncs', async () => {
  const { controller, calls, namespaces, accounts } = setup();
  const ac = new AbortController();
  await controller.run(ac.signal);
  try {
    namespaces.add(ns('n1'));
    await waitFor(() => calls.length === 1);
    accounts.add(sa('n1', 'default'));
    // Deleting the account brings it back.
    accounts.delete(sa('n1', 'default'));
    await waitFor(() => calls.length === 2);
    assert.deepEqual(
      calls.map((c) => `${c.verb} ${c.namespace}/${String(c.obj.metadata?.name)}`),
      ['create n1/default', 'create n1/default'],
    );
  } finally {
    ac.abort();
    await controller.close();
  }
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
