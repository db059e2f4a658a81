// The SQLite Backend: etcd3 semantics over one file, the design kine proved.
//
// `log` is append-only; its AUTOINCREMENT id is the revision (sqlite_sequence keeps the highest
// id ever handed out, so revisions stay monotonic across restarts even when the newest rows
// were compacted away). `kv` mirrors the latest value of every live key so reads at the
// current revision never touch the log.
//
// Two connections. A writer thread (writer-worker.ts) owns the write connection: writes queued
// during one event-loop turn go to it as one batch; it commits every batch that arrived while
// its previous transaction committed in one transaction (group commit), each op's condition
// checked inside it in queue order, so conditional writes stay exact; it also runs compaction
// and WAL checkpoints. The fsync of a commit therefore never
// blocks this thread, which keeps a read connection for get/range/count/watch replay (WAL: a
// reader sees every committed transaction). A write's promise resolves when its batch result
// arrives, after the commit, so a read that follows it sees it; watchers are notified right
// after, in revision order, once the writers have their answers.

import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

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
import { OP_CREATE, OP_DELETE, OP_UPDATE } from './writer-protocol.js';
import type { FromWriter, ToWriter, WireError, WireOp, WireResult, WireRow, WriterInit } from './writer-protocol.js';

export interface SqliteBackendOptions {
  /**
   * Database file, or ':memory:' (tests): then a file in a fresh temporary directory, removed
   * on close (the reader and the writer thread need two connections to one database), written
   * without fsync unless `synchronous` is given. The parent directory is created.
   */
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
  /** Rows examined per compaction transaction; the writer runs queued batches between them. Default 500. */
  compactBatchSize?: number;
  /** Most operations in one group-commit transaction. Default 2000. */
  maxBatch?: number;
  /** Period of the writer thread's passive WAL checkpoint. Default 1000 ms. */
  checkpointIntervalMs?: number;
  logger?: Logger;
}

type Op =
  | { kind: 'create'; key: string; value: string; resolve: (r: WriteResult) => void; reject: (e: unknown) => void }
  | { kind: 'update'; key: string; value: string; expected: number; resolve: (r: WriteResult) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; key: string; expected: number; resolve: (r: WriteResult) => void; reject: (e: unknown) => void };

/** A batch sent to the writer thread, answered in the order sent. */
interface InFlight {
  id: number;
  ops: Op[];
}

interface KvRow {
  key: string;
  create_revision: number;
  mod_revision: number;
  value: string;
}

/** A latest read: the revision of the snapshot, and the kv row when the key exists. */
interface KvRowAt {
  rev: number;
  key: string | null;
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

/** Error of every write once the writer thread is gone; `cause` says why. */
export class WriterFailedError extends Error {
  readonly code = 'WriterFailed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriterFailedError';
  }
}

