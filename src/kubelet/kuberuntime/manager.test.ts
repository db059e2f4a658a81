import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../../client/record/index.js';
import { nopLogger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { ContainerConfigError, type RunContainerOptions, type RuntimeHelper } from '../container/runtime.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import { ExponentialBackOff } from '../images/manager.js';
import { hashContainer } from './helpers.js';
import { KubeGenericRuntimeManager, type HookRunner } from './manager.js';

const UID = 'uid-1';
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

function mkPod(spec: Partial<DeepMutable<Pod>['spec']> = {}, name = 'p'): DeepMutable<Pod> {
  return {
    metadata: { name, namespace: 'default', uid: UID, labels: { app: 'x' } },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      ...spec,
    },
  };
}

async function setup(opts: { helper?: Partial<RuntimeHelper>; images?: string[] } = {}) {
  const tmp = await mkdtemp(join(tmpdir(), 'k8ts-kuberuntime-'));
  dirs.push(tmp);
  let clock = 1_700_000_000_000;
  // Every reading moves time on by 1 ms, so creation times are distinct as on a real runtime.
  const now = () => (clock += 1);
  const fake = new FakeRuntime({ now, images: opts.images ?? ['busybox:1.35', 'registry.k8s.io/pause:3.10'] });
  const recorder = new FakeRecorder();
  const helper: RuntimeHelper = {
    async generateRunContainerOptions(pod: Pod, container: Container): Promise<RunContainerOptions> {
      return {
        envs: [{ name: 'GREETING', value: 'hello' }, ...(container.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' }))],
        mounts: [],
        hostname: pod.metadata?.name ?? '',
        podContainerDir: join(tmp, 'pods', pod.metadata?.uid ?? '', 'containers', container.name),
      };
    },
    getPodDNS: () => ({ servers: ['10.43.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] }),
    getPodDir: (uid) => join(tmp, 'pods', uid),
    ...opts.helper,
  };
  const probeResults = new Map<string, { restart: boolean; message: string }>();
  const probes = { shouldRestart: (_uid: string, id: string) => probeResults.get(id) ?? { restart: false, message: '' } };
  const hookCalls: string[] = [];
  let hookImpl: (c: Container) => Promise<string | undefined> = async () => undefined;
  const hooks: HookRunner = {
    run: async (_pod, container, id) => {
      hookCalls.push(`${container.name} ${id}`);
      return hookImpl(container);
    },
  };
  const stops: [string, number][] = [];
  const origStop = fake.stopContainer.bind(fake);
  fake.stopContainer = async (id, t, o) => {
    stops.push([id, t]);
    return origStop(id, t, o);
  };
  const mgr = new KubeGenericRuntimeManager({
    runtime: fake,
    images: fake,
    helper,
    probes,
    hooks,
    recorder,
    logger: nopLogger(),
    podLogsDir: join(tmp, 'logs'),
    now,
    machineMemoryBytes: 8 * 1024 ** 3,
  });
  const backOff = new ExponentialBackOff();
  const sync = async (pod: Pod) => mgr.syncPod(pod, await mgr.getPodStatus(UID, pod.metadata!.name!, 'default'), [], backOff);
  const byName = (name: string) => [...fake.containers.values()].filter((c) => c.config.metadata?.name === name).sort((a, b) => b.createdAt - a.createdAt);
  const latest = (name: string) => byName(name)[0]!;
  return {
    tmp,
    fake,
    recorder,
    mgr,
    sync,
    byName,
    latest,
    probeResults,
    hookCalls,
    stops,
    setHook: (f: typeof hookImpl) => (hookImpl = f),
    tick: (ms: number) => (clock += ms),
  };
}

test('a pod from nothing: sandbox, init container, then the regular containers', async () => {
  const t = await setup();
  const pod = mkPod({
    initContainers: [{ name: 'init', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo $(GREETING)'] }],
    containers: [
      { name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', args: ['$(GREETING)', '$(MISSING)'], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }, terminationMessagePath: '/dev/termination-log' },
      { name: 'd', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, hostPort: 8080 }] },
    ],
  });
  let r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(t.fake.sandboxes.size, 1);
  const sb = [...t.fake.sandboxes.values()][0]!;
  assert.deepEqual(sb.config.metadata, { name: 'p', namespace: 'default', uid: UID, attempt: 0 });
  assert.equal(sb.config.hostname, 'p');
  assert.equal(sb.config.logDirectory, join(t.tmp, 'logs', `default_p_${UID}`));
  assert.deepEqual(sb.config.dnsConfig?.servers, ['10.43.0.10']);
  assert.deepEqual(sb.config.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
  assert.equal(sb.config.labels?.['io.kubernetes.pod.uid'], UID);
  assert.equal(sb.config.labels?.app, 'x');
  assert.equal(sb.config.linux?.securityContext?.namespaceOptions?.network, 'POD');
  assert.equal((await stat(sb.config.logDirectory!)).isDirectory(), true);
  // Only the init container runs first.
  assert.equal(t.fake.containers.size, 1);
  const init = t.latest('init');
  assert.deepEqual(init.config.command, ['sh', '-c', 'echo hello']);
  assert.deepEqual(t.recorder.lines(), [
    'Normal Pulled Container image "busybox:1.35" already present on machine',
    'Normal Created Created container: init',
    'Normal Started Started container init',
  ]);
  assert.equal(t.recorder.events[1]!.object.fieldPath, 'spec.initContainers{init}');

  // Still running: nothing new.
  r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(t.fake.containers.size, 1);

  t.fake.exitContainer(init.id, 0);
  r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  const c = t.latest('c');
  assert.equal(c.state, 'CONTAINER_RUNNING');
  assert.equal(t.latest('d').state, 'CONTAINER_RUNNING');
  assert.deepEqual(c.config.metadata, { name: 'c', attempt: 0 });
  assert.deepEqual(c.config.args, ['hello', '$(MISSING)']);
  assert.equal(c.config.logPath, 'c/0.log');
  assert.equal(c.config.image?.userSpecifiedImage, 'busybox:1.35');
  assert.equal(c.config.image?.image, t.fake.images.get('docker.io/library/busybox:1.35')!.id);
  assert.deepEqual(c.config.envs, [{ key: 'GREETING', value: 'hello' }]);
  assert.equal(c.config.annotations?.['io.kubernetes.container.hash'], hashContainer(pod.spec!.containers[0]! as Container));
  assert.equal(c.config.annotations?.['io.kubernetes.container.restartCount'], '0');
  assert.equal(c.config.annotations?.['io.kubernetes.container.terminationMessagePath'], '/dev/termination-log');
  assert.equal(c.config.labels?.['io.kubernetes.container.name'], 'c');
  const res = c.config.linux?.resources;
  assert.equal(res?.cpuShares, 256);
  assert.equal(res?.cpuQuota, 50_000);
  assert.equal(res?.cpuPeriod, 100_000);
  assert.equal(res?.memoryLimitInBytes, 128 * 1024 ** 2);
  // Burstable: 1000 - 1000*64Mi/8Gi.
  assert.equal(res?.oomScoreAdj, 1000 - Math.floor((1000 * 64) / (8 * 1024)));
  const sc = c.config.linux?.securityContext;
  assert.ok(sc?.maskedPaths?.includes('/proc/kcore'));
  assert.ok(sc?.readonlyPaths?.includes('/proc/sys'));
  const tm = c.config.mounts?.find((m) => m.containerPath === '/dev/termination-log');
  assert.ok(tm?.hostPath?.startsWith(join(t.tmp, 'pods', UID, 'containers', 'c') + '/'));
  assert.equal(((await stat(tm!.hostPath!)).mode & 0o777).toString(8), '666');

  const st = await t.mgr.getPodStatus(UID, 'p', 'default');
  assert.equal(st.ips.length, 1);
  assert.equal(st.sandboxStatuses[0]!.state, 'ready');
  assert.deepEqual(
    st.containerStatuses.map((s) => [s.name, s.state, s.restartCount]),
    [['d', 'running', 0], ['c', 'running', 0], ['init', 'exited', 0]],
  );
  assert.equal(st.containerStatuses[1]!.id.type, 'containerd');
  // The runtime names the image (containerd: its first repo tag; the fake: what it was created from).
  assert.equal(st.containerStatuses[1]!.image, c.config.image?.image);
  assert.equal(st.containerStatuses[1]!.imageRef, c.imageRef);

  const pods = await t.mgr.getPods(false);
  assert.equal(pods.length, 1);
  assert.deepEqual(pods[0]!.containers.map((x) => x.name).sort(), ['c', 'd']);
  assert.equal(t.mgr.containerLogPath({ uid: UID, name: 'p', namespace: 'default' }, 'c', 3), join(t.tmp, 'logs', `default_p_${UID}`, 'c', '3.log'));
});

test('a crashing container restarts with a growing CrashLoopBackOff', async () => {
  const t = await setup();
  const pod = mkPod();
  await t.sync(pod);
  t.fake.exitContainer(t.latest('c').id, 1);
  let r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(t.latest('c').config.metadata?.attempt, 1);
  assert.equal(t.latest('c').config.logPath, 'c/1.log');

  t.fake.exitContainer(t.latest('c').id, 1);
  t.recorder.events.length = 0;
  r = await t.sync(pod);
  assert.deepEqual(r.errors, [
    { action: 'StartContainer', target: 'c', reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=c pod=p_default(${UID})` },
  ]);
  assert.deepEqual(t.recorder.lines(), [`Warning BackOff Back-off restarting failed container c in pod p_default(${UID})`]);
  assert.equal(t.byName('c').length, 2);

  t.tick(10_001);
  r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(t.latest('c').config.metadata?.attempt, 2);
  t.fake.exitContainer(t.latest('c').id, 1);
  r = await t.sync(pod);
  assert.equal(r.errors[0]?.message, `back-off 20s restarting failed container=c pod=p_default(${UID})`);
});

test('restart policies: Never stops the pod, OnFailure restarts only failures', async () => {
  const t = await setup();
  const never = mkPod({ restartPolicy: 'Never' });
  await t.sync(never);
  t.fake.exitContainer(t.latest('c').id, 1);
  let r = await t.sync(never);
  assert.deepEqual(r.errors, []);
  assert.equal(t.byName('c').length, 1);
  // Nothing left to run: the sandbox is stopped and not re-created.
  assert.equal([...t.fake.sandboxes.values()][0]!.state, 'SANDBOX_NOTREADY');
  r = await t.sync(never);
  assert.equal(t.fake.sandboxes.size, 1);

  const t2 = await setup();
  const onFailure = mkPod({ restartPolicy: 'OnFailure' });
  await t2.sync(onFailure);
  t2.fake.exitContainer(t2.latest('c').id, 1);
  await t2.sync(onFailure);
  assert.equal(t2.byName('c').length, 2);
  t2.fake.exitContainer(t2.latest('c').id, 0);
  t2.tick(60_000);
  await t2.sync(onFailure);
  assert.equal(t2.byName('c').length, 2);
});

test('a changed container spec and a failed liveness probe restart the container', async () => {
  const t = await setup({ images: ['busybox:1.35', 'busybox:1.36'] });
  const pod = mkPod();
  await t.sync(pod);
  const first = t.latest('c');
  t.recorder.events.length = 0;
  pod.spec!.containers[0]!.image = 'busybox:1.36';
  let r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(first.state, 'CONTAINER_EXITED');
  assert.equal(t.latest('c').config.image?.userSpecifiedImage, 'busybox:1.36');
  assert.equal(t.latest('c').config.metadata?.attempt, 1);
  assert.equal(t.recorder.lines()[0], 'Normal Killing Container c definition changed, will be restarted');
  assert.deepEqual(t.stops.at(-1), [first.id, 30]);

  const second = t.latest('c');
  t.recorder.events.length = 0;
  t.probeResults.set(`containerd://${second.id}`, { restart: true, message: 'Container c failed liveness probe, will be restarted' });
  r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(second.state, 'CONTAINER_EXITED');
  assert.equal(t.recorder.lines()[0], 'Normal Killing Container c failed liveness probe, will be restarted');
  assert.equal(t.latest('c').state, 'CONTAINER_RUNNING');
  assert.equal(t.latest('c').config.metadata?.attempt, 2);
});

test('killPod runs preStop within the grace period, then stops containers and the sandbox', async () => {
  const t = await setup();
  const pod = mkPod({
    containers: [
      { name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } } },
      { name: 'd', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
    ],
  });
  await t.sync(pod);
  t.setHook(async () => {
    t.tick(5_000);
    return undefined;
  });
  const status = await t.mgr.getPodStatus(UID, 'p', 'default');
  const running = (await t.mgr.getPods(false))[0]!;
  assert.equal(status.containerStatuses.length, 2);
  t.recorder.events.length = 0;
  await t.mgr.killPod(pod, running);
  const c = t.latest('c');
  const d = t.latest('d');
  assert.deepEqual(t.hookCalls, [`c ${c.id}`]);
  assert.deepEqual(new Map(t.stops), new Map([[c.id, 25], [d.id, 30]]));
  assert.deepEqual(t.recorder.lines().sort(), ['Normal Killing Stopping container c', 'Normal Killing Stopping container d']);
  assert.equal([...t.fake.sandboxes.values()][0]!.state, 'SANDBOX_NOTREADY');

  // An override of 0 still leaves the minimum of 2 s; a failed preStop is an event.
  const t2 = await setup();
  await t2.sync(pod);
  t2.setHook(async () => 'command failed');
  await t2.mgr.killPod(pod, (await t2.mgr.getPods(false))[0]!, 0);
  assert.deepEqual(t2.stops.map((s) => s[1]), [2, 2]);
  assert.deepEqual(t2.hookCalls, []);
  // Without a pod (deleted while down) the spec comes from labels and annotations.
  const t3 = await setup();
  await t3.sync(pod);
  t3.setHook(async () => 'boom');
  await t3.mgr.killPod(undefined, (await t3.mgr.getPods(false))[0]!);
  assert.equal(t3.hookCalls.length, 1);
  assert.ok(t3.recorder.lines().includes('Warning FailedPreStopHook PreStopHook failed'));
  assert.deepEqual(t3.stops.map((s) => s[1]).sort(), [30, 30]);
});

test('garbage collection keeps the newest exited instance per container', async () => {
  const t = await setup();
  const pod = mkPod();
  await t.sync(pod);
  for (let i = 0; i < 3; i++) {
    t.fake.exitContainer(t.latest('c').id, 1);
    t.tick(400_000);
    await t.sync(pod);
  }
  assert.equal(t.byName('c').length, 4);
  const logDir = join(t.tmp, 'logs', `default_p_${UID}`);
  await t.mgr.garbageCollect(() => false);
  const left = t.byName('c');
  assert.deepEqual(left.map((c) => c.state), ['CONTAINER_RUNNING', 'CONTAINER_EXITED']);
  assert.equal(left[1]!.config.metadata?.attempt, 2);

  // Deleted pod: everything goes, with its log directory.
  await t.mgr.killPod(pod, (await t.mgr.getPods(false))[0]!);
  await t.mgr.garbageCollect((uid) => uid === UID);
  assert.equal(t.fake.containers.size, 0);
  assert.equal(t.fake.sandboxes.size, 0);
  await assert.rejects(stat(logDir));
});

test('a dead sandbox is replaced with the next attempt; GC keeps the newest dead one', async () => {
  const t = await setup();
  const pod = mkPod();
  await t.sync(pod);
  const first = [...t.fake.sandboxes.values()][0]!;
  first.state = 'SANDBOX_NOTREADY';
  t.recorder.events.length = 0;
  t.tick(1000);
  const r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  assert.equal(t.fake.sandboxes.size, 2);
  const newest = [...t.fake.sandboxes.values()].find((s) => s.id !== first.id)!;
  assert.equal(newest.config.metadata?.attempt, 1);
  assert.equal(t.recorder.lines()[0], 'Normal SandboxChanged Pod sandbox changed, it will be killed and re-created.');
  assert.equal(t.latest('c').podSandboxId, newest.id);
  assert.equal(t.latest('c').config.metadata?.attempt, 1);
});

test('termination messages come from the file, or from the log tail with FallbackToLogsOnError', async () => {
  const t = await setup();
  const pod = mkPod({
    containers: [
      { name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' },
      { name: 'f', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError' },
    ],
    restartPolicy: 'Never',
  });
  await t.sync(pod);
  const c = t.latest('c');
  const hostFile = c.config.mounts!.find((m) => m.containerPath === '/dev/termination-log')!.hostPath!;
  await writeFile(hostFile, 'bye from c');
  t.fake.exitContainer(c.id, 2);
  const f = t.latest('f');
  const logFile = join(t.tmp, 'logs', `default_p_${UID}`, 'f', '0.log');
  await mkdir(join(t.tmp, 'logs', `default_p_${UID}`, 'f'), { recursive: true });
  await writeFile(logFile, '2024-01-01T00:00:00.000000000Z stdout F first\n2024-01-01T00:00:00.1Z stderr P part-\n2024-01-01T00:00:00.2Z stderr F ial\n');
  t.fake.exitContainer(f.id, 1);
  const st = await t.mgr.getPodStatus(UID, 'p', 'default');
  const byName = new Map(st.containerStatuses.map((s) => [s.name, s]));
  assert.equal(byName.get('c')!.message, 'bye from c');
  assert.equal(byName.get('c')!.exitCode, 2);
  assert.equal(byName.get('c')!.reason, 'Error');
  assert.equal(byName.get('f')!.message, 'first\npart-ial\n');
  assert.equal(await readFile(hostFile, 'utf8'), 'bye from c');
});

test('config errors, runAsNonRoot, create failures and postStart failures', async () => {
  const t = await setup({
    helper: {
      async generateRunContainerOptions(_pod, container) {
        if (container.name === 'bad') throw new ContainerConfigError('CreateContainerConfigError', 'configmap "missing" not found');
        return { envs: [], mounts: [], hostname: 'p', podContainerDir: '' };
      },
    },
  });
  const pod = mkPod({
    containers: [
      { name: 'bad', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
      { name: 'root', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', securityContext: { runAsNonRoot: true } },
      { name: 'hook', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', lifecycle: { postStart: { exec: { command: ['false'] } } } },
    ],
  });
  t.setHook(async () => "command 'false' exited with 1: ");
  const r = await t.sync(pod);
  assert.deepEqual(r.errors, [
    { action: 'StartContainer', target: 'bad', reason: 'CreateContainerConfigError', message: 'configmap "missing" not found' },
    { action: 'StartContainer', target: 'root', reason: 'CreateContainerConfigError', message: `container has runAsNonRoot and image will run as root (pod: "p_default(${UID})", container: root)` },
    { action: 'StartContainer', target: 'hook', reason: 'PostStartHookError', message: "command 'false' exited with 1: " },
  ]);
  const lines = t.recorder.lines();
  assert.ok(lines.includes('Warning Failed Error: configmap "missing" not found'));
  assert.ok(lines.includes('Warning FailedPostStartHook PostStartHook failed'));
  assert.ok(lines.includes('Normal Killing FailedPostStartHook'));
  assert.equal(t.latest('hook').state, 'CONTAINER_EXITED');

  // A non-root image passes; a failed CreateContainer is CreateContainerError.
  t.fake.images.get('docker.io/library/busybox:1.35')!.uid = { value: 1000 };
  t.fake.failNext('CreateContainer', 'UNKNOWN', 'no space left');
  t.recorder.events.length = 0;
  const r2 = await t.sync(pod);
  assert.deepEqual(r2.errors.map((e) => [e.target, e.reason, e.message]), [
    ['bad', 'CreateContainerConfigError', 'configmap "missing" not found'],
    ['root', 'CreateContainerError', 'no space left'],
    // Killed after its hook failed: its first restart is immediate (no back-off yet).
    ['hook', 'PostStartHookError', "command 'false' exited with 1: "],
  ]);
  assert.ok(t.recorder.lines().includes('Warning Failed Error: no space left'));
});

test('a failed init container with restartPolicy Never fails the pod; otherwise it is retried', async () => {
  const t = await setup();
  const pod = mkPod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' }] });
  await t.sync(pod);
  t.fake.exitContainer(t.latest('init').id, 3);
  await t.sync(pod);
  assert.equal(t.byName('c').length, 0);
  assert.equal(t.byName('init').length, 1);
  assert.equal([...t.fake.sandboxes.values()][0]!.state, 'SANDBOX_NOTREADY');

  const t2 = await setup();
  const pod2 = mkPod({ restartPolicy: 'Always', initContainers: [{ name: 'init', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' }] });
  await t2.sync(pod2);
  t2.fake.exitContainer(t2.latest('init').id, 3);
  await t2.sync(pod2);
  assert.equal(t2.byName('init').length, 2);
  assert.equal(t2.byName('c').length, 0);
  t2.fake.exitContainer(t2.latest('init').id, 3);
  const r = await t2.sync(pod2);
  assert.equal(r.errors[0]?.reason, 'CrashLoopBackOff');
});

test('a sandbox failure is an event and a CreatePodSandbox error', async () => {
  const t = await setup();
  t.fake.failNext('RunPodSandbox', 'UNKNOWN', 'failed to setup network');
  const r = await t.sync(mkPod());
  assert.deepEqual(r.errors, [
    { action: 'CreatePodSandbox', target: 'p', reason: 'CreatePodSandboxError', message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network' },
  ]);
  assert.deepEqual(t.recorder.lines(), ['Warning FailedCreatePodSandBox Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network']);
});

test('image pull failures are ErrImagePull then ImagePullBackOff on the container', async () => {
  const t = await setup();
  const pod = mkPod({ containers: [{ name: 'c', image: 'nope:1', imagePullPolicy: 'IfNotPresent' }] });
  let r = await t.sync(pod);
  assert.equal(r.errors[0]?.reason, 'ErrImagePull');
  assert.match(r.errors[0]!.message, /^rpc error: code = NotFound desc = /);
  assert.equal(t.recorder.lines().at(-1), 'Warning Failed Error: ErrImagePull');
  t.recorder.events.length = 0;
  r = await t.sync(pod);
  assert.deepEqual(r.errors, [{ action: 'StartContainer', target: 'c', reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' }]);
  assert.deepEqual(t.recorder.lines(), ['Normal BackOff Back-off pulling image "nope:1"', 'Warning Failed Error: ImagePullBackOff']);
});

test('host namespaces, sysctls, security context and capabilities reach the CRI configs', async () => {
  const t = await setup();
  const pod = mkPod({
    hostNetwork: true,
    hostPID: true,
    securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    containers: [
      {
        name: 'c',
        image: 'busybox:1.35',
        imagePullPolicy: 'IfNotPresent',
        securityContext: { runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
      },
      { name: 'priv', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', securityContext: { privileged: true } },
    ],
  });
  const r = await t.sync(pod);
  assert.deepEqual(r.errors, []);
  const sb = [...t.fake.sandboxes.values()][0]!.config;
  assert.equal(sb.hostname, '');
  assert.deepEqual(sb.linux?.sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(sb.linux?.securityContext?.namespaceOptions, { network: 'NODE', pid: 'NODE', ipc: 'POD' });
  assert.equal(sb.linux?.securityContext?.privileged, true);
  assert.deepEqual(sb.linux?.securityContext?.runAsUser, { value: 1000 });
  const sc = t.latest('c').config.linux?.securityContext;
  assert.deepEqual(sc?.runAsUser, { value: 1001 });
  assert.deepEqual(sc?.runAsGroup, { value: 3000 });
  assert.deepEqual(sc?.supplementalGroups, [2000, 4000]);
  assert.equal(sc?.readonlyRootfs, true);
  assert.equal(sc?.noNewPrivs, true);
  assert.deepEqual(sc?.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
  const priv = t.latest('priv').config.linux?.securityContext;
  assert.equal(priv?.privileged, true);
  assert.deepEqual(priv?.maskedPaths, []);
  // BestEffort: OOM score 1000, minimal cpu shares, no quota.
  assert.equal(t.latest('priv').config.linux?.resources?.oomScoreAdj, 1000);
  assert.equal(t.latest('priv').config.linux?.resources?.cpuShares, 2);
  assert.equal(t.latest('priv').config.linux?.resources?.cpuQuota, undefined);
});

test('subPath mounts are joined, created and kept inside their volume', async () => {
  let mounts: RunContainerOptions['mounts'] = [];
  const t = await setup({
    helper: {
      async generateRunContainerOptions() {
        return { envs: [], mounts, hostname: 'p', podContainerDir: '' };
      },
    },
  });
  const vol = join(t.tmp, 'vol');
  await mkdir(vol);
  mounts = [{ name: 'data', containerPath: '/data', hostPath: vol, readOnly: true, subPath: 'sub/dir' }];
  let r = await t.sync(mkPod());
  assert.deepEqual(r.errors, []);
  assert.deepEqual(t.latest('c').config.mounts, [{ hostPath: join(vol, 'sub', 'dir'), containerPath: '/data', readonly: true }]);
  assert.equal((await stat(join(vol, 'sub', 'dir'))).isDirectory(), true);

  const t2 = await setup({
    helper: {
      async generateRunContainerOptions() {
        return { envs: [], mounts: [{ name: 'data', containerPath: '/data', hostPath: vol, readOnly: false, subPath: '../etc' }], hostname: 'p', podContainerDir: '' };
      },
    },
  });
  r = await t2.sync(mkPod());
  assert.deepEqual(r.errors[0], { action: 'StartContainer', target: 'c', reason: 'CreateContainerConfigError', message: "unable to provision SubPath `../etc`: must not contain '..'" });
});

test('a failed liveness probe with restartPolicy Never kills without restarting', async () => {
  const t = await setup();
  const pod = mkPod({
    restartPolicy: 'Never',
    containers: [
      { name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
      { name: 'keep', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
    ],
  });
  await t.sync(pod);
  const c = t.latest('c');
  t.probeResults.set(`containerd://${c.id}`, { restart: true, message: 'Container c failed liveness probe' });
  t.recorder.events.length = 0;
  await t.sync(pod);
  assert.equal(c.state, 'CONTAINER_EXITED');
  assert.equal(t.byName('c').length, 1);
  assert.deepEqual(t.recorder.lines(), ['Normal Killing Container c failed liveness probe']);
  assert.equal(t.latest('keep').state, 'CONTAINER_RUNNING');
  // With nothing left running the whole pod is stopped (upstream: "Stopping container").
  t.fake.exitContainer(t.latest('keep').id, 0);
  await t.sync(pod);
  assert.equal([...t.fake.sandboxes.values()][0]!.state, 'SANDBOX_NOTREADY');
});
