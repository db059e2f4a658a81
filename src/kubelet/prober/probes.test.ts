import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Server, ServerCredentials, status as grpcStatus, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { canonicalHeaderKey, doHTTPGet, newRequestForHTTPGetAction, resolveContainerPort } from './http.js';
import { execProbe, httpProbe, tcpProbe } from './probes.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, goSeconds, grpcProbe } from './grpc.js';

const container: Container = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('HTTP GET request', () => {
  it('builds the URL, headers and user agent as upstream', () => {
    const action: HTTPGetAction = { port: 'http', path: '/healthz?x=1', httpHeaders: [{ name: 'x-custom', value: 'a' }] };
    const req = newRequestForHTTPGetAction(action, container, '10.42.0.5', 'probe');
    assert.equal(req.url.href, 'http://10.42.0.5:8080/healthz?x=1');
    assert.deepEqual(req.headers, [
      ['X-Custom', 'a'],
      ['User-Agent', 'kube-probe/1.32'],
      ['Accept', '*/*'],
    ]);
    const own = newRequestForHTTPGetAction({ port: 80, scheme: 'HTTPS', host: 'example.test', httpHeaders: [{ name: 'user-agent', value: 'me' }, { name: 'Accept', value: '' }] }, container, '10.0.0.1', 'lifecycle');
    assert.equal(own.url.href, 'https://example.test:80/');
    assert.deepEqual(own.headers, [['User-Agent', 'me']]);
    const v6 = newRequestForHTTPGetAction({ port: 80 }, container, 'fd00::5', 'lifecycle');
    assert.equal(v6.url.hostname, '[fd00::5]');
    assert.equal(v6.display, 'http://[fd00::5]:80');
  });

  it('resolves ports by number, name and numeric string', () => {
    assert.equal(resolveContainerPort(81, container), 81);
    assert.equal(resolveContainerPort('http', container), 8080);
    assert.equal(resolveContainerPort('9090', container), 9090);
    assert.throws(() => resolveContainerPort('nope', container), /strconv.Atoi: parsing "nope": invalid syntax/);
    assert.throws(() => resolveContainerPort(0, container), /invalid port number: 0/);
    assert.throws(() => resolveContainerPort(70000, container), /invalid port number: 70000/);
  });

  it('canonicalizes header names as Go does', () => {
    assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderKey('HOST'), 'Host');
    assert.equal(canonicalHeaderKey('bad header'), 'bad header');
  });
});

