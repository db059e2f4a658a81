// State survives a server restart: every object is still there with its resourceVersion, new
// writes get larger resourceVersions than any before, and a watch resumed from its last
// resourceVersion receives exactly the events it missed, across the restart.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { stringify as stringifyYaml } from 'yaml';
import { kubectlOk, startServer, waitFor } from '../harness.js';
import type { Server } from '../harness.js';
import { api, openWatch } from './util.js';
import type { WatchEvent } from './util.js';

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion: string;
  uid: string;
}
interface ListBody {
  metadata: { resourceVersion: string };
  items: { metadata: Meta; data?: Record<string, string> }[];
}

const CMS = '/api/v1/namespaces/default/configmaps';

describe('server restart', () => {
  let server: Server;
  before(async () => {
    server = await startServer();
  });

  async function write(method: string, path: string, body?: unknown, contentType?: string): Promise<Meta> {
    const res = await api(server, method, path, body, contentType);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.body}`);
    return (JSON.parse(res.body) as { metadata: Meta }).metadata;
  }

  const cm = (name: string, data: Record<string, string>): unknown => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

  it('a watch sends its response headers before the first event', async () => {
    // Clients (client-go, the Python client over HTTP/1.1) wait for the headers before reading
    // events; kube-apiserver flushes them as soon as the watch starts.
    const list = JSON.parse((await api(server, 'GET', CMS)).body) as ListBody;
    const w = openWatch(server, `${CMS}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      const status = await Promise.race([w.response, new Promise<string>((r) => setTimeout(() => r('no headers within 5 s'), 5000))]);
      assert.equal(status, 200);
    } finally {
      w.close();
    }
  });

  it('objects, resourceVersions and missed watch events survive a restart', async () => {
    // Objects of several kinds, namespaced and cluster-scoped, through kubectl.
    await kubectlOk(server, ['create', '-f', '-'], {
      input: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-keep' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: 'e2e-keep' }, data: { a: '1' } },
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kept', namespace: 'e2e-keep' }, stringData: { k: 'v' } },
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'e2e-kept' }, rules: [] },
        ]
        .map((o) => stringifyYaml(o))
        .join('---\n'),
    });
    const c1 = await write('POST', CMS, cm('c1', { v: '1' }));
    const c2 = await write('POST', CMS, cm('c2', { v: '1' }));
    assert.ok(BigInt(c2.resourceVersion) > BigInt(c1.resourceVersion));

    // A watcher sees c3 and then goes away, remembering the last resourceVersion it saw.
    const first = openWatch(server, `${CMS}?watch=true&resourceVersion=${c2.resourceVersion}`);
    await new Promise((r) => setTimeout(r, 300));
    const c3 = await write('POST', CMS, cm('c3', { v: '1' }));
    await waitFor(() => first.events.length >= 1, { timeoutMs: 10_000, description: 'the watcher to see c3' });
    first.close();
    assert.equal(await first.response, 200);
    assert.equal(first.events[0]?.type, 'ADDED');
    assert.equal(first.events[0]?.object.metadata?.name, 'c3');
    const lastSeen = first.events[first.events.length - 1]?.object.metadata?.resourceVersion ?? '';
    assert.equal(lastSeen, c3.resourceVersion);

    // Missed while away: before the restart...
    const m1 = await write('PUT', `${CMS}/c1`, { ...(cm('c1', { v: '2' }) as object), metadata: { name: 'c1', resourceVersion: c1.resourceVersion } });
    const before = JSON.parse((await api(server, 'GET', '/api/v1/configmaps')).body) as ListBody;
    const kept = JSON.parse(await kubectlOk(server, ['get', 'secret,cm', '-n', 'e2e-keep', '-o', 'json'])) as ListBody;
    const clusterRole = JSON.parse(await kubectlOk(server, ['get', 'clusterrole', 'e2e-kept', '-o', 'json'])) as { metadata: Meta };

    await server.restart();

    // ...and after it.
    const after = JSON.parse((await api(server, 'GET', '/api/v1/configmaps')).body) as ListBody;
    const rvOf = (list: ListBody): Map<string, string> => new Map(list.items.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, `${i.metadata.uid} ${i.metadata.resourceVersion}`]));
    assert.deepEqual(rvOf(after), rvOf(before), 'every configmap is back with the same uid and resourceVersion');
    const keptAfter = JSON.parse(await kubectlOk(server, ['get', 'secret,cm', '-n', 'e2e-keep', '-o', 'json'])) as ListBody;
    assert.deepEqual(keptAfter.items.map((i) => i.metadata), kept.items.map((i) => i.metadata));
    const roleAfter = JSON.parse(await kubectlOk(server, ['get', 'clusterrole', 'e2e-kept', '-o', 'json'])) as { metadata: Meta };
    assert.deepEqual(roleAfter.metadata, clusterRole.metadata);
    assert.ok(BigInt(after.metadata.resourceVersion) >= BigInt(m1.resourceVersion), 'the list RV is not behind the last write');

    const d2 = await api(server, 'DELETE', `${CMS}/c2`);
    assert.equal(d2.status, 200, d2.body);
    const c4 = await write('POST', CMS, cm('c4', { v: '1' }));
    const m3 = await write('PATCH', `${CMS}/c3`, { data: { v: '2' } }, 'application/merge-patch+json');
    const highestBefore = [m1.resourceVersion, ...before.items.map((i) => i.metadata.resourceVersion)].map((v) => BigInt(v)).reduce((a, b) => (a > b ? a : b));
    assert.ok(BigInt(c4.resourceVersion) > highestBefore, `a write after the restart (${c4.resourceVersion}) is above every RV before it (${highestBefore})`);
    assert.ok(BigInt(m3.resourceVersion) > BigInt(c4.resourceVersion));

    // The watcher resumes from its last resourceVersion: exactly the missed events, in order.
    const resumed = openWatch(server, `${CMS}?watch=true&resourceVersion=${lastSeen}`);
    await waitFor(() => resumed.events.length >= 4, { timeoutMs: 10_000, description: `4 missed events, got ${JSON.stringify(resumed.events)}` });
    await new Promise((r) => setTimeout(r, 500));
    resumed.close();
    assert.equal(await resumed.response, 200);
    // The deletion's resourceVersion is only in its event (DELETE answers a Status for configmaps).
    const d2rv = resumed.events[1]?.object.metadata?.resourceVersion ?? '0';
    assert.ok(BigInt(d2rv) > highestBefore && BigInt(d2rv) < BigInt(c4.resourceVersion), `the deletion's RV ${d2rv} lies between`);
    const seen = resumed.events.map((e: WatchEvent) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`);
    assert.deepEqual(seen, [
      `MODIFIED c1 ${m1.resourceVersion}`,
      `DELETED c2 ${d2rv}`,
      `ADDED c4 ${c4.resourceVersion}`,
      `MODIFIED c3 ${m3.resourceVersion}`,
    ]);
    const c3data = (resumed.events[3]?.object as { data?: Record<string, string> }).data;
    assert.deepEqual(c3data, { v: '2' });
  });

  it('kubectl sees the same state after a second restart', async () => {
    await server.restart();
    const out = await kubectlOk(server, ['get', 'cm', 'c1', 'c3', 'c4', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.v} {end}']);
    assert.equal(out, 'c1=2 c3=2 c4=1 ');
    assert.equal(await kubectlOk(server, ['get', 'ns', 'e2e-keep', '-o', 'jsonpath={.status.phase}']), 'Active');
  });
});
