// The REST transport: JSON over node:https (keep-alive agent, client certificate), or plain
// http for tests. Every request takes an AbortSignal; errors are APIStatusError or TransportError.

import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { errorFromResponse, TransportError } from './errors.js';

export interface RESTConfig {
  /** `https://127.0.0.1:6443` (or `http://…` in tests). */
  server: string;
  /** CA that signed the server's certificate. */
  caPem?: string;
  /** Client certificate and key (PEM) to authenticate with. */
  certPem?: string;
  keyPem?: string;
  bearerToken?: string;
  userAgent?: string;
  /** Per-request timeout for non-streaming calls; default 60 s. */
  timeoutMs?: number;
}

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path: `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialised as JSON unless already a string. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** One line of a watch stream. */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

type State = 'open' | 'closed';

/** Kept-alive connections per client for ordinary requests. */
const MAX_SOCKETS = 32;

export class RESTClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private readonly secure: boolean;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private state: State = 'open';

  constructor(readonly config: RESTConfig) {
    this.base = new URL(config.server);
    this.secure = this.base.protocol === 'https:';
    if (!this.secure && this.base.protocol !== 'http:') throw new TypeError(`unsupported server URL ${config.server}`);
    // A bounded pool of kept-alive connections: requests beyond it queue for a free socket
    // instead of paying a TLS handshake each (watches hold their sockets for their lifetime, so
    // they do not count against the pool).
    const pool = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, scheduling: 'lifo' as const };
    this.agent = this.secure ? new https.Agent({ ...pool, ca: config.caPem, cert: config.certPem, key: config.keyPem }) : new http.Agent(pool);
    this.watchAgent = this.secure ? new https.Agent({ keepAlive: false, ca: config.caPem, cert: config.certPem, key: config.keyPem }) : new http.Agent({ keepAlive: false });
    this.headers = { 'user-agent': config.userAgent ?? 'k8ts-client' };
    if (config.bearerToken) this.headers.authorization = `Bearer ${config.bearerToken}`;
    this.timeoutMs = config.timeoutMs ?? 60_000;
  }

  /** Sends one request and parses the JSON answer; non-2xx answers throw APIStatusError. */
  async request<T>(opts: RequestOptions): Promise<T> {
    const res = await this.send(opts, false);
    const text = await readAll(res, opts.signal);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromResponse(code, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new TransportError(`invalid JSON in the answer to ${opts.method} ${opts.path}`, { cause: e });
    }
  }

  /**
   * Opens a streaming request (watch) and yields its newline-delimited JSON events. The stream
   * ends when the server closes it; aborting `signal` (or leaving the loop) closes it quietly.
   * A non-2xx answer throws APIStatusError before the first event.
   */
  async *stream(opts: RequestOptions): AsyncGenerator<RawWatchEvent, void, undefined> {
    const res = await this.send(opts, true);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromResponse(code, await readAll(res, opts.signal));
    const decoder = new StringDecoder('utf8');
    let buffered = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buffered += decoder.write(chunk);
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) yield parseEvent(line);
          nl = buffered.indexOf('\n');
        }
      }
      const rest = (buffered + decoder.end()).trim();
      if (rest) yield parseEvent(rest);
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (e instanceof TransportError) throw e;
      throw new TransportError(`watch stream ${opts.path} broke: ${(e as Error).message}`, { cause: e });
    } finally {
      res.destroy();
    }
  }

  /** Closes idle keep-alive sockets and refuses further requests. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  private send(opts: RequestOptions, streaming: boolean): Promise<http.IncomingMessage> {
    if (this.state === 'closed') return Promise.reject(new TransportError('the client is closed'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    const url = new URL(opts.path, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v as readonly string[]) url.searchParams.append(k, x);
      else url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { ...this.headers, accept: opts.accept ?? 'application/json' };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const lib = this.secure ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method: opts.method, headers, agent: streaming ? this.watchAgent : this.agent, signal: opts.signal }, resolve);
      if (!streaming) {
        req.setTimeout(this.timeoutMs, () => req.destroy(new TransportError(`${opts.method} ${opts.path}: no answer within ${this.timeoutMs} ms`)));
      }
      req.on('error', (e) => {
        if (opts.signal?.aborted) reject(abortError(opts.signal));
        else reject(e instanceof TransportError ? e : new TransportError(`${opts.method} ${url.pathname}: ${e.message}`, { cause: e }));
      });
      req.end(payload);
    });
  }
}

function parseEvent(line: string): RawWatchEvent {
  try {
    return JSON.parse(line) as RawWatchEvent;
  } catch (e) {
    throw new TransportError(`invalid watch event: ${line.slice(0, 200)}`, { cause: e });
  }
}

async function readAll(res: http.IncomingMessage, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw new TransportError(`reading the answer failed: ${(e as Error).message}`, { cause: e });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('the operation was aborted', { cause: reason });
  e.name = 'AbortError';
  return e;
}
