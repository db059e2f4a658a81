import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pack } from 'tar-stream';
import { importImageFiles } from './images.js';

async function tarball(path: string): Promise<void> {
  const p = pack();
  p.entry({ name: 'oci-layout' }, '{"imageLayoutVersion":"1.0.0"}');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  await writeFile(path, Buffer.concat(chunks));
}

describe('importImageFiles', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-images-'));
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps the tarball for the next start when no containerd of the data dir runs', async () => {
    const file = join(dir, 'app.tar');
    await tarball(file);
    const report = await importImageFiles(join(dir, 'data'), [file]);
    assert.equal(report.live, false);
    assert.deepEqual(report.imported, []);
    assert.deepEqual(report.kept, [join(dir, 'data', 'agent', 'images', 'app.tar')]);
    assert.deepEqual(await readFile(report.kept[0]!), await readFile(file));
  });

  it('refuses a missing file and a file that is not a tar archive, keeping nothing', async () => {
    await assert.rejects(importImageFiles(join(dir, 'd2'), [join(dir, 'nope.tar')]), /nope\.tar: no such file/);
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, 'not a tarball at all');
    await assert.rejects(importImageFiles(join(dir, 'd2'), [junk]), /junk\.tar: not a tar archive/);
    await assert.rejects(readFile(join(dir, 'd2', 'agent', 'images', 'junk.tar')));
  });
});
