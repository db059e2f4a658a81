import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, newNotFound } from '../../../../machinery/errors.js';
import type { HandlerContext } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { podStreamHandler } from './subresources.js';

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

const hc = (name: string): HandlerContext =>
  ({ ri: { name }, requestContext: () => ({ user: { username: 'u', groups: [] }, namespace: 'default', dryRun: false, warnings: [] }) }) as unknown as HandlerContext;

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
  real: { metadata: { name: 'real', namespace: 'default' }, spec: { nodeName: 'worker' } },
  lost: { metadata: { name: 'lost', namespace: 'default' }, spec: { nodeName: 'gone' } },
  unbound: { metadata: { name: 'unbound', namespace: 'default' }, spec: {} },
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

test('other nodes keep the 503, unbound pods the 400', async () => {
  const real = await answer(podStreamHandler(pods, 'exec', nodes).handle(hc('real')));
  assert.equal(real.code, 503);
  assert.match(real.message, /node agent on node "worker"/);
  assert.equal((await answer(podStreamHandler(pods, 'log', nodes).handle(hc('lost')))).code, 503);
  assert.equal((await answer(podStreamHandler(pods, 'log').handle(hc('sim')))).code, 503, 'without the node store nothing changes');
  assert.equal((await answer(podStreamHandler(pods, 'log', nodes).handle(hc('unbound')))).code, 400);
});
