import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../clientset.js';
import { GroupDiscoveryFailedError, supportingVerbs } from './discovery.js';

test('preferred resources come from /api/v1 and each group; subresources are left out; failures are reported', async () => {
  const docs: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/apis': {
      kind: 'APIGroupList',
      groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }, { groupVersion: 'apps/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
        { name: 'broken.example.com', versions: [{ groupVersion: 'broken.example.com/v1', version: 'v1' }] },
      ],
    },
    '/api/v1': {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        { name: 'pods', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'] },
        { name: 'pods/status', namespaced: true, kind: 'Pod', verbs: ['get'] },
        { name: 'bindings', namespaced: true, kind: 'Binding', verbs: ['create'] },
      ],
    },
    '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['delete', 'list', 'watch'] }] },
  };
  const server = http.createServer((req, res) => {
    const doc = docs[req.url!];
    res.writeHead(doc ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc ?? { kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'down' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = createClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  try {
    const err = await client.discovery.serverResources().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof GroupDiscoveryFailedError);
    assert.deepEqual([...err.failures.keys()], ['broken.example.com/v1']);
    assert.deepEqual(
      err.resources.map((r) => `${r.group}/${r.version}/${r.resource}`),
      ['/v1/pods', '/v1/bindings', 'apps/v1/deployments'],
    );
    assert.deepEqual(supportingVerbs(err.resources, ['delete', 'list', 'watch']).map((r) => r.resource), ['pods', 'deployments']);
    const all = await client.discovery.groupVersions({ allVersions: true });
    assert.deepEqual(all.map((g) => `${g.group}/${g.version}`), ['/v1', 'apps/v1', 'apps/v1beta1', 'broken.example.com/v1']);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
