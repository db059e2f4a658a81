import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { CONFIGMAPS, NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, SECRETS, SERVICEACCOUNTS } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { VolumeManager, VolumeMountError } from './manager.js';
import { FakeMounter } from './testing/fake-mounter.js';
import { TokenClient } from './testing/token-client.js';

const UID = 'uid-1';
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function pod(volumes: Volume[], extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: UID, labels: { app: 'web', tier: 'a' } },
    spec: { serviceAccountName: 'default', containers: [{ name: 'c', resources: { limits: { memory: '256Mi' } } }], volumes, ...extra },
  };
}

describe('VolumeManager', () => {
  let root: string;
  let podsDir: string;
  let fake: FakeClient;
  let client: TokenClient;
  let mounter: FakeMounter | undefined;
  let clock: number;
  let remountErrors: string[];
  let tokens = 0;

  const vm = (opts: { mounter?: FakeMounter } = {}) =>
    new VolumeManager({
      client,
      podsDir,
      nodeName: 'n1',
      logger: nopLogger(),
      now: () => clock,
      mount: opts.mounter ?? false,
      onRemountError: (_p, _v, m) => remountErrors.push(m),
      random: () => 0,
    });
  const vdir = (plugin: string, name: string) => join(podsDir, UID, 'volumes', `kubernetes.io~${plugin}`, name);
  const failure = async (p: Promise<unknown>): Promise<string[]> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof VolumeMountError, String(e));
      return e.failures.map((f) => f.message);
    }
    assert.fail('expected a VolumeMountError');
  };
  const visible = async (dir: string) => (await readdir(dir)).filter((e) => !e.startsWith('..')).sort();

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'k8ts-vol-'));
    podsDir = join(root, 'pods');
    clock = T0;
    remountErrors = [];
    fake = new FakeClient(() => clock);
    fake.seed(NODES, { metadata: { name: 'n1' }, status: { allocatable: { cpu: '4', memory: '8Gi' } } });
    fake.seed(SERVICEACCOUNTS, { metadata: { namespace: 'ns', name: 'default' } });
    client = new TokenClient(fake, (_ns, _n, req) => ({
      ...req,
      status: { token: `token-${++tokens}`, expirationTimestamp: new Date(clock + (req.spec.expirationSeconds ?? 3600) * 1000).toISOString() },
    }));
    mounter = undefined;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('makes emptyDir directories writable by everyone', async () => {
    const m = await vm().mountPodVolumes(pod([{ name: 'scratch', emptyDir: {} }]));
    assert.deepEqual(m.get('scratch'), { hostPath: vdir('empty-dir', 'scratch'), readOnly: false });
    assert.equal((await stat(vdir('empty-dir', 'scratch'))).mode & 0o777, 0o777);
  });

  it('mounts memory emptyDirs on tmpfs once, sized by the least limit', async () => {
    mounter = new FakeMounter();
    const v = vm({ mounter });
    const p = pod([
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'big', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    ]);
    await v.mountPodVolumes(p);
    await v.mountPodVolumes(p);
    assert.deepEqual(mounter.calls.sort(), [`mount ${vdir('empty-dir', 'big')} size=${256 * 1024 * 1024}`, `mount ${vdir('empty-dir', 'mem')} size=${64 * 1024 * 1024}`]);
    // A new manager (kubelet restart) finds the mounts in place.
    await vm({ mounter }).mountPodVolumes(p);
    assert.equal(mounter.calls.length, 2);
    await v.cleanupPod(UID);
    assert.deepEqual(mounter.mounts, []);
    assert.deepEqual(await v.podsOnDisk(), []);
  });

  it('fails memory emptyDirs when it cannot mount', async () => {
    const msgs = await failure(vm().mountPodVolumes(pod([{ name: 'mem', emptyDir: { medium: 'Memory' } }])));
    assert.match(msgs[0]!, /^MountVolume\.SetUp failed for volume "mem" : cannot mount tmpfs at .*: the kubelet is not running as root$/);
  });

  it('checks and creates hostPaths by type', async () => {
    const v = vm();
    const d = join(root, 'host', 'made');
    const f = join(root, 'host-file');
    const m = await v.mountPodVolumes(pod([
      { name: 'd', hostPath: { path: d, type: 'DirectoryOrCreate' } },
      { name: 'f', hostPath: { path: f, type: 'FileOrCreate' } },
      { name: 'any', hostPath: { path: join(root, 'nope') } },
    ]));
    assert.equal(m.get('d')!.hostPath, d);
    assert.ok((await stat(d)).isDirectory());
    assert.equal((await stat(d)).mode & 0o777, 0o755);
    assert.ok((await stat(f)).isFile());
    assert.equal((await stat(f)).mode & 0o777, 0o644);
    const msgs = await failure(
      vm().mountPodVolumes(pod([
        { name: 'x', hostPath: { path: f, type: 'Directory' } },
        { name: 'y', hostPath: { path: d, type: 'File' } },
        { name: 'z', hostPath: { path: d, type: 'Socket' } },
        { name: 'w', hostPath: { path: join(root, 'missing'), type: 'Directory' } },
      ])),
    );
    assert.deepEqual(msgs, [
      `MountVolume.SetUp failed for volume "x" : hostPath type check failed: ${f} is not a directory`,
      `MountVolume.SetUp failed for volume "y" : hostPath type check failed: ${d} is not a file`,
      `MountVolume.SetUp failed for volume "z" : hostPath type check failed: ${d} is not a socket file`,
      `MountVolume.SetUp failed for volume "w" : hostPath type check failed: ${join(root, 'missing')} is not a directory`,
    ]);
  });

  it('projects a ConfigMap and refreshes it when it changes', async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'app-config' }, data: { 'a.conf': 'one', 'b.conf': 'two' } });
    const v = vm();
    const p = pod([{ name: 'cfg', configMap: { name: 'app-config' } }]);
    const m = await v.mountPodVolumes(p);
    const dir = vdir('configmap', 'cfg');
    assert.deepEqual(m.get('cfg'), { hostPath: dir, readOnly: true });
    assert.deepEqual(await visible(dir), ['a.conf', 'b.conf']);
    assert.equal(await readFile(join(dir, 'a.conf'), 'utf8'), 'one');
    assert.equal((await stat(join(dir, 'a.conf'))).mode & 0o777, 0o644);
    assert.equal(await readlink(join(dir, 'a.conf')), '..data/a.conf');

    const first = await readlink(join(dir, '..data'));
    await v.mountPodVolumes(p);
    assert.equal(await readlink(join(dir, '..data')), first, 'unchanged contents are not rewritten');

    await client.resource(CONFIGMAPS).update({ metadata: { namespace: 'ns', name: 'app-config' }, data: { 'a.conf': 'uno' } });
    clock += 1000;
    await v.mountPodVolumes(p);
    assert.deepEqual(await visible(dir), ['a.conf']);
    assert.equal(await readFile(join(dir, 'a.conf'), 'utf8'), 'uno');
  });

  it('maps ConfigMap items with modes and binary data', async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'cm' }, data: { k: 'v' }, binaryData: { bin: Buffer.from([0xff, 0]).toString('base64') } });
    await vm().mountPodVolumes(pod([{ name: 'cfg', configMap: { name: 'cm', defaultMode: 0o440, items: [{ key: 'k', path: 'deep/file', mode: 0o600 }, { key: 'bin', path: 'b' }] } }]));
    const dir = vdir('configmap', 'cfg');
    assert.deepEqual(await visible(dir), ['b', 'deep']);
    assert.equal(await readFile(join(dir, 'deep/file'), 'utf8'), 'v');
    assert.equal((await stat(join(dir, 'deep/file'))).mode & 0o777, 0o600);
    assert.deepEqual([...(await readFile(join(dir, 'b')))], [0xff, 0]);
    assert.equal((await stat(join(dir, 'b'))).mode & 0o777, 0o440);
  });

  it('reports missing ConfigMaps and keys with upstream messages; optional ones are empty', async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'cm' }, data: { k: 'v' } });
    const msgs = await failure(
      vm().mountPodVolumes(pod([
        { name: 'cfg', configMap: { name: 'app-config' } },
        { name: 'keys', configMap: { name: 'cm', items: [{ key: 'nope', path: 'x' }] } },
        { name: 'sec', secret: { secretName: 's' } },
        { name: 'opt', configMap: { name: 'absent', optional: true } },
      ])),
    );
    assert.deepEqual(msgs, [
      'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found',
      'MountVolume.SetUp failed for volume "keys" : configmap references non-existent config key: nope',
      'MountVolume.SetUp failed for volume "sec" : secret "s" not found',
    ]);
    assert.deepEqual(await visible(vdir('configmap', 'opt')), []);
  });

  it('keeps a mounted volume when a refresh fails and reports it', async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'cm' }, data: { k: 'v' } });
    const v = vm();
    const p = pod([{ name: 'cfg', configMap: { name: 'cm' } }]);
    await v.mountPodVolumes(p);
    await client.resource(CONFIGMAPS).delete('cm', { namespace: 'ns' });
    const m = await v.mountPodVolumes(p);
    assert.equal(m.get('cfg')!.hostPath, vdir('configmap', 'cfg'));
    assert.deepEqual(remountErrors, ['MountVolume.SetUp failed for volume "cfg" : configmap "cm" not found']);
    assert.equal(await readFile(join(vdir('configmap', 'cfg'), 'k'), 'utf8'), 'v');
  });

  it('writes Secrets decoded, on tmpfs when it can mount', async () => {
    fake.seed(SECRETS, { metadata: { namespace: 'ns', name: 's' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    const p = pod([{ name: 'sec', secret: { secretName: 's' } }]);
    await vm().mountPodVolumes(p);
    assert.equal(await readFile(join(vdir('secret', 'sec'), 'password'), 'utf8'), 'hunter2');
    await vm().cleanupPod(UID);
    mounter = new FakeMounter();
    await vm({ mounter }).mountPodVolumes(p);
    assert.deepEqual(mounter.calls, [`mount ${vdir('secret', 'sec')} size=${256 * 1024 * 1024}`]);
  });

  it('writes downward API files and follows label changes', async () => {
    const v = vm();
    const items = [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
    ];
    const p = pod([{ name: 'info', downwardAPI: { items } }]);
    await v.mountPodVolumes(p);
    const dir = vdir('downward-api', 'info');
    assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="a"');
    assert.equal(await readFile(join(dir, 'name'), 'utf8'), 'p');
    assert.equal(await readFile(join(dir, 'mem'), 'utf8'), '256');
    assert.equal(await readFile(join(dir, 'cpu'), 'utf8'), '4');
    await v.mountPodVolumes({ ...p, metadata: { ...p.metadata, labels: { app: 'web', tier: 'b' } } });
    assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="b"');
  });

  it('mounts the kube-api-access volume the ServiceAccount admission adds', async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA PEM' } });
    const v = vm();
    // As src/apiserver/admission/plugins/serviceaccount tokenVolumeSource() writes it.
    const p = pod([
      {
        name: 'kube-api-access-x7k2p',
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ]);
    const m = await v.mountPodVolumes(p);
    const dir = vdir('projected', 'kube-api-access-x7k2p');
    assert.deepEqual(m.get('kube-api-access-x7k2p'), { hostPath: dir, readOnly: true });
    assert.deepEqual(await visible(dir), ['ca.crt', 'namespace', 'token']);
    assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-1');
    assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), 'CA PEM');
    assert.equal(await readFile(join(dir, 'namespace'), 'utf8'), 'ns');
    const req = client.requests[0]!;
    assert.equal(req.name, 'default');
    assert.equal(req.namespace, 'ns');
    assert.deepEqual(req.request, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: UID } },
    });
    assert.ok(fake.writes().includes('create serviceaccounts/token ns/default'));

    // Refreshed once 80% of its lifetime has passed.
    clock += 2800_000;
    await v.mountPodVolumes(p);
    assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-1');
    clock += 100_000;
    await v.mountPodVolumes(p);
    assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-2');

    await v.cleanupPod(UID);
    assert.equal(v.tokens.size, 0);
  });

  it('gives fsGroup ownership of projected files', { skip: process.getuid?.() === 0 ? false : 'needs root to chown' }, async () => {
    fake.seed(CONFIGMAPS, { metadata: { namespace: 'ns', name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA' } });
    const p = pod(
      [{ name: 'api', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } }],
      { securityContext: { fsGroup: 4321 } },
    );
    await vm().mountPodVolumes(p);
    const dir = vdir('projected', 'api');
    const token = await stat(join(dir, 'token'));
    assert.equal(token.gid, 4321);
    assert.equal(token.mode & 0o777, 0o640);
    assert.equal((await stat(join(dir, 'ca.crt'))).mode & 0o777, 0o644);
    assert.equal(client.requests[0]!.request.spec.expirationSeconds, 3600);
  });

  it('aggregates projected source errors', async () => {
    const msgs = await failure(
      vm().mountPodVolumes(pod([{ name: 'proj', projected: { sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }, { secret: { name: 'c', optional: true } }] } }])),
    );
    assert.deepEqual(msgs, ['MountVolume.SetUp failed for volume "proj" : [configmap "a" not found, secret "b" not found]']);
  });

  it('resolves claims to hostPath and local PersistentVolumes', async () => {
    const data = join(root, 'storage', 'pvc-1_ns_data');
    const local = join(root, 'local');
    await mkdir(local);
    fake.seed(PERSISTENTVOLUMECLAIMS, { metadata: { namespace: 'ns', name: 'data', uid: 'c1' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } });
    fake.seed(PERSISTENTVOLUMES, { metadata: { name: 'pvc-1' }, spec: { hostPath: { path: data, type: 'DirectoryOrCreate' }, claimRef: { uid: 'c1' } } });
    fake.seed(PERSISTENTVOLUMECLAIMS, { metadata: { namespace: 'ns', name: 'loc', uid: 'c2' }, spec: { volumeName: 'pv-local' }, status: { phase: 'Bound' } });
    fake.seed(PERSISTENTVOLUMES, { metadata: { name: 'pv-local' }, spec: { local: { path: local }, claimRef: { uid: 'c2' } } });
    const m = await vm().mountPodVolumes(pod([
      { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'l', persistentVolumeClaim: { claimName: 'loc', readOnly: true } },
    ]));
    assert.deepEqual(m.get('d'), { hostPath: data, readOnly: false });
    assert.deepEqual(m.get('l'), { hostPath: local, readOnly: true });
    assert.ok((await stat(data)).isDirectory());
  });

  it('reports unbound claims and unknown volume types as upstream does', async () => {
    fake.seed(PERSISTENTVOLUMECLAIMS, { metadata: { namespace: 'ns', name: 'x', uid: 'c1' }, spec: {}, status: { phase: 'Pending' } });
    fake.seed(PERSISTENTVOLUMECLAIMS, { metadata: { namespace: 'ns', name: 'y', uid: 'c2' }, spec: { volumeName: 'pv-y' }, status: { phase: 'Bound' } });
    fake.seed(PERSISTENTVOLUMES, { metadata: { name: 'pv-y' }, spec: { local: { path: join(root, 'gone') }, claimRef: { uid: 'c2' } } });
    const msgs = await failure(
      vm().mountPodVolumes(pod([
        { name: 'a', persistentVolumeClaim: { claimName: 'x' } },
        { name: 'b', persistentVolumeClaim: { claimName: 'y' } },
        { name: 'c', nfs: { server: 'h', path: '/' } },
        { name: 'd', emptyDir: {} },
      ])),
    );
    assert.deepEqual(msgs, [
      'Unable to attach or mount volumes: unmounted volumes=[a b c], unattached volumes=[], failed to process volumes=[a c]: error processing PVC ns/x: PVC is not bound',
      `MountVolume.SetUp failed for volume "pv-y" : path "${join(root, 'gone')}" does not exist`,
      'Unable to attach or mount volumes: unmounted volumes=[a b c], unattached volumes=[], failed to process volumes=[a c]: failed to get Plugin from volumeSpec for volume "c" err=no volume plugin matched',
    ]);
  });

  it('cleans up pods: unmounts first, never deletes through a mount', async () => {
    mounter = new FakeMounter();
    const v = vm({ mounter });
    fake.seed(SECRETS, { metadata: { namespace: 'ns', name: 's' }, data: { k: 'dg==' } });
    await v.mountPodVolumes(pod([{ name: 'sec', secret: { secretName: 's' } }, { name: 'e', emptyDir: {} }]));
    await mkdir(join(podsDir, 'other-pod'));
    assert.deepEqual((await v.podsOnDisk()).sort(), ['other-pod', UID]);

    mounter.failUnmount.add(vdir('secret', 'sec'));
    await assert.rejects(v.cleanupPod(UID), /still mounted/);
    assert.ok((await lstat(join(podsDir, UID))).isDirectory());

    mounter.failUnmount.clear();
    await v.cleanupPod(UID);
    assert.deepEqual(await v.podsOnDisk(), ['other-pod']);
    assert.deepEqual(mounter.mounts, []);
    await v.cleanupPod('never-existed');
  });
});
