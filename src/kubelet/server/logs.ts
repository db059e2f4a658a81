// Reading container log files in the CRI format (upstream pkg/kubelet/kuberuntime/logs/logs.go):
// each file line is `<RFC3339Nano time> <stdout|stderr> <tag> <content>`, where tag `P` marks a
// partial line joined with the next and `F` a full one. Output is the plain content, optionally
// prefixed by the time, with tailLines, since, limitBytes and follow applied as upstream does.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';

export interface LogMessage {
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  /** The time re-rendered as RFC3339 with nine fraction digits (upstream RFC3339NanoFixed). */
  time: string;
  stream: 'stdout' | 'stderr';
  /** Content; ends with `\n` unless this is a partial chunk. */
  log: Buffer;
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339(Nano) time into nanoseconds and its fixed-width rendering; undefined when malformed. */
export function parseRFC3339Nano(s: string): { ns: bigint; fixed: string } | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!}${m[3]!}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return { ns: BigInt(ms) * 1_000_000n + BigInt(frac), fixed: `${m[1]!}.${frac}${m[3]!}` };
}

/** One CRI log file line (without its `\n`) → message; undefined for a malformed line (upstream skips it). */
export function parseCRILine(line: Buffer): LogMessage | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const t = parseRFC3339Nano(line.subarray(0, s1).toString('latin1'));
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (!t || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  let s3 = line.indexOf(0x20, s2 + 1);
  // A line may end right after the tag (an empty content).
  if (s3 < 0) s3 = line.length;
  const tags = line.subarray(s2 + 1, s3).toString('latin1').split(':');
  const content = line.subarray(Math.min(s3 + 1, line.length));
  const partial = tags[0] === 'P';
  return { timeNs: t.ns, time: t.fixed, stream, log: partial ? content : Buffer.concat([content, NEWLINE]) };
}

const NEWLINE = Buffer.from('\n');

export interface LogOptions {
  /** Lines of the file to start from the end (raw file lines, as upstream counts); undefined: all. */
  tailLines?: number;
  /** Messages older than this (ns since the epoch) are skipped. */
  sinceNs?: bigint;
  /** Stop after writing this many bytes (the last chunk is cut). */
  limitBytes?: number;
  timestamps?: boolean;
  follow?: boolean;
}

export interface FollowControl {
  /** Whether the container still runs; following ends once it does not (after a final read to EOF). */
  isRunning(): Promise<boolean>;
  /** How often the container state is checked while the file is quiet (upstream stateCheckPeriod: 5 s). */
  checkIntervalMs?: number;
  signal?: AbortSignal;
}

/** Where the output goes; resolves when the chunk may be followed by more (backpressure). */
export type LogSink = (chunk: Buffer) => Promise<void>;

const CHUNK = 64 * 1024;

/** The offset of the start of the last `n` lines of the file (upstream tail.FindTailLineStartIndex). */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let count = 0;
  let end = size;
  const buf = Buffer.allocUnsafe(CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      const pos = start + i;
      // The newline ending the file's last line does not start a line.
      if (buf[i] !== 0x0a || pos === size - 1) continue;
      if (++count === n) return pos + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * Writes the log at `path` to `sink`. With `follow`, keeps reading as the file grows (and moves to
 * a new file at the same path after a rotation) until the container stops running or the signal
 * aborts. Resolves when done; rejects only for an unreadable file.
 */
export async function readLogs(path: string, opts: LogOptions, sink: LogSink, follow?: FollowControl): Promise<void> {
  let fh = await open(path, 'r');
  let watcher: FSWatcher | undefined;
  try {
    const size = (await fh.stat()).size;
    let pos = opts.tailLines === undefined ? 0 : await tailStart(fh, size, opts.tailLines);
    let written = 0;
    let newLine = true;
    let pending = Buffer.alloc(0);
    let wake: (() => void) | undefined;
    const writeMessage = async (m: LogMessage): Promise<boolean> => {
      if (opts.sinceNs !== undefined && m.timeNs < opts.sinceNs) return true;
      let out = opts.timestamps && newLine ? Buffer.concat([Buffer.from(`${m.time} `), m.log]) : m.log;
      newLine = m.log.length > 0 && m.log[m.log.length - 1] === 0x0a;
      if (opts.limitBytes !== undefined && written + out.length >= opts.limitBytes) {
        out = out.subarray(0, opts.limitBytes - written);
        written += out.length;
        if (out.length > 0) await sink(out);
        return false;
      }
      written += out.length;
      if (out.length > 0) await sink(out);
      return true;
    };
    /** Reads from `pos` to EOF; false once the byte limit is reached. `final` also parses an unterminated last line. */
    const drain = async (final: boolean): Promise<boolean> => {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        if (follow?.signal?.aborted) return false;
        const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        let data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let nl: number;
        while ((nl = data.indexOf(0x0a)) >= 0) {
          const m = parseCRILine(data.subarray(0, nl));
          data = data.subarray(nl + 1);
          if (m && !(await writeMessage(m))) return false;
        }
        pending = Buffer.from(data);
      }
      if (final && pending.length > 0) {
        const m = parseCRILine(pending);
        pending = Buffer.alloc(0);
        if (m && !(await writeMessage(m))) return false;
      }
      return true;
    };
    if (!opts.follow || !follow) {
      await drain(true);
      return;
    }
    const interval = follow.checkIntervalMs ?? 5000;
    const onWake = (): void => wake?.();
    const watchFile = (): void => {
      watcher?.close();
      try {
        watcher = watch(path, { persistent: false }, onWake);
        watcher.on('error', () => undefined);
      } catch {
        watcher = undefined; // gone already: the state check ends the loop
      }
    };
    watchFile();
    follow.signal?.addEventListener('abort', onWake, { once: true });
    for (;;) {
      if (!(await drain(false))) return;
      // A rotated file: finish the old one, then continue from the start of the new one.
      const replaced = await fileReplaced(fh, path);
      if (replaced) {
        await fh.close();
        fh = replaced;
        pos = 0;
        pending = Buffer.alloc(0);
        watchFile();
        continue;
      }
      if (!(await follow.isRunning())) {
        await drain(true);
        return;
      }
      if (follow.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

/** A new file handle when `path` now names a different file than `fh` (rotation), else undefined. */
async function fileReplaced(fh: FileHandle, path: string): Promise<FileHandle | undefined> {
  try {
    const [cur, now] = await Promise.all([fh.stat(), stat(path)]);
    if (cur.ino === now.ino && cur.dev === now.dev) return undefined;
    return await open(path, 'r');
  } catch {
    return undefined;
  }
}
