// The SQLite writer thread. It owns the only connection that writes: group commits (each op's
// condition checked inside the transaction, in queue order), compaction and WAL checkpoints.
// Every batch that arrived while a transaction committed goes into the next transaction, so
// the commit rate adapts to the fsync time without the main thread holding writes back.
// Commits with synchronous=FULL wait for an fsync, and checkpoints can take tens of ms: here
// they block this thread only, never the API server's event loop. The main thread started the
// database (schema, WAL) before starting this thread.

import Database from 'better-sqlite3';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

import { OP_CREATE, OP_UPDATE, toWireError } from './writer-protocol.js';
import type { FromWriter, ToWriter, WireOp, WireResult, WireRow, WriterInit } from './writer-protocol.js';

const TYPE_CREATE = 0;
const TYPE_UPDATE = 1;
const TYPE_DELETE = 2;

const port = parentPort;
if (!port) throw new Error('writer-worker must run in a worker thread');
const init = workerData as WriterInit;

function send(msg: FromWriter): void {
  port!.postMessage(msg);
}

function log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>): void {
  send({ type: 'log', level, msg, fields });
}

const db = new Database(init.path);
db.pragma(`synchronous = ${init.synchronous}`);
db.pragma('busy_timeout = 5000');
// Writes touch the index interiors and a few leaves; the reader keeps the large cache (64 MiB).
// 16 MiB here keeps the extra memory of a second connection small.
db.pragma('cache_size = -16384');
// Checkpoints are run by this thread on its own schedule, never inside a commit.
db.pragma('wal_autocheckpoint = 0');
// After a checkpoint resets the WAL, truncate a WAL file grown past 64 MiB.
db.pragma('journal_size_limit = 67108864');

const st = {
  getKv: db.prepare<[string], WireRow>('SELECT key, create_revision, mod_revision, value FROM kv WHERE key = ?'),
  upsertKv: db.prepare<[string, number, number, string]>(
    'INSERT INTO kv (key, create_revision, mod_revision, value) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (key) DO UPDATE SET create_revision = excluded.create_revision, mod_revision = excluded.mod_revision, value = excluded.value',
  ),
  deleteKv: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
  insertLog: db.prepare<[string, number, number, number, string]>(
    'INSERT INTO log (key, type, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?)',
  ),
  seq: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'"),
  compactScan: db.prepare<[number, number, number], { id: number; type: number; prev_revision: number }>(
    'SELECT id, type, prev_revision FROM log WHERE id > ? AND id <= ? ORDER BY id LIMIT ?',
  ),
  deleteLog: db.prepare<[number]>('DELETE FROM log WHERE id = ?'),
  setMeta: db.prepare<[string, number]>(
    'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  ),
};

let revision = st.seq.get()?.seq ?? 0;
let closing = false;
let bytesSinceCheckpoint = 0;
let writesSinceCheckpoint = 0;

/** Applies one batch; conditions see the effects of earlier ops of the same batch. */
const applyBatch = db.transaction((ops: WireOp[]): WireResult[] => {
  const results: WireResult[] = new Array(ops.length);
  let rev = revision;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const cur = st.getKv.get(op.key);
    if (op.op === OP_CREATE) {
      if (cur) {
        results[i] = { ok: false, rev, cur };
        continue;
      }
      // create_revision of a create row is its own id; stored as 0 and read back as id.
      rev = Number(st.insertLog.run(op.key, TYPE_CREATE, 0, 0, op.value).lastInsertRowid);
      st.upsertKv.run(op.key, rev, rev, op.value);
      results[i] = { ok: true, rev };
    } else if (op.op === OP_UPDATE) {
      if (!cur || cur.mod_revision !== op.expected) {
        results[i] = cur ? { ok: false, rev, cur } : { ok: false, rev };
        continue;
      }
      rev = Number(st.insertLog.run(op.key, TYPE_UPDATE, cur.create_revision, cur.mod_revision, op.value).lastInsertRowid);
      st.upsertKv.run(op.key, cur.create_revision, rev, op.value);
      results[i] = { ok: true, rev, cur };
    } else {
      if (!cur || (op.expected !== 0 && cur.mod_revision !== op.expected)) {
        results[i] = cur ? { ok: false, rev, cur } : { ok: false, rev };
        continue;
      }
      rev = Number(st.insertLog.run(op.key, TYPE_DELETE, cur.create_revision, cur.mod_revision, cur.value).lastInsertRowid);
      st.deleteKv.run(op.key);
      results[i] = { ok: true, rev, cur };
    }
  }
  return results;
});

type BatchMsg = Extract<ToWriter, { type: 'batch' }>;

