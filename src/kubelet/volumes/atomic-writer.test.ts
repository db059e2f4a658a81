import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, InvalidPayloadError, type Payload, timestampPrefix, validatePath } from './atomic-writer.js';

const files = (o: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(o).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

describe('AtomicWriter', () => {
  let root: string;
  let n = 0;
  const target = async (): Promise<string> => {
    const d = join(root, String(n++));
    await mkdir(d);
    return d;
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'k8ts-aw-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a timestamped directory behind ..data and visible symlinks', async () => {
    const dir = await target();
    const w = new AtomicWriter(dir, { now: () => Date.UTC(2026, 10, 22, 10, 0, 0, 123) });
    assert.equal(await w.write(files({ a: 'A', 'sub/b': 'B' })), true);
    const ts = await readlink(join(dir, '..data'));
    assert.match(ts, /^\.\.2026_11_22_10_00_00\.\d+$/);
    assert.equal((await stat(join(dir, ts))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(dir, 'a')), '..data/a');
    assert.equal(await readlink(join(dir, 'sub')), '..data/sub');
    assert.equal(await readFile(join(dir, 'sub/b'), 'utf8'), 'B');
    assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o644);
    assert.deepEqual((await readdir(dir)).sort(), [ts, '..data', 'a', 'sub'].sort());
  });

  it('applies per-file modes whatever the umask', async () => {
    const dir = await target();
    await new AtomicWriter(dir).write(new Map([['x', { data: Buffer.from('1'), mode: 0o666 }], ['y', { data: Buffer.from('2'), mode: 0o400 }]]));
    assert.equal((await stat(join(dir, 'x'))).mode & 0o777, 0o666);
    assert.equal((await stat(join(dir, 'y'))).mode & 0o777, 0o400);
  });

  it('replaces contents, drops removed keys and the old directory', async () => {
    const dir = await target();
    const w = new AtomicWriter(dir);
    await w.write(files({ a: 'A', b: 'B', 'd/e': 'E' }));
    const first = await readlink(join(dir, '..data'));
    assert.equal(await w.write(files({ a: 'A2', c: 'C' })), true);
    const second = await readlink(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'A2');
    assert.equal(await readFile(join(dir, 'c'), 'utf8'), 'C');
    assert.deepEqual((await readdir(dir)).sort(), [second, '..data', 'a', 'c'].sort());
  });

  it('does not rewrite identical contents', async () => {
    const dir = await target();
    const w = new AtomicWriter(dir);
    await w.write(files({ a: 'A' }));
    const ts = await readlink(join(dir, '..data'));
    assert.equal(await w.write(files({ a: 'A' })), false);
    assert.equal(await readlink(join(dir, '..data')), ts);
  });

  it('writes an empty payload as an empty volume', async () => {
    const dir = await target();
    await new AtomicWriter(dir).write(new Map());
    assert.deepEqual((await readdir(dir)).filter((e) => !e.startsWith('..')), []);
    assert.ok((await lstat(join(dir, '..data'))).isSymbolicLink());
  });

  it('rejects paths as upstream does', () => {
    assert.throws(() => validatePath('/abs'), { message: 'invalid path: must be relative path: /abs' });
    assert.throws(() => validatePath('a/../b'), { message: "invalid path: must not contain '..': a/../b" });
    assert.throws(() => validatePath('..x'), { message: "invalid path: must not start with '..': ..x" });
    assert.throws(() => validatePath(''), InvalidPayloadError);
    assert.throws(() => validatePath('x'.repeat(256)), { message: 'invalid path: filenames must be less than or equal to 255 characters' });
    validatePath('a/..b/c');
  });

  it('names directories in UTC', () => {
    assert.equal(timestampPrefix(Date.UTC(2016, 1, 1, 15, 4, 5)), '..2016_02_01_15_04_05.');
  });

  it('never shows a reader a mixture of two versions', async () => {
    const dir = await target();
    const w = new AtomicWriter(dir);
    const version = (i: number) => files({ a: `v${i}`, b: `v${i}`, 'n/c': `v${i}` });
    await w.write(version(0));
    let done = false;
    let snapshots = 0;
    const reader = (async () => {
      while (!done) {
        try {
          const ts = await readlink(join(dir, '..data'));
          const vals = await Promise.all(['a', 'b', 'n/c'].map((f) => readFile(join(dir, ts, f), 'utf8')));
          assert.equal(new Set(vals).size, 1, `mixed snapshot ${vals.join(',')}`);
          snapshots++;
        } catch (e) {
          // The old directory was removed between readlink and read: a reader retries.
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 1; i <= 10; i++) await w.write(version(i));
    done = true;
    await reader;
    assert.ok(snapshots > 0);
    assert.equal(await readFile(join(dir, 'n/c'), 'utf8'), 'v10');
    assert.equal((await readdir(dir)).filter((e) => e.startsWith('..2')).length, 1);
  });
});
