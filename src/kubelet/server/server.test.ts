import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { createCA, issueCertificate, type CertificateAndKey } from '../../util/pki/index.js';
import { nopLogger } from '../../logging/index.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { KubeletServer, logContainerID, type KubeletStreamingRuntime } from './server.js';

interface Certs {
  ca: CertificateAndKey;
  serving: CertificateAndKey;
  apiserver: CertificateAndKey;
  stranger: CertificateAndKey;
}

/** A stand-in for containerd's streaming server: records each request head, answers 101, echoes. */
class FakeStreamServer {
  readonly heads: string[] = [];
  private readonly server = net.createServer((s) => this.accept(s));
  private readonly conns = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private accept(s: net.Socket): void {
    this.conns.add(s);
    s.on('close', () => this.conns.delete(s));
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      this.heads.push(buf.subarray(0, end).toString('latin1'));
      s.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n');
      const rest = buf.subarray(end + 4);
      if (rest.length) s.write(rest);
      s.pipe(s);
    };
    s.on('data', onData);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let certs: Certs;
let dir: string;
let fake: FakeRuntime;
let stream: FakeStreamServer;
let server: KubeletServer;
let port: number;
let containerId: string;
let sandboxId: string;
const statuses = new Map<string, PodStatus>();

const pod: Pod = {
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
  spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'waiting', image: 'busybox' }, { name: 'crashed', image: 'busybox' }] },
};

before(async () => {
  const ca = await createCA({ commonName: 'test-ca', validityDays: 1 });
  certs = {
    ca,
    serving: await issueCertificate(ca, { commonName: 'node-1', ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 }),
    apiserver: await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', usages: 'client', validityDays: 1 }),
    stranger: await issueCertificate(ca, { commonName: 'system:node:other', organizations: ['system:nodes'], usages: 'client', validityDays: 1 }),
  };
  dir = await mkdtemp(join(tmpdir(), 'k8ts-kubelet-server-'));
  fake = new FakeRuntime({ images: ['busybox'] });
  const sandboxConfig = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web', attempt: 0 }, logDirectory: dir, labels: { 'io.kubernetes.pod.uid': 'uid-web' } };
  sandboxId = await fake.runPodSandbox(sandboxConfig);
  containerId = await fake.createContainer(sandboxId, { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, logPath: 'c/0.log' }, sandboxConfig);
  await fake.startContainer(containerId);
  await mkdir(join(dir, 'c'));
  await writeFile(join(dir, 'c', '0.log'), '2024-05-01T10:00:00Z stdout F hello\n2024-05-01T10:00:01Z stderr F world\n');
  statuses.set('uid-web', {
    containerStatuses: [
      { name: 'c', containerID: `containerd://${containerId}`, state: { running: { startedAt: '2024-05-01T10:00:00Z' } }, ready: true, restartCount: 0, image: 'busybox', imageID: '' },
      { name: 'waiting', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0, image: 'busybox', imageID: '' },
      { name: 'crashed', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, containerID: `containerd://${containerId}` } }, ready: false, restartCount: 1, image: 'busybox', imageID: '' },
    ],
  });
  stream = new FakeStreamServer();
  await stream.start();
  // The fake runtime's URLs name port 0: point them at the fake streaming server.
  const toStream = (u: string): string => u.replace('127.0.0.1:0', `127.0.0.1:${stream.port}`);
  const runtime: KubeletStreamingRuntime = {
    exec: async (r) => toStream(await fake.exec(r)),
    attach: async (r) => toStream(await fake.attach(r)),
    portForward: async (r) => toStream(await fake.portForward(r)),
    containerStatus: (id, v) => fake.containerStatus(id, v),
    listPodSandbox: (f) => fake.listPodSandbox(f),
  };
  server = new KubeletServer({
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCAPem: ca.certPem },
    runtime,
    pods: {
      getPod: (ns, name) => (ns === 'default' && name === 'web' ? pod : undefined),
      listPods: () => [pod],
      apiStatus: (uid) => statuses.get(uid),
    },
    stats: async () => ({ node: { nodeName: 'node-1' }, pods: [] }),
    logger: nopLogger(),
  });
  port = await server.start();
});

after(async () => {
  await server.close();
  await stream.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, who: CertificateAndKey = certs.apiserver): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'GET', ca: certs.ca.certPem, cert: who.certPem, key: who.keyPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a raw upgrade request; resolves with the socket and what arrived up to the end of the response head. */
function upgrade(requestHead: string): Promise<{ sock: tls.TLSSocket; head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca: certs.ca.certPem, cert: certs.apiserver.certPem, key: certs.apiserver.keyPem }, () => sock.write(requestHead));
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

function readN(sock: tls.TLSSocket, initial: Buffer, n: number): Promise<string> {
  return new Promise((resolve) => {
    let buf = initial;
    const check = (): void => {
      if (buf.length >= n) {
        sock.off('data', onData);
        resolve(buf.toString());
      }
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      check();
    };
    sock.on('data', onData);
    check();
  });
}

test('healthz, pods and stats/summary for the API server client', async () => {
  assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
  const pods = await get('/pods');
  assert.equal(pods.status, 200);
  assert.equal((JSON.parse(pods.body) as { items: Pod[] }).items[0]?.metadata?.name, 'web');
  assert.deepEqual(JSON.parse((await get('/stats/summary')).body), { node: { nodeName: 'node-1' }, pods: [] });
  assert.equal((await get('/nope')).status, 404);
});

