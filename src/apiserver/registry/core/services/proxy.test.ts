import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { StatusError, newNotFound } from '../../../../machinery/errors.js';
import type { HandlerContext, SubresourceHandler } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { parseRequestInfo } from '../../../request-info.js';
import { serviceProxyHandler } from './proxy.js';
import { podProxyHandler } from '../pods/subresources.js';

function store(resource: string, objects: Record<string, unknown>): GenericStore {
  return {
    get: async (_ctx: unknown, name: string) => {
      const o = objects[name];
      if (!o) throw newNotFound({ group: '', resource }, name);
      return structuredClone(o);
    },
  } as unknown as GenericStore;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An API-server stand-in that hands every request to `handler` as the resource handler would. */
async function serve(handler: SubresourceHandler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const ri = parseRequestInfo(req.method ?? 'GET', decodeURIComponent(u.pathname), u.searchParams);
    const hc = { req, res, ri, query: u.searchParams, requestContext: () => ({ user: { username: 'u', groups: [] }, namespace: ri.namespace, dryRun: false, warnings: [] }) } as unknown as HandlerContext;
    handler.handle(hc).catch((e: unknown) => {
      const err = e as StatusError;
      res.writeHead(err instanceof StatusError ? err.code : 500, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => close(server) };
}

/** The pod stand-in: answers with its name and the path it got. */
async function backend(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const s = http.createServer((req, res) => res.end(`${name} ${req.method ?? ''} ${req.url ?? ''}`));
  const port = await listen(s);
  return { port, close: () => close(s) };
}

async function freePort(): Promise<number> {
  const tmp = net.createServer();
  const port = await new Promise<number>((resolve) => tmp.listen(0, '127.0.0.1', () => resolve((tmp.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => tmp.close(() => resolve()));
  return port;
}

async function get(url: string, method = 'GET'): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { method, redirect: 'manual' });
  return { status: r.status, text: await r.text() };
}

test('pods/proxy reaches the pod IP on the asked, named or first container port', async (t) => {
  const web = await backend('web');
  const dead = await freePort();
  const pod = (name: string, ip: string | undefined, ports: { name?: string; containerPort: number }[]) => ({
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'c', ports }] },
    status: ip ? { podIP: ip, podIPs: [{ ip }] } : {},
  });
  const pods = store('pods', {
    p: pod('p', '127.0.0.1', [{ name: 'http', containerPort: web.port }]),
    noip: pod('noip', undefined, []),
    down: pod('down', '127.0.0.1', [{ containerPort: dead }]),
  });
  const api = await serve(podProxyHandler(pods, { allowAddress: () => true, dialTimeoutMs: 1000 }));
  const strict = await serve(podProxyHandler(pods));
  t.after(async () => {
    await api.close();
    await strict.close();
    await web.close();
  });
  const base = `${api.url}/api/v1/namespaces/ns/pods`;
  assert.deepEqual(await get(`${base}/p/proxy/index.html?a=1`), { status: 200, text: 'web GET /index.html?a=1' }, 'no port: the first container port');
  assert.deepEqual(await get(`${base}/p:${web.port}/proxy/x/`, 'POST'), { status: 200, text: 'web POST /x/' });
  assert.deepEqual(await get(`${base}/http:p:http/proxy/`), { status: 200, text: 'web GET /' }, 'a named container port');
  assert.equal((await get(`${base}/p/proxy`)).status, 301);
  assert.deepEqual(await get(`${base}/p:nope/proxy/`), { status: 503, text: 'error trying to reach service: dial tcp: lookup tcp/nope: unknown port' });
  assert.deepEqual(await get(`${base}/down/proxy/`), { status: 503, text: `error trying to reach service: dial tcp 127.0.0.1:${dead}: connect: connection refused` });
  assert.deepEqual(await get(`${base}/noip/proxy/`), { status: 400, text: 'address not allowed' });
  assert.deepEqual(await get(`${base}/ftp:p:80/proxy/`), { status: 400, text: 'invalid pod request "ftp:p:80"' });
  assert.equal((await get(`${base}/missing/proxy/`)).status, 404);
  assert.deepEqual(await get(`${strict.url}/api/v1/namespaces/ns/pods/p/proxy/`), { status: 400, text: 'address not allowed' }, 'loopback pod IPs are refused by default');
});

test('services/proxy reaches a ready endpoint whose pod has that IP', async (t) => {
  const a = await backend('a');
  const services = store('services', {
    s: { metadata: { name: 's', namespace: 'ns' }, spec: { ports: [{ name: 'web', port: 80 }, { name: 'other', port: 81 }] } },
    empty: { metadata: { name: 'empty', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } },
    plain: { metadata: { name: 'plain', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } },
  });
  const ref = (name: string) => ({ kind: 'Pod', namespace: 'ns', name });
  const endpoints = store('endpoints', {
    s: {
      subsets: [
        { addresses: [{ ip: '127.0.0.1', targetRef: ref('pa') }], notReadyAddresses: [{ ip: '127.0.0.2', targetRef: ref('pb') }], ports: [{ name: 'web', port: a.port }] },
      ],
    },
    empty: { subsets: [] },
    plain: { subsets: [{ addresses: [{ ip: '127.0.0.9', targetRef: ref('stale') }, { ip: '127.0.0.1', targetRef: ref('pa') }], ports: [{ port: a.port }] }] },
  });
  const pods = store('pods', {
    pa: { metadata: { name: 'pa', namespace: 'ns' }, status: { podIPs: [{ ip: '127.0.0.1' }] } },
    stale: { metadata: { name: 'stale', namespace: 'ns' }, status: { podIPs: [{ ip: '10.0.0.1' }] } },
  });
  const api = await serve(serviceProxyHandler({ services, endpoints, pods }, { random: () => 0, dialTimeoutMs: 1000 }));
  t.after(async () => {
    await api.close();
    await a.close();
  });
  const base = `${api.url}/api/v1/namespaces/ns/services`;
  assert.deepEqual(await get(`${base}/s:web/proxy/hello`), { status: 200, text: 'a GET /hello' });
  assert.deepEqual(await get(`${base}/http:s:80/proxy/hello`), { status: 200, text: 'a GET /hello' }, 'a port number is the service port');
  assert.deepEqual(await get(`${base}/s:82/proxy/`), { status: 503, text: 'no service port 82 found for service "s"' });
  assert.deepEqual(await get(`${base}/s:other/proxy/`), { status: 503, text: 'no endpoints available for service "s:other"' });
  assert.deepEqual(await get(`${base}/empty/proxy/`), { status: 503, text: 'no endpoints available for service "empty"' });
  assert.deepEqual(await get(`${base}/plain/proxy/x`), { status: 200, text: 'a GET /x' }, 'an address whose pod no longer has that IP is skipped');
  assert.equal((await get(`${base}/nope/proxy/`)).status, 404);
});
