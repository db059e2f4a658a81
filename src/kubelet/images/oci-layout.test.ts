import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract, type Header } from 'tar-stream';
import { buildOCIImage, layerTar, tagOf, type LayerEntry } from './oci-layout.js';
import { busyboxRootfs, REQUIRED_APPLETS } from './busybox.js';
import { ensureDefaultImages, parseImported } from './import.js';

async function untar(buf: Buffer): Promise<{ header: Header; body: Buffer }[]> {
  const out: { header: Header; body: Buffer }[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        out.push({ header, body: Buffer.concat(chunks) });
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(buf);
  await done;
  return out;
}

const fakeBinary = Buffer.from('\x7fELF fake busybox');
const applets = [...REQUIRED_APPLETS.map((a) => (a === 'sh' || a === 'cat' ? `bin/${a}` : `usr/bin/${a}`)), 'sbin/ifconfig', 'weird/dir/x'];

test('layer: sorted names, owner 0:0, mtime 0, symlinks to /bin/busybox', async () => {
  const layer = await layerTar(busyboxRootfs(fakeBinary, applets));
  const entries = await untar(layer);
  const names = entries.map((e) => e.header.name);
  assert.deepEqual(names, [...names].sort());
  for (const e of entries) {
    assert.equal(e.header.uid, 0);
    assert.equal(e.header.gid, 0);
    assert.equal(e.header.mtime?.getTime(), 0);
  }
  const byName = new Map(entries.map((e) => [e.header.name, e]));
  assert.deepEqual(byName.get('bin/busybox')?.body, fakeBinary);
  assert.equal(byName.get('bin/busybox')?.header.mode, 0o755);
  assert.equal(byName.get('bin/sh')?.header.type, 'symlink');
  assert.equal(byName.get('bin/sh')?.header.linkname, '/bin/busybox');
  assert.equal(byName.get('usr/bin/wget')?.header.linkname, '/bin/busybox');
  assert.equal(byName.get('sbin/ifconfig')?.header.type, 'symlink');
  assert.equal(byName.has('weird/dir/x'), false);
  for (const d of ['proc/', 'sys/', 'dev/', 'tmp/', 'root/', 'etc/']) assert.equal(byName.get(d)?.header.type, 'directory', d);
  assert.equal(byName.get('tmp/')?.header.mode, 0o1777);
  assert.match(byName.get('etc/passwd')?.body.toString() ?? '', /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  assert.match(byName.get('etc/group')?.body.toString() ?? '', /^root:x:0:$/m);
  assert.throws(() => busyboxRootfs(fakeBinary, ['bin/sh']), /lacks required applets: awk/);
});

test('OCI layout: structure, digests, annotations; same input gives the same bytes', async () => {
  const layer: LayerEntry[] = [{ type: 'directory', path: 'etc', mode: 0o755 }, { type: 'file', path: 'etc/motd', mode: 0o644, content: Buffer.from('hi\n') }];
  const spec = { names: ['docker.io/library/t:latest', 'docker.io/library/t:1.0'], layer, config: { Cmd: ['sh'] } };
  const a = await buildOCIImage(spec);
  const b = await buildOCIImage({ ...spec, names: [...spec.names].reverse() });
  assert.deepEqual(a.tarball, b.tarball);
  assert.equal(a.manifest.digest, b.manifest.digest);
  const c = await buildOCIImage({ ...spec, config: { Cmd: ['true'] } });
  assert.notEqual(c.manifest.digest, a.manifest.digest);
  assert.equal(c.layer.digest, a.layer.digest);

  const files = new Map((await untar(a.tarball)).map((e) => [e.header.name, e.body]));
  assert.deepEqual([...files.keys()], ['blobs/', 'blobs/sha256/', ...[a.layer, a.config, a.manifest].map((d) => `blobs/sha256/${d.digest.slice(7)}`).sort(), 'index.json', 'oci-layout']);
  assert.deepEqual(JSON.parse(files.get('oci-layout')?.toString() ?? ''), { imageLayoutVersion: '1.0.0' });
  for (const [name, body] of files) {
    if (name.startsWith('blobs/sha256/') && body.length) assert.equal(createHash('sha256').update(body).digest('hex'), name.slice('blobs/sha256/'.length));
  }
  const index = JSON.parse(files.get('index.json')?.toString() ?? '') as { manifests: { digest: string; annotations: Record<string, string>; platform: { architecture: string; os: string } }[] };
  assert.deepEqual(index.manifests.map((m) => [m.digest, m.annotations['io.containerd.image.name'], m.annotations['org.opencontainers.image.ref.name']]), [
    [a.manifest.digest, 'docker.io/library/t:1.0', '1.0'],
    [a.manifest.digest, 'docker.io/library/t:latest', 'latest'],
  ]);
  const manifest = JSON.parse(files.get(`blobs/sha256/${a.manifest.digest.slice(7)}`)?.toString() ?? '') as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
  assert.equal(manifest.config.digest, a.config.digest);
  assert.deepEqual(manifest.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar']);
  const layerBlob = files.get(`blobs/sha256/${a.layer.digest.slice(7)}`) ?? Buffer.alloc(0);
  const config = JSON.parse(files.get(`blobs/sha256/${a.config.digest.slice(7)}`)?.toString() ?? '') as { architecture: string; os: string; rootfs: { diff_ids: string[] }; config: { Cmd: string[] } };
  assert.deepEqual([config.architecture, config.os], ['amd64', 'linux']);
  assert.deepEqual(config.rootfs.diff_ids, [`sha256:${createHash('sha256').update(layerBlob).digest('hex')}`]);
  assert.deepEqual(config.config.Cmd, ['sh']);
});

test('tagOf and parseImported', () => {
  assert.equal(tagOf('docker.io/library/busybox:1.35'), '1.35');
  assert.equal(tagOf('localhost:5000/app'), 'latest');
  assert.deepEqual(parseImported('unpacking docker.io/library/busybox:1.35 (sha256:ab12)...done\nunpacking registry.k8s.io/pause:3.10 (sha256:cd34)...done\n'), ['docker.io/library/busybox:1.35', 'registry.k8s.io/pause:3.10']);
});

test('ensureDefaultImages builds busybox.tar and pause.tar once', { skip: (await stat('/bin/busybox').catch(() => null)) ? false : 'needs /bin/busybox (busybox-static)' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-img-'));
  try {
    const files = await ensureDefaultImages(dir);
    assert.deepEqual(files, [join(dir, 'agent/images/busybox.tar'), join(dir, 'agent/images/pause.tar')]);
    const first = await stat(files[0]);
    assert.ok(first.size > 1_000_000);
    await ensureDefaultImages(dir);
    assert.equal((await stat(files[0])).mtimeMs, first.mtimeMs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
