// The HTTP GET client shared by httpGet probes and httpGet lifecycle hooks (upstream
// pkg/probe/http: request.go, http.go): the request built from an HTTPGetAction, TLS
// verification off, no keep-alive, redirects followed only to the same host, at most 10 KiB of
// body read, and errors worded like Go's net/http client (`Get "url": dial tcp …`), which is
// what users see in probe events.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';

/** `kube-<purpose>/<major>.<minor>`, as upstream's userAgent(). */
export const KUBE_VERSION = '1.32';
/** maxRespBodyLength: the most of a response body a probe reads. */
export const MAX_BODY_BYTES = 10 * 1024;
const MAX_REDIRECTS = 10;

/** A failed request; the message is what Go's client would say (`Get "http://…": …`). */
export class HTTPGetError extends Error {
  override readonly name = 'HTTPGetError';
  constructor(
    /** `http-response-to-https`: a plain HTTP server answered an HTTPS request (lifecycle hooks retry with HTTP). */
    readonly code: 'dial' | 'timeout' | 'http-response-to-https' | 'redirects' | 'aborted' | 'other',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request ready to send: the URL and the headers in order (canonical names, as Go's http.Header). */
export interface HTTPGetRequest {
  url: URL;
  headers: [string, string][];
  /** The URL as Go prints it in errors (the port always shown); defaults to `url.href`. */
  display?: string;
}

export interface HTTPGetResponse {
  statusCode: number;
  /** At most MAX_BODY_BYTES of the body. */
  body: Buffer;
  /** The URL of the last request (after redirects). */
  url: URL;
}

/** Go's CanonicalMIMEHeaderKey: `x-custom-header` → `X-Custom-Header`; names with invalid characters stay as written. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  let upper = true;
  let out = '';
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

function headerGet(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1];
}

/** Upstream probe.ResolveContainerPort: a number, a named container port, or a number written as a string. */
export function resolveContainerPort(param: number | string | undefined, container: Container): number {
  let port: number;
  if (typeof param === 'number') {
    port = param;
  } else if (typeof param === 'string') {
    const named = (container.ports ?? []).find((p) => p.name === param);
    if (named) {
      port = named.containerPort;
    } else if (/^[+-]?\d+$/.test(param)) {
      port = Number.parseInt(param, 10);
    } else {
      throw new Error(`strconv.Atoi: parsing ${goQuote(param)}: invalid syntax`);
    }
  } else {
    throw new Error(`intOrString had no kind: ${String(param)}`);
  }
  if (port > 0 && port < 65536) return port;
  throw new Error(`invalid port number: ${port}`);
}

/** `host:port`, with brackets around IPv6 (net.JoinHostPort). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Upstream NewRequestForHTTPGetAction: scheme (lower-cased, default http), host (default the pod
 * IP), port, path, the action's headers, `User-Agent: kube-<purpose>/1.32` and `Accept: *\/*`
 * unless given (an empty Accept removes it). Throws on a bad port.
 */
export function newRequestForHTTPGetAction(action: HTTPGetAction, container: Container, podIP: string, purpose: 'probe' | 'lifecycle'): HTTPGetRequest {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const path = action.path ?? '';
  const display = `${scheme}://${joinHostPort(host, port)}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
  let url: URL;
  try {
    url = new URL(display);
  } catch (cause) {
    throw new Error(`parse ${goQuote(display)}: invalid URL`, { cause });
  }
  const headers: [string, string][] = (action.httpHeaders ?? []).map((h) => [canonicalHeaderKey(h.name), h.value]);
  if (headerGet(headers, 'User-Agent') === undefined) headers.push(['User-Agent', `kube-${purpose}/${KUBE_VERSION}`]);
  const accept = headerGet(headers, 'Accept');
  if (accept === undefined) headers.push(['Accept', '*/*']);
  else if (accept === '') return { url, display, headers: headers.filter(([k]) => k !== 'Accept') };
  return { url, display, headers };
}

/** Go's %q for the strings that appear in these messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

function isRedirect(code: number): boolean {
  return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
}

interface Deadline {
  /** ms left; Infinity without a timeout. */
  left(): number;
}

/**
 * GETs the request, following redirects to the same host (at most 10; a redirect elsewhere
 * returns the 3xx response itself, upstream's RedirectChecker(false)), within `timeoutMs`
 * (0 = no limit) for the whole exchange including the body.
 */
export async function doHTTPGet(req: HTTPGetRequest, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<HTTPGetResponse> {
  const start = Date.now();
  const deadline: Deadline = { left: () => (opts.timeoutMs > 0 ? opts.timeoutMs - (Date.now() - start) : Infinity) };
  const originalHost = req.url.hostname;
  let url = req.url;
  let display = req.display ?? url.href;
  let hops = 0;
  for (;;) {
    const res = await requestOnce(url, display, req.headers, deadline, opts.signal);
    const location = res.headers.location;
    if (isRedirect(res.statusCode ?? 0) && location) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (cause) {
        res.destroy();
        throw new HTTPGetError('other', `Get ${goQuote(display)}: failed to parse Location header ${goQuote(location)}`, { cause });
      }
      if (next.hostname === originalHost) {
        res.destroy();
        if (hops + 1 >= MAX_REDIRECTS) throw new HTTPGetError('redirects', `Get ${goQuote(next.href)}: stopped after ${MAX_REDIRECTS} redirects`);
        hops++;
        url = next;
        display = next.href;
        continue;
      }
      // A redirect to another host is not followed: the 3xx is the answer.
    }
    const body = await readAtMost(res, MAX_BODY_BYTES, deadline, opts.signal);
    return { statusCode: res.statusCode ?? 0, body, url };
  }
}

function requestOnce(url: URL, display: string, headers: [string, string][], deadline: Deadline, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const left = deadline.left();
    const target = `Get ${goQuote(display)}`;
    if (left <= 0) {
      reject(new HTTPGetError('timeout', `${target}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`));
      return;
    }
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of headers) {
      const prev = outHeaders[k];
      outHeaders[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const hostHeader = headerGet(headers, 'Host');
    if (hostHeader !== undefined) {
      delete outHeaders.Host;
      outHeaders.Host = hostHeader;
    }
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const options: https.RequestOptions = {
      method: 'GET',
      hostname,
      port,
      path: `${url.pathname}${url.search}`,
      headers: outHeaders,
      agent: false,
    };
    if (secure) {
      options.rejectUnauthorized = false;
      if (isIP(hostname) === 0) options.servername = hostname;
    }
    let settled = false;
    const finish = (err: Error | undefined, res?: IncomingMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(res!);
    };
    const request = (secure ? https : http).request(options, (res) => finish(undefined, res));
    const timer =
      left === Infinity
        ? undefined
        : setTimeout(() => {
            const err = new HTTPGetError('timeout', `${target}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
            finish(err);
            request.destroy(err);
          }, left);
    const onAbort = () => {
      const err = new HTTPGetError('aborted', `${target}: context canceled`);
      finish(err);
      request.destroy(err);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err: NodeJS.ErrnoException) => finish(translateError(target, hostname, port, err)));
    request.end();
  });
}