/** An Error rebuilt from the writer thread's answer, keeping SQLite's code (SQLITE_FULL, …). */
function fromWire(e: WireError): Error {
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/**
 * Starts the writer thread: the compiled .js next to this file, or under tsx (tests, benches
 * run from src/) the .ts file, with tsx's loader registered inside the thread first (Node 20
 * does not apply `--import` loader hooks to worker threads).
 */
function spawnWriter(init: WriterInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', here), { workerData: init });
  const entry = new URL('./writer-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

export class SqliteBackend implements WatchProgressBackend {
  private readonly opts: Required<Omit<SqliteBackendOptions, 'logger'>>;
  private readonly log: Logger;
  private readonly path: string;
  private readonly synchronous: WriterInit['synchronous'];
  /** The temporary directory behind ':memory:'. */
  private tempDir: string | undefined;
  private db: DB | undefined;
  private writer: Worker | undefined;
  private writerExited: Promise<void> | undefined;
  /** Set once the writer thread failed: every write fails with it. */
  private writerError: WriterFailedError | undefined;
  /** True once the writer answered 'closed' (its exit is then expected). */
  private closedCleanly = false;
  private onClosed: (() => void) | undefined;
  private state: State = 'new';
  private closing: Promise<void> | undefined;
  /** Highest revision known committed: from batch results and from reads of the database. */
  private rev = 0;
  private compacted = 0;
  private queue: Op[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private inFlight: InFlight[] = [];
  private drained: (() => void)[] = [];
  /** Committed batches whose watch events are yet to be delivered, oldest first. */
  private toNotify: { events: BackendEvent[]; revision: number }[] = [];
  /** Highest revision announced to watchers (or recovered at start). */
  private notifiedRev = 0;
  private notifyScheduled = false;
  private readonly watchers = new Set<Watcher>();
  private compactTimer: NodeJS.Timeout | undefined;
  private lastTickRevision = 0;
  private compacting: Promise<void> | undefined;
  private compactTarget = 0;
  private readonly compactions = new Map<number, { resolve: () => void; reject: (e: unknown) => void; target: number }>();

  private st!: {
    getKvAt: Statement<[string], KvRowAt>;
    seq: Statement<[], { rev: number }>;
    getLogById: Statement<[number], LogRow>;
    getLogAt: Statement<[string, number], LogRow>;
    rangeKv: Statement<[string, string, number], KvRow>;
    countKv: Statement<[string, string], { n: number }>;
    countKvAt: Statement<[string, string], { rev: number; n: number }>;
    rangeLog: Statement<[string, string, number, number], LogRow>;
    replay: Statement<[number, number, string, string, number], LogRow>;
  };
  private rangeLatest!: (start: string, end: string, fetch: number, withCount: boolean) => { rev: number; rows: KvRow[]; count: number };

  constructor(options: SqliteBackendOptions) {
    this.opts = {
      path: options.path,
      synchronous: options.synchronous ?? 'FULL',
      compactIntervalMs: options.compactIntervalMs ?? 5 * 60_000,
      compactKeepRevisions: options.compactKeepRevisions ?? 1000,
      compactBatchSize: options.compactBatchSize ?? 500,
      maxBatch: options.maxBatch ?? 2000,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 1000,
    };
    this.path = options.path;
    this.synchronous = options.path === ':memory:' && options.synchronous === undefined ? 'OFF' : this.opts.synchronous;
    this.log = options.logger ?? noopLogger;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`SqliteBackend cannot start in state ${this.state}`);
    signal?.throwIfAborted();
    let path = this.path;
    if (path === ':memory:') {
      this.tempDir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-mem-'));
      path = join(this.tempDir, 'state.db');
    } else {
      mkdirSync(dirname(path), { recursive: true });
    }
    let db: DB;
    try {
      db = new Database(path);
      this.db = db;
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      // This connection only reads; the writer thread checkpoints, never a commit here.
      db.pragma('wal_autocheckpoint = 0');
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
      // sqlite_sequence is created with the AUTOINCREMENT table; its 'log' row with the first insert.
      const seqSql = "(SELECT ifnull(max(seq), 0) FROM sqlite_sequence WHERE name = 'log')";
      this.st = {
        // Always one row: the snapshot's revision, and the key's columns (NULL when absent).
        getKvAt: db.prepare<[string], KvRowAt>(
          `SELECT s.rev AS rev, kv.key AS key, kv.create_revision AS create_revision, kv.mod_revision AS mod_revision, kv.value AS value ` +
            `FROM (SELECT ${seqSql} AS rev) s LEFT JOIN kv ON kv.key = ?`,
        ),
        seq: db.prepare<[], { rev: number }>(`SELECT ${seqSql} AS rev`),
        getLogById: db.prepare<[number], LogRow>('SELECT id, key, type, create_revision, prev_revision, value FROM log WHERE id = ?'),
        getLogAt: db.prepare<[string, number], LogRow>(
          'SELECT id, key, type, create_revision, prev_revision, value FROM log WHERE key = ? AND id <= ? ORDER BY id DESC LIMIT 1',
        ),
        rangeKv: db.prepare<[string, string, number], KvRow>(
          'SELECT key, create_revision, mod_revision, value FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
        ),
        countKv: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?'),
        countKvAt: db.prepare<[string, string], { rev: number; n: number }>(
          `SELECT ${seqSql} AS rev, count(*) AS n FROM kv WHERE key >= ? AND key < ?`,
        ),
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
      };
      // One read transaction: the revision, the rows and the count come from one snapshot.
      this.rangeLatest = db.transaction((start: string, end: string, fetch: number, withCount: boolean) => {
        const rev = this.st.seq.get()!.rev;
        const rows = this.st.rangeKv.all(start, end, fetch);
        const count = withCount ? this.st.countKv.get(start, end)!.n : rows.length;
        return { rev, rows, count };
      });
      this.rev = this.st.seq.get()!.rev;
      this.notifiedRev = this.rev;
      const meta = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?');
      this.compacted = meta.get('compact_revision')?.value ?? 0;
      this.lastTickRevision = this.rev;
      const unfinished = meta.get('compact_cursor')?.value;

      await this.startWriter(path);
      this.state = 'running';
      // A compaction interrupted by a crash resumes: its target was recorded before it began.
      if (unfinished !== undefined && unfinished < this.compacted) {
        this.runCompaction(unfinished, false).catch((err: unknown) => this.log.error({ err }, 'resumed compaction failed'));
      }
    } catch (err) {
      await this.shutdownWriter();
      this.db?.close();
      this.db = undefined;
      this.removeTemp();
      this.state = 'closed';
      throw err;
    }
    if (this.opts.compactIntervalMs > 0) {
      this.compactTimer = setInterval(() => this.compactTick(), this.opts.compactIntervalMs);
      this.compactTimer.unref();
    }
    this.log.info({ path: this.path, revision: this.rev, compacted: this.compacted }, 'sqlite backend started');
  }

  /** Starts the writer thread and resolves once it has opened the database. */
  private startWriter(path: string): Promise<void> {
    const worker = spawnWriter({
      path,
      synchronous: this.synchronous,
      checkpointIntervalMs: this.opts.checkpointIntervalMs,
      checkpointBytes: 16 << 20,
      maxBatch: this.opts.maxBatch,
    });
    this.writer = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let failure: unknown;
      this.writerExited = new Promise<void>((exited) => {
        worker.on('error', (err) => {
          failure ??= err;
        });
        worker.on('exit', (code) => {
          this.writer = undefined;
          exited();
          if (!ready) {
            reject(new WriterFailedError(`sqlite writer thread failed to start (exit code ${code})`, { cause: failure }));
            return;
          }
          if (this.state === 'closed' || this.closedCleanly) return;
          this.onWriterLost(new WriterFailedError(`sqlite writer thread exited unexpectedly (exit code ${code})`, { cause: failure }));
        });
      });
      worker.on('message', (msg: FromWriter) => {
        if (msg.type === 'ready') {
          ready = true;
          this.updateRef();
          resolve();
        } else {
          this.onWriterMessage(msg);
        }
      });
    });
  }

  /**
   * The writer thread keeps the process alive only while it owes an answer, so a program that
   * forgets close() still exits, and one awaiting a write does not exit before the answer.
   */
  private updateRef(): void {
    if (this.inFlight.length > 0 || this.compactions.size > 0 || this.state === 'closing') this.writer?.ref();
    else this.writer?.unref();
  }

  private onWriterMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'batch':
        this.onBatchDone(msg.id, msg.revision, msg.results);
        break;
      case 'batch-error': {
        const batch = this.takeInFlight(msg.id);
        const err = fromWire(msg.error);
        for (const op of batch.ops) op.reject(err);
        this.afterBatch();
        break;
      }
      case 'compacted': {
        const waiter = this.compactions.get(msg.id);
        this.compactions.delete(msg.id);
        if (msg.error) {
          const err = fromWire(msg.error);
          this.log.error({ err, target: waiter?.target }, 'sqlite compaction failed');
          waiter?.reject(err);
        } else {
          this.log.info(
            { revision: waiter?.target, removed: msg.removed, ms: Math.round(msg.ms), worstBatchMs: Math.round(msg.worstBatchMs * 10) / 10 },
            'sqlite compaction done',
          );
          waiter?.resolve();
        }
        this.updateRef();
        break;
      }
      case 'log':
        this.log[msg.level](msg.fields, msg.msg);
        break;
      case 'closed':
        this.closedCleanly = true;
        this.onClosed?.();
        break;
      case 'ready':
        break;
    }
  }

  /** The writer thread died: fail what it held, and every later write. Reads go on. */
  private onWriterLost(err: WriterFailedError): void {
    if (this.writerError) return;
    this.writerError = err;
    this.log.error({ err, inFlight: this.inFlight.length, queued: this.queue.length }, 'sqlite writer thread failed');
    const lost = this.inFlight;
    this.inFlight = [];
    for (const b of lost) for (const op of b.ops) op.reject(err);
    const queued = this.queue;
    this.queue = [];
    for (const op of queued) op.reject(err);
    for (const [, c] of this.compactions) c.reject(err);
    this.compactions.clear();
    this.settleDrained();
    this.onClosed?.();
  }

  private takeInFlight(id: number): InFlight {
    const batch = this.inFlight.shift();
    // The writer answers in the order it was sent; anything else is a bug worth stopping for.
    if (!batch || batch.id !== id) throw new Error(`sqlite writer answered batch ${id}, expected ${batch?.id}`);
    return batch;
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.state === 'new' || this.state === 'closed') {
      this.state = 'closed';
      return;
    }
    this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.state = 'closing';
    this.updateRef();
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.compactTimer = undefined;
    // Flush: everything queued goes to the writer, then wait for every answer.
    while (this.queue.length > 0 && !this.writerError) this.send(this.queue.splice(0, this.opts.maxBatch));
    await this.waitDrained();
    this.deliverNotifications();
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    await this.shutdownWriter();
    try {
      await this.compacting;
    } catch {
      // already logged
    }
    this.state = 'closed';
    this.db?.close();
    this.db = undefined;
    this.removeTemp();
    this.log.info({ revision: this.rev }, 'sqlite backend closed');
  }

  /** Asks the writer to finish (it stops compaction after the current step), then ends the thread. */
  private async shutdownWriter(): Promise<void> {
    const worker = this.writer;
    if (!worker) return;
    if (!this.writerError) {
      const closed = new Promise<void>((resolve) => (this.onClosed = resolve));
      worker.postMessage({ type: 'close' } satisfies ToWriter);
      await Promise.race([closed, this.writerExited]);
    }
    await worker.terminate();
    await this.writerExited;
  }

  private removeTemp(): void {
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }

  private waitDrained(): Promise<void> {
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private settleDrained(): void {
    if (this.inFlight.length > 0) return;
    const waiters = this.drained;
    this.drained = [];
    for (const w of waiters) w();
  }

  private check(): DB {
    if (this.state !== 'running' || !this.db) throw new Error(`sqlite backend is ${this.state}`);
    return this.db;
  }

  /** Records a revision read from the database (committed, maybe not yet answered by the writer). */
  private observe(rev: number): number {
    if (rev > this.rev) this.rev = rev;
    return this.rev;
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
    if (!revision || revision === this.rev) {
      const row = this.st.getKvAt.get(key)!;
      // The snapshot may already hold commits whose answers are on their way: then it is newer
      // than an explicitly requested revision, which the log serves instead.
      if (!revision || row.rev === revision) {
        return { revision: this.observe(row.rev), kv: row.key !== null ? rowKv(row as KvRow) : undefined };
      }
    }
    this.checkRevision(revision);
    const row = this.st.getLogAt.get(key, revision);
    return { revision, kv: row && row.type !== TYPE_DELETE ? logKv(row) : undefined };
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.check();
    const end = prefixEnd(prefix) ?? MAX_KEY;
    const start = options.startKey && options.startKey > prefix ? options.startKey : prefix;
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const fetch = limit > 0 ? limit + 1 : -1;
    const revision = options.revision;
    if (!revision || revision === this.rev) {
      const res = this.rangeLatest(start, end, fetch, limit > 0);
      if (!revision || res.rev === revision) {
        const rows = res.rows;
        const more = limit > 0 && rows.length > limit;
        if (more) rows.length = limit;
        return { revision: this.observe(res.rev), kvs: rows.map(rowKv), more, count: more ? res.count : rows.length };
      }
    }
    this.checkRevision(revision);
    const rows = this.st.rangeLog.all(start, end, revision, fetch);
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { revision, kvs: rows.map(logKv), more };
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    this.check();
    const end = prefixEnd(prefix) ?? MAX_KEY;
    const row = this.st.countKvAt.get(prefix, end)!;
    return { revision: this.observe(row.rev), count: row.n };
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
    if (this.writerError) {
      op.reject(this.writerError);
      return;
    }
    this.queue.push(op);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.queue.length === 0) return;
    this.flushScheduled = true;
    // Everything queued during this event-loop turn goes in one batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Sends the queued operations to the writer. It commits whatever arrived while its previous
   * transaction committed in one transaction: the next group accumulates there meanwhile.
   */
  private flush(): void {
    while (this.queue.length > 0 && !this.writerError) {
      this.send(this.queue.length <= this.opts.maxBatch ? this.queue.splice(0) : this.queue.splice(0, this.opts.maxBatch));
    }
  }

  private send(ops: Op[]): void {
    const id = this.nextId++;
    const wire: WireOp[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      wire[i] =
        op.kind === 'create'
          ? { op: OP_CREATE, key: op.key, value: op.value, expected: 0 }
          : op.kind === 'update'
            ? { op: OP_UPDATE, key: op.key, value: op.value, expected: op.expected }
            : { op: OP_DELETE, key: op.key, value: '', expected: op.expected };
    }
    this.inFlight.push({ id, ops });
    this.writer!.postMessage({ type: 'batch', id, ops: wire } satisfies ToWriter);
    if (this.inFlight.length === 1) this.updateRef();
  }

  /** A batch committed: answer its writers now, notify watchers right after. */
  private onBatchDone(id: number, revision: number, results: WireResult[]): void {
    const { ops } = this.takeInFlight(id);
    this.observe(revision);
    const events: BackendEvent[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const r = results[i]!;
      if (!r.ok) {
        // Failed conditions report the revision after the whole batch, like etcd's txn header.
        op.resolve({ succeeded: false, revision, kv: r.cur ? rowKv(r.cur) : undefined });
        continue;
      }
      const rev = r.rev;
      if (op.kind === 'create') {
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
        events.push({ type: 'create', kv });
        op.resolve({ succeeded: true, revision: rev, kv });
      } else if (op.kind === 'update') {
        const prevKv = rowKv(r.cur!);
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: prevKv.createRevision, modRevision: rev };
        events.push({ type: 'update', kv, prevKv });
        op.resolve({ succeeded: true, revision: rev, kv });
      } else {
        const prevKv = rowKv(r.cur!);
        const kv: KeyValue = { ...prevKv, modRevision: rev };
        events.push({ type: 'delete', kv, prevKv });
        op.resolve({ succeeded: true, revision: rev, kv: prevKv });
      }
    }
    // Watchers hear of the batch after the writers' continuations ran (their answers go out
    // first), in the order the batches committed. One worker transaction may carry several
    // batches and `revision` is that transaction's last: a batch is announced at its own last
    // revision, and one that wrote nothing does not move progress at all — announcing the
    // transaction's end would let watchers skip the later batches' events.
    let batchRev = this.notifiedRev;
    for (const e of events) if (e.kv.modRevision > batchRev) batchRev = e.kv.modRevision;
    this.notifiedRev = batchRev;
    this.toNotify.push({ events, revision: batchRev });
    if (!this.notifyScheduled) {
      this.notifyScheduled = true;
      setImmediate(() => this.deliverNotifications());
    }
    this.afterBatch();
  }

  private afterBatch(): void {
    this.settleDrained();
    if (this.inFlight.length === 0) this.updateRef();
  }

  private deliverNotifications(): void {
    this.notifyScheduled = false;
    const batches = this.toNotify;
    this.toNotify = [];
    for (const b of batches) this.notify(b.events, b.revision);
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
    // then on, notifications queue up behind the replay, so replay→live has no gap and no
    // duplicate (the replay reads the log up to this.rev; later batches are filtered by revision).
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
   * served exactly. The writer thread runs it in small transactions, with queued write
   * batches between them.
   */
  async compact(revision: number): Promise<void> {
    this.check();
    if (this.writerError) throw this.writerError;
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compacted) {
      if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
      return this.compacting;
    }
    const from = this.compacted;
    // Readers at or below the new revision are refused from now on, before rows disappear.
    this.compacted = revision;
    return this.runCompaction(from, true);
  }

  /** Sends a compaction pass (cursor, compacted] to the writer; it runs passes in order. */
  private runCompaction(cursor: number, mark: boolean): Promise<void> {
    const target = this.compacted;
    if (target <= this.compactTarget) return this.compacting ?? Promise.resolve();
    this.compactTarget = target;
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.compactions.set(id, { resolve, reject, target }));
    this.writer!.postMessage({
      type: 'compact',
      id,
      from: cursor,
      target,
      mark,
      batchSize: this.opts.compactBatchSize,
    } satisfies ToWriter);
    this.compacting = done;
    this.updateRef();
    return done;
  }

  private compactTick(): void {
    if (this.state !== 'running' || this.writerError) return;
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

function rowKv(row: KvRow | WireRow): KeyValue {
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
