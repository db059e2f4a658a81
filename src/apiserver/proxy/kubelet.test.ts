// The pod streaming subresources end to end over HTTPS: a real APIServer (HTTP/1.1 upgrades
// included) whose pods' node points at a fake kubelet (mutual TLS, records what it is asked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Registry as MetricsRegistry } from 'prom-client';
import { SqliteBackend, createStorage } from '../../storage/index.js';
import { APIRegistry } from '../registry/index.js';
import { APIServer, type OpenAPIService } from '../server.js';
import { ResourceHandler } from '../endpoints/resource.js';
import { ClientCertAuthenticator } from '../filters/authentication.js';
import { printers, defaultPrinter } from '../printers/index.js';
import { podStreamHandler } from '../registry/core/pods/subresources.js';
import { createCA, issueCertificate, type CertificateAndKey } from '../../util/pki/index.js';
import { nopLogger } from '../../logging/index.js';
import type { ApiObject } from '../../api/scheme.js';
import type { RequestContext } from '../registry/generic/store.js';

const emptyDocument = { hash: 'x', gzip: gzipSync('{}'), json: () => '{}' };
const openapi: OpenAPIService = { v2: () => emptyDocument, v2Protobuf: async () => Buffer.alloc(0), v3Index: async () => emptyDocument, v3: () => undefined };

/** A kubelet stand-in: logs answer by path, upgrades get 101 and an echo; every request line and head is kept. */
class FakeKubelet {
  readonly requests: string[] = [];
  readonly heads: string[] = [];
  readonly clientCNs: string[] = [];
  port = 0;
  private server: https.Server;
  private readonly sockets = new Set<Duplex>();

  constructor(serving: CertificateAndKey, clientCA: string) {
    this.server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: clientCA, requestCert: true, rejectUnauthorized: true });
    this.server.on('secureConnection', (s: tls.TLSSocket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      this.clientCNs.push(String((s.getPeerCertificate().subject as unknown as Record<string, string>).CN));
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.requests.push(`${req.method} ${req.url}`);
      if (req.url?.includes('/waiting')) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('container "waiting" in pod "web" is waiting to start: ContainerCreating');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('line 1\n');
      // A followed log: the second line comes later, the stream stays open until the client goes.
      if (req.url?.includes('follow=true')) setTimeout(() => res.write('line 2\n'), 20);
      else res.end('line 2\n');
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.requests.push(`${req.method} ${req.url}`);
      this.heads.push(req.rawHeaders.join('|'));
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
      if (head.length) socket.write(head);
      socket.pipe(socket);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let dir = '';
let backend: SqliteBackend;
let server: APIServer;
let kubelet: FakeKubelet;
let port = 0;
let serverCA: CertificateAndKey;
let admin: CertificateAndKey;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-streams-'));
  backend = new SqliteBackend({ path: join(dir, 'db.sqlite'), logger: nopLogger() });
  await backend.start();
  const storage = createStorage(backend);
  const registry = new APIRegistry({ serviceCIDR: '10.43.0.0/16', storageFor: () => storage });
  const pods = registry.store('', 'pods');
  const nodes = registry.store('', 'nodes');
  serverCA = await createCA({ commonName: 'test-server-ca', validityDays: 1 });
  const clientCA = await createCA({ commonName: 'test-client-ca', validityDays: 1 });
  const serving = await issueCertificate(serverCA, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
  const kubeletServing = await issueCertificate(serverCA, { commonName: 'node-1', ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
  const kubeletClient = await issueCertificate(clientCA, { commonName: 'kube-apiserver-kubelet-client', usages: 'client', validityDays: 1 });
  admin = await issueCertificate(clientCA, { commonName: 'system:admin', organizations: ['system:masters'], usages: 'client', validityDays: 1 });
  kubelet = new FakeKubelet(kubeletServing, clientCA.certPem);
  await kubelet.start();
  const kc = { certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem, caPem: serverCA.certPem };
  const stream = (what: 'log' | 'exec' | 'attach' | 'portforward' | 'proxy') => podStreamHandler(pods, what, nodes, kc);
  const handler = new ResourceHandler({
    registry,
    printers,
    defaultPrinter,
    schema: { unknownFields: () => [], duplicateFields: () => [], typeErrors: () => [] },
    subresources: { 'pods/log': stream('log'), 'pods/exec': stream('exec'), 'pods/attach': stream('attach'), 'pods/portforward': stream('portforward') },
  });
  server = new APIServer({
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCA: clientCA.certPem },
    authenticator: new ClientCertAuthenticator(),
    resources: handler,
    openapi,
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: '', gitTreeState: '', buildDate: '', goVersion: '', compiler: '', platform: '' },
    logger: nopLogger(),
    metrics: new MetricsRegistry(),
    ready: () => true,
  });
  port = await server.start();
  const ctx: RequestContext = { user: { name: 'system:admin', groups: ['system:masters'] }, namespace: undefined, dryRun: false, warnings: [] };
  const node = (name: string, addresses: { type: string; address: string }[], p: number): ApiObject =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: p } } } }) as ApiObject;
  await nodes.create(ctx, node('node-1', [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '127.0.0.1' }], kubelet.port));
  // A node whose kubelet is not listening (port 1 on loopback refuses).
  await nodes.create(ctx, node('dead', [{ type: 'InternalIP', address: '127.0.0.1' }], 1));
  const pod = (name: string, nodeName: string | undefined, containers: string[]): ApiObject =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, automountServiceAccountToken: false, containers: containers.map((c) => ({ name: c, image: 'busybox' })) } }) as ApiObject;
  await registry.store('', 'namespaces').create(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as ApiObject);
  const nsCtx = { ...ctx, namespace: 'default' };
  await registry.store('', 'serviceaccounts').create(nsCtx, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } } as ApiObject);
  for (const p of [pod('web', 'node-1', ['c']), pod('two', 'node-1', ['a', 'b']), pod('pending', undefined, ['c']), pod('orphan', 'dead', ['c'])]) {
    const r = await call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(p));
    assert.equal(r.status, 201, r.body);
  }
});

