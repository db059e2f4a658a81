import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { StatusError } from '../../machinery/errors.js';
import type { Req, Res } from '../endpoints/response.js';
import { isGlobalUnicast, proxyHTTP, proxyPath, splitSchemeNamePort, type ProxyTarget } from './http.js';
import { markUpgrade } from './upgrade.js';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A backend that echoes what it got as JSON, with a custom header and status 201. */
function echoBackend(): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/login?next=1' });
        res.end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'yes', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
}

/** A front server standing in for the API server: proxies everything under /p to `target`. */
function front(target: () => ProxyTarget): http.Server {
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const ri = { apiPrefix: 'api' as const, namespace: 'ns' };
    const { path, prefix } = proxyPath(req.url ?? '/', ri);
    proxyHTTP(target(), req as unknown as Req, res as unknown as Res, { path, prefix, dialTimeoutMs: 1000 }).catch((e: unknown) => {
      const err = e as StatusError;
      res.writeHead(err.code ?? 500, { 'content-type': 'text/plain' });
      res.end(`${err.reason}: ${err.message}`);
    });
  };
  const server = http.createServer(handle);
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const res = new http.ServerResponse(req);
    res.assignSocket(socket);
    res.on('finish', () => socket.end());
    markUpgrade(req, socket, head);
    handle(req, res);
  });
  return server;
}

