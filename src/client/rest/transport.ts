// How the REST client's requests reach the server: HTTP/2 over TLS (what client-go uses against
// an API server), or HTTP/1.1 over plain http (tests' fake servers).
//
// HTTP/2: two sessions per client, one for ordinary requests and one for watches, each carrying
// any number of concurrent streams (the server allows 1,000). An informer per resource costs a
// stream instead of a TLS connection, which holds about 120 kB of buffers and state at each end.
// A session that closes, fails or receives GOAWAY is replaced on the next request; streams in
// flight on it fail with a TransportError, which callers (reflectors, work queues) retry.

import http from 'node:http';
import http2 from 'node:http2';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { TransportError } from './errors.js';

export interface Outgoing {
  method: string;
  /** Path and query, e.g. `/api/v1/pods?watch=true`. */
  path: string;
  headers: Record<string, string>;
  payload: string | undefined;
  signal: AbortSignal | undefined;
  /** A watch: no timeout, and on the watch connection. */
  streaming: boolean;
  /** Per-request timeout when not streaming. */
  timeoutMs: number;
}

/** A response whose headers arrived; `body` is consumed (or destroyed) by the caller. */
export interface Answer {
  status: number;
  body: Readable;
}

export interface Transport {
  send(req: Outgoing): Promise<Answer>;
  close(): void;
}

export interface TLSConfig {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
}

/** Per-stream receive window: watch bursts and large lists flow without waiting on WINDOW_UPDATEs (client-go uses 4 MiB too). */
const STREAM_WINDOW = 4 * 1024 * 1024;
/** Connection receive window. */
const SESSION_WINDOW = 64 * 1024 * 1024;
/** Kept-alive HTTP/1.1 connections per client for ordinary requests. */
const MAX_SOCKETS = 32;

function transportError(req: Outgoing, e: Error): TransportError {
  return e instanceof TransportError ? e : new TransportError(`${req.method} ${req.path.split('?')[0]}: ${e.message}`, { cause: e });
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('the operation was aborted', { cause: reason });
  e.name = 'AbortError';
  return e;
}

interface Session {
  session: http2.ClientHttp2Session;
  /** Streams open on it: the session keeps the process alive only while some are. */
  active: number;
}

export class H2Transport implements Transport {
  private readonly context: tls.SecureContext;
  private readonly sessions: { requests?: Session; watches?: Session } = {};
  private closed = false;

  constructor(
    private readonly origin: string,
    config: TLSConfig,
  ) {
    // One TLS context for both connections and every reconnect.
    this.context = tls.createSecureContext({ ca: config.caPem, cert: config.certPem, key: config.keyPem });
  }

  send(req: Outgoing): Promise<Answer> {
    if (this.closed) return Promise.reject(new TransportError('the client is closed'));
    if (req.signal?.aborted) return Promise.reject(abortError(req.signal));
    const s = this.session(req.streaming ? 'watches' : 'requests');
    return new Promise<Answer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = s.session.request(
          { ':method': req.method, ':path': req.path, ...req.headers },
          { endStream: req.payload === undefined, ...(req.signal ? { signal: req.signal } : {}) },
        );
      } catch (e) {
        // The session went away between the check and the request.
        this.drop(s);
        reject(transportError(req, e as Error));
        return;
      }
      if (s.active++ === 0) s.session.ref();
      stream.once('close', () => {
        if (--s.active === 0) s.session.unref();
      });
      let answered = false;
      stream.once('response', (headers) => {
        answered = true;
        resolve({ status: Number(headers[':status'] ?? 0), body: stream });
      });
      stream.on('error', (e) => {
        if (answered) return; // the body's reader sees it
        if (req.signal?.aborted) reject(abortError(req.signal));
        else reject(transportError(req, e));
      });
      if (!req.streaming) {
        stream.setTimeout(req.timeoutMs, () => {
          stream.destroy(new TransportError(`${req.method} ${req.path.split('?')[0]}: no answer within ${req.timeoutMs} ms`));
        });
      }
      if (req.payload !== undefined) stream.end(req.payload);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.sessions.requests, this.sessions.watches]) s?.session.destroy();
    this.sessions.requests = this.sessions.watches = undefined;
  }

  private session(kind: 'requests' | 'watches'): Session {
    const cur = this.sessions[kind];
    if (cur && !cur.session.closed && !cur.session.destroyed) return cur;
    const session = http2.connect(this.origin, {
      secureContext: this.context,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
    });
    const s: Session = { session, active: 0 };
    session.unref();
    session.once('connect', () => {
      try {
        session.setLocalWindowSize(SESSION_WINDOW);
      } catch {
        // A session closing already: its streams fail on their own.
      }
    });
    // Session errors reach every open stream as their own error; nothing else to report here.
    session.on('error', () => this.drop(s));
    session.once('goaway', () => this.drop(s));
    session.once('close', () => this.drop(s));
    this.sessions[kind] = s;
    return s;
  }

  /** No new streams on this session: the next request opens another. */
  private drop(s: Session): void {
    if (this.sessions.requests === s) this.sessions.requests = undefined;
    if (this.sessions.watches === s) this.sessions.watches = undefined;
  }
}

export class H1Transport implements Transport {
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private closed = false;

  constructor(private readonly origin: string) {
    // A bounded pool of kept-alive connections: requests beyond it queue for a free socket.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, scheduling: 'lifo' });
    this.watchAgent = new http.Agent({ keepAlive: false });
  }

  send(req: Outgoing): Promise<Answer> {
    if (this.closed) return Promise.reject(new TransportError('the client is closed'));
    if (req.signal?.aborted) return Promise.reject(abortError(req.signal));
    return new Promise((resolve, reject) => {
      const r = http.request(
        new URL(req.path, this.origin),
        { method: req.method, headers: req.headers, agent: req.streaming ? this.watchAgent : this.agent, signal: req.signal },
        (res) => resolve({ status: res.statusCode ?? 0, body: res }),
      );
      if (!req.streaming) r.setTimeout(req.timeoutMs, () => r.destroy(new TransportError(`${req.method} ${req.path.split('?')[0]}: no answer within ${req.timeoutMs} ms`)));
      r.on('error', (e) => {
        if (req.signal?.aborted) reject(abortError(req.signal));
        else reject(transportError(req, e));
      });
      r.end(req.payload);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
