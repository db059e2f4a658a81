// Writing responses: JSON/YAML encoding, Status errors, Warning headers.

import type { IncomingHttpHeaders } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { StatusError, newInternalError, type Status } from '../../machinery/errors.js';

/** The part of Node's http and http2-compat response objects the server uses. */
export interface Res {
  statusCode: number;
  headersSent: boolean;
  writableEnded: boolean;
  setHeader(name: string, value: string | string[]): unknown;
  writeHead(code: number, headers?: Record<string, string | string[]>): unknown;
  write(chunk: string | Buffer): boolean;
  /** Bytes written but not yet handed to the connection. */
  readonly writableLength?: number;
  end(chunk?: string | Buffer): unknown;
  flushHeaders?(): void;
  /** HTTP/1.1 responses: hold writes until uncork(), then hand them to the socket together. */
  cork?(): void;
  uncork?(): void;
  /** HTTP/2 compat responses: the stream under them, which corks. */
  readonly stream?: { cork(): void; uncork(): void };
  on(event: 'close' | 'drain', fn: () => void): unknown;
  once(event: 'close' | 'drain', fn: () => void): unknown;
  off?(event: string, fn: () => void): unknown;
}

export interface Req {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  on(event: 'data', fn: (c: Buffer) => void): unknown;
  on(event: 'end' | 'close' | 'aborted', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  destroy?(e?: Error): unknown;
  socket: unknown;
}

export function writeBody(res: Res, code: number, body: unknown, format: 'json' | 'yaml' = 'json', extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (format === 'json') {
    writeJSONText(res, code, JSON.stringify(body), extraHeaders);
    return;
  }
  const text = toYaml(body);
  res.writeHead(code, { 'content-type': 'application/yaml', 'cache-control': 'no-cache, private', ...extraHeaders });
  res.end(text);
}

/** writeBody for a body already encoded as JSON (a shared object's cached encoding). */
export function writeJSONText(res: Res, code: number, text: string, extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', ...extraHeaders });
  res.end(text);
}

export function toStatusError(e: unknown): StatusError {
  return e instanceof StatusError ? e : newInternalError(e);
}

export function writeError(res: Res, e: unknown, warnings?: string[]): void {
  const err = toStatusError(e);
  const status: Status = err.toStatus();
  const headers: Record<string, string | string[]> = {};
  if (warnings?.length) headers.warning = warningHeaders(warnings);
  if (err.details?.retryAfterSeconds) headers['retry-after'] = String(err.details.retryAfterSeconds);
  writeBody(res, err.code, status, 'json', headers);
}

/** `299 - "text"` per RFC 7234, as upstream's warning recorder formats them. */
export function warningHeaders(warnings: string[]): string[] {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
}

export function successStatus(details?: Record<string, unknown>): Status & { details?: any } {
  const s: any = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}

/**
 * Resolves when a backpressured response may take more data ('drain') or is gone ('close'),
 * removing the other listener so a long watch does not accumulate them.
 */
export function drainOrClose(res: Res): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off?.('drain', done);
      res.off?.('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** What a watch may leave buffered in its response before it stops taking events. */
export const WATCH_WRITE_BUFFER_BYTES = 1 << 20;

/**
 * The writing side of a watch. The first event of a turn of the event loop is written at once
 * (a lone change reaches the client without delay); the rest of that turn's events (a commit of
 * many objects) follow together when the turn ends, not one DATA frame each: written into the
 * corked stream, they reach the connection as one vectored write, without first being copied
 * into one string (lines are shared by every watcher of an object). The watch stops
 * taking events from its cache queue only once the response holds more than `maxBuffered` unsent
 * bytes: the stream's own 16 KiB high-water mark would stall it after a handful of pods, let its
 * queue fill while the connection is idle, and get it terminated as unresponsive.
 */
export class WatchWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private turnOpen = false;
  private blocked: Promise<void> | undefined;

  constructor(
    private readonly res: Res,
    private readonly maxBuffered = WATCH_WRITE_BUFFER_BYTES,
  ) {}

  push(line: string): void {
    if (!this.turnOpen) {
      this.turnOpen = true;
      setImmediate(() => {
        this.turnOpen = false;
        this.flush();
      });
      this.write(line);
      return;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    // A long backlog (a resumed watch's replay) goes out in pieces, so backpressure can act.
    if (this.pendingChars > this.maxBuffered) this.flush();
  }

  /** Writes what is pending now (also the way to send the last lines before ending). */
  flush(): void {
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.pendingChars = 0;
    if (lines.length === 1) {
      this.write(lines[0]!);
      return;
    }
    const corkable = this.res.stream ?? (this.res.cork && this.res.uncork ? (this.res as Required<Pick<Res, 'cork' | 'uncork'>>) : undefined);
    if (!corkable) {
      this.write(lines.join(''));
      return;
    }
    corkable.cork();
    try {
      for (const line of lines) this.write(line);
    } finally {
      corkable.uncork();
    }
  }

  private write(chunk: string): void {
    if (this.res.writableEnded) return;
    if (!this.res.write(chunk) && (this.res.writableLength ?? Infinity) > this.maxBuffered) {
      this.blocked ??= drainOrClose(this.res).then(() => {
        this.blocked = undefined;
      });
    }
  }

  /** Undefined while the client keeps up; otherwise resolves once the response drains or closes. */
  get backpressure(): Promise<void> | undefined {
    return this.blocked;
  }
}