function readAtMost(res: IncomingMessage, limit: number, deadline: Deadline, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      res.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size).subarray(0, limit));
    };
    const left = deadline.left();
    const timer =
      left === Infinity
        ? undefined
        : setTimeout(() => done(new HTTPGetError('timeout', 'context deadline exceeded (Client.Timeout or context cancellation while reading body)')), Math.max(0, left));
    const onAbort = () => done(new HTTPGetError('aborted', 'context canceled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      // Non-fatal truncation, as upstream's ReadAtMost with ErrLimitReached.
      if (size >= limit) done(undefined);
    });
    res.on('end', () => done(undefined));
    res.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNRESET' ? new HTTPGetError('other', 'read: connection reset by peer', { cause: err }) : new HTTPGetError('other', err.message, { cause: err })));
  });
}

/** Go's wording for the dial and transport errors Node reports by errno. */
export function dialErrorText(host: string, port: number, err: NodeJS.ErrnoException): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const addr = joinHostPort(e.address ?? host, e.port ?? port);
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: connect: connection timed out`;
    case 'EADDRNOTAVAIL':
      return `dial tcp ${addr}: connect: cannot assign requested address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    default:
      return `dial tcp ${addr}: ${err.message}`;
  }
}

const DIAL_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

function translateError(target: string, host: string, port: number, err: NodeJS.ErrnoException): Error {
  if (err instanceof HTTPGetError) return err;
  if (err.code && DIAL_CODES.has(err.code)) return new HTTPGetError('dial', `${target}: ${dialErrorText(host, port, err)}`, { cause: err });
  // OpenSSL's complaint when the peer speaks plain HTTP: Go detects the same case by the response bytes.
  if (err.code === 'EPROTO' || err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(err.message)) {
    return new HTTPGetError('http-response-to-https', `${target}: http: server gave HTTP response to HTTPS client`, { cause: err });
  }
  // The peer closed the connection without an answer.
  if (err.code === 'ECONNRESET' && err.message === 'socket hang up') return new HTTPGetError('other', `${target}: EOF`, { cause: err });
  if (err.code === 'ECONNRESET') return new HTTPGetError('other', `${target}: read: connection reset by peer`, { cause: err });
  return new HTTPGetError('other', `${target}: ${err.message}`, { cause: err });
}
