import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRIClient, normalizeEndpoint } from './client.js';
import { isNotFound, type ContainerRuntime } from './service.js';
import { normalizeImageName } from './reference.js';
import { FakeRuntime } from './testing/fake-runtime.js';
import { serveRuntime } from './testing/grpc-server.js';
import type { PodSandboxConfig, Req } from './types.js';

const sandboxConfig: Req<PodSandboxConfig> = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 },
  hostname: 'web',
  logDirectory: '/var/log/pods/default_web_u1',
  labels: { app: 'web' },
};

/** The same scenario against the fake directly and through gRPC with the CRIClient. */
async function podLifecycle(rt: ContainerRuntime, fake: FakeRuntime): Promise<void> {
  const v = await rt.version();
  assert.deepEqual(v, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.0.1', runtimeApiVersion: 'v1' });
  fake.networkReady = false;
  const st = await rt.status();
  assert.deepEqual(st.status?.conditions.map((c) => [c.type, c.status, c.reason]), [['RuntimeReady', true, ''], ['NetworkReady', false, 'NetworkPluginNotReady']]);

  const podId = await rt.runPodSandbox(sandboxConfig);
  const ps = await rt.podSandboxStatus(podId);
  assert.equal(ps.status?.state, 'SANDBOX_READY');
  assert.equal(ps.status?.network?.ip, '10.88.0.2');
  assert.equal(ps.status?.metadata?.attempt, 0);
  assert.deepEqual(ps.status?.labels, { app: 'web' });
  assert.deepEqual((await rt.listPodSandbox({ labelSelector: { app: 'web' } })).map((s) => s.id), [podId]);
  assert.deepEqual(await rt.listPodSandbox({ labelSelector: { app: 'db' } }), []);
  assert.deepEqual((await rt.listPodSandbox({ state: { state: 'SANDBOX_READY' } })).length, 1);

  await assert.rejects(
    rt.createContainer(podId, { metadata: { name: 'c' }, image: { image: 'nginx' } }, sandboxConfig),
    (err: Error) => isNotFound(err) && /failed to get image "nginx"/.test(err.message),
  );
  await assert.rejects(rt.pullImage({ image: 'nginx' }), isNotFound);
  const ref = await rt.pullImage({ image: 'busybox' });
  assert.match(ref, /^sha256:[0-9a-f]{64}$/);
  const img = await rt.imageStatus({ image: 'docker.io/library/busybox:latest' });
  assert.deepEqual(img.image?.repoTags, ['docker.io/library/busybox:latest']);
  assert.equal((await rt.imageStatus({ image: 'nope' })).image, null);

  const id = await rt.createContainer(podId, {
    metadata: { name: 'main', attempt: 0 },
    image: { image: 'busybox' },
    command: ['sh', '-c', 'echo hi'],
    envs: [{ key: 'A', value: '1' }],
    logPath: 'main/0.log',
    linux: { resources: { memoryLimitInBytes: 64 << 20, cpuShares: 2 } },
  }, sandboxConfig);
  assert.equal((await rt.containerStatus(id)).status?.state, 'CONTAINER_CREATED');
  await rt.startContainer(id);
  const running = (await rt.containerStatus(id)).status;
  assert.equal(running?.state, 'CONTAINER_RUNNING');
  assert.equal(running?.startedAt, 1_700_000_000_000 * 1e6);
  assert.equal(running?.logPath, '/var/log/pods/default_web_u1/main/0.log');
  assert.equal(running?.imageRef, ref);

  fake.execHandler = (_, cmd) => (cmd[0] === 'false' ? { exitCode: 1, stderr: 'no' } : { exitCode: 0, stdout: cmd.join(' ') });
  const ok = await rt.execSync(id, ['echo', 'hi'], 5);
  assert.equal(Buffer.isBuffer(ok.stdout), true);
  assert.equal(ok.stdout.toString(), 'echo hi');
  const bad = await rt.execSync(id, ['false'], 5);
  assert.deepEqual([bad.exitCode, bad.stderr.toString()], [1, 'no']);
  assert.match(await rt.exec({ containerId: id, cmd: ['sh'], stdin: true }), /^http:\/\/127\.0\.0\.1:0\/exec\//);

  const stats = await rt.listContainerStats({ podSandboxId: podId });
  assert.equal(stats[0].attributes?.id, id);
  assert.equal(stats[0].memory?.workingSetBytes?.value, 1 << 20);

  fake.exitContainer(id, 2);
  const exited = (await rt.containerStatus(id)).status;
  assert.deepEqual([exited?.state, exited?.exitCode, exited?.reason], ['CONTAINER_EXITED', 2, 'Error']);
  assert.deepEqual((await rt.listContainers({ state: { state: 'CONTAINER_EXITED' } })).map((c) => c.id), [id]);
  assert.deepEqual(await rt.listContainers({ state: { state: 'CONTAINER_RUNNING' } }), []);

  await assert.rejects(rt.removePodSandbox(podId), /not fully stopped/);
  await rt.stopPodSandbox(podId);
  await rt.removePodSandbox(podId);
  await rt.removePodSandbox(podId); // idempotent
  await assert.rejects(rt.containerStatus(id), isNotFound);
  assert.deepEqual(await rt.listContainers(), []);

  fake.failNext('StartContainer', 'DEADLINE_EXCEEDED');
  await assert.rejects(rt.startContainer('x'), (err: Error & { code?: string }) => err.code === 'DEADLINE_EXCEEDED');
}

test('FakeRuntime: pod lifecycle, images, exec, errors', async () => {
  const fake = new FakeRuntime({ now: () => 1_700_000_000_000, pullable: ['busybox'] });
  await podLifecycle(fake, fake);
  assert.equal(fake.calls[0], 'Version');
  assert.ok(fake.calls.includes('RunPodSandbox'));
});

test('CRIClient speaks api.proto over a unix socket (against FakeRuntime)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-cri-'));
  const fake = new FakeRuntime({ now: () => 1_700_000_000_000, pullable: ['busybox'] });
  const stop = await serveRuntime(fake, join(dir, 'cri.sock'));
  const client = CRIClient.connect(`unix://${join(dir, 'cri.sock')}`, { timeoutMs: 5000 });
  try {
    await podLifecycle(client, fake);
    // The request reached the fake with its nested fields intact.
    const podId = await client.runPodSandbox({ ...sandboxConfig, metadata: { ...sandboxConfig.metadata, uid: 'u2' }, dnsConfig: { servers: ['10.43.0.10'], searches: ['default.svc.cluster.local'] }, portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353 }] });
    const rec = fake.sandboxes.get(podId);
    assert.deepEqual(rec?.config.dnsConfig?.servers, ['10.43.0.10']);
    assert.deepEqual(rec?.config.portMappings?.[0], { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '' });
    await client.updateRuntimeConfig({ networkConfig: { podCidr: '10.42.0.0/24' } });
    assert.equal(fake.podCidr, '10.42.0.0/24');
    // Deadlines and cancellation.
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.version(undefined, { signal: ac.signal }), (err: Error & { code?: string }) => err.code === 'CANCELLED');
  } finally {
    client.close();
    client.close();
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(client.version(), /client is closed/);
});

test('CRIClient: an absent socket fails with UNAVAILABLE within the deadline', async () => {
  const client = CRIClient.connect('/nonexistent/k8ts-cri.sock', { timeoutMs: 300 });
  const t0 = Date.now();
  await assert.rejects(client.version(), (err: Error & { code?: string }) => err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED');
  assert.ok(Date.now() - t0 < 1500);
  client.close();
});

test('normalizeEndpoint and normalizeImageName', () => {
  assert.equal(normalizeEndpoint('/run/x.sock'), 'unix:///run/x.sock');
  assert.equal(normalizeEndpoint('unix:///run/x.sock'), 'unix:///run/x.sock');
  assert.throws(() => normalizeEndpoint('tcp://1.2.3.4:1'), /unsupported CRI endpoint/);
  assert.equal(normalizeImageName('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeImageName('busybox:1.35'), 'docker.io/library/busybox:1.35');
  assert.equal(normalizeImageName('me/app'), 'docker.io/me/app:latest');
  assert.equal(normalizeImageName('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.equal(normalizeImageName('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeImageName('localhost/app@sha256:abc'), 'localhost/app@sha256:abc');
});
