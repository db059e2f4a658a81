import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../client/record/index.js';
import { NODES, PODS } from '../client/resources.js';
import { nopLogger } from '../logging/index.js';
import type { BackOff, MountedVolume, ProbeResults, Runtime, RuntimeContainerStatus, RuntimePodStatus, RunningPod, SyncStepError } from './container/runtime.js';
import { Kubelet } from './kubelet.js';
import { noProbes, testPod } from './status/testing.js';
import { TestAPI } from './util/testing/pod-api.js';
import type { PodObject } from './util/pod.js';

/** A runtime that starts every container of a synced pod at once. */
class FakeRuntime implements Runtime {
  readonly type = 'fake';
  readonly calls: string[] = [];
  readonly pods = new Map<string, { name: string; namespace: string; containers: RuntimeContainerStatus[]; sandbox: boolean }>();
  /** Errors every syncPod returns (those containers do not start) until cleared. */
  syncErrors: SyncStepError[] = [];
  private seq = 0;

  async version() {
    return { runtimeName: 'fake', runtimeVersion: '1' };
  }
  async syncPod(pod: Pod, _status: RuntimePodStatus, _secrets: readonly unknown[], backOff: BackOff) {
    const uid = pod.metadata!.uid!;
    this.calls.push(`syncPod ${pod.metadata?.name}`);
    let p = this.pods.get(uid);
    if (!p) this.pods.set(uid, (p = { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, containers: [], sandbox: true }));
    const errors = this.syncErrors;
    for (const e of errors) backOff.next(`${uid}/${e.target}`, Date.now());
    for (const c of pod.spec?.containers ?? []) {
      if (errors.some((e) => e.target === c.name) || p.containers.some((x) => x.name === c.name)) continue;
      const t = Date.now();
      p.containers.push({
        id: { type: 'containerd', id: `c${++this.seq}` }, name: c.name, state: 'running', createdAt: t, startedAt: t, finishedAt: 0, exitCode: 0,
        image: c.image ?? '', imageRef: 'sha256:1', hash: 'h', restartCount: 0, reason: '', message: '',
      });
    }
    return { errors };
  }
  async killPod(pod: Pod | undefined, running: RunningPod, grace?: number) {
    this.calls.push(`killPod ${running.uid} grace=${grace}`);
    const p = this.pods.get(running.uid);
    if (!p) return;
    for (const c of p.containers) if (c.state === 'running') Object.assign(c, { state: 'exited', exitCode: 143, reason: 'Error', finishedAt: Date.now() });
    p.sandbox = false;
  }
  async getPodStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus> {
    const p = this.pods.get(uid);
    return {
      uid, name, namespace,
      ips: p?.sandbox ? ['10.42.0.9'] : [],
      sandboxStatuses: p ? [{ id: `sb-${uid}`, state: p.sandbox ? 'ready' : 'notready', createdAt: 1, attempt: 0, ip: p.sandbox ? '10.42.0.9' : '', additionalIPs: [] }] : [],
      containerStatuses: structuredClone(p?.containers ?? []),
      timestamp: Date.now(),
    };
  }
  async getPods(all: boolean): Promise<RunningPod[]> {
    return [...this.pods]
      .map(([uid, p]) => ({
        uid, name: p.name, namespace: p.namespace,
        sandboxIds: p.sandbox || all ? [`sb-${uid}`] : [],
        containers: p.containers.filter((c) => all || c.state === 'running').map((c) => ({ id: c.id, name: c.name, state: c.state, hash: c.hash })),
      }))
      .filter((p) => all || p.containers.length > 0 || p.sandboxIds.length > 0);
  }
  async garbageCollect() {
    this.calls.push('gc');
  }
  containerLogPath() {
    return '/dev/null';
  }
}