async function fetchText(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
  const r = await fetch(url, { ...init, redirect: 'manual' });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

test('splitSchemeNamePort as upstream', () => {
  assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
  assert.deepEqual(splitSchemeNamePort('web:8080'), { scheme: '', name: 'web', port: '8080' });
  assert.deepEqual(splitSchemeNamePort('https:web:443'), { scheme: 'https', name: 'web', port: '443' });
  assert.deepEqual(splitSchemeNamePort('https:web:'), { scheme: 'https', name: 'web', port: '' });
  assert.equal(splitSchemeNamePort('ftp:web:21'), undefined);
  assert.equal(splitSchemeNamePort(':80'), undefined);
  assert.equal(splitSchemeNamePort('a:b:c:d'), undefined);
});

test('proxyPath keeps the trailing slash and the escaped remainder', () => {
  const ns = { apiPrefix: 'api' as const, namespace: 'ns' };
  assert.deepEqual(proxyPath('/api/v1/namespaces/ns/pods/p:80/proxy', ns), { path: '', prefix: '/api/v1/namespaces/ns/pods/p:80/proxy', query: '' });
  assert.deepEqual(proxyPath('/api/v1/namespaces/ns/pods/p/proxy/?a=1', ns), { path: '/', prefix: '/api/v1/namespaces/ns/pods/p/proxy', query: 'a=1' });
  assert.equal(proxyPath('/api/v1/namespaces/ns/services/s/proxy/a%20b/c/', ns).path, '/a%20b/c/');
  assert.deepEqual(proxyPath('/api/v1/nodes/n1/proxy/stats/summary', { apiPrefix: 'api', namespace: undefined }).path, '/stats/summary');
});

test('isGlobalUnicast refuses loopback, link-local, multicast and unspecified', () => {
  for (const ip of ['10.42.0.5', '192.168.1.1', '8.8.8.8', 'fd00::1', '2001:db8::1']) assert.equal(isGlobalUnicast(ip), true, ip);
  for (const ip of ['127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '', 'x']) assert.equal(isGlobalUnicast(ip), false, ip);
});

test('requests are replayed with method, body, query and headers, minus credentials and hop-by-hop', async (t) => {
  const backend = echoBackend();
  const port = await listen(backend);
  const f = front(() => ({ scheme: 'http', host: '127.0.0.1', port }));
  const fport = await listen(f);
  t.after(async () => {
    await close(f);
    await close(backend);
  });
  const base = `http://127.0.0.1:${fport}/api/v1/namespaces/ns/pods/p/proxy`;
  const r = await fetchText(`${base}/a/b/?x=1&y=2`, { method: 'POST', body: 'hello', headers: { authorization: 'Bearer secret', 'x-custom': 'v', 'impersonate-user': 'root' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('x-backend'), 'yes');
  assert.equal(r.headers.get('access-control-allow-origin'), null, 'CORS headers are removed');
  const got = JSON.parse(r.text) as { method: string; url: string; body: string; headers: Record<string, string> };
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/a/b/?x=1&y=2');
  assert.equal(got.body, 'hello');
  assert.equal(got.headers['x-custom'], 'v');
  assert.equal(got.headers.authorization, undefined);
  assert.equal(got.headers['impersonate-user'], undefined);
  assert.equal(got.headers.host, `127.0.0.1:${port}`);
  assert.equal(got.headers['x-forwarded-uri'], '/api/v1/namespaces/ns/pods/p/proxy/a/b/');
  assert.equal(got.headers['x-forwarded-for'], '127.0.0.1');

  const root = await fetchText(`${base}/`);
  assert.equal((JSON.parse(root.text) as { url: string }).url, '/');

  const redirect = await fetchText(`${base}?q=1`);
  assert.equal(redirect.status, 301, 'an empty path redirects to the trailing slash');
  assert.equal(redirect.headers.get('location'), '/api/v1/namespaces/ns/pods/p/proxy/?q=1');

  const login = await fetchText(`${base}/redirect`);
  assert.equal(login.status, 302);
  assert.equal(login.headers.get('location'), '/api/v1/namespaces/ns/pods/p/proxy/login?next=1', 'backend redirects come back through the proxy');
});

test('a refused connection is a 503 in Go words', async (t) => {
  const tmp = net.createServer();
  const dead = await new Promise<number>((resolve) => tmp.listen(0, '127.0.0.1', () => resolve((tmp.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => tmp.close(() => resolve()));
  const f = front(() => ({ scheme: 'http', host: '127.0.0.1', port: dead }));
  const fport = await listen(f);
  t.after(() => close(f));
  const r = await fetchText(`http://127.0.0.1:${fport}/api/v1/namespaces/ns/pods/p/proxy/`);
  assert.equal(r.status, 503);
  assert.equal(r.text, `ServiceUnavailable: error trying to reach service: dial tcp 127.0.0.1:${dead}: connect: connection refused`);
});

test('answers are streamed as they come', async (t) => {
  let finish: (() => void) | undefined;
  const backend = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first\n');
    finish = () => res.end('last\n');
  });
  const port = await listen(backend);
  const f = front(() => ({ scheme: 'http', host: '127.0.0.1', port }));
  const fport = await listen(f);
  t.after(async () => {
    await close(f);
    await close(backend);
  });
  const r = await fetch(`http://127.0.0.1:${fport}/api/v1/namespaces/ns/pods/p/proxy/stream`);
  const reader = r.body!.getReader();
  const first = await reader.read();
  assert.equal(Buffer.from(first.value!).toString(), 'first\n', 'the first chunk arrives before the backend ends');
  finish!();
  let rest = '';
  for (;;) {
    const c = await reader.read();
    if (c.done) break;
    rest += Buffer.from(c.value).toString();
  }
  assert.equal(rest, 'last\n');
});

test('upgrade requests are piped to the backend byte for byte', async (t) => {
  const backend = http.createServer();
  backend.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Path: ${req.url ?? ''}\r\nX-Auth: ${req.headers.authorization ?? 'none'}\r\n\r\n`);
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    socket.on('end', () => socket.end());
  });
  const port = await listen(backend);
  const f = front(() => ({ scheme: 'http', host: '127.0.0.1', port }));
  const fport = await listen(f);
  t.after(async () => {
    await close(f);
    await close(backend);
  });
  const sock = net.connect(fport, '127.0.0.1');
  sock.write('GET /api/v1/namespaces/ns/pods/p/proxy/ws?a=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nAuthorization: Bearer secret\r\n\r\n');
  let got = '';
  await new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n\r\n') && !got.includes('echo:')) sock.write('ping');
      if (got.includes('echo:ping')) resolve();
    });
  });
  assert.match(got, /^HTTP\/1\.1 101 Switching Protocols/);
  assert.match(got, /X-Path: \/ws\?a=1/);
  assert.match(got, /X-Auth: none/);
  // Closing the client closes the backend connection too (the servers can then close).
  sock.destroy();
});
