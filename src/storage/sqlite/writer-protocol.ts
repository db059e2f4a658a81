// Messages between the SqliteBackend (main thread, read connection) and its writer thread
// (writer-worker.ts, the only connection that writes). Plain data: everything is structured-cloned.

/** Passed as workerData when the writer thread starts. */
export interface WriterInit {
  path: string;
  synchronous: 'FULL' | 'NORMAL' | 'OFF';
  /** Period of `PRAGMA wal_checkpoint(PASSIVE)`; 0 = only the size trigger. */
  checkpointIntervalMs: number;
  /** A checkpoint also runs once this many bytes of values were committed since the last one. */
  checkpointBytes: number;
  /** Batches queued together share one transaction up to this many operations. */
  maxBatch: number;
}

export const OP_CREATE = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;

/** One conditional write; `expected` is the required modRevision (delete: 0 = unconditional). */
export interface WireOp {
  op: typeof OP_CREATE | typeof OP_UPDATE | typeof OP_DELETE;
  key: string;
  value: string;
  expected: number;
}

/** A `kv` row as the writer read it inside the transaction. */
export interface WireRow {
  key: string;
  create_revision: number;
  mod_revision: number;
  value: string;
}

/**
 * The outcome of one op. ok: `rev` is the op's revision; for update and delete `cur` is the row
 * it replaced or removed. Not ok: `cur` is the current row (absent when the key does not exist).
 */
export interface WireResult {
  ok: boolean;
  rev: number;
  cur?: WireRow;
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type ToWriter =
  | { type: 'batch'; id: number; ops: WireOp[] }
  /** Compacts history in (from, target]; with `mark`, first records target as the compacted revision. */
  | { type: 'compact'; id: number; from: number; target: number; mark: boolean; batchSize: number }
  /** Stops compaction after its current step, checkpoints, closes the connection, answers 'closed'. */
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  /** The batch committed; `revision` is the last revision its transaction handed out (unchanged if nothing succeeded). */
  | { type: 'batch'; id: number; revision: number; results: WireResult[] }
  /** The batch's transaction failed and was rolled back: nothing of it was written. */
  | { type: 'batch-error'; id: number; error: WireError }
  | { type: 'compacted'; id: number; removed: number; ms: number; worstBatchMs: number; error?: WireError }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> }
  | { type: 'closed' };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { name: err.name, message: err.message, code } : { name: err.name, message: err.message };
  }
  return { name: 'Error', message: String(err) };
}