class FakeVolumes {
  readonly calls: string[] = [];
  failMount: string | undefined;
  onDisk: string[] = [];
  async mountPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    this.calls.push(`mount ${pod.metadata?.name}`);
    if (this.failMount) throw new Error(this.failMount);
    return new Map();
  }
  async cleanupPod(uid: string) {
    this.calls.push(`cleanup ${uid}`);
  }
  async podsOnDisk() {
    return this.onDisk;
  }
}

class FakeProbes implements ProbeResults {
  readonly added = new Set<string>();
  private cb: ((uid: string) => void) | undefined;
  addPod(pod: Pod) {
    this.added.add(pod.metadata!.uid!);
  }
  removePod(uid: string) {
    this.added.delete(uid);
  }
  updatePodStatus(pod: Pod, status: PodStatus) {
    noProbes.updatePodStatus(pod, status);
  }
  shouldRestart() {
    return { restart: false, message: '' };
  }
  onChange(cb: (uid: string) => void) {
    this.cb = cb;
  }
  fire(uid: string) {
    this.cb?.(uid);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(extra: { staticPods?: boolean; before?: (api: TestAPI, manifests: string) => Promise<void> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-kubelet-'));
  const manifests = join(dir, 'pod-manifests');
  const api = new TestAPI();
  api.apply(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.5.1' }] } });
  const runtime = new FakeRuntime();
  const volumes = new FakeVolumes();
  const probes = new FakeProbes();
  const recorder = new FakeRecorder();
  const kubelet = new Kubelet({
    client: api, nodeName: 'n1', runtime, volumes, probes, recorder, logger: nopLogger(), rootDir: dir,
    env: { makeEnvironmentVariables: async () => [] },
    clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: '',
    relistPeriodMs: 60_000, housekeepingPeriodMs: 60_000, gcPeriodMs: 60_000, backOffPeriodMs: 50, statusRetryMs: 10,
    ...(extra.staticPods ? { staticPodPath: manifests, fileCheckFrequencyMs: 60_000 } : {}),
  });
  if (extra.staticPods) await mkdir(manifests);
  await extra.before?.(api, manifests);
  const ac = new AbortController();
  cleanups.push(async () => {
    ac.abort();
    await kubelet.close();
    await rm(dir, { recursive: true, force: true });
  });
  await kubelet.start(ac.signal);
  const stored = () => api.stored<Pod>(PODS, 'ns', 'p');
  return { api, runtime, volumes, probes, recorder, kubelet, stored, dir, manifests };
}

async function until(what: string, cond: () => boolean, kubelet: Kubelet): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await kubelet.idle();
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('Kubelet', () => {
  it('runs a pod bound to the node and reports Running/Ready with IPs', async () => {
    const t = await setup();
    t.api.apply(PODS, testPod({ spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }) as Pod);
    t.api.apply(PODS, testPod({ metadata: { name: 'elsewhere', uid: 'other' }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'b' }] } }) as Pod);
    await until('pod Running', () => t.stored()?.status?.phase === 'Running', t.kubelet);
    const st = t.stored()!.status!;
    assert.equal(st.podIP, '10.42.0.9');
    assert.equal(st.hostIP, '192.168.5.1');
    assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(st.containerStatuses?.[0]?.containerID, 'containerd://c1');
    assert.deepEqual(t.volumes.calls[0], 'mount p');
    assert.ok(t.probes.added.has('uid-1'));
    assert.equal(t.kubelet.getPod('ns', 'p')?.metadata?.uid, 'uid-1');
    assert.equal(t.kubelet.getPodByUID('uid-1')?.metadata?.name, 'p');
    assert.equal(t.kubelet.apiStatus('uid-1')?.phase, 'Running');
    assert.equal(t.kubelet.getPod('ns', 'elsewhere'), undefined);
    assert.ok(!t.runtime.calls.includes('syncPod elsewhere'));
    // A probe change syncs the pod again.
    const before = t.runtime.calls.length;
    t.probes.fire('uid-1');
    await t.kubelet.idle();
    assert.equal(t.runtime.calls.length, before + 1);
  });

  it('a deleted pod is killed with its grace period, gets its final status and is removed with grace 0 and a uid precondition', async () => {
    const t = await setup();
    const pod = t.api.apply(PODS, testPod() as Pod);
    await until('pod Running', () => t.stored()?.status?.phase === 'Running', t.kubelet);
    t.api.apply(PODS, { ...t.stored()!, metadata: { ...t.stored()!.metadata, deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } });
    await until('pod deleted', () => t.stored() === undefined, t.kubelet);
    assert.ok(t.runtime.calls.includes('killPod uid-1 grace=30'));
    assert.ok(t.volumes.calls.includes('cleanup uid-1'));
    const del = t.api.calls.find((c) => c.verb === 'delete');
    assert.deepEqual(del?.options, { namespace: 'ns', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } });
    // The last status written before the delete was terminal.
    const patches = t.api.calls.filter((c) => c.verb === 'patch').map((c) => (c.body as { status: PodStatus }).status.phase).filter(Boolean);
    assert.equal(patches.at(-1), 'Failed');
    await until('worker forgotten', () => t.kubelet.apiStatus('uid-1') === undefined, t.kubelet);
  });

  it('a force-deleted pod is killed and cleaned', async () => {
    const t = await setup();
    t.api.apply(PODS, testPod() as Pod);
    await until('pod Running', () => t.stored()?.status?.phase === 'Running', t.kubelet);
    t.api.remove(PODS, 'ns', 'p');
    await until('killed and cleaned', () => t.volumes.calls.includes('cleanup uid-1'), t.kubelet);
    assert.ok(t.runtime.calls.includes('killPod uid-1 grace=30'));
    assert.ok(!t.api.calls.some((c) => c.verb === 'delete'));
  });

  it('a mount failure is a FailedMount event and no container starts', async () => {
    const t = await setup();
    t.volumes.failMount = 'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found';
    t.api.apply(PODS, testPod() as Pod);
    await until('status written', () => (t.stored()?.status?.containerStatuses?.length ?? 0) > 0, t.kubelet);
    assert.deepEqual(t.recorder.lines()[0], 'Warning FailedMount MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found');
    assert.deepEqual(t.stored()!.status!.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(t.stored()!.status!.phase, 'Pending');
    assert.ok(!t.runtime.calls.some((c) => c.startsWith('syncPod')));
  });

  it('start failures become waiting reasons until the container runs', async () => {
    const t = await setup();
    t.runtime.syncErrors = [{ action: 'StartContainer', target: 'c', reason: 'ErrImagePull', message: 'failed to pull image "busybox"' }];
    t.api.apply(PODS, testPod() as Pod);
    await until('waiting reason', () => t.stored()?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', t.kubelet);
    assert.equal(t.stored()!.status!.containerStatuses![0]!.state!.waiting!.message, 'failed to pull image "busybox"');
    assert.equal(t.stored()!.status!.phase, 'Pending');
    t.runtime.syncErrors = [];
    t.probes.fire('uid-1');
    await until('running', () => Boolean(t.stored()?.status?.containerStatuses?.[0]?.state?.running), t.kubelet);
  });

  it('housekeeping kills runtime pods and cleans pod directories the API does not know', async () => {
    const t = await setup();
    t.runtime.pods.set('ghost', {
      name: 'ghost', namespace: 'ns', sandbox: true,
      containers: [{ id: { type: 'containerd', id: 'g1' }, name: 'c', state: 'running', createdAt: 1, startedAt: 1, finishedAt: 0, exitCode: 0, image: 'b', imageRef: '', hash: '', restartCount: 0, reason: '', message: '' }],
    });
    t.volumes.onDisk = ['ghost', 'stale'];
    await t.kubelet.housekeeping();
    await until('ghost killed', () => t.volumes.calls.includes('cleanup ghost'), t.kubelet);
    assert.ok(t.runtime.calls.includes('killPod ghost grace=1'));
    assert.ok(t.volumes.calls.includes('cleanup stale'));
    await t.kubelet.garbageCollect();
    assert.ok(t.runtime.calls.includes('gc'));
  });

  it('a pod that ran to completion (restartPolicy Never) is Succeeded and its volumes cleaned, the object kept', async () => {
    const t = await setup();
    t.api.apply(PODS, testPod({ spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }) as Pod);
    await until('pod Running', () => t.stored()?.status?.phase === 'Running', t.kubelet);
    const c = t.runtime.pods.get('uid-1')!.containers[0]!;
    Object.assign(c, { state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: Date.now() });
    t.probes.fire('uid-1');
    await until('pod Succeeded', () => t.stored()?.status?.phase === 'Succeeded', t.kubelet);
    await until('cleaned', () => t.volumes.calls.includes('cleanup uid-1'), t.kubelet);
    assert.ok(t.stored(), 'a completed pod stays until deleted');
  });

  it('asks to sync again exactly when the earliest container back-off ends', async () => {
    const runtime = new FakeRuntime();
    runtime.syncPod = async (_pod, _st, _s, backOff) => {
      backOff.next('crash/c', 1000);
      return { errors: [{ action: 'StartContainer', target: 'c', reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=c pod=p_ns(uid-1)' }] };
    };
    const api = new TestAPI();
    const k = new Kubelet({
      client: api, nodeName: 'n1', runtime, volumes: new FakeVolumes(), probes: new FakeProbes(), recorder: new FakeRecorder(), logger: nopLogger(), rootDir: '/nonexistent',
      env: { makeEnvironmentVariables: async () => [] }, clusterDNS: [], clusterDomain: 'cluster.local', resolvConf: '', now: () => 4000,
    });
    const r = await k.syncPod(api.apply(PODS, testPod() as Pod));
    assert.deepEqual(r, { terminal: false, requeueAfterMs: 7000 });
    assert.equal(k.apiStatus('uid-1')?.containerStatuses?.[0]?.state?.waiting?.reason, 'CrashLoopBackOff');
    await k.close();
  });
});

const STATIC_WEB = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {role: web}
spec:
  containers:
  - name: web
    image: busybox
    command: [sleep, "3600"]
`;

describe('Kubelet static pods', () => {
  const mirror = (t: { api: TestAPI }) => t.api.stored<PodObject>(PODS, 'default', 'static-web-n1');
  const staticUID = (t: { kubelet: Kubelet }) => t.kubelet.getPod('default', 'static-web-n1')?.metadata?.uid ?? '';

  it('runs a manifest as a static pod and creates its mirror pod with the config annotations and the Node as owner', async () => {
    const t = await setup({ staticPods: true });
    await writeFile(join(t.manifests, 'static-web.yaml'), STATIC_WEB);
    await t.kubelet.rescanStaticPods();
    await until('mirror Running', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
    const sp = t.kubelet.getPod('default', 'static-web-n1')!;
    const uid = sp.metadata!.uid!;
    assert.match(uid, /^[0-9a-f]{32}$/);
    assert.ok(t.runtime.calls.includes('syncPod static-web-n1'));
    assert.ok(t.runtime.pods.has(uid), 'the containers run under the static pod UID');
    const m = mirror(t)!;
    assert.notEqual(m.metadata?.uid, uid);
    const ann = m.metadata!.annotations!;
    assert.equal(ann['kubernetes.io/config.mirror'], uid);
    assert.equal(ann['kubernetes.io/config.hash'], uid);
    assert.equal(ann['kubernetes.io/config.source'], 'file');
    assert.match(ann['kubernetes.io/config.seen']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(m.metadata!.labels, { role: 'web' });
    const node = t.api.stored<PodObject>(NODES, undefined, 'n1')!;
    assert.deepEqual(m.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata!.uid, controller: true }]);
    assert.equal(m.spec!.nodeName, 'n1');
    assert.equal(m.spec!.restartPolicy, 'Always');
    assert.deepEqual(m.spec!.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(m.status!.podIP, '10.42.0.9');
    // The status patches carry the mirror's UID as precondition.
    const statusPatch = t.api.calls.find((c) => c.verb === 'patch' && c.subresource === 'status');
    assert.deepEqual((statusPatch?.body as { metadata: unknown }).metadata, { uid: m.metadata!.uid });
    // The kubelet serves the static pod (not the mirror) and lists it once.
    assert.equal(t.kubelet.listPods().filter((p) => p.metadata?.name === 'static-web-n1').length, 1);
    assert.equal(t.kubelet.listPods().find((p) => p.metadata?.name === 'static-web-n1')?.metadata?.uid, uid);
    // The mirror pod is never run as a pod of its own.
    assert.equal(t.runtime.pods.size, 1);
    // Reading the unchanged directory again and housekeeping change nothing.
    const creates = t.api.calls.filter((c) => c.verb === 'create').length;
    await t.kubelet.rescanStaticPods();
    await t.kubelet.housekeeping();
    await t.kubelet.idle();
    assert.equal(mirror(t)?.metadata?.uid, m.metadata!.uid);
    assert.ok(!t.api.calls.some((c) => c.verb === 'delete'));
    assert.equal(t.api.calls.filter((c) => c.verb === 'create').length, creates);
  });

  it('recreates a deleted mirror pod (force and graceful deletion) while the static pod keeps running', async () => {
    const t = await setup({ staticPods: true });
    await writeFile(join(t.manifests, 'static-web.yaml'), STATIC_WEB);
    await t.kubelet.rescanStaticPods();
    await until('mirror Running', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
    const first = mirror(t)!.metadata!.uid;
    t.api.remove(PODS, 'default', 'static-web-n1');
    await until('mirror recreated', () => Boolean(mirror(t) && mirror(t)!.metadata!.uid !== first), t.kubelet);
    await until('status written again', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
    // kubectl delete: a graceful deletion marks the mirror; the kubelet removes it at once and creates a new one.
    const second = mirror(t)!;
    t.api.apply(PODS, { ...second, metadata: { ...second.metadata, deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } });
    await until('mirror replaced', () => Boolean(mirror(t) && mirror(t)!.metadata!.uid !== second.metadata!.uid && !mirror(t)!.metadata!.deletionTimestamp), t.kubelet);
    const del = t.api.calls.find((c) => c.verb === 'delete');
    assert.deepEqual(del?.options, { namespace: 'default', gracePeriodSeconds: 0, preconditions: { uid: second.metadata!.uid } });
    assert.ok(!t.runtime.calls.some((c) => c.startsWith('killPod')), 'the static pod was never killed');
    await until('status written again', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
  });

  it('a changed manifest replaces the pod and its mirror; a removed one kills the pod and deletes the mirror', async () => {
    const t = await setup({ staticPods: true });
    await writeFile(join(t.manifests, 'static-web.yaml'), STATIC_WEB);
    await t.kubelet.rescanStaticPods();
    await until('mirror Running', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
    const oldUID = staticUID(t);
    // A slow kill: the new pod must not start before the old one (same name) has stopped.
    const order: string[] = [];
    const kill = t.runtime.killPod.bind(t.runtime);
    const sync = t.runtime.syncPod.bind(t.runtime);
    let housekept = false;
    t.runtime.killPod = async (pod, running, grace) => {
      order.push(`kill ${running.uid}`);
      // Housekeeping meanwhile keeps the mirror: a pod of that name is still terminating.
      await t.kubelet.housekeeping();
      housekept = Boolean(mirror(t));
      await new Promise((r) => setTimeout(r, 30));
      await kill(pod, running, grace);
      order.push(`killed ${running.uid}`);
    };
    t.runtime.syncPod = async (pod, st, secrets, backOff) => {
      order.push(`sync ${pod.metadata!.uid}`);
      return sync(pod, st, secrets, backOff);
    };
    await writeFile(join(t.manifests, 'static-web.yaml'), STATIC_WEB.replace('"3600"', '"7200"'));
    await t.kubelet.rescanStaticPods();
    const newUID = () => staticUID(t);
    await until('new mirror', () => mirror(t)?.metadata?.annotations?.['kubernetes.io/config.mirror'] === newUID() && mirror(t)?.status?.phase === 'Running', t.kubelet);
    assert.notEqual(newUID(), oldUID);
    assert.ok(t.runtime.calls.includes(`killPod ${oldUID} grace=30`));
    assert.ok(t.volumes.calls.includes(`cleanup ${oldUID}`));
    assert.ok(t.runtime.pods.get(newUID())?.containers.some((c) => c.state === 'running'));
    assert.deepEqual(mirror(t)!.spec!.containers![0]!.command, ['sleep', '7200']);
    assert.deepEqual(order.slice(0, 3), [`kill ${oldUID}`, `killed ${oldUID}`, `sync ${newUID()}`]);
    assert.ok(housekept);

    const uid = newUID();
    housekept = false;
    await unlink(join(t.manifests, 'static-web.yaml'));
    await t.kubelet.rescanStaticPods();
    await until('mirror deleted', () => mirror(t) === undefined, t.kubelet);
    assert.ok(t.runtime.calls.includes(`killPod ${uid} grace=30`));
    assert.ok(housekept, 'the mirror stays while its static pod terminates');
    assert.ok(t.volumes.calls.includes(`cleanup ${uid}`));
    assert.equal(t.kubelet.getPod('default', 'static-web-n1'), undefined);
    assert.equal(t.kubelet.getPodByUID(uid), undefined);
  });

  it('skips invalid manifests and refuses static pods that reference API objects; the valid ones run', async () => {
    const t = await setup({ staticPods: true });
    await writeFile(join(t.manifests, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers: [{name: c}]\n');
    await writeFile(join(t.manifests, 'garbage.json'), '{not json');
    const withSecret = STATIC_WEB.replace('name: static-web', 'name: secret-user').replace(
      '    command: [sleep, "3600"]\n',
      '    command: [sleep, "3600"]\n    env:\n    - name: PASSWORD\n      valueFrom: {secretKeyRef: {name: db, key: password}}\n',
    );
    await writeFile(join(t.manifests, 'secret-user.yaml'), withSecret);
    await writeFile(join(t.manifests, 'static-web.yaml'), STATIC_WEB);
    await t.kubelet.rescanStaticPods();
    await until('mirror Running', () => mirror(t)?.status?.phase === 'Running', t.kubelet);
    assert.equal(t.kubelet.getPod('default', 'bad-n1'), undefined);
    assert.equal(t.kubelet.getPod('default', 'secret-user-n1'), undefined);
    assert.equal(t.api.stored(PODS, 'default', 'secret-user-n1'), undefined);
    assert.deepEqual(t.runtime.calls.filter((c) => c.startsWith('syncPod')).map((c) => c.split(' ')[1]).filter((n, i, a) => a.indexOf(n) === i), ['static-web-n1']);
  });

  it('deletes mirror pods without a static pod; pods from the API still run', async () => {
    const t = await setup({
      staticPods: true,
      before: async (api) => {
        api.apply(PODS, testPod({
          metadata: { name: 'gone-n1', namespace: 'default', uid: 'mirror-1', annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.hash': 'abc', 'kubernetes.io/config.source': 'file' } },
          spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
        }) as Pod);
      },
    });
    t.api.apply(PODS, testPod() as Pod);
    await until('pod Running', () => t.stored()?.status?.phase === 'Running', t.kubelet);
    assert.ok(t.api.stored(PODS, 'default', 'gone-n1'), 'kept until housekeeping');
    await t.kubelet.housekeeping();
    assert.equal(t.api.stored(PODS, 'default', 'gone-n1'), undefined);
    assert.ok(!t.runtime.calls.includes('syncPod gone-n1'), 'a mirror pod is not run');
    assert.equal(t.kubelet.getPod('default', 'gone-n1'), undefined);
  });
});
