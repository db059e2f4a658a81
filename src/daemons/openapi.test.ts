import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createOpenAPIService } from './openapi.js';

test('the v3 index is built on first request, shared by concurrent requests, and names each document by its hash', async () => {
  const openapi = createOpenAPIService();
  const [a, b] = await Promise.all([openapi.v3Index(), openapi.v3Index()]);
  assert.equal(a, b);
  const index = JSON.parse(a.json()) as { paths: Record<string, { serverRelativeURL: string }> };
  const url = index.paths['apis/apps/v1']!.serverRelativeURL;
  const doc = openapi.v3('apis/apps/v1')!;
  assert.equal(url, `/openapi/v3/apis/apps/v1?hash=${doc.hash}`);
  assert.equal(gunzipSync(doc.gzip).toString('utf8'), doc.json());
  assert.ok((JSON.parse(doc.json()) as { components: { schemas: Record<string, unknown> } }).components.schemas['io.k8s.api.apps.v1.Deployment']);
  assert.equal(openapi.v3('apis/nope/v1'), undefined);
});
