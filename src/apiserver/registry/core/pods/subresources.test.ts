import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, newNotFound } from '../../../../machinery/errors.js';
import type { HandlerContext } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { podStreamHandler, podLogOptions } from './subresources.js';

/** A store answering `get` from a map (what the stream handlers read). */
function store(resource: string, objects: Record<string, unknown>, seen: (string | undefined)[] = []): GenericStore {
  return {
    get: async (ctx: { namespace: string | undefined }, name: string) => {
      seen.push(ctx.namespace);
      const o = objects[name];
      if (!o) throw newNotFound({ group: '', resource }, name);
      return structuredClone(o);
    },
  } as unknown as GenericStore;
}

const hc = (name: string, query = 'command=sh'): HandlerContext =>
  ({ ri: { name }, query: new URLSearchParams(query), requestContext: () => ({ user: { username: 'u', groups: [] }, namespace: 'default', dryRun: false, warnings: [] }) }) as unknown as HandlerContext;

async function answer(p: Promise<void>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return { code: e.code, message: e.message };
  }
  assert.fail('expected an error');
}

const pods = store('pods', {
  sim: { metadata: { name: 'sim', namespace: 'default' }, spec: { nodeName: 'sim-0001' } },
  real: { metadata: { name: 'real', namespace: 'default' }, spec: { nodeName: 'worker', containers: [{ name: 'c' }] } },
  lost: { metadata: { name: 'lost', namespace: 'default' }, spec: { nodeName: 'gone', containers: [{ name: 'c' }] } },
  unbound: { metadata: { name: 'unbound', namespace: 'default' }, spec: { containers: [{ name: 'c' }] } },
  two: { metadata: { name: 'two', namespace: 'default' }, spec: { nodeName: 'worker', initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] } },
});
const nodeNamespaces: (string | undefined)[] = [];
const nodes = store('nodes', { 'sim-0001': { metadata: { name: 'sim-0001', annotations: { 'k8ts.io/simulated': 'true' } } }, worker: { metadata: { name: 'worker' } } }, nodeNamespaces);

test('streams to pods on simulated nodes answer 400 naming the subresource', async () => {
  assert.deepEqual(await answer(podStreamHandler(pods, 'log', nodes).handle(hc('sim'))), {
    code: 400,
    message: 'pod "sim" runs on simulated node "sim-0001": simulated nodes run no containers, so logs are not available',
  });
  const nouns = { exec: 'exec is', attach: 'attach is', portforward: 'port-forward is', proxy: 'proxy is' } as const;
  for (const [what, noun] of Object.entries(nouns)) {
    const got = await answer(podStreamHandler(pods, what as keyof typeof nouns, nodes).handle(hc('sim')));
    assert.equal(got.message, `pod "sim" runs on simulated node "sim-0001": simulated nodes run no containers, so ${noun} not available`);
  }
  assert.ok(nodeNamespaces.every((ns) => ns === undefined), 'nodes are read cluster-scoped');
});

test('without a kubelet client nodes keep the 503; unbound pods answer as upstream', async () => {
  const real = await answer(podStreamHandler(pods, 'exec', nodes).handle(hc('real')));
  assert.equal(real.code, 503);
  assert.match(real.message, /node agent on node "worker"/);
  assert.equal((await answer(podStreamHandler(pods, 'log', nodes).handle(hc('lost')))).code, 503);
  assert.equal((await answer(podStreamHandler(pods, 'log').handle(hc('sim')))).code, 400, 'without the node store: no container to choose');
  assert.deepEqual(await answer(podStreamHandler(pods, 'exec', nodes).handle(hc('unbound'))), { code: 400, message: 'pod unbound does not have a host assigned' });
  assert.deepEqual(await answer(podStreamHandler(pods, 'portforward', nodes).handle(hc('unbound'))), { code: 400, message: 'pod unbound does not have a host assigned' });
});

test('container choice and exec options as upstream validateContainer', async () => {
  const exec = podStreamHandler(pods, 'exec', nodes);
  assert.deepEqual(await answer(exec.handle(hc('two'))), { code: 400, message: 'a container name must be specified for pod two, choose one of: [init a b]' });
  assert.deepEqual(await answer(exec.handle(hc('two', 'command=sh&container=x'))), { code: 400, message: 'container x is not valid for pod two' });
  assert.deepEqual(await answer(exec.handle(hc('real', 'stdout=true'))), { code: 400, message: 'you must specify at least 1 command' });
  assert.equal((await answer(exec.handle(hc('two', 'command=sh&container=init')))).code, 503, 'init containers may be named');
});

test('pods/log options are validated as upstream ValidatePodLogOptions', async () => {
  const log = podStreamHandler(pods, 'log', nodes);
  assert.deepEqual(await answer(log.handle(hc('real', 'limitBytes=0'))), { code: 422, message: 'PodLogOptions "real" is invalid: limitBytes: Invalid value: 0: must be greater than 0' });
  assert.deepEqual(await answer(log.handle(hc('real', 'sinceSeconds=0'))), { code: 422, message: 'PodLogOptions "real" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0' });
  assert.equal((await answer(log.handle(hc('real', 'sinceTime=yesterday')))).code, 400);
});

test('podLogOptions renders the kubelet query in upstream order', () => {
  assert.equal(podLogOptions(new URLSearchParams('tailLines=3&follow=true&previous=1&timestamps=false&sinceTime=2024-01-02T03:04:05.678Z'), 'p'), '?follow=true&previous=true&sinceTime=2024-01-02T03%3A04%3A05Z&tailLines=3');
  assert.equal(podLogOptions(new URLSearchParams(''), 'p'), '');
});