describe('httpProbe', () => {
  let server: http.Server;
  let port: number;
  const seen: http.IncomingHttpHeaders[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      const u = new URL(req.url ?? '/', 'http://x');
      switch (u.pathname) {
        case '/ok':
          res.end('fine');
          return;
        case '/fail':
          res.statusCode = 500;
          res.end('secret body');
          return;
        case '/local-redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        case '/away':
          res.writeHead(301, { location: 'http://elsewhere.invalid/x' }).end('moved');
          return;
        case '/big':
          res.end(Buffer.alloc(64 * 1024, 'a'));
          return;
        case '/slow':
          setTimeout(() => res.end('late'), 1000).unref();
          return;
        default:
          res.statusCode = 404;
          res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const req = (path: string, headers: HTTPGetAction['httpHeaders'] = []) => newRequestForHTTPGetAction({ port, path, httpHeaders: headers }, container, '127.0.0.1', 'probe');

  it('succeeds on 2xx and sends the probe headers', async () => {
    const r = await httpProbe(req('/ok', [{ name: 'X-Token', value: 't' }]), 1000);
    assert.deepEqual(r, { result: 'success', output: 'fine' });
    const h = seen.at(-1)!;
    assert.equal(h['user-agent'], 'kube-probe/1.32');
    assert.equal(h['accept'], '*/*');
    assert.equal(h['x-token'], 't');
  });

  it('fails on 5xx without the body', async () => {
    assert.deepEqual(await httpProbe(req('/fail'), 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    assert.deepEqual(await httpProbe(req('/missing'), 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
  });

  it('follows redirects to the same host only', async () => {
    assert.deepEqual(await httpProbe(req('/local-redirect'), 1000), { result: 'success', output: 'fine' });
    assert.deepEqual(await httpProbe(req('/away'), 1000), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
    const loop = await httpProbe(req('/loop'), 1000);
    assert.equal(loop.result, 'failure');
    assert.equal(loop.output, `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`);
  });

  it('reads at most 10 KiB of the body', async () => {
    const res = await doHTTPGet(req('/big'), { timeoutMs: 1000 });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body.length, 10 * 1024);
  });

  it('words connection errors and timeouts as Go does', async () => {
    const closed = await closedPort();
    const refused = await httpProbe(newRequestForHTTPGetAction({ port: closed, path: '/healthz' }, container, '127.0.0.1', 'probe'), 1000);
    assert.deepEqual(refused, { result: 'failure', output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
    const slow = await httpProbe(req('/slow'), 100);
    assert.deepEqual(slow, { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  it('reports a plain HTTP server answering HTTPS', async () => {
    const r = await httpProbe(newRequestForHTTPGetAction({ port, path: '/ok', scheme: 'HTTPS' }, container, '127.0.0.1', 'probe'), 1000);
    assert.deepEqual(r, { result: 'failure', output: `Get "https://127.0.0.1:${port}/ok": http: server gave HTTP response to HTTPS client` });
  });
});

describe('tcpProbe', () => {
  it('succeeds when the port accepts and fails with the dial error otherwise', async () => {
    const s = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    try {
      assert.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'success', output: '' });
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
    assert.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});

describe('execProbe', () => {
  it('maps exit codes, timeouts and runtime errors', async () => {
    const rt = new FakeRuntime({ images: ['busybox'] });
    const sb = await rt.runPodSandbox({ metadata: { name: 'p', namespace: 'default', uid: 'u1', attempt: 0 } });
    const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' } }, {});
    await rt.startContainer(id);
    rt.execHandler = (_id, cmd) => (cmd.includes('bad') ? { exitCode: 1, stdout: 'out ', stderr: 'err' } : { exitCode: 0, stdout: 'ok' });
    assert.deepEqual(await execProbe(rt, id, ['check'], 1), { result: 'success', output: 'ok' });
    assert.deepEqual(await execProbe(rt, id, ['bad'], 1), { result: 'failure', output: 'out err' });
    assert.ok(rt.calls.includes(`ExecSync ${id}`), 'ExecSync called with the bare id');

    rt.failNext('ExecSync', 'DEADLINE_EXCEEDED');
    assert.deepEqual(await execProbe(rt, id, ['sh', '-c', 'sleep 10'], 1), { result: 'failure', output: 'command "sh -c sleep 10" timed out' });

    const gone = await execProbe(rt, 'nope', ['true'], 1);
    assert.equal(gone.result, 'unknown');
    assert.ok(gone.error, 'a runtime error is an error, not a failure');
  });
});

describe('grpcProbe', () => {
  it('encodes and decodes the health messages', () => {
    assert.deepEqual([...encodeHealthCheckRequest('svc')], [0x0a, 3, 0x73, 0x76, 0x63]);
    assert.equal(encodeHealthCheckRequest('').length, 0);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 0x01])), 1);
    assert.equal(decodeHealthCheckResponse(Buffer.alloc(0)), 0);
    assert.equal(goSeconds(1), '1s');
    assert.equal(goSeconds(90), '1m30s');
  });

  it('checks grpc.health.v1 on a server', async () => {
    const server = new Server();
    const statuses: Record<string, number> = { '': 1, sick: 2 };
    server.addService(
      {
        Check: {
          path: '/grpc.health.v1.Health/Check',
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (n: number) => Buffer.from([0x08, n]),
          responseDeserialize: (b: Buffer) => b[1] ?? 0,
        },
      },
      {
        Check: (call: ServerUnaryCall<Buffer, number>, cb: sendUnaryData<number>) => {
          const service = call.request.length > 2 ? call.request.subarray(2).toString() : '';
          const st = statuses[service];
          if (st === undefined) cb({ code: grpcStatus.NOT_FOUND, details: 'unknown service' });
          else cb(null, st);
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    try {
      assert.deepEqual(await grpcProbe('127.0.0.1', '', port, 1), { result: 'success', output: 'service healthy' });
      assert.deepEqual(await grpcProbe('127.0.0.1', 'sick', port, 1), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
      assert.deepEqual(await grpcProbe('127.0.0.1', 'other', port, 1), { result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
    } finally {
      server.forceShutdown();
    }
  });
});
