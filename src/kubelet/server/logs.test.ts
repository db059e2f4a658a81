import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile, rename, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCRILine, parseRFC3339Nano, readLogs, tailStart, type LogOptions, type FollowControl } from './logs.js';

const FILE = [
  '2024-05-01T10:00:00.5Z stdout F first',
  '2024-05-01T10:00:01.123456789Z stderr P par',
  '2024-05-01T10:00:01.2Z stderr F tial',
  '2024-05-01T10:00:02+02:00 stdout F third',
  'garbage line',
  '2024-05-01T10:00:03Z stdout F ',
  '',
].join('\n');

async function withFile(content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-logs-'));
  try {
    const path = join(dir, '0.log');
    await writeFile(path, content);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function read(path: string, opts: LogOptions, follow?: FollowControl): Promise<string> {
  const chunks: Buffer[] = [];
  await readLogs(path, opts, async (c) => void chunks.push(Buffer.from(c)), follow);
  return Buffer.concat(chunks).toString();
}

test('RFC3339Nano times keep their offset and are re-rendered with nine fraction digits', () => {
  assert.deepEqual(parseRFC3339Nano('2024-05-01T10:00:01.5Z'), { ns: BigInt(Date.parse('2024-05-01T10:00:01Z')) * 1_000_000n + 500_000_000n, fixed: '2024-05-01T10:00:01.500000000Z' });
  assert.equal(parseRFC3339Nano('2024-05-01T10:00:01+02:00')?.fixed, '2024-05-01T10:00:01.000000000+02:00');
  assert.equal(parseRFC3339Nano('yesterday'), undefined);
});

test('CRI lines: F ends with a newline, P does not, malformed lines are refused', () => {
  assert.equal(parseCRILine(Buffer.from('2024-05-01T10:00:00Z stdout F hello world'))?.log.toString(), 'hello world\n');
  const p = parseCRILine(Buffer.from('2024-05-01T10:00:00Z stderr P part'));
  assert.equal(p?.log.toString(), 'part');
  assert.equal(p?.stream, 'stderr');
  assert.equal(parseCRILine(Buffer.from('2024-05-01T10:00:00Z stdout F'))?.log.toString(), '\n');
  assert.equal(parseCRILine(Buffer.from('2024-05-01T10:00:00Z stdin F x')), undefined);
  assert.equal(parseCRILine(Buffer.from('nonsense')), undefined);
});

test('whole log: partial lines joined, garbage skipped', async () => {
  await withFile(FILE, async (path) => {
    assert.equal(await read(path, {}), 'first\npartial\nthird\n\n');
  });
});

test('timestamps prefix each output line once (not the continuation of a partial line)', async () => {
  await withFile(FILE, async (path) => {
    assert.equal(
      await read(path, { timestamps: true }),
      '2024-05-01T10:00:00.500000000Z first\n2024-05-01T10:00:01.123456789Z partial\n2024-05-01T10:00:02.000000000+02:00 third\n2024-05-01T10:00:03.000000000Z \n',
    );
  });
});

test('tailLines counts file lines from the end; 0 gives nothing; more than the file gives all', async () => {
  await withFile(FILE, async (path) => {
    assert.equal(await read(path, { tailLines: 1 }), '\n');
    assert.equal(await read(path, { tailLines: 3 }), 'third\n\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 100 }), 'first\npartial\nthird\n\n');
    const fh = await open(path, 'r');
    try {
      assert.equal(await tailStart(fh, (await fh.stat()).size, 2), FILE.lastIndexOf('garbage'));
    } finally {
      await fh.close();
    }
  });
});

test('tail reads backwards across chunk boundaries', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `2024-05-01T10:00:00Z stdout F line-${i}-${'x'.repeat(40)}`);
  await withFile(`${lines.join('\n')}\n`, async (path) => {
    const out = (await read(path, { tailLines: 2000 })).split('\n');
    assert.equal(out.length, 2001);
    assert.match(out[0]!, /^line-3000-/);
  });
});

test('since skips older messages (nanosecond precision); limitBytes cuts the output', async () => {
  await withFile(FILE, async (path) => {
    const since = parseRFC3339Nano('2024-05-01T10:00:01.123456789Z')!.ns;
    assert.equal(await read(path, { sinceNs: since }), 'partial\n\n');
    assert.equal(await read(path, { limitBytes: 8 }), 'first\npa');
    assert.equal(await read(path, { limitBytes: 6 }), 'first\n');
  });
});

test('follow: new lines are written as they arrive; ends once the container stops running', async () => {
  await withFile('2024-05-01T10:00:00Z stdout F one\n', async (path) => {
    let running = true;
    const got: string[] = [];
    let resolveSeen: () => void = () => undefined;
    let seen = new Promise<void>((r) => (resolveSeen = r));
    const done = readLogs(
      path,
      { follow: true },
      async (c) => {
        got.push(c.toString());
        resolveSeen();
      },
      { isRunning: async () => running, checkIntervalMs: 20 },
    );
    await seen;
    assert.deepEqual(got, ['one\n']);
    seen = new Promise<void>((r) => (resolveSeen = r));
    // The F line is still being written: only the complete P line is out.
    await appendFile(path, '2024-05-01T10:00:01Z stdout P tw\n2024-05-01T10:00:01Z stdout F o');
    await seen;
    assert.equal(got.join(''), 'one\ntw');
    seen = new Promise<void>((r) => (resolveSeen = r));
    await appendFile(path, '\n');
    await seen;
    assert.equal(got.join(''), 'one\ntwo\n');
    await appendFile(path, '2024-05-01T10:00:02Z stdout F last\n');
    running = false;
    await done;
    assert.equal(got.join(''), 'one\ntwo\nlast\n');
  });
});

test('follow moves to the new file after a rotation and stops on abort', async () => {
  await withFile('2024-05-01T10:00:00Z stdout F old\n', async (path) => {
    const ac = new AbortController();
    const got: string[] = [];
    let notify: () => void = () => undefined;
    const next = (): Promise<void> => new Promise<void>((r) => (notify = r));
    let seen = next();
    const done = readLogs(path, { follow: true }, async (c) => {
      got.push(c.toString());
      notify();
    }, { isRunning: async () => true, checkIntervalMs: 20, signal: ac.signal });
    await seen;
    seen = next();
    await rename(path, `${path}.1`);
    await writeFile(path, '2024-05-01T10:00:01Z stdout F new\n');
    await seen;
    assert.equal(got.join(''), 'old\nnew\n');
    ac.abort();
    await done;
  });
});

test('a missing file rejects with ENOENT', async () => {
  await assert.rejects(readLogs('/nonexistent/k8ts/0.log', {}, async () => undefined), { code: 'ENOENT' });
});
