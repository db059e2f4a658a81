import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../../client/record/index.js';
import { nopLogger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { ProbeManager } from './prober-manager.js';
import type { Timers } from './worker.js';

/** Timers on a fake clock: advance() runs what is due, letting promises settle between. */
class FakeClock implements Timers {
  now = Date.parse('2025-01-01T00:00:00Z');
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.queue.delete(h as number);
  };
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.queue) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.queue.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

interface Env {
  clock: FakeClock;
  rt: FakeRuntime;
  recorder: FakeRecorder;
  manager: ProbeManager;
  status: DeepMutable<PodStatus>;
  changes: string[];
  /** Starts a new running container for `app` and points the status at it. */
  newContainer(): Promise<string>;
}

async function setup(container: Container, restartPolicy: 'Always' | 'Never' = 'Always'): Promise<{ env: Env; pod: Pod }> {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ images: ['busybox'] });
  const recorder = new FakeRecorder();
  const sandbox = await rt.runPodSandbox({ metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 0 } });
  const status: DeepMutable<PodStatus> = { phase: 'Running', podIP: '127.0.0.1', containerStatuses: [] };
  const manager = new ProbeManager({ runtime: rt, recorder, logger: nopLogger(), statusOf: (uid) => (uid === 'uid-1' ? (status as PodStatus) : undefined), now: () => clock.now, timers: clock });
  const changes: string[] = [];
  manager.onChange((uid) => changes.push(uid));
  let attempt = 0;
  const env: Env = {
    clock,
    rt,
    recorder,
    manager,
    status,
    changes,
    async newContainer() {
      const id = await rt.createContainer(sandbox, { metadata: { name: container.name, attempt: attempt++ }, image: { image: 'busybox' } }, {});
      await rt.startContainer(id);
      status.containerStatuses = [
        { name: container.name, image: 'busybox', imageID: '', restartCount: attempt - 1, ready: false, containerID: `containerd://${id}`, state: { running: { startedAt: new Date(clock.now).toISOString() } } },
      ];
      return id;
    },
  };
  const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { restartPolicy, containers: [container] } };
  return { env, pod };
}

function execCalls(rt: FakeRuntime): number {
  return rt.calls.filter((c) => c.startsWith('ExecSync')).length;
}

/** What the kubelet does after each sync: recompute ready/started into the status it serves. */
function refresh(env: Env, pod: Pod): void {
  env.manager.updatePodStatus(pod, env.status as PodStatus);
}

