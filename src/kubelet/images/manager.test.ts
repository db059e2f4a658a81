import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../../client/record/index.js';
import { nopLogger } from '../../logging/index.js';
import { FakeRuntime } from '../cri/testing/fake-runtime.js';
import type { AuthConfig, Req } from '../cri/types.js';
import { authForImage, ExponentialBackOff, goDuration, ImageManager, ImagePullError } from './manager.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };

function setup(opts: { images?: string[]; pullable?: string[] } = {}) {
  let clock = 1_700_000_000_000;
  const fake = new FakeRuntime({ now: () => clock, images: opts.images ?? [], pullable: opts.pullable ?? [] });
  const auths: (Req<AuthConfig> | null | undefined)[] = [];
  const origPull = fake.pullImage.bind(fake);
  fake.pullImage = async (image, auth, sb, o) => {
    auths.push(auth);
    clock += 512;
    return origPull(image, auth, sb, o);
  };
  const recorder = new FakeRecorder();
  const mgr = new ImageManager({ images: fake, recorder, logger: nopLogger(), backOff: new ExponentialBackOff(), now: () => clock });
  const ensure = (c: Container, secrets: Secret[] = []) => mgr.ensureImageExists(pod, c, secrets, null);
  return { fake, recorder, mgr, ensure, auths, tick: (ms: number) => (clock += ms) };
}