test('other certificates are forbidden; no certificate fails the handshake', async () => {
  const r = await get('/healthz', certs.stranger);
  assert.equal(r.status, 403);
  assert.equal(r.body, 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)');
  await assert.rejects(
    new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/healthz', ca: certs.ca.certPem, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    }),
  );
});

test('containerLogs: plain, timestamps, tailLines; errors as upstream', async () => {
  assert.deepEqual(await get('/containerLogs/default/web/c'), { status: 200, body: 'hello\nworld\n', type: 'text/plain; charset=utf-8' });
  assert.equal((await get('/containerLogs/default/web/c?timestamps=true&tailLines=1')).body, '2024-05-01T10:00:01.000000000Z world\n');
  assert.equal((await get('/containerLogs/default/web/c?tail=1')).body, 'world\n');
  assert.equal((await get('/containerLogs/default/web/c?limitBytes=3')).body, 'hel');
  assert.equal((await get('/containerLogs/default/web/crashed?previous=true')).body, 'hello\nworld\n');
  assert.deepEqual(await get('/containerLogs/default/web/waiting'), { status: 400, body: 'container "waiting" in pod "web" is waiting to start: ContainerCreating', type: 'text/plain; charset=utf-8' });
  assert.equal((await get('/containerLogs/default/web/c?previous=true')).body, 'previous terminated container "c" in pod "web" not found');
  assert.deepEqual([(await get('/containerLogs/default/web/x')).status, (await get('/containerLogs/default/web/x')).body], [404, 'container "x" not found in pod "web"']);
  assert.equal((await get('/containerLogs/default/gone/c')).body, 'pod "gone" does not exist');
  assert.equal((await get('/containerLogs/default/web/c?tailLines=-1')).status, 422);
  assert.equal((await get('/containerLogs/default/web/c?tailLines=x')).status, 400);
});

test('validateContainerLogStatus cases', () => {
  const cs = (state: object, last?: object): PodStatus => ({ containerStatuses: [{ name: 'c', state, lastState: last, ready: false, restartCount: 0, image: '', imageID: '' }] });
  assert.equal(logContainerID(cs({ terminated: { exitCode: 0, containerID: 'containerd://a' } }), 'p', 'c', false), 'containerd://a');
  assert.equal(logContainerID(cs({ terminated: { exitCode: 0 } }, { terminated: { exitCode: 1, containerID: 'containerd://b' } }), 'p', 'c', false), 'containerd://b');
  assert.throws(() => logContainerID(cs({ terminated: { exitCode: 0 } }), 'p', 'c', false), /container "c" in pod "p" is terminated/);
  assert.throws(() => logContainerID(cs({ waiting: { reason: 'ImagePullBackOff' } }), 'p', 'c', false), /waiting to start: trying and failing to pull image/);
  assert.throws(() => logContainerID(cs({ waiting: { reason: 'ErrImagePull' } }), 'p', 'c', false), /waiting to start: image can't be pulled/);
  assert.throws(() => logContainerID(cs({}), 'p', 'c', false), /is waiting to start - no logs yet/);
  assert.throws(() => logContainerID({}, 'p', 'c', false), /container "c" in pod "p" is not available/);
});

test('exec: CRI Exec, then the upgrade is replayed to the streaming URL and piped both ways', async () => {
  const before = stream.heads.length;
  const { sock, head, rest } = await upgrade(
    'POST /exec/default/web/c?command=echo&command=hi&output=1&error=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\n\r\n',
  );
  try {
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols/);
    sock.write('ping');
    assert.equal(await readN(sock, rest, 4), 'ping');
    const replayed = stream.heads[before]!;
    assert.match(replayed, /^POST \/exec\/[0-9a-f]+ HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    assert.match(replayed, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\nX-Stream-Protocol-Version: v3\.channel\.k8s\.io/);
    assert.match(replayed, /Upgrade: SPDY\/3\.1/);
    assert.doesNotMatch(replayed, /Authorization/i, 'credentials stay with the kubelet');
    assert.ok(fake.calls.includes(`Exec ${containerId}`));
  } finally {
    sock.destroy();
  }
});

test('port-forward finds the ready sandbox; attach proxies too', async () => {
  for (const path of ['/portForward/default/web', '/attach/default/web/c?output=1']) {
    const { sock, head } = await upgrade(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n`);
    sock.destroy();
    assert.match(head, /^HTTP\/1\.1 101/);
  }
  assert.ok(fake.calls.includes(`PortForward ${sandboxId}`));
  assert.match(stream.heads.at(-2)!, /^POST \/portforward\//);
  assert.match(stream.heads.at(-1)!, /^POST \/attach\//);
});

test('exec errors: no stream, container not running, not an upgrade, unknown pod', async () => {
  const ask = async (path: string): Promise<string> => {
    const { sock, head, rest } = await upgrade(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n`);
    const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    const body = await readN(sock, rest, len);
    sock.destroy();
    return `${head.split('\r\n')[0]!} ${body}`;
  };
  assert.equal(await ask('/exec/default/web/c?command=sh'), 'HTTP/1.1 400 Bad Request you must specify at least 1 of stdin, stdout, stderr');
  assert.equal(await ask('/exec/default/web/waiting?command=sh&output=1'), 'HTTP/1.1 500 Internal Server Error container not found ("waiting")');
  assert.equal(await ask('/exec/default/nope/c?command=sh&output=1'), 'HTTP/1.1 404 Not Found pod does not exist');
  const plain = await get('/exec/default/web/c?command=sh&output=1');
  assert.deepEqual([plain.status, plain.body], [400, 'Upgrade request required']);
});
