import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { StatusError, newNotFound } from '../../../../machinery/errors.js';
import type { HandlerContext, SubresourceHandler } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { parseRequestInfo } from '../../../request-info.js';
import { createCA, issueCertificate } from '../../../../util/pki/index.js';
import { nodeProxyHandler } from './proxy.js';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function serve(handler: SubresourceHandler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const ri = parseRequestInfo(req.method ?? 'GET', decodeURIComponent(u.pathname), u.searchParams);
    const hc = { req, res, ri, query: u.searchParams, requestContext: () => ({ user: { username: 'u', groups: [] }, namespace: ri.namespace, dryRun: false, warnings: [] }) } as unknown as HandlerContext;
    handler.handle(hc).catch((e: unknown) => {
      res.writeHead(e instanceof StatusError ? e.code : 500, { 'content-type': 'text/plain' });
      res.end((e as Error).message);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => close(server) };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { redirect: 'manual' });
  return { status: r.status, text: await r.text() };
}

test('nodes/proxy reaches the kubelet over mutual TLS, other ports over plain HTTP', async (t) => {
  const serverCA = await createCA({ commonName: 'test-server-ca', validityDays: 1 });
  const clientCA = await createCA({ commonName: 'test-client-ca', validityDays: 1 });
  const serving = await issueCertificate(serverCA, { commonName: 'n1', ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
  const client = await issueCertificate(clientCA, { commonName: 'kube-apiserver-kubelet-client', usages: 'client', validityDays: 1 });
  const kubelet = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: clientCA.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const cn = String(((req.socket as tls.TLSSocket).getPeerCertificate().subject as unknown as Record<string, string>).CN);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, cn }));
  });
  const kport = await listen(kubelet);
  const other = http.createServer((req, res) => res.end(`other ${req.url ?? ''}`));
  const oport = await listen(other);
  const nodes = {
    get: async (ctx: { namespace?: string }, name: string) => {
      assert.equal(ctx.namespace, undefined);
      if (name !== 'n1') throw newNotFound({ group: '', resource: 'nodes' }, name);
      return { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kport } } } };
    },
  } as unknown as GenericStore;
  const kc = { certPem: client.certPem, keyPem: client.keyPem, caPem: serverCA.certPem };
  const api = await serve(nodeProxyHandler(nodes, kc, { allowAddress: () => true }));
  const strict = await serve(nodeProxyHandler(nodes, kc));
  const noCert = await serve(nodeProxyHandler(nodes, undefined));
  t.after(async () => {
    await api.close();
    await strict.close();
    await noCert.close();
    await close(kubelet);
    await close(other);
  });
  const summary = await get(`${api.url}/api/v1/nodes/n1/proxy/stats/summary?only_cpu_and_memory=true`);
  assert.equal(summary.status, 200);
  assert.deepEqual(JSON.parse(summary.text), { path: '/stats/summary?only_cpu_and_memory=true', cn: 'kube-apiserver-kubelet-client' });
  assert.equal(JSON.parse((await get(`${strict.url}/api/v1/nodes/n1:${kport}/proxy/pods`)).text).path, '/pods', 'the kubelet port is the kubelet, loopback or not');
  assert.deepEqual(await get(`${api.url}/api/v1/nodes/n1:${oport}/proxy/metrics`), { status: 200, text: 'other /metrics' });
  assert.deepEqual(await get(`${strict.url}/api/v1/nodes/n1:${oport}/proxy/metrics`), { status: 400, text: 'address not allowed' });
  assert.equal((await get(`${noCert.url}/api/v1/nodes/n1/proxy/healthz`)).status, 400);
  assert.equal((await get(`${api.url}/api/v1/nodes/n2/proxy/healthz`)).status, 404);
  assert.deepEqual(await get(`${api.url}/api/v1/nodes/a:b:c:d/proxy/`), { status: 400, text: 'invalid node request "a:b:c:d"' });
});