after(async () => {
  await server?.close();
  await kubelet?.close();
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string): Promise<{ status: number; body: string; type?: string }> {
  return call('GET', path);
}

function call(method: string, path: string, body?: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method, headers: body ? { 'content-type': 'application/json' } : {}, ca: serverCA.certPem, cert: admin.certPem, key: admin.keyPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw HTTP/1.1 request on TLS (what kubectl sends for streams); resolves with the response head and the socket. */
function raw(head: string): Promise<{ sock: tls.TLSSocket; head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca: serverCA.certPem, cert: admin.certPem, key: admin.keyPem, ALPNProtocols: ['http/1.1'] }, () => sock.write(head));
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      resolve({ sock, head: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 4) });
    };
    sock.on('data', onData);
    sock.on('error', reject);
  });
}

function readUntil(sock: tls.TLSSocket, initial: Buffer, done: (b: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    let buf = initial;
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (done(buf)) finish();
    };
    const finish = (): void => {
      sock.off('data', onData);
      sock.off('end', finish);
      resolve(buf);
    };
    if (done(buf)) return resolve(buf);
    sock.on('data', onData);
    sock.on('end', finish);
  });
}

/** The body of an HTTP/1.1 response, chunked or not. */
function bodyOf(head: string, body: Buffer): string {
  if (!/transfer-encoding: chunked/i.test(head)) return body.toString();
  const out: Buffer[] = [];
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.subarray(0, eol).toString(), 16);
    if (!size) break;
    out.push(rest.subarray(eol + 2, eol + 2 + size));
    rest = rest.subarray(eol + 2 + size + 2);
  }
  return Buffer.concat(out).toString();
}

