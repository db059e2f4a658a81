import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../../client/record/index.js';
import { nopLogger } from '../../logging/index.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { HookRunner } from './handlers.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app' }] } };
const container: Container = { name: 'app', ports: [{ name: 'admin', containerPort: 1 }] };

async function runningContainer(rt: FakeRuntime): Promise<string> {
  const sb = await rt.runPodSandbox({ metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 } });
  const id = await rt.createContainer(sb, { metadata: { name: 'app', attempt: 0 }, image: { image: 'busybox' } }, {});
  await rt.startContainer(id);
  return id;
}

describe('HookRunner', () => {
  it('runs exec hooks and reports a non-zero exit as upstream', async () => {
    const rt = new FakeRuntime({ images: ['busybox'] });
    const id = await runningContainer(rt);
    const seen: string[][] = [];
    rt.execHandler = (_id, cmd) => {
      seen.push(cmd);
      return cmd[2] === 'exit 1' ? { exitCode: 1, stdout: 'partial\n', stderr: 'oops' } : { exitCode: 0 };
    };
    const runner = new HookRunner({ runtime: rt, logger: nopLogger() });
    assert.equal(await runner.run(pod, container, `containerd://${id}`, { exec: { command: ['sh', '-c', 'echo hi'] } }, '10.0.0.1'), undefined);
    assert.deepEqual(seen[0], ['sh', '-c', 'echo hi']);
    const msg = await runner.run(pod, container, `containerd://${id}`, { exec: { command: ['sh', '-c', 'exit 1'] } }, '10.0.0.1');
    assert.equal(msg, `Exec lifecycle hook ([sh -c exit 1]) for Container "app" in Pod "web_default(u1)" failed - error: command 'sh -c exit 1' exited with 1: oops, message: "partial\\noops"`);
    const gone = await runner.run(pod, container, 'containerd://missing', { exec: { command: ['true'] } }, '10.0.0.1');
    assert.match(gone ?? '', /^Exec lifecycle hook \(\[true\]\) for Container "app" in Pod "web_default\(u1\)" failed - error: ExecSync: .*, message: ""$/);
  });

  it('runs httpGet hooks against the pod IP; any HTTP answer is success', async () => {
    const paths: string[] = [];
    const agents: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      agents.push(req.headers['user-agent'] ?? '');
      res.statusCode = req.url === '/bad' ? 500 : 200;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const recorder = new FakeRecorder();
    const runner = new HookRunner({ runtime: new FakeRuntime(), logger: nopLogger(), recorder });
    try {
      assert.equal(await runner.run(pod, container, 'containerd://x', { httpGet: { port, path: '/start' } }, '127.0.0.1'), undefined);
      assert.equal(await runner.run(pod, container, 'containerd://x', { httpGet: { port, path: '/bad' } }, '127.0.0.1'), undefined);
      assert.deepEqual(paths, ['/start', '/bad']);
      assert.equal(agents[0], 'kube-lifecycle/1.32');

      // HTTPS against a plain server falls back to HTTP with an event.
      assert.equal(await runner.run(pod, container, 'containerd://x', { httpGet: { port, path: '/tls', scheme: 'HTTPS' } }, '127.0.0.1'), undefined);
      assert.deepEqual(recorder.lines(), [`Warning LifecycleHTTPFallback request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded`]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const closed = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const msg = await runner.run(pod, container, 'containerd://x', { httpGet: { port: closed, path: '/stop' } }, '127.0.0.1');
    assert.equal(msg, `HTTP lifecycle hook (/stop) for Container "app" in Pod "web_default(u1)" failed - error: Get "http://127.0.0.1:${closed}/stop": dial tcp 127.0.0.1:${closed}: connect: connection refused`);
    assert.equal(await runner.run(pod, container, 'containerd://x', { httpGet: { port: 80, path: '/x' } }, ''), 'HTTP lifecycle hook (/x) for Container "app" in Pod "web_default(u1)" failed - error: failed to find networking container: the pod has no IP');
  });

  it('sleeps, and reports a sleep cut short', async () => {
    const slept: number[] = [];
    const runner = new HookRunner({
      runtime: new FakeRuntime(),
      logger: nopLogger(),
      sleep: async (ms, signal) => {
        slept.push(ms);
        if (signal?.aborted) throw new Error('aborted');
      },
    });
    assert.equal(await runner.run(pod, container, 'containerd://x', { sleep: { seconds: 5 } }, ''), undefined);
    assert.deepEqual(slept, [5000]);
    const ac = new AbortController();
    ac.abort();
    assert.equal(await runner.run(pod, container, 'containerd://x', { sleep: { seconds: 5 } }, '', ac.signal), 'Sleep lifecycle hook (5) for Container "app" in Pod "web_default(u1)" failed - error: container terminated before sleep hook finished');
    // The real timer honours the signal too.
    const real = new HookRunner({ runtime: new FakeRuntime(), logger: nopLogger() });
    const ac2 = new AbortController();
    const p = real.run(pod, container, 'containerd://x', { sleep: { seconds: 30 } }, '', ac2.signal);
    ac2.abort();
    assert.match((await p) ?? '', /container terminated before sleep hook finished/);
    assert.equal(await real.run(pod, container, 'containerd://x', {}, ''), 'Cannot run handler: invalid handler: {}');
  });
});