describe('ProbeManager', () => {
  it('restarts after failureThreshold liveness failures and holds until a new container', async () => {
    const { env, pod } = await setup({ name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['check'] }, periodSeconds: 10, failureThreshold: 3 } });
    env.rt.execHandler = () => ({ exitCode: 1, stdout: 'boom' });
    const first = await env.newContainer();
    refresh(env, pod);
    env.manager.addPod(pod);
    await env.clock.advance(0);
    assert.equal(execCalls(env.rt), 1);
    assert.deepEqual(env.manager.shouldRestart('uid-1', `containerd://${first}`), { restart: false, message: '' });
    await env.clock.advance(10_000);
    assert.equal(env.changes.length, 0);
    await env.clock.advance(10_000);
    assert.equal(execCalls(env.rt), 3);
    assert.deepEqual(env.changes, ['uid-1']);
    assert.deepEqual(env.manager.shouldRestart('uid-1', `containerd://${first}`), { restart: true, message: 'Container app failed liveness probe, will be restarted' });
    assert.deepEqual(env.manager.shouldRestart('uid-1', first), { restart: true, message: 'Container app failed liveness probe, will be restarted' });
    assert.deepEqual(env.recorder.lines(), ['Warning Unhealthy Liveness probe failed: boom', 'Warning Unhealthy Liveness probe failed: boom', 'Warning Unhealthy Liveness probe failed: boom']);
    assert.equal(env.recorder.events[0]!.object.fieldPath, 'spec.containers{app}');

    // On hold: no probing of the doomed container.
    await env.clock.advance(30_000);
    assert.equal(execCalls(env.rt), 3);

    // The restarted container is probed again, starting from success.
    env.rt.execHandler = () => ({ exitCode: 0 });
    const second = await env.newContainer();
    refresh(env, pod);
    await env.clock.advance(10_000);
    assert.equal(execCalls(env.rt), 4);
    assert.deepEqual(env.manager.shouldRestart('uid-1', `containerd://${second}`), { restart: false, message: '' });
    env.manager.close();
    assert.equal(env.manager.workerCount(), 0);
  });

  it('omits "will be restarted" for restartPolicy Never', async () => {
    const { env, pod } = await setup({ name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['check'] }, failureThreshold: 1 } }, 'Never');
    env.rt.execHandler = () => ({ exitCode: 1 });
    const id = await env.newContainer();
    refresh(env, pod);
    env.manager.addPod(pod);
    await env.clock.advance(0);
    assert.deepEqual(env.manager.shouldRestart('uid-1', `containerd://${id}`), { restart: true, message: 'Container app failed liveness probe' });
    env.manager.close();
  });

  it('keeps a container unready until its readiness probe passes after the initial delay', async () => {
    const { env, pod } = await setup({ name: 'app', image: 'busybox', readinessProbe: { exec: { command: ['ready'] }, initialDelaySeconds: 5, periodSeconds: 1, successThreshold: 2, failureThreshold: 2 } });
    let ok = true;
    env.rt.execHandler = () => ({ exitCode: ok ? 0 : 1, stdout: ok ? '' : 'not yet' });
    await env.newContainer();
    env.manager.addPod(pod);
    await env.clock.advance(0);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.ready, false);
    assert.equal(env.status.containerStatuses![0]!.started, true);
    assert.equal(execCalls(env.rt), 0, 'no probe before initialDelaySeconds');
    await env.clock.advance(5_000);
    assert.equal(execCalls(env.rt), 1);
    refresh(env, pod); // triggers a probe at once, as upstream's manual trigger
    await env.clock.advance(0);
    assert.equal(execCalls(env.rt), 2);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.ready, true, 'ready after successThreshold=2');
    assert.ok(env.changes.includes('uid-1'), 'onChange fired');

    ok = false;
    await env.clock.advance(1_000);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.ready, true, 'one failure is below failureThreshold=2');
    await env.clock.advance(1_000);
    await env.clock.advance(0);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.ready, false);
    assert.ok(env.recorder.lines().includes('Warning Unhealthy Readiness probe failed: not yet'), env.recorder.lines().join('\n'));
    env.manager.close();
  });

  it('gates liveness behind the startup probe and restarts on startup failure', async () => {
    const { env, pod } = await setup({
      name: 'app',
      image: 'busybox',
      startupProbe: { exec: { command: ['started'] }, periodSeconds: 1, failureThreshold: 3 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1 },
    });
    let startedOK = false;
    const seen: string[] = [];
    env.rt.execHandler = (_id, cmd) => {
      seen.push(cmd[0]!);
      return { exitCode: cmd[0] === 'started' && !startedOK ? 1 : 0 };
    };
    await env.newContainer();
    env.manager.addPod(pod);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.started, false, 'a startup probe that has not run yet');
    await env.clock.advance(0);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.started, false);
    await env.clock.advance(1_000);
    assert.deepEqual(seen, ['started', 'started']);
    startedOK = true;
    await env.clock.advance(1_000);
    refresh(env, pod);
    assert.equal(env.status.containerStatuses![0]!.started, true);
    assert.equal(env.status.containerStatuses![0]!.ready, true, 'no readiness probe: ready once started');
    await env.clock.advance(2_000);
    assert.deepEqual(seen.slice(0, 3), ['started', 'started', 'started']);
    assert.ok(seen.slice(3).length >= 1 && seen.slice(3).every((c) => c === 'live'), `liveness runs only after start: ${seen.join(',')}`);

    // A new container whose startup never succeeds.
    startedOK = false;
    const id = await env.newContainer();
    refresh(env, pod);
    for (let i = 0; i < 3; i++) await env.clock.advance(1_000);
    assert.deepEqual(env.manager.shouldRestart('uid-1', `containerd://${id}`), { restart: true, message: 'Container app failed startup probe, will be restarted' });
    assert.ok(env.recorder.lines().includes('Warning Unhealthy Startup probe failed: '), env.recorder.lines().join('\n'));
    env.manager.close();
  });

  it('waits for the container, and stops for a terminated container that will not restart', async () => {
    const { env, pod } = await setup({ name: 'app', image: 'busybox', readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 } }, 'Never');
    env.manager.addPod(pod);
    await env.clock.advance(3_000);
    assert.equal(execCalls(env.rt), 0);
    assert.equal(env.manager.workerCount(), 1);
    const id = await env.newContainer();
    refresh(env, pod); // not ready yet: runs the readiness probe at once
    await env.clock.advance(0);
    assert.equal(execCalls(env.rt), 1);
    assert.equal(env.manager.readiness.get(id), 'success');
    env.status.containerStatuses![0]!.state = { terminated: { exitCode: 0, startedAt: new Date(env.clock.now).toISOString() } };
    await env.clock.advance(1_000);
    assert.equal(env.manager.workerCount(), 0);
    assert.equal(env.manager.readiness.get(id), undefined, 'results are dropped with the worker');
    env.manager.addPod(pod);
    assert.equal(env.manager.workerCount(), 1);
    env.status.phase = 'Succeeded';
    await env.clock.advance(1_000);
    assert.equal(env.manager.workerCount(), 0);
  });

  it('stops probing on removePod and discards probes that could not run', async () => {
    const { env, pod } = await setup({ name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 1 } });
    const id = await env.newContainer();
    refresh(env, pod);
    env.rt.failNext('ExecSync', 'NOT_FOUND', 'container gone');
    env.manager.addPod(pod);
    await env.clock.advance(0);
    // The failed attempt was retried (and succeeded): no failure recorded.
    assert.equal(execCalls(env.rt), 2);
    assert.equal(env.manager.liveness.get(id), 'success');
    for (let i = 0; i < 3; i++) env.rt.failNext('ExecSync', 'NOT_FOUND', 'container gone');
    await env.clock.advance(1_000);
    assert.equal(env.manager.liveness.get(id), 'success', 'an errored probe is thrown away');
    assert.deepEqual(env.recorder.lines(), ['Warning Unhealthy Liveness probe errored and resulted in unknown state: ExecSync: container gone']);
    env.manager.removePod('uid-1');
    const calls = execCalls(env.rt);
    await env.clock.advance(5_000);
    assert.equal(execCalls(env.rt), calls);
    assert.equal(env.manager.workerCount(), 0);
  });

  it('probes httpGet against the pod IP with a named port', async () => {
    let code = 500;
    const server = http.createServer((_req, res) => {
      res.statusCode = code;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const { env, pod } = await setup({ name: 'app', image: 'busybox', ports: [{ name: 'web', containerPort: port }], readinessProbe: { httpGet: { port: 'web', path: '/healthz' }, periodSeconds: 1, failureThreshold: 1 } });
    const waitFor = async (what: string, cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(cond(), what);
    };
    try {
      await env.newContainer();
      env.manager.addPod(pod);
      refresh(env, pod); // started (no startup probe), not ready: probes at once
      await env.clock.advance(0);
      await waitFor('first probe event', () => env.recorder.lines().length === 1);
      assert.deepEqual(env.recorder.lines(), ['Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 500']);
      code = 200;
      await env.clock.advance(1_000);
      await waitFor('readiness success', () => env.changes.length > 0 && env.manager.readiness.get(env.status.containerStatuses![0]!.containerID!) === 'success');
      refresh(env, pod);
      assert.equal(env.status.containerStatuses![0]!.ready, true);
    } finally {
      env.manager.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