async function rejectsWith(p: Promise<unknown>, reason: string, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ImagePullError);
    assert.equal(err.reason, reason);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('IfNotPresent uses a present image and pulls a missing one', async () => {
  const t = setup({ images: ['busybox:1.35'], pullable: ['nginx:1.25'] });
  const present = await t.ensure({ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' });
  assert.equal(present.imageRef, t.fake.images.get('docker.io/library/busybox:1.35')!.id);
  const pulled = await t.ensure({ name: 'c', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' });
  assert.equal(pulled.imageRef, t.fake.images.get('docker.io/library/nginx:1.25')!.id);
  assert.deepEqual(t.recorder.lines(), [
    'Normal Pulled Container image "busybox:1.35" already present on machine',
    'Normal Pulling Pulling image "nginx:1.25"',
    'Normal Pulled Successfully pulled image "nginx:1.25" in 512ms (512ms including waiting). Image size: 1000000 bytes.',
  ]);
  assert.equal(t.recorder.events[0]!.object.fieldPath, 'spec.containers{c}');
  assert.deepEqual(t.fake.calls.filter((c) => c.startsWith('PullImage')), ['PullImage docker.io/library/nginx:1.25']);
});

test('Never fails without the image', async () => {
  const t = setup();
  await rejectsWith(t.ensure({ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'Never' }), 'ErrImageNeverPull', 'Container image "busybox:1.35" is not present with pull policy of Never');
  assert.deepEqual(t.recorder.lines(), ['Warning ErrImageNeverPull Container image "busybox:1.35" is not present with pull policy of Never']);
});

test('a failed pull is ErrImagePull, then ImagePullBackOff until the back-off passes', async () => {
  const t = setup();
  const c = { name: 'c', image: 'nope:1', imagePullPolicy: 'IfNotPresent' };
  await rejectsWith(t.ensure(c), 'ErrImagePull', /^rpc error: code = NotFound desc = failed to pull and unpack image "docker.io\/library\/nope:1"/);
  assert.equal(t.recorder.lines()[0], 'Normal Pulling Pulling image "nope:1"');
  assert.match(t.recorder.lines()[1]!, /^Warning Failed Failed to pull image "nope:1": rpc error: code = NotFound desc = /);
  t.recorder.events.length = 0;
  await rejectsWith(t.ensure(c), 'ImagePullBackOff', 'Back-off pulling image "nope:1"');
  assert.deepEqual(t.recorder.lines(), ['Normal BackOff Back-off pulling image "nope:1"']);
  t.tick(10_000);
  await rejectsWith(t.ensure(c), 'ErrImagePull', /NotFound/);
  t.tick(15_000);
  // The second failure doubled the delay to 20 s.
  await rejectsWith(t.ensure(c), 'ImagePullBackOff', 'Back-off pulling image "nope:1"');
  t.tick(5_000);
  t.fake.pullable.add('docker.io/library/nope:1');
  assert.ok((await t.ensure(c)).imageRef.startsWith('sha256:'));
});

test('Always pulls; on an air-gapped node a failed pull falls back to the local copy', async () => {
  const t = setup({ images: ['busybox:latest'], pullable: ['nginx:1.25'] });
  await t.ensure({ name: 'c', image: 'nginx:1.25', imagePullPolicy: 'Always' });
  const local = t.fake.images.get('docker.io/library/busybox:latest')!.id;
  t.recorder.events.length = 0;
  const r = await t.ensure({ name: 'c', image: 'busybox', imagePullPolicy: 'Always' });
  assert.equal(r.imageRef, local);
  assert.equal(t.recorder.lines()[0], 'Normal Pulling Pulling image "busybox"');
  assert.match(t.recorder.lines()[1]!, /^Warning PullFailedUsingLocal Failed to pull image "busybox": rpc error: code = NotFound desc = .*; using the local copy$/);
  assert.equal(t.recorder.lines()[2], 'Normal Pulled Container image "busybox" already present on machine');
  assert.equal(t.recorder.lines().length, 3);
  // Within the back-off the local copy is used without another pull.
  t.recorder.events.length = 0;
  const pulls = t.fake.calls.filter((c) => c.startsWith('PullImage')).length;
  assert.equal((await t.ensure({ name: 'c', image: 'busybox', imagePullPolicy: 'Always' })).imageRef, local);
  assert.equal(t.fake.calls.filter((c) => c.startsWith('PullImage')).length, pulls);
  assert.deepEqual(t.recorder.lines(), ['Normal Pulled Container image "busybox" already present on machine']);
});

test('invalid names and pull secrets', async () => {
  const t = setup({ pullable: ['registry.local:5000/app:1'] });
  await rejectsWith(
    t.ensure({ name: 'c', image: 'Busybox' }),
    'InvalidImageName',
    'Failed to apply default image tag "Busybox": couldn\'t parse image name "Busybox": invalid reference format: repository name (library/Busybox) must be lowercase',
  );
  const secret: Secret = {
    metadata: { name: 's' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'registry.local:5000': { auth: Buffer.from('me:pw').toString('base64') } } })).toString('base64') },
  };
  await t.ensure({ name: 'c', image: 'registry.local:5000/app:1', imagePullPolicy: 'IfNotPresent' }, [secret]);
  assert.deepEqual(t.auths.at(-1), { username: 'me', password: 'pw', serverAddress: 'registry.local:5000' });
  assert.equal(authForImage('busybox', [secret]), null);
});

test('goDuration prints like Go', () => {
  assert.deepEqual([0, 7, 512, 1000, 1500, 10_000, 61_250, 300_000, 3_600_000].map(goDuration), ['0s', '7ms', '512ms', '1s', '1.5s', '10s', '1m1.25s', '5m0s', '1h0m0s']);
});

test('ExponentialBackOff doubles to its maximum and expires', () => {
  const b = new ExponentialBackOff(10_000, 40_000);
  assert.equal(b.get('k'), 0);
  assert.equal(b.isInBackOff('k', 0), false);
  b.next('k', 0);
  assert.equal(b.get('k'), 10_000);
  assert.equal(b.isInBackOff('k', 9_999), true);
  assert.equal(b.isInBackOff('k', 10_000), false);
  b.next('k', 10_000);
  b.next('k', 20_000);
  b.next('k', 30_000);
  assert.equal(b.get('k'), 40_000);
  b.next('k', 200_000);
  assert.equal(b.get('k'), 10_000);
});
