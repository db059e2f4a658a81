// The REST client: JSON requests and watch streams over a transport (transport.ts: HTTP/2 with
// TLS and the client certificate, as client-go talks to an API server, or HTTP/1.1 over plain
// http for tests). Every request takes an AbortSignal; errors are APIStatusError or
// TransportError.

import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { errorFromResponse, TransportError } from './errors.js';
import { H1Transport, H2Transport, abortError, type Answer, type Transport } from './transport.js';
import { watchEvents } from './watch-decoder.js';

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

export class RESTClient {
  private readonly base: URL;
  private readonly transport: Transport;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(readonly config: RESTConfig) {
    this.base = new URL(config.server);
    if (this.base.protocol === 'https:') this.transport = new H2Transport(this.base.origin, config);
    else if (this.base.protocol === 'http:') this.transport = new H1Transport(this.base.origin);
    else throw new TypeError(`unsupported server URL ${config.server}`);
    this.headers = { 'user-agent': config.userAgent ?? 'k8ts-client' };
    if (config.bearerToken) this.headers.authorization = `Bearer ${config.bearerToken}`;
    this.timeoutMs = config.timeoutMs ?? 60_000;
  }

  /** Sends one request and parses the JSON answer; non-2xx answers throw APIStatusError. */
  async request<T>(opts: RequestOptions): Promise<T> {
    const res = await this.send(opts, false);
    const text = await readAll(res.body, opts.signal);
    const code = res.status;
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
   * A non-2xx answer throws APIStatusError before the first event. `trimManagedFields` drops
   * metadata.managedFields from the events' objects (see watch-decoder.ts).
   */
  async *stream(opts: RequestOptions & { trimManagedFields?: boolean }): AsyncGenerator<RawWatchEvent, void, undefined> {
    const trim = opts.trimManagedFields === true;
    const res = await this.send(opts, true);
    const code = res.status;
    if (code < 200 || code >= 300) throw errorFromResponse(code, await readAll(res.body, opts.signal));
    const decoder = new StringDecoder('utf8');
    let buffered = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        buffered += decoder.write(chunk);
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) yield parseEvent(line, trim);
          nl = buffered.indexOf('\n');
        }
      }
      const rest = (buffered + decoder.end()).trim();
      if (rest) yield parseEvent(rest, trim);
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (e instanceof TransportError) throw e;
      throw new TransportError(`watch stream ${opts.path} broke: ${(e as Error).message}`, { cause: e });
    } finally {
      res.body.destroy();
    }
  }

  /** Closes the connections and refuses further requests. Idempotent. */
  close(): void {
    this.transport.close();
  }

  private send(opts: RequestOptions, streaming: boolean): Promise<Answer> {
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
    return this.transport.send({ method: opts.method, path: url.pathname + url.search, headers, payload, signal: opts.signal, streaming, timeoutMs: this.timeoutMs });
  }
}

function parseEvent(line: string, trimManagedFields: boolean): RawWatchEvent {
  try {
    return watchEvents.decode(line, trimManagedFields);
  } catch (e) {
    throw new TransportError(`invalid watch event: ${line.slice(0, 200)}`, { cause: e });
  }
}

async function readAll(res: Readable, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw new TransportError(`reading the answer failed: ${(e as Error).message}`, { cause: e });
  }
  return Buffer.concat(chunks).toString('utf8');
}
