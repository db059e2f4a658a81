import { strict as assert } from 'node:assert';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';

import { runBackendConformance } from '../testing/conformance.js';
import { SqliteBackend, WriterFailedError } from './backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Holds SQLite's write lock from a third connection, so the writer thread's next commit waits. */
function lockWrites(path: string): { release(): void } {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.exec('BEGIN IMMEDIATE');
  return {
    release() {
      db.exec('COMMIT');
      db.close();
    },
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
}

runBackendConformance('sqlite (file)', async () => {
  const dir = tempDir();
  const backend = new SqliteBackend({ path: join(dir, 'db', 'state.db'), compactIntervalMs: 0, compactBatchSize: 7 });
  await backend.start();
  return {
    backend,
    close: async () => {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteBackend', () => {
  it('keeps every acknowledged write and monotonic revisions across restarts, even after compacting the newest history', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    try {
      let b = new SqliteBackend({ path, compactIntervalMs: 0 });
      await b.start();
      const writes = await Promise.all(Array.from({ length: 200 }, (_, i) => b.create(`/k/${i}`, `v${i}`)));
      assert.ok(writes.every((w) => w.succeeded));
      let last = Math.max(...writes.map((w) => w.revision));
      // Make the newest rows deletes, then compact them all away.
      for (let i = 190; i < 200; i++) last = (await b.delete(`/k/${i}`, 0)).revision;
      await b.compact(last);
      await b.close();
      await b.close(); // idempotent

      b = new SqliteBackend({ path, compactIntervalMs: 0 });
      await b.start();
      assert.equal(await b.currentRevision(), last);
      assert.equal(await b.compactRevision(), last);
      const all = await b.range('/k/');
      assert.equal(all.kvs.length, 190);
      const next = await b.create('/k/new', 'n');
      assert.ok(next.succeeded);
      assert.equal(next.revision, last + 1);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close flushes queued writes and ends watches', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    await b.start();
    const ac = new AbortController();
    const seen: number[] = [];
    const watching = (async () => {
      for await (const batch of b.watch('/', { afterRevision: 0, signal: ac.signal })) seen.push(...batch.map((e) => e.kv.modRevision));
    })();
    const pending = Array.from({ length: 50 }, (_, i) => b.create(`/q/${i}`, 'x'));
    await b.close();
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.succeeded));
    await watching; // ended by close without an abort
    await assert.rejects(b.create('/q/after', 'x'));
  });

  it('group commit: concurrent writes share transactions, conditions checked in queue order', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, maxBatch: 64 });
    await b.start();
    try {
      const c = await b.create('/g/a', '0');
      // Same-turn: update(expected c) wins, the second one (same expectation) loses.
      const [u1, u2, d] = await Promise.all([b.update('/g/a', '1', c.revision), b.update('/g/a', '2', c.revision), b.delete('/g/a', c.revision + 1)]);
      assert.ok(u1.succeeded);
      assert.equal(u2.succeeded, false);
      assert.ok(d.succeeded, 'the delete sees the first update within the same transaction');
      const many = await Promise.all(Array.from({ length: 1000 }, (_, i) => b.create(`/g/m${i}`, 'x')));
      const revs = many.map((r) => r.revision);
      assert.equal(new Set(revs).size, 1000);
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, 'revisions follow queue order');
    } finally {
      await b.close();
    }
  });

  it('compaction works in small batches and yields to the event loop', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, compactBatchSize: 100 });
    await b.start();
    try {
      let rev = (await b.create('/z/a', '0')).revision;
      for (let round = 0; round < 20; round++) {
        const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => b.create(`/z/r${round}-${i}`, 'x')));
        rev = Math.max(rev, ...rs.map((r) => r.revision));
        await Promise.all(Array.from({ length: 100 }, (_, i) => b.delete(`/z/r${round}-${i}`, 0)));
      }
      const target = await b.currentRevision();
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      await b.compact(target);
      clearInterval(timer);
      assert.ok(ticks > 0, 'timers ran while compacting');
      assert.deepEqual(
        (await b.range('/z/')).kvs.map((kv) => kv.key),
        ['/z/a'],
      );
      assert.ok(rev <= target);
    } finally {
      await b.close();
    }
  });

  it('the periodic compactor keeps the configured history', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 30, compactKeepRevisions: 5 });
    await b.start();
    try {
      for (let i = 0; i < 20; i++) await b.create(`/p/${i}`, 'x');
      await new Promise((r) => setTimeout(r, 150));
      const compacted = await b.compactRevision();
      assert.ok(compacted > 0 && compacted <= 15, `compacted to ${compacted}`);
    } finally {
      await b.close();
    }
  });

  it('commits on the writer thread: the event loop and reads go on while a commit waits', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    const b = new SqliteBackend({ path, compactIntervalMs: 0 });
    await b.start();
    try {
      await b.create('/e/a', 'a');
      const lock = lockWrites(path);
      let answered = false;
      const pending = b.create('/e/b', 'b').then((r) => {
        answered = true;
        return r;
      });
      const t0 = performance.now();
      await sleep(50);
      // With the commit on this thread, the timer could only fire after the busy wait (5 s).
      assert.ok(performance.now() - t0 < 1000, 'timers ran while the commit waited for the lock');
      assert.equal(answered, false, 'the write is not answered before its commit');
      assert.equal((await b.get('/e/a')).kv?.value, 'a', 'reads are served meanwhile');
      assert.equal((await b.get('/e/b')).kv, undefined);
      lock.release();
      const r = await pending;
      assert.ok(r.succeeded);
      const g = await b.get('/e/b');
      assert.equal(g.kv?.value, 'b', 'a read after the answer sees the write');
      assert.ok(g.revision >= r.revision);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('read-your-writes: every answered write is visible to the next read, at a revision not older', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, maxBatch: 50 });
    await b.start();
    try {
      const checks = Array.from({ length: 500 }, async (_, i) => {
        const key = `/ryw/${String(i).padStart(3, '0')}`;
        const r = await b.create(key, `v${i}`);
        assert.ok(r.succeeded);
        const g = await b.get(key);
        assert.equal(g.kv?.modRevision, r.revision);
        assert.ok(g.revision >= r.revision);
        assert.ok((await b.currentRevision()) >= r.revision);
        const l = await b.range('/ryw/', { startKey: key, limit: 1 });
        assert.equal(l.kvs[0]?.key, key);
      });
      await Promise.all(checks);
      // A range at an explicit revision is exact even while newer commits are in flight.
      const at = await b.currentRevision();
      const inFlight = Array.from({ length: 100 }, (_, i) => b.create(`/ryw/z${i}`, 'z'));
      const exact = await b.range('/ryw/', { revision: at });
      assert.equal(exact.revision, at);
      assert.equal(exact.kvs.length, 500);
      await Promise.all(inFlight);
      assert.equal((await b.range('/ryw/', { revision: at })).kvs.length, 500);
      assert.equal((await b.count('/ryw/')).count, 600);
    } finally {
      await b.close();
    }
  });

  it('answers the writer before watchers hear of the write, and watchers still see every event in order', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    await b.start();
    try {
      const order: string[] = [];
      const ac = new AbortController();
      const seen: number[] = [];
      const watching = (async () => {
        for await (const batch of b.watch('/n/', { afterRevision: await b.currentRevision(), signal: ac.signal })) {
          for (const e of batch) {
            order.push(`watch ${e.kv.key}`);
            seen.push(e.kv.modRevision);
          }
        }
      })();
      await sleep(10);
      // A writer whose answer takes many promise hops to be sent (as through the API layers).
      await (async () => {
        await b.create('/n/a', 'a');
        for (let i = 0; i < 100; i++) await null;
        order.push('writer answered');
      })();
      const many = await Promise.all(Array.from({ length: 300 }, (_, i) => b.create(`/n/m${i}`, 'm')));
      for (let i = 0; i < 50 && seen.length < 301; i++) await sleep(10);
      ac.abort();
      await watching;
      assert.deepEqual(order.slice(0, 2), ['writer answered', 'watch /n/a']);
      assert.equal(seen.length, 301);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, 'revision order');
      assert.equal(seen[seen.length - 1], Math.max(...many.map((r) => r.revision)));
    } finally {
      await b.close();
    }
  });

  it('a crashed writer thread fails pending and later writes with a clear error; reads and close still work', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    const logged: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_o: Record<string, unknown>, msg: string) => void logged.push(msg) };
    // No checkpoint timer: the thread is terminated while idle (terminating a thread inside a
    // native SQLite call aborts the process, a better-sqlite3 limitation; crashes are JS errors).
    const b = new SqliteBackend({ path, compactIntervalMs: 0, checkpointIntervalMs: 0, logger });
    await b.start();
    try {
      await b.create('/x/a', 'a');
      const pending = b.create('/x/b', 'b');
      const dying = (b as unknown as { writer: Worker }).writer.terminate();
      await assert.rejects(pending, (e: unknown) => e instanceof WriterFailedError && /writer thread exited/.test(e.message));
      await dying;
      await assert.rejects(b.create('/x/c', 'c'), WriterFailedError);
      await assert.rejects(b.compact(1), WriterFailedError);
      assert.ok(logged.includes('sqlite writer thread failed'));
      assert.equal((await b.get('/x/a')).kv?.value, 'a');
      assert.equal((await b.get('/x/b')).kv, undefined);
    } finally {
      await Promise.all([b.close(), b.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the writer thread checkpoints the WAL into the database file', async () => {
    const dir = tempDir();
    try {
      const run = async (checkpointIntervalMs: number): Promise<number> => {
        const path = join(dir, `cp-${checkpointIntervalMs}.db`);
        const b = new SqliteBackend({ path, compactIntervalMs: 0, synchronous: 'NORMAL', checkpointIntervalMs });
        await b.start();
        try {
          await Promise.all(Array.from({ length: 500 }, (_, i) => b.create(`/cp/${i}`, 'x'.repeat(1000))));
          await sleep(checkpointIntervalMs > 0 ? 6 * checkpointIntervalMs : 200);
          return statSync(path).size;
        } finally {
          await b.close();
        }
      };
      const without = await run(0);
      const withCheckpoints = await run(30);
      assert.ok(without < 100_000, `no checkpoint yet: the data is in the WAL only (db file ${without} B)`);
      assert.ok(withCheckpoints > 500_000, `checkpointed: the data is in the db file (${withCheckpoints} B)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a program that awaits a write gets its answer, and exits even without close()', () => {
    const backendUrl = new URL('./backend.ts', import.meta.url).href;
    const script = `
      const { SqliteBackend } = await import(${JSON.stringify(backendUrl)});
      const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
      await b.start();
      const r = await b.create('/a', 'x');
      process.stdout.write('created ' + r.revision);
    `;
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.stdout, 'created 1', child.stderr);
    assert.equal(child.status, 0, 'exited by itself');
    assert.ok(performance.now() - t0 < 15_000);
  });
});

describe('SqliteBackend watch under pipelined writes', () => {
  it('delivers every event when several batches share one worker transaction', async () => {
    const dir = tempDir();
    const backend = new SqliteBackend({ path: join(dir, 'db.sqlite'), compactIntervalMs: 0 });
    await backend.start();
    const ac = new AbortController();
    const seen = new Set<number>();
    const watching = (async () => {
      for await (const evs of backend.watch('/w/', { afterRevision: await backend.currentRevision(), signal: ac.signal })) {
        for (const e of evs) seen.add(e.kv.modRevision);
      }
    })().catch(() => undefined);
    try {
      // Bursts in separate event-loop turns, not awaited: batches queue up behind the commit in
      // flight, so the writer commits several of them in one transaction.
      const writes: Promise<unknown>[] = [];
      for (let burst = 0; burst < 60; burst++) {
        for (let i = 0; i < 25; i++) writes.push(backend.create(`/w/k-${burst}-${i}`, '{}'));
        await new Promise((r) => setImmediate(r));
      }
      const results = (await Promise.all(writes)) as { succeeded: boolean; revision: number }[];
      assert.ok(results.every((r) => r.succeeded));
      const want = new Set(results.map((r) => r.revision));
      for (let i = 0; i < 100 && seen.size < want.size; i++) await sleep(20);
      assert.equal(seen.size, want.size, `watch saw ${seen.size} of ${want.size} events`);
    } finally {
      ac.abort();
      await watching;
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
