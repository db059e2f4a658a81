// The SQLite Backend: etcd3 semantics over one file, the design kine proved.
//
// `log` is append-only; its AUTOINCREMENT id is the revision (sqlite_sequence keeps the highest
// id ever handed out, so revisions stay monotonic across restarts even when the newest rows
// were compacted away). `kv` mirrors the latest value of every live key so reads at the
// current revision never touch the log. Writes are queued and applied in one transaction per
// event-loop turn (group commit): each operation's condition is checked inside that
// transaction in queue order, so conditional writes stay exact. After the commit, watchers
// are notified in-process.

import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { AsyncQueue } from '../async-queue.js';
import { prefixEnd } from '../keys.js';
import { noopLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { CompactedError, FutureRevisionError } from '../interfaces.js';
import type {
  BackendEvent,
  BackendEventType,
  KeyValue,
  RangeOptions,
  RangeResult,
  WatchBatch,
  WatchOptions,
  WatchProgressBackend,
  WriteResult,
} from '../interfaces.js';

export interface SqliteBackendOptions {
  /** Database file, or ':memory:' (tests). The parent directory is created. */
  path: string;
  /** FULL (default): an acknowledged write survives power loss. NORMAL: survives a process crash only. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Period of the background compactor; 0 disables it. Default 5 minutes (upstream apiserver). */
  compactIntervalMs?: number;
  /**
   * The compactor keeps at least this many recent revisions and at least one interval of
   * history (it compacts to the revision it saw on its previous tick). Default 1000.
   */
  compactKeepRevisions?: number;
  /** Rows examined per compaction transaction; the loop yields between batches. Default 500. */
  compactBatchSize?: number;
  /** Most operations in one group-commit transaction. Default 2000. */
  maxBatch?: number;
  logger?: Logger;
}

type Op =
  | { kind: 'create'; key: string; value: string; resolve: (r: WriteResult) => void; reject: (e: unknown) => void }
  | { kind: 'update'; key: string; value: string; expected: number; resolve: (r: WriteResult) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; key: string; expected: number; resolve: (r: WriteResult) => void; reject: (e: unknown) => void };

interface KvRow {
  key: string;
  create_revision: number;
  mod_revision: number;
  value: string;
}

interface LogRow {
  id: number;
  key: string;
  type: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

const TYPE_CREATE = 0;
const TYPE_UPDATE = 1;
const TYPE_DELETE = 2;
const TYPE_NAMES: readonly BackendEventType[] = ['create', 'update', 'delete'];

/** One registered watcher: events for `prefix`, queued as batches. */
interface Watcher {
  prefix: string;
  queue: AsyncQueue<WatchBatch>;
  /** While replaying history: live batches wait here until the replay is done. */
  pending: WatchBatch[] | undefined;
  /** Highest revision delivered or announced to this watcher. */
  revision: number;
  /** The batch pushed last; merged into while the consumer has not taken it yet. */
  last: WatchBatch | undefined;
}

type State = 'new' | 'running' | 'closing' | 'closed';

const MAX_KEY = '\uffff\uffff\uffff\uffff';

export class SqliteBackend implements WatchProgressBackend {
  private readonly opts: Required<Omit<SqliteBackendOptions, 'logger'>>;
  private readonly log: Logger;
  private db: DB | undefined;
  private state: State = 'new';
  private rev = 0;
  private compacted = 0;
  private queue: Op[] = [];
  private flushScheduled = false;
  private readonly watchers = new Set<Watcher>();
  private compactTimer: NodeJS.Timeout | undefined;
  private lastTickRevision = 0;
  private compacting: Promise<void> | undefined;
  private compactTarget = 0;

  private st!: {
    getKv: Statement<[string], KvRow>;
    upsertKv: Statement<[string, number, number, string]>;
    deleteKv: Statement<[string]>;
    insertLog: Statement<[string, number, number, number, string]>;
    getLogById: Statement<[number], LogRow>;
    getLogAt: Statement<[string, number], LogRow>;
    rangeKv: Statement<[string, string, number], KvRow>;
    countKv: Statement<[string, string], { n: number }>;
    rangeLog: Statement<[string, string, number, number], LogRow>;
    replay: Statement<[number, number, string, string, number], LogRow>;
    compactScan: Statement<[number, number, number], { id: number; type: number; prev_revision: number }>;
    deleteLog: Statement<[number]>;
    setMeta: Statement<[string, number]>;
  };

  constructor(options: SqliteBackendOptions) {
    this.opts = {
      path: options.path,
      synchronous: options.synchronous ?? 'FULL',
      compactIntervalMs: options.compactIntervalMs ?? 5 * 60_000,
      compactKeepRevisions: options.compactKeepRevisions ?? 1000,
      compactBatchSize: options.compactBatchSize ?? 500,
      maxBatch: options.maxBatch ?? 2000,
    };
    this.log = options.logger ?? noopLogger;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`SqliteBackend cannot start in state ${this.state}`);
    signal?.throwIfAborted();
    if (this.opts.path !== ':memory:') mkdirSync(dirname(this.opts.path), { recursive: true });
    const db = new Database(this.opts.path);
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.opts.synchronous}`);
    db.pragma('busy_timeout = 5000');
    // A larger page cache keeps the kv and log indexes in memory (64 MiB; the default is 2 MiB).
    db.pragma('cache_size = -65536');
    db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        type INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        value TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
      CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        create_revision INTEGER NOT NULL,
        mod_revision INTEGER NOT NULL,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    `);
    this.st = {
      getKv: db.prepare<[string], KvRow>('SELECT key, create_revision, mod_revision, value FROM kv WHERE key = ?'),
      upsertKv: db.prepare<[string, number, number, string]>(
        'INSERT INTO kv (key, create_revision, mod_revision, value) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET create_revision = excluded.create_revision, mod_revision = excluded.mod_revision, value = excluded.value',
      ),
      deleteKv: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
      insertLog: db.prepare<[string, number, number, number, string]>('INSERT INTO log (key, type, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?)'),
      getLogById: db.prepare<[number], LogRow>('SELECT id, key, type, create_revision, prev_revision, value FROM log WHERE id = ?'),
      getLogAt: db.prepare<[string, number], LogRow>(
        'SELECT id, key, type, create_revision, prev_revision, value FROM log WHERE key = ? AND id <= ? ORDER BY id DESC LIMIT 1',
      ),
      rangeKv: db.prepare<[string, string, number], KvRow>(
        'SELECT key, create_revision, mod_revision, value FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
      ),
      countKv: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?'),
      // The newest row of each key at or below the revision; deleted keys are filtered after.
      rangeLog: db.prepare<[string, string, number, number], LogRow>(
        'SELECT l.id, l.key, l.type, l.create_revision, l.prev_revision, l.value FROM log l ' +
          'JOIN (SELECT key, max(id) AS id FROM log WHERE key >= ? AND key < ? AND id <= ? GROUP BY key) m ON l.id = m.id ' +
          'WHERE l.type != 2 ORDER BY l.key LIMIT ?',
      ),
      replay: db.prepare<[number, number, string, string, number], LogRow>(
        'SELECT id, key, type, create_revision, prev_revision, value FROM log ' +
          'WHERE id > ? AND id <= ? AND key >= ? AND key < ? ORDER BY id LIMIT ?',
      ),
      compactScan: db.prepare<[number, number, number], { id: number; type: number; prev_revision: number }>('SELECT id, type, prev_revision FROM log WHERE id > ? AND id <= ? ORDER BY id LIMIT ?'),
      deleteLog: db.prepare<[number]>('DELETE FROM log WHERE id = ?'),
      setMeta: db.prepare<[string, number]>('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    };
    const seq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get();
    this.rev = seq?.seq ?? 0;
    const meta = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?');
    this.compacted = meta.get('compact_revision')?.value ?? 0;
    this.lastTickRevision = this.rev;
    this.state = 'running';
    // A compaction interrupted by a crash resumes: its target was recorded before it began.
    const unfinished = meta.get('compact_cursor')?.value;
    if (unfinished !== undefined && unfinished < this.compacted) this.runCompaction(unfinished);
    if (this.opts.compactIntervalMs > 0) {
      this.compactTimer = setInterval(() => this.compactTick(), this.opts.compactIntervalMs);
      this.compactTimer.unref();
    }
    this.log.info({ path: this.opts.path, revision: this.rev, compacted: this.compacted }, 'sqlite backend started');
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing' || this.state === 'new') {
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.compactTimer = undefined;
    this.flush();
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    try {
      await this.compacting;
    } catch {
      // already logged by the compactor
    }
    this.state = 'closed';
    this.db?.close();
    this.db = undefined;
    this.log.info({ revision: this.rev }, 'sqlite backend closed');
  }

  private check(): DB {
    if (this.state !== 'running' || !this.db) throw new Error(`sqlite backend is ${this.state}`);
    return this.db;
  }

  async currentRevision(): Promise<number> {
    this.check();
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    this.check();
    return this.compacted;
  }

  private checkRevision(revision: number): void {
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
  }

  async get(key: string, revision?: number): Promise<{ revision: number; kv?: KeyValue }> {
    this.check();
    if (revision && revision !== this.rev) {
      this.checkRevision(revision);
      const row = this.st.getLogAt.get(key, revision);
      return { revision, kv: row && row.type !== TYPE_DELETE ? logKv(row) : undefined };
    }
    const row = this.st.getKv.get(key);
    return { revision: this.rev, kv: row ? rowKv(row) : undefined };
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.check();
    const end = prefixEnd(prefix) ?? MAX_KEY;
    const start = options.startKey && options.startKey > prefix ? options.startKey : prefix;
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const fetch = limit > 0 ? limit + 1 : -1;
    if (options.revision && options.revision !== this.rev) {
      const revision = options.revision;
      this.checkRevision(revision);
      const rows = this.st.rangeLog.all(start, end, revision, fetch);
      const more = limit > 0 && rows.length > limit;
      if (more) rows.length = limit;
      return { revision, kvs: rows.map(logKv), more };
    }
    const rows = this.st.rangeKv.all(start, end, fetch);
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const result: RangeResult = { revision: this.rev, kvs: rows.map(rowKv), more };
    if (more) result.count = this.st.countKv.get(start, end)!.n;
    else result.count = rows.length;
    return result;
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    this.check();
    const end = prefixEnd(prefix) ?? MAX_KEY;
    return { revision: this.rev, count: this.st.countKv.get(prefix, end)!.n };
  }

  create(key: string, value: string): Promise<WriteResult> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'create', key, value, resolve, reject }));
  }

  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'update', key, value, expected: expectedModRevision, resolve, reject }),
    );
  }

  delete(key: string, expectedModRevision: number): Promise<WriteResult> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'delete', key, expected: expectedModRevision, resolve, reject }));
  }

  private enqueue(op: Op): void {
    if (this.state !== 'running') {
      op.reject(new Error(`sqlite backend is ${this.state}`));
      return;
    }
    this.queue.push(op);
    if (this.queue.length >= this.opts.maxBatch) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Applies every queued operation in one transaction, then answers and notifies. */
  private flush(): void {
    this.flushScheduled = false;
    const ops = this.queue;
    if (ops.length === 0 || !this.db) return;
    this.queue = [];
    const results: WriteResult[] = new Array(ops.length);
    const events: BackendEvent[] = [];
    const st = this.st;
    let rev = this.rev;
    const apply = this.db.transaction(() => {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        const cur = st.getKv.get(op.key);
        if (op.kind === 'create') {
          if (cur) {
            results[i] = { succeeded: false, revision: rev, kv: rowKv(cur) };
            continue;
          }
          rev = Number(st.insertLog.run(op.key, TYPE_CREATE, 0, 0, op.value).lastInsertRowid);
          // create_revision of a create row is its own id; stored as 0 and read back as id.
          st.upsertKv.run(op.key, rev, rev, op.value);
          const kv: KeyValue = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
          results[i] = { succeeded: true, revision: rev, kv };
          events.push({ type: 'create', kv });
        } else if (op.kind === 'update') {
          if (!cur || cur.mod_revision !== op.expected) {
            results[i] = { succeeded: false, revision: rev, kv: cur ? rowKv(cur) : undefined };
            continue;
          }
          rev = Number(st.insertLog.run(op.key, TYPE_UPDATE, cur.create_revision, cur.mod_revision, op.value).lastInsertRowid);
          st.upsertKv.run(op.key, cur.create_revision, rev, op.value);
          const kv: KeyValue = { key: op.key, value: op.value, createRevision: cur.create_revision, modRevision: rev };
          results[i] = { succeeded: true, revision: rev, kv };
          events.push({ type: 'update', kv, prevKv: rowKv(cur) });
        } else {
          if (!cur || (op.expected !== 0 && cur.mod_revision !== op.expected)) {
            results[i] = { succeeded: false, revision: rev, kv: cur ? rowKv(cur) : undefined };
            continue;
          }
          rev = Number(st.insertLog.run(op.key, TYPE_DELETE, cur.create_revision, cur.mod_revision, cur.value).lastInsertRowid);
          st.deleteKv.run(op.key);
          const prevKv = rowKv(cur);
          const kv: KeyValue = { key: op.key, value: cur.value, createRevision: cur.create_revision, modRevision: rev };
          results[i] = { succeeded: true, revision: rev, kv: prevKv };
          events.push({ type: 'delete', kv, prevKv });
        }
      }
    });
    try {
      apply.immediate();
    } catch (err) {
      this.log.error({ err, ops: ops.length }, 'sqlite write transaction failed');
      for (const op of ops) op.reject(err);
      return;
    }
    this.rev = rev;
    for (let i = 0; i < ops.length; i++) {
      const r = results[i]!;
      // Failed conditions report the revision after the whole batch, like etcd's txn header.
      if (!r.succeeded) r.revision = rev;
      ops[i]!.resolve(r);
    }
    this.notify(events, rev);
  }

  private notify(events: BackendEvent[], rev: number): void {
    for (const w of this.watchers) {
      let mine: BackendEvent[] | undefined;
      if (w.prefix === '') mine = events;
      else {
        for (const e of events) {
          if (e.kv.key.startsWith(w.prefix)) (mine ??= []).push(e);
        }
      }
      const batch: WatchBatch = { events: mine ?? [], revision: rev };
      if (w.pending) w.pending.push(batch);
      else deliver(w, batch);
    }
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<BackendEvent[]> {
    const batches = this.watchWithProgress(prefix, options);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const b of batches) if (b.events.length > 0) yield b.events;
      },
    };
  }

  watchWithProgress(prefix: string, options: WatchOptions): AsyncIterable<WatchBatch> {
    // Registration and the compaction check happen synchronously at the first next(): from
    // then on, commits queue up behind the replay, so replay→live has no gap and no duplicate.
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        self.check();
        const after = options.afterRevision;
        if (after < self.compacted) throw new CompactedError(after, self.compacted);
        const queue = new AsyncQueue<WatchBatch>(options.signal);
        const w: Watcher = { prefix, queue, pending: after < self.rev ? [] : undefined, revision: after, last: undefined };
        self.watchers.add(w);
        try {
          if (w.pending) {
            yield* self.replay(w, after, self.rev);
            const live = w.pending;
            w.pending = undefined;
            for (const b of live) deliver(w, b);
          }
          yield* queue;
        } finally {
          self.watchers.delete(w);
        }
      },
    };
  }

  /** History (after, until] for the watcher's prefix, in chunks read synchronously. */
  private async *replay(w: Watcher, after: number, until: number): AsyncGenerator<WatchBatch> {
    const end = prefixEnd(w.prefix) ?? MAX_KEY;
    let cursor = after;
    while (cursor < until) {
      if (w.queue.closed) return;
      if (this.state !== 'running') return;
      // A compaction that passed the cursor may have removed rows this replay still needs.
      if (cursor < this.compacted) throw new CompactedError(after, this.compacted);
      const rows = this.st.replay.all(cursor, until, w.prefix, end, 1000);
      const events: BackendEvent[] = rows.map((row) => this.logEvent(row));
      cursor = rows.length < 1000 ? until : rows[rows.length - 1]!.id;
      w.revision = cursor;
      yield { events, revision: cursor };
    }
  }

  private logEvent(row: LogRow): BackendEvent {
    const type = TYPE_NAMES[row.type]!;
    if (type === 'create') return { type, kv: logKv(row) };
    const prev = this.st.getLogById.get(row.prev_revision);
    const prevKv = prev ? logKv(prev) : undefined;
    const kv: KeyValue = { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.id };
    return prevKv ? { type, kv, prevKv } : { type, kv };
  }

  /**
   * Drops history at or below `revision`: every row superseded by a row at or below it, and
   * delete rows at or below it. Rows above it stay, so a watch or range from `revision` on is
   * served exactly. Runs in small transactions and yields between them.
   */
  async compact(revision: number): Promise<void> {
    this.check();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compacted) {
      if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
      return this.compacting;
    }
    const from = this.compacted;
    // Readers at or below the new revision are refused from now on, before rows disappear.
    this.compacted = revision;
    this.db!.transaction(() => {
      this.st.setMeta.run('compact_revision', revision);
      this.st.setMeta.run('compact_cursor', from);
    })();
    this.runCompaction(from);
    return this.compacting;
  }

  /** Chains a compaction pass (cursor, compacted] behind any running one. */
  private runCompaction(cursor: number): void {
    const target = this.compacted;
    if (target <= this.compactTarget) return;
    this.compactTarget = target;
    const prev = this.compacting ?? Promise.resolve();
    this.compacting = prev.then(() => this.compactPass(cursor, target));
  }

  private async compactPass(cursor: number, target: number): Promise<void> {
    const started = performance.now();
    let removed = 0;
    let worst = 0;
    const batch = this.opts.compactBatchSize;
    const step = this.db!.transaction((from: number) => {
      const rows = this.st.compactScan.all(from, target, batch);
      for (const r of rows) {
        if (r.prev_revision > 0) removed += this.st.deleteLog.run(r.prev_revision).changes;
        if (r.type === TYPE_DELETE) removed += this.st.deleteLog.run(r.id).changes;
      }
      const next = rows.length < batch ? target : rows[rows.length - 1]!.id;
      this.st.setMeta.run('compact_cursor', next);
      return next;
    });
    while (cursor < target) {
      if (this.state !== 'running' && this.state !== 'closing') return;
      const t0 = performance.now();
      try {
        // Compaction needs no fsync: lost deletes after a power cut are redone from the
        // cursor, and the next durable commit syncs these pages with it. Keeps batches short.
        this.db!.pragma('synchronous = OFF');
        try {
          cursor = step(cursor);
        } finally {
          this.db!.pragma(`synchronous = ${this.opts.synchronous}`);
        }
      } catch (err) {
        this.log.error({ err, target }, 'sqlite compaction failed');
        throw err;
      }
      worst = Math.max(worst, performance.now() - t0);
      if (this.state === 'closing') return;
      await new Promise<void>((r) => setImmediate(r));
    }
    this.log.info(
      { revision: target, removed, ms: Math.round(performance.now() - started), worstBatchMs: Math.round(worst * 10) / 10 },
      'sqlite compaction done',
    );
  }

  private compactTick(): void {
    if (this.state !== 'running') return;
    const target = Math.min(this.lastTickRevision, this.rev - this.opts.compactKeepRevisions);
    this.lastTickRevision = this.rev;
    if (target <= this.compacted) return;
    this.compact(target).catch((err: unknown) => this.log.error({ err, target }, 'periodic compaction failed'));
  }
}

/** Queues a commit's batch for a watcher: only events after what it has seen; coalesced while unread. */
function deliver(w: Watcher, batch: WatchBatch): void {
  if (batch.revision <= w.revision) return;
  let events = batch.events;
  if (events.length > 0 && events[0]!.kv.modRevision <= w.revision) events = events.filter((e) => e.kv.modRevision > w.revision);
  w.revision = batch.revision;
  const last = w.last;
  if (last && w.queue.size > 0) {
    // The consumer has not taken the previous batch: extend it instead of waking it twice.
    if (events.length > 0) last.events = last.events.length === 0 ? events : last.events.concat(events);
    last.revision = batch.revision;
    return;
  }
  const b: WatchBatch = { events, revision: batch.revision };
  w.last = b;
  w.queue.push(b);
}

function rowKv(row: KvRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.mod_revision };
}

function logKv(row: LogRow): KeyValue {
  return {
    key: row.key,
    value: row.value,
    createRevision: row.type === TYPE_CREATE ? row.id : row.create_revision,
    modRevision: row.id,
  };
}
