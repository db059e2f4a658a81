import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import { FileSource, rfc3339Nano } from './file.js';

const pod = (name: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n${extra}`;

/** A logger that records `level message file err`. */
function captureLogger(lines: string[]): Logger {
  const make = (bound: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (fields: Record<string, unknown>, msg: string): void => {
        const f = { ...bound, ...fields };
        lines.push([level, msg, f.file, f.err].filter((x) => x !== undefined).join(' | '));
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b: Record<string, unknown>) => make({ ...bound, ...b }) } as unknown as Logger;
  };
  return make({});
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(opts: { debounceMs?: number; create?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-filesource-'));
  const path = join(dir, 'pod-manifests');
  if (opts.create !== false) await mkdir(path);
  const updates: Pod[][] = [];
  const logs: string[] = [];
  let now = Date.parse('2026-01-01T00:00:00.120Z');
  const src = new FileSource({
    path,
    nodeName: 'n1',
    logger: captureLogger(logs),
    onUpdate: (pods) => updates.push(pods),
    periodMs: 60_000,
    debounceMs: opts.debounceMs ?? 10,
    now: () => now,
  });
  const ac = new AbortController();
  cleanups.push(async () => {
    ac.abort();
    await src.close();
    await rm(dir, { recursive: true, force: true });
  });
  const names = () => (updates.at(-1) ?? []).map((p) => p.metadata?.name).sort();
  return { dir, path, src, ac, updates, logs, names, tick: (ms: number) => (now += ms) };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('FileSource', () => {
  it('delivers the pods of the directory at start, stamped with source and first-seen time, skipping bad and hidden files', async () => {
    const t = await setup();
    await writeFile(join(t.path, 'a.yaml'), pod('a'));
    await writeFile(join(t.path, 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } }));
    await writeFile(join(t.path, '.hidden.yaml'), pod('hidden'));
    await writeFile(join(t.path, 'broken.yaml'), 'kind: [');
    await writeFile(join(t.path, 'uses-secret.yaml'), pod('s', '  imagePullSecrets: [{name: reg}]\n'));
    await mkdir(join(t.path, 'sub'));
    await t.src.start(t.ac.signal);
    assert.equal(t.updates.length, 1);
    assert.deepEqual(t.names(), ['a-n1', 'b-n1']);
    const a = t.updates[0]!.find((p) => p.metadata?.name === 'a-n1')!;
    assert.equal(a.metadata!.annotations!['kubernetes.io/config.source'], 'file');
    assert.equal(a.metadata!.annotations!['kubernetes.io/config.seen'], '2026-01-01T00:00:00.12Z');
    assert.ok(t.logs.some((l) => l.startsWith('error | could not process manifest file | ') && l.includes('broken.yaml') && l.includes("couldn't parse as pod")));
    assert.ok(t.logs.some((l) => l.includes('uses-secret.yaml') && l.endsWith('static pods may not reference secrets')));
    assert.ok(t.logs.some((l) => l.startsWith('error | not recursing into manifest path')));
  });

  it('re-reads on change (fs.watch, debounced): added, changed and removed files; unchanged reads deliver nothing', async () => {
    const t = await setup();
    await writeFile(join(t.path, 'a.yaml'), pod('a'));
    await t.src.start(t.ac.signal);
    const firstUID = t.updates[0]![0]!.metadata!.uid;
    const seen = t.updates[0]![0]!.metadata!.annotations!['kubernetes.io/config.seen'];
    t.tick(5000);
    await writeFile(join(t.path, 'b.yaml'), pod('b'));
    await until('b added', () => t.names().join() === 'a-n1,b-n1');
    const a = t.updates.at(-1)!.find((p) => p.metadata?.name === 'a-n1')!;
    assert.equal(a.metadata!.uid, firstUID);
    assert.equal(a.metadata!.annotations!['kubernetes.io/config.seen'], seen, 'first-seen time kept');
    await writeFile(join(t.path, 'a.yaml'), pod('a').replace('busybox', 'busybox:1.36'));
    await until('a changed', () => t.updates.at(-1)!.some((p) => p.metadata?.name === 'a-n1' && p.metadata.uid !== firstUID));
    await unlink(join(t.path, 'b.yaml'));
    await until('b removed', () => t.names().join() === 'a-n1');
    const count = t.updates.length;
    await t.src.rescan();
    assert.equal(t.updates.length, count);
  });

  it('a missing directory is an empty set; once it appears the next read finds it', async () => {
    const t = await setup({ create: false });
    await t.src.start(t.ac.signal);
    assert.deepEqual(t.updates, [[]]);
    assert.ok(t.logs.some((l) => l.includes('static pod path does not exist')));
    await mkdir(t.path);
    await writeFile(join(t.path, 'a.yaml'), pod('a'));
    await t.src.rescan();
    assert.deepEqual(t.names(), ['a-n1']);
    // Now watched: a further change arrives without an explicit read.
    await writeFile(join(t.path, 'b.yaml'), pod('b'));
    await until('b added', () => t.names().join() === 'a-n1,b-n1');
  });

  it('two files defining the same pod: the later one counts', async () => {
    const t = await setup();
    await writeFile(join(t.path, '1.yaml'), pod('same'));
    await writeFile(join(t.path, '2.yaml'), pod('same').replace('busybox', 'busybox:2'));
    await t.src.start(t.ac.signal);
    assert.equal(t.updates[0]!.length, 1);
    assert.equal(t.updates[0]![0]!.spec!.containers[0]!.image, 'busybox:2');
    assert.ok(t.logs.some((l) => l.startsWith('warn | static pod defined in more than one manifest file')));
  });

  it('formats first-seen times as Go RFC3339Nano', () => {
    assert.equal(rfc3339Nano(Date.parse('2026-01-01T00:00:00.000Z')), '2026-01-01T00:00:00Z');
    assert.equal(rfc3339Nano(Date.parse('2026-01-01T00:00:00.500Z')), '2026-01-01T00:00:00.5Z');
  });
});