/** Commits several batches in one transaction and answers each. */
function commitGroup(group: BatchMsg[]): void {
  const ops = group.length === 1 ? group[0]!.ops : group.flatMap((b) => b.ops);
  let results: WireResult[];
  try {
    results = applyBatch.immediate(ops);
  } catch (err) {
    // Rolled back: the sequence did not advance either.
    log('error', 'sqlite write transaction failed', { err: toWireError(err), ops: ops.length });
    for (const b of group) send({ type: 'batch-error', id: b.id, error: toWireError(err) });
    return;
  }
  for (const r of results) if (r.ok && r.rev > revision) revision = r.rev;
  let at = 0;
  for (const b of group) {
    send({ type: 'batch', id: b.id, revision, results: group.length === 1 ? results : results.slice(at, at + b.ops.length) });
    at += b.ops.length;
  }
  writesSinceCheckpoint += ops.length;
  for (const op of ops) bytesSinceCheckpoint += op.value.length;
  if (bytesSinceCheckpoint >= init.checkpointBytes) setImmediate(checkpoint);
}

/** Messages taken from the port and not yet handled, in arrival order. */
const backlog: ToWriter[] = [];

function pull(): void {
  for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) backlog.push(m.message as ToWriter);
}

/** Handles everything queued, in order; consecutive batches share a transaction (up to maxBatch ops). */
function drain(): void {
  pull();
  while (backlog.length > 0) {
    const first = backlog[0]!;
    if (first.type !== 'batch') {
      backlog.shift();
      handle(first);
      continue;
    }
    const group: BatchMsg[] = [];
    let n = 0;
    for (let next = backlog[0]; next?.type === 'batch'; next = backlog[0]) {
      if (group.length > 0 && n + next.ops.length > init.maxBatch) break;
      group.push(next);
      n += next.ops.length;
      backlog.shift();
    }
    commitGroup(group);
    // What arrived during the commit joins the next transaction.
    pull();
  }
}

function checkpoint(): void {
  if (writesSinceCheckpoint === 0 || !db.open) return;
  const t0 = performance.now();
  try {
    // PASSIVE: copies what no reader still needs and never waits for the readers.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    const ms = performance.now() - t0;
    if (ms > 50) log('debug', 'sqlite checkpoint', { ms: Math.round(ms), log: row?.log, checkpointed: row?.checkpointed });
  } catch (err) {
    log('warn', 'sqlite checkpoint failed', { err: toWireError(err) });
  }
  writesSinceCheckpoint = 0;
  bytesSinceCheckpoint = 0;
}

// --- compaction ---------------------------------------------------------------------------

let compacting: Promise<void> = Promise.resolve();

/**
 * Drops history in (from, target]: every row superseded by a row at or below target, and
 * delete rows at or below it. Small transactions; batches queued meanwhile run between them.
 */
async function compactPass(id: number, from: number, target: number, batchSize: number): Promise<void> {
  const started = performance.now();
  let removed = 0;
  let worst = 0;
  let cursor = from;
  const step = db.transaction((at: number) => {
    const rows = st.compactScan.all(at, target, batchSize);
    for (const r of rows) {
      if (r.prev_revision > 0) removed += st.deleteLog.run(r.prev_revision).changes;
      if (r.type === TYPE_DELETE) removed += st.deleteLog.run(r.id).changes;
    }
    const next = rows.length < batchSize ? target : rows[rows.length - 1]!.id;
    st.setMeta.run('compact_cursor', next);
    return next;
  });
  try {
    while (cursor < target && !closing) {
      const t0 = performance.now();
      // Compaction needs no fsync: lost deletes after a power cut are redone from the cursor,
      // and the next durable commit syncs these pages with it. Keeps the steps short.
      db.pragma('synchronous = OFF');
      try {
        cursor = step(cursor);
      } finally {
        db.pragma(`synchronous = ${init.synchronous}`);
      }
      worst = Math.max(worst, performance.now() - t0);
      await new Promise<void>((r) => setImmediate(r));
    }
  } catch (err) {
    send({ type: 'compacted', id, removed, ms: performance.now() - started, worstBatchMs: worst, error: toWireError(err) });
    return;
  }
  send({ type: 'compacted', id, removed, ms: performance.now() - started, worstBatchMs: worst });
}

function onCompact(msg: Extract<ToWriter, { type: 'compact' }>): void {
  if (msg.mark) {
    // Recorded before any row goes, in message order (after every batch sent before it).
    try {
      db.transaction(() => {
        st.setMeta.run('compact_revision', msg.target);
        st.setMeta.run('compact_cursor', msg.from);
      })();
    } catch (err) {
      send({ type: 'compacted', id: msg.id, removed: 0, ms: 0, worstBatchMs: 0, error: toWireError(err) });
      return;
    }
  }
  compacting = compacting.then(() => compactPass(msg.id, msg.from, msg.target, msg.batchSize));
}

// --- lifecycle ------------------------------------------------------------------------------

const checkpointTimer = init.checkpointIntervalMs > 0 ? setInterval(checkpoint, init.checkpointIntervalMs) : undefined;

async function onClose(): Promise<void> {
  closing = true;
  if (checkpointTimer) clearInterval(checkpointTimer);
  await compacting;
  checkpoint();
  db.close();
  send({ type: 'closed' });
  port!.close();
}

function handle(msg: ToWriter): void {
  switch (msg.type) {
    case 'batch':
      commitGroup([msg]);
      break;
    case 'compact':
      onCompact(msg);
      break;
    case 'close':
      void onClose();
      break;
  }
}

port.on('message', (msg: ToWriter) => {
  backlog.push(msg);
  drain();
});

send({ type: 'ready' });
