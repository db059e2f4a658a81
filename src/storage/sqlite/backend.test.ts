import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { runBackendConformance } from '../testing/conformance.js';
import { SqliteBackend } from './backend.js';

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
});
