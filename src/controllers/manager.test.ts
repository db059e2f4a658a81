import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerManager, enabledControllers, CONTROLLERS } from './manager.js';
import type { Controller, ControllerFactory } from './shared/types.js';
import { createClient } from '../client/index.js';
import { SharedInformerFactory } from '../client/cache/factory.js';
import { nopLogger } from '../logging/index.js';

test('controller selection follows --controllers', () => {
  const reg = { a: (() => ({})) as unknown as ControllerFactory, b: (() => ({})) as unknown as ControllerFactory };
  assert.deepEqual(enabledControllers(undefined, reg), ['a', 'b']);
  assert.deepEqual(enabledControllers(['*', '-a'], reg), ['b']);
  assert.deepEqual(enabledControllers(['a'], reg), ['a']);
  assert.throws(() => enabledControllers(['c'], reg), /unknown controller "c"/);
  // Upstream kube-controller-manager's names (1.28+), so --controllers reads the same.
  assert.deepEqual(Object.keys(CONTROLLERS).sort(), [
    'cronjob-controller',
    'daemonset-controller',
    'deployment-controller',
    'disruption-controller',
    'endpoints-controller',
    'endpointslice-controller',
    'garbage-collector-controller',
    'horizontal-pod-autoscaler-controller',
    'job-controller',
    'local-path-provisioner',
    'namespace-controller',
    'node-ipam-controller',
    'node-lifecycle-controller',
    'persistentvolume-binder-controller',
    'pod-garbage-collector-controller',
    'replicaset-controller',
    'replicationcontroller-controller',
    'resourcequota-controller',
    'root-ca-certificate-publisher-controller',
    'serviceaccount-controller',
    'statefulset-controller',
    'taint-eviction-controller',
    'ttl-after-finished-controller',
  ]);
});

test('start runs prepare and run in order; close is idempotent and closes every controller', async () => {
  const calls: string[] = [];
  const fake = (name: string): ControllerFactory => () =>
    ({
      name,
      prepare: async () => {
        calls.push(`${name}.prepare`);
      },
      run: async () => {
        calls.push(`${name}.run`);
      },
      close: async () => {
        calls.push(`${name}.close`);
      },
    }) satisfies Controller;
  // No informers are requested, so the client is never called.
  const client = createClient({ server: 'http://127.0.0.1:1' });
  const m = new ControllerManager({ client, logger: nopLogger(), registry: { x: fake('x'), y: fake('y') } });
  await m.start(new AbortController().signal);
  assert.equal(m.state, 'running');
  assert.deepEqual(calls, ['x.prepare', 'y.prepare', 'x.run', 'y.run']);
  await Promise.all([m.close(), m.close()]);
  assert.equal(m.state, 'stopped');
  assert.deepEqual(calls.slice(4).sort(), ['x.close', 'y.close']);
  await assert.rejects(m.start(new AbortController().signal), /cannot start/);
  client.close();
});

test('a failing controller fails start and everything is closed', async () => {
  const closed: string[] = [];
  const client = createClient({ server: 'http://127.0.0.1:1' });
  const m = new ControllerManager({
    client,
    logger: nopLogger(),
    registry: {
      bad: () => ({ name: 'bad', prepare: async () => Promise.reject(new Error('discovery down')), run: async () => {}, close: async () => void closed.push('bad') }),
    },
  });
  await assert.rejects(m.start(new AbortController().signal), /discovery down/);
  assert.equal(m.state, 'failed');
  assert.deepEqual(closed, ['bad']);
  client.close();
});

test('a shared informer factory is started by the manager but stopped only by its owner', async () => {
  const client = createClient({ server: 'http://127.0.0.1:1' });
  const shutdowns: string[] = [];
  class Spy extends SharedInformerFactory {
    override shutdown(): Promise<void> {
      shutdowns.push('shared');
      return super.shutdown();
    }
  }
  const informers = new Spy(client, { logger: nopLogger() });
  let seen: SharedInformerFactory | undefined;
  const m = new ControllerManager({
    client,
    logger: nopLogger(),
    informers,
    registry: { x: (ctx) => ((seen = ctx.informers), { name: 'x', run: async () => {}, close: async () => {} }) },
  });
  await m.start(new AbortController().signal);
  assert.equal(seen, informers, 'controllers are built on the shared factory');
  await m.close();
  assert.deepEqual(shutdowns, []);
  await informers.shutdown();
  client.close();
});
