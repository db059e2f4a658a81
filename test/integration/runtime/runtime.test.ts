// The runtime layer against the real thing (root): a private containerd in a temp dir with a
// CNI bridge on a 10.88.x.0/24, images k8ts builds imported with ctr, one pod through CRI, and
// a check that everything the test created is gone afterwards — also when it fails (finally
// plus a process 'exit' hook that runs cleanup-cli.ts synchronously).
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nopLogger } from '../../../src/logging/index.js';
import { CRIClient, NETWORK_READY, RUNTIME_READY, type PodSandboxConfig, type Req } from '../../../src/kubelet/cri/index.js';
import {
  ContainerdSupervisor,
  checkDependencies,
  cidrContains,
  cleanupInstance,
  findShims,
  isAlive,
  mountsUnder,
  runtimeDependencies,
} from '../../../src/kubelet/containerd/index.js';
import { PAUSE_IMAGE, ensureDefaultImages, importImages } from '../../../src/kubelet/images/index.js';
import { cgroupsPresent, linkExists, pathExists, removeCgroups } from './host.js';

async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (containerd, runc, CNI bridge)';
  try {
    await checkDependencies(runtimeDependencies());
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

const reason = await skipReason();

test('private containerd runs a busybox pod through CRI and leaves nothing behind', { skip: reason ?? false, timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp('/tmp/k8ts-rt-');
  const suffix = randomBytes(3).toString('hex');
  const bridge = `k8t${suffix}`;
  const cgroupParent = `/k8ts-test-${suffix}`;
  const failures: Error[] = [];
  const podCIDR = `10.88.${100 + (randomBytes(1)[0] % 150)}.0/24`;
  const sup = new ContainerdSupervisor({ dir: join(dir, 'containerd'), sandboxImage: PAUSE_IMAGE, podCIDR, bridge, networkName: `k8ts-test-${suffix}`, logger: nopLogger(), stopGraceMs: 5000, restartBackoffMs: { initial: 200, max: 1000 }, onFailure: (err) => failures.push(err) });
  const paths = sup.paths;
  const cli = fileURLToPath(new URL('./cleanup-cli.ts', import.meta.url));
  const emergency = (): void => {
    spawnSync(process.execPath, ['--import', 'tsx', cli, paths.dir, bridge, cgroupParent, String(sup.pid ?? '')], { stdio: 'ignore', timeout: 30_000 });
    spawnSync('rm', ['-rf', dir]);
  };
  process.once('exit', emergency);
  const client = CRIClient.connect(sup.endpoint, { timeoutMs: 30_000 });
  let netnsPath = '';
  try {
    let t0 = Date.now();
    await sup.start();
    const startMs = Date.now() - t0;

    t0 = Date.now();
    const files = await ensureDefaultImages(join(dir, 'data'));
    const buildMs = Date.now() - t0;
    t0 = Date.now();
    const imported = await importImages(files, { address: paths.socket });
    const importMs = Date.now() - t0;
    assert.deepEqual(imported.flatMap((r) => r.images).sort(), ['docker.io/library/busybox:1.35', 'docker.io/library/busybox:latest', PAUSE_IMAGE]);

    const version = await client.version();
    assert.equal(version.runtimeName, 'containerd');
    assert.equal(version.runtimeApiVersion, 'v1');
    const status = await client.status();
    const cond = (type: string) => status.status?.conditions.find((c) => c.type === type);
    assert.equal(cond(RUNTIME_READY)?.status, true);
    assert.equal(cond(NETWORK_READY)?.status, true, JSON.stringify(cond(NETWORK_READY)));

    const busybox = await client.imageStatus({ image: 'busybox' });
    assert.ok(busybox.image?.repoTags.includes('docker.io/library/busybox:latest'), JSON.stringify(busybox.image));
    assert.equal((await client.imageStatus({ image: 'docker.io/library/nothere:1' })).image, null);

    const uid = randomUUID();
    const logDirectory = join(dir, 'pods', `default_hello_${uid}`);
    await mkdir(join(logDirectory, 'main'), { recursive: true });
    const sandboxConfig: Req<PodSandboxConfig> = {
      metadata: { name: 'hello', namespace: 'default', uid, attempt: 0 },
      hostname: 'hello',
      logDirectory,
      labels: { 'io.kubernetes.pod.name': 'hello', 'k8ts.test': suffix },
      linux: { cgroupParent, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };

    t0 = Date.now();
    const podId = await client.runPodSandbox(sandboxConfig);
    const runPodMs = Date.now() - t0;
    const podStatus = await client.podSandboxStatus(podId, true);
    assert.equal(podStatus.status?.state, 'SANDBOX_READY');
    const ip = podStatus.status?.network?.ip ?? '';
    assert.ok(cidrContains(podCIDR, ip), `pod IP ${ip} not in ${podCIDR}`);
    const info = JSON.parse(podStatus.info.info ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    netnsPath = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path ?? '';
    assert.match(netnsPath, /^\/var\/run\/netns\/cni-/);
    assert.ok(await linkExists(bridge), 'bridge created');
    assert.deepEqual((await client.listPodSandbox({ labelSelector: { 'k8ts.test': suffix } })).map((s) => s.id), [podId]);

    t0 = Date.now();
    const ctrId = await client.createContainer(podId, {
      metadata: { name: 'main', attempt: 0 },
      image: { image: 'docker.io/library/busybox:latest' },
      command: ['sh', '-c', 'echo hello; sleep 30'],
      logPath: 'main/0.log',
      labels: { 'io.kubernetes.container.name': 'main' },
    }, sandboxConfig);
    const createMs = Date.now() - t0;
    assert.equal((await client.containerStatus(ctrId)).status?.state, 'CONTAINER_CREATED');

    t0 = Date.now();
    await client.startContainer(ctrId);
    const startCtrMs = Date.now() - t0;
    const running = (await client.containerStatus(ctrId)).status;
    assert.equal(running?.state, 'CONTAINER_RUNNING');
    assert.ok((running?.startedAt ?? 0) > 0);
    assert.equal(running?.logPath, join(logDirectory, 'main/0.log'));

    // The CRI log format: `<RFC3339Nano> stdout F hello`.
    const logFile = join(logDirectory, 'main/0.log');
    let log = '';
    for (let i = 0; i < 100 && !log.includes('hello'); i++) {
      log = await readFile(logFile, 'utf8').catch(() => '');
      if (!log.includes('hello')) await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) stdout F hello$/m);

    t0 = Date.now();
    const exec = await client.execSync(ctrId, ['cat', '/etc/hostname'], 10);
    const execMs = Date.now() - t0;
    assert.equal(exec.stdout.toString(), 'hello\n');
    assert.equal(exec.exitCode, 0);
    const failing = await client.execSync(ctrId, ['sh', '-c', 'echo oops >&2; exit 3'], 10);
    assert.equal(failing.exitCode, 3);
    assert.equal(failing.stderr.toString(), 'oops\n');
    // The pod reaches its own IP; nothing leaves the pod CIDR.
    const ipOut = await client.execSync(ctrId, ['ip', '-4', '-o', 'addr', 'show', 'eth0'], 10);
    assert.ok(ipOut.stdout.toString().includes(ip), ipOut.stdout.toString());

    const streamUrl = await client.exec({ containerId: ctrId, cmd: ['sh'], stdin: true, stdout: true });
    assert.match(streamUrl, new RegExp(`^http://127\\.0\\.0\\.1:${sup.streamPort}/exec/`));

    const stats = await client.containerStats(ctrId);
    assert.equal(stats?.attributes?.id, ctrId);
    assert.ok((stats?.memory?.workingSetBytes?.value ?? 0) > 0);

    t0 = Date.now();
    await client.stopContainer(ctrId, 1);
    const stopCtrMs = Date.now() - t0;
    const exited = (await client.containerStatus(ctrId)).status;
    assert.equal(exited?.state, 'CONTAINER_EXITED');
    // SIGTERM (143) or, when the process ignores it, SIGKILL after the 1 s timeout (137).
    assert.ok([137, 143].includes(exited?.exitCode ?? 0), `exit code ${exited?.exitCode}`);
    assert.ok((exited?.finishedAt ?? 0) >= (exited?.startedAt ?? 0));
    await client.removeContainer(ctrId);
    await assert.rejects(client.containerStatus(ctrId), (err: Error & { code?: string }) => err.code === 'NOT_FOUND');

    t0 = Date.now();
    await client.stopPodSandbox(podId);
    const stopPodMs = Date.now() - t0;
    t0 = Date.now();
    await client.removePodSandbox(podId);
    const removePodMs = Date.now() - t0;
    assert.equal(await pathExists(netnsPath), false, 'netns removed by StopPodSandbox');
    // host-local released the address: only its bookkeeping files remain.
    const ipamFiles = await readdir(join(paths.ipamDataDir, `k8ts-test-${suffix}`)).catch(() => [] as string[]);
    assert.ok(!ipamFiles.includes(ip), `IPAM still holds ${ip}: ${ipamFiles.join(' ')}`);

    // Supervision: containerd killed behind the supervisor's back comes back and answers again.
    const firstPid = sup.pid ?? 0;
    process.kill(firstPid, 'SIGKILL');
    t0 = Date.now();
    while ((sup.state !== 'running' || sup.pid === firstPid) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    const restartMs = Date.now() - t0;
    assert.equal(sup.state, 'running');
    assert.equal(sup.restartCount, 1);
    assert.notEqual(sup.pid, firstPid);
    assert.equal((await client.version()).runtimeName, 'containerd');
    assert.equal(failures.length, 1);
    assert.match(failures[0].message, /containerd exited unexpectedly \(code null, signal SIGKILL\)/);

    t.diagnostic(`containerd restart after SIGKILL ${restartMs} ms (back-off 200 ms)`);
    t.diagnostic(`containerd start ${startMs} ms; images build ${buildMs} ms, import ${importMs} ms`);
    t.diagnostic(`RunPodSandbox ${runPodMs} ms, CreateContainer ${createMs} ms, StartContainer ${startCtrMs} ms, ExecSync ${execMs} ms`);
    t.diagnostic(`StopContainer(timeout 1 s) ${stopCtrMs} ms, StopPodSandbox ${stopPodMs} ms, RemovePodSandbox ${removePodMs} ms`);
  } finally {
    client.close();
    const containerdPid = sup.pid;
    const report = await sup.close();
    await cleanupInstance(paths, { bridge });
    await removeCgroups(cgroupParent);
    // Everything is gone.
    assert.equal(sup.state, 'stopped');
    if (containerdPid) assert.equal(await isAlive(containerdPid), false, 'containerd stopped');
    assert.deepEqual(await findShims(paths), [], 'no shims left');
    assert.deepEqual(await mountsUnder(dir), [], 'no mounts left');
    if (netnsPath) assert.equal(await pathExists(netnsPath), false, 'no netns left');
    assert.equal(await linkExists(bridge), false, 'bridge removed');
    assert.equal(await pathExists(paths.ipamDataDir), false, 'IPAM state removed');
    assert.deepEqual(await cgroupsPresent(cgroupParent), [], 'cgroups removed');
    assert.deepEqual(report?.errors ?? [], []);
    await cleanupInstance(paths, { bridge, removeDir: true });
    spawnSync('rm', ['-rf', dir]);
    process.removeListener('exit', emergency);
  }
});
