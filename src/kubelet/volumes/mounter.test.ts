import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { SECRETS } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { VolumeManager } from './manager.js';
import { parseMountInfo, SystemMounter } from './mounter.js';

describe('parseMountInfo', () => {
  it('reads mount points, types and escaped paths', () => {
    const text = [
      '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
      '42 27 0:39 / /var/lib/k8ts/pods/u/volumes/kubernetes.io~secret/a\\040b rw,relatime - tmpfs tmpfs rw,size=262144k',
      '',
    ].join('\n');
    assert.deepEqual(parseMountInfo(text), [
      { mountPoint: '/mnt2', fsType: 'ext3', source: '/dev/root' },
      { mountPoint: '/var/lib/k8ts/pods/u/volumes/kubernetes.io~secret/a b', fsType: 'tmpfs', source: 'tmpfs' },
    ]);
  });
});

const isRoot = process.getuid?.() === 0;

describe('tmpfs volumes (root)', { skip: isRoot ? false : 'needs root to mount tmpfs' }, () => {
  let root: string;

  before(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'k8ts-voltmpfs-')));
  });
  after(async () => {
    // Whatever happened, nothing stays mounted under the test's directory.
    const mounts = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'))
      .map((m) => m.mountPoint)
      .filter((m) => m.startsWith(`${root}/`));
    for (const m of mounts.reverse()) await promisify(execFile)('umount', [m]).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('mounts memory emptyDirs and secrets on tmpfs and unmounts them on cleanup', async () => {
    const fake = new FakeClient();
    fake.seed(SECRETS, { metadata: { namespace: 'ns', name: 's' }, data: { k: Buffer.from('v').toString('base64') } });
    const mounter = new SystemMounter();
    const vm = new VolumeManager({ client: fake, podsDir: join(root, 'pods'), nodeName: 'n1', logger: nopLogger(), mount: mounter });
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
      spec: { containers: [{ name: 'c' }], volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }, { name: 'sec', secret: { secretName: 's' } }] },
    };
    const m = await vm.mountPodVolumes(pod);
    await vm.mountPodVolumes(pod);
    const info = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')).filter((x) => x.mountPoint.startsWith(`${root}/`));
    assert.deepEqual(info.map((x) => [x.mountPoint, x.fsType]).sort(), [
      [m.get('mem')!.hostPath, 'tmpfs'],
      [m.get('sec')!.hostPath, 'tmpfs'],
    ]);
    const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.includes(m.get('mem')!.hostPath));
    assert.match(line ?? '', /size=8192k/);
    assert.equal(await readFile(join(m.get('sec')!.hostPath, 'k'), 'utf8'), 'v');

    await vm.cleanupPod('u1');
    const left = (await mounter.mountPoints()).filter((p) => p.startsWith(`${root}/`));
    assert.deepEqual(left, []);
    assert.deepEqual(await vm.podsOnDisk(), []);
  });
});