const spdy = (path: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\n${extra}\r\n`;

test('pods/log: the kubelet is asked with the upstream query and its text streamed back', async () => {
  const r = await get('/api/v1/namespaces/default/pods/web/log?timestamps=true&tailLines=5&sinceSeconds=10&limitBytes=100');
  assert.deepEqual(r, { status: 200, body: 'line 1\nline 2\n', type: 'text/plain' });
  assert.equal(kubelet.requests.at(-1), 'GET /containerLogs/default/web/c?timestamps=true&sinceSeconds=10&tailLines=5&limitBytes=100');
  assert.equal(kubelet.clientCNs.at(-1), 'kube-apiserver-kubelet-client');
});

test('pods/log follow: lines arrive as the kubelet writes them; the kubelet stream ends with the client', async () => {
  await new Promise<void>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default/pods/web/log?follow=true', ca: serverCA.certPem, cert: admin.certPem, key: admin.keyPem, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (text === 'line 1\nline 2\n') {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(kubelet.requests.at(-1), 'GET /containerLogs/default/web/c?follow=true');
});

test('pods/log errors: kubelet 400 → BadRequest, validation → 422, container checks, pending pod → empty', async () => {
  const status = async (path: string): Promise<[number, string]> => {
    const r = await get(path);
    return [r.status, (JSON.parse(r.body) as { message: string }).message];
  };
  assert.deepEqual(await status('/api/v1/namespaces/default/pods/two/log?container=waiting'), [400, 'container waiting is not valid for pod two']);
  assert.deepEqual(await status('/api/v1/namespaces/default/pods/two/log'), [400, 'a container name must be specified for pod two, choose one of: [a b]']);
  assert.deepEqual(await status('/api/v1/namespaces/default/pods/web/log?tailLines=-1'), [422, 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(await status('/api/v1/namespaces/default/pods/web/log?tailLines=x'), [400, 'strconv.ParseInt: parsing "x": invalid syntax']);
  assert.equal((await status('/api/v1/namespaces/default/pods/web/log?sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z'))[0], 422);
  assert.deepEqual(await get('/api/v1/namespaces/default/pods/pending/log'), { status: 200, body: '', type: 'text/plain' });
  const [code, message] = await status('/api/v1/namespaces/default/pods/orphan/log');
  assert.equal(code, 500);
  assert.match(message, /^error dialing backend: dial tcp 127\.0\.0\.1:1: connect ECONNREFUSED/);
});

test('exec over SPDY: replayed to the kubelet (credentials dropped, flags as 1), then piped both ways', async () => {
  const { sock, head, rest } = await raw(spdy('/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=echo%20hi&container=c&stdin=true&stdout=true&tty=false', 'Authorization: Bearer nope\r\n'));
  try {
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    sock.write('spdy-bytes');
    assert.equal((await readUntil(sock, rest, (b) => b.length >= 10)).toString(), 'spdy-bytes');
    assert.equal(kubelet.requests.at(-1), 'POST /exec/default/web/c?input=1&output=1&command=sh&command=-c&command=echo+hi');
    const replayed = kubelet.heads.at(-1)!;
    assert.match(replayed, /X-Stream-Protocol-Version\|v4\.channel\.k8s\.io\|X-Stream-Protocol-Version\|v3\.channel\.k8s\.io/);
    assert.doesNotMatch(replayed, /Authorization/i);
  } finally {
    sock.destroy();
  }
});

test('kubectl 1.30+ WebSocket (v5 only) is refused with a non-101 so it falls back; v4 WebSocket is proxied', async () => {
  const ws = (protocols: string): string =>
    `GET /api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocols}\r\n\r\n`;
  const refused = await raw(ws('v5.channel.k8s.io'));
  const body = await readUntil(refused.sock, refused.rest, () => false);
  assert.match(refused.head, /^HTTP\/1\.1 400 Bad Request/);
  assert.equal((JSON.parse(bodyOf(refused.head, body)) as { reason: string }).reason, 'BadRequest');
  const tunnel = await raw(ws('SPDY/3.1+portforward.k8s.io').replace('/exec?command=sh&stdout=true', '/portforward'));
  tunnel.sock.destroy();
  assert.match(tunnel.head, /^HTTP\/1\.1 400/);
  const before = kubelet.requests.length;
  const v4 = await raw(ws('v4.channel.k8s.io,v5.channel.k8s.io'));
  v4.sock.destroy();
  assert.match(v4.head, /^HTTP\/1\.1 101/);
  assert.equal(kubelet.requests.length, before + 1);
});

test('attach and port-forward reach their kubelet paths; errors before the upgrade are Status answers', async () => {
  for (const [path, want] of [
    ['/api/v1/namespaces/default/pods/web/attach?stdin=true&stdout=true&tty=true', 'POST /attach/default/web/c?input=1&output=1&tty=1'],
    ['/api/v1/namespaces/default/pods/web/portforward?ports=8080', 'POST /portForward/default/web?port=8080'],
  ] as const) {
    const r = await raw(spdy(path));
    r.sock.destroy();
    assert.match(r.head, /^HTTP\/1\.1 101/);
    assert.equal(kubelet.requests.at(-1), want);
  }
  const answer = async (path: string): Promise<string> => {
    const r = await raw(spdy(path));
    const body = await readUntil(r.sock, r.rest, () => false);
    r.sock.destroy();
    return `${r.head.split('\r\n')[0]!} ${(JSON.parse(bodyOf(r.head, body)) as { message: string }).message}`;
  };
  assert.equal(await answer('/api/v1/namespaces/default/pods/web/exec?stdout=true'), 'HTTP/1.1 400 Bad Request you must specify at least 1 command');
  assert.equal(await answer('/api/v1/namespaces/default/pods/pending/exec?command=sh&stdout=true'), 'HTTP/1.1 400 Bad Request pod pending does not have a host assigned');
  assert.equal(await answer('/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true'), 'HTTP/1.1 404 Not Found pods "nope" not found');
  assert.match(await answer('/api/v1/namespaces/default/pods/orphan/portforward'), /^HTTP\/1\.1 500 Internal Server Error error dialing backend: dial tcp 127\.0\.0\.1:1: /);
  const plain = await get('/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true');
  assert.deepEqual([plain.status, (JSON.parse(plain.body) as { message: string }).message], [400, 'Upgrade request required']);
});
