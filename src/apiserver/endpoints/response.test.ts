import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { WatchWriter, type Res } from './response.js';

/** A response whose connection takes nothing until release(): write() reports the buffer. */
class FakeRes extends EventEmitter implements Res {
  statusCode = 200;
  headersSent = true;
  writableEnded = false;
  writableLength = 0;
  readonly writes: string[] = [];
  constructor(private readonly highWaterMark = 16) {
    super();
  }
  setHeader(): void {}
  writeHead(): void {}
  /** Writes made while corked, handed on as one (as a stream's _writev) at uncork(). */
  private corked: string[] | undefined;
  cork(): void {
    this.corked = [];
  }
  uncork(): void {
    if (this.corked?.length) this.writes.push(this.corked.join(''));
    this.corked = undefined;
  }
  write(chunk: string | Buffer): boolean {
    (this.corked ?? this.writes).push(String(chunk));
    this.writableLength += chunk.length;
    return this.writableLength < this.highWaterMark;
  }
  end(): void {
    this.writableEnded = true;
  }
  release(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

test('the first line of a turn goes out at once, the rest of the turn as one write', async () => {
  const res = new FakeRes(1 << 20);
  const w = new WatchWriter(res);
  w.push('a\n');
  assert.deepEqual(res.writes, ['a\n']);
  w.push('b\n');
  w.push('c\n');
  assert.deepEqual(res.writes, ['a\n']);
  await nextTurn();
  assert.deepEqual(res.writes, ['a\n', 'b\nc\n']);
  w.push('d\n');
  assert.deepEqual(res.writes, ['a\n', 'b\nc\n', 'd\n']);
  await nextTurn();
  assert.deepEqual(res.writes, ['a\n', 'b\nc\n', 'd\n']);
});

test('flush writes at once, and nothing twice', async () => {
  const res = new FakeRes(1 << 20);
  const w = new WatchWriter(res);
  w.push('a\n');
  w.push('b\n');
  w.flush();
  assert.deepEqual(res.writes, ['a\n', 'b\n']);
  await nextTurn();
  assert.deepEqual(res.writes, ['a\n', 'b\n']);
});

test('past the stream high-water mark the writer keeps taking events until its own limit', async () => {
  const res = new FakeRes(16);
  const w = new WatchWriter(res, 100);
  w.push('x'.repeat(50));
  assert.equal(w.backpressure, undefined, 'write() returned false, but 50 bytes are under the limit');
  await nextTurn();
  w.push('y'.repeat(60));
  const wait = (w as WatchWriter).backpressure;
  assert.ok(wait, '110 unsent bytes hold the watch back');
  let released = false;
  void wait.then(() => (released = true));
  await nextTurn();
  assert.equal(released, false);
  res.release();
  await wait;
  assert.equal(w.backpressure, undefined);
});

test('a long backlog is written in pieces no larger than the limit', () => {
  const res = new FakeRes(1 << 20);
  const w = new WatchWriter(res, 10);
  for (let i = 0; i < 7; i++) w.push('abcd\n');
  assert.deepEqual(res.writes, ['abcd\n', 'abcd\nabcd\nabcd\n', 'abcd\nabcd\nabcd\n']);
});

test('a closed response releases the watch and takes no more writes', async () => {
  const res = new FakeRes(1);
  const w = new WatchWriter(res, 1);
  w.push('abc\n');
  const wait = w.backpressure;
  assert.ok(wait);
  res.writableEnded = true;
  res.emit('close');
  await wait;
  w.push('more\n');
  w.flush();
  assert.deepEqual(res.writes, ['abc\n']);
});

test("a turn's lines go into the HTTP/2 stream corked, or as one joined write where nothing corks", async () => {
  const calls: string[] = [];
  const h2 = new FakeRes(1 << 20);
  Object.assign(h2, { cork: undefined, uncork: undefined, stream: { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') } });
  const w = new WatchWriter(h2);
  for (const l of ['a\n', 'b\n', 'c\n']) w.push(l);
  await nextTurn();
  assert.deepEqual(calls, ['cork', 'uncork']);
  assert.deepEqual(h2.writes, ['a\n', 'b\n', 'c\n']);

  const plain = new FakeRes(1 << 20);
  Object.assign(plain, { cork: undefined, uncork: undefined });
  const p = new WatchWriter(plain);
  for (const l of ['a\n', 'b\n', 'c\n']) p.push(l);
  await nextTurn();
  assert.deepEqual(plain.writes, ['a\n', 'b\nc\n']);
});
