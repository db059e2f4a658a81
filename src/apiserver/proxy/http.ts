// The HTTP side of upstream's UpgradeAwareHandler for the `proxy` subresources (pods, services,
// nodes): the client's request is replayed to a backend (same method, headers without hop-by-hop
// ones and the client's credentials, body streamed, query passed) and the answer streamed back
// with its status and headers; an HTTP/1.1 upgrade (WebSocket) is piped byte for byte.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { StatusError } from '../../machinery/errors.js';
import type { RequestInfo } from '../request-info.js';
import { drainOrClose, type Req, type Res } from '../endpoints/response.js';
import { relayUpgrade, upgradeOf } from './upgrade.js';

/** Where a proxy request goes. */
export interface ProxyTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /**
   * TLS options for https (client certificate and CA for kubelets). Without them the backend's
   * certificate is not verified, as upstream's proxy transport does for pods and services.
   */
  tls?: Pick<tls.ConnectionOptions, 'cert' | 'key' | 'ca'>;
}

export interface ProxyRequestOptions {
  /** Path on the backend ('' when the client named none), still escaped as the client sent it. */
  path: string;
  /** The client's path up to and including `/proxy` (used to rewrite redirects back through us). */
  prefix: string;
  /** Dial timeout in ms (default 10 s). */
  dialTimeoutMs?: number;
}

/** Request headers that describe the client's hop, or its credentials: never sent to the backend. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
  // The authentication and impersonation filters remove these upstream before any handler runs.
  'authorization',
  'impersonate-user',
  'impersonate-group',
  'impersonate-uid',
]);

/** Response headers not passed back: hop-by-hop ones, and CORS (upstream corsRemovingTransport). */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
]);

/** `host:port`, IPv6 in brackets (Go's net.JoinHostPort). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Splits `name`, `name:port` or `scheme:name:port` (upstream utilnet.SplitSchemeNamePort): the
 * scheme must be http or https, the name non-empty; the port is not checked (it may be a name).
 */
export function splitSchemeNamePort(id: string): { scheme: '' | 'http' | 'https'; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as '' | 'http' | 'https', name, port };
}

/**
 * The backend path of a proxy request and the client's prefix before it, from the raw request URL
 * (the decoded request path has lost its trailing slash): `…/pods/x/proxy` → '', `…/proxy/` → '/',
 * `…/proxy/a/b/` → '/a/b/'.
 */
export function proxyPath(rawUrl: string, ri: Pick<RequestInfo, 'apiPrefix' | 'namespace'>): { path: string; prefix: string; query: string } {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const segs = rawPath.split('/');
  // '' + api|apis (+ group) + version + (namespaces + ns) + resource + name + proxy
  const n = 1 + 1 + (ri.apiPrefix === 'apis' ? 1 : 0) + 1 + (ri.namespace !== undefined ? 2 : 0) + 3;
  const rest = segs.slice(n);
  return { path: rest.length ? `/${rest.join('/')}` : '', prefix: segs.slice(0, n).join('/'), query };
}

/** Go's wording of a failed dial, for the `error trying to reach service` message. */
function dialMessage(target: ProxyTarget, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const addr = joinHostPort(target.host, target.port);
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    default:
      return err.message === 'i/o timeout' ? `dial tcp ${addr}: i/o timeout` : (err.message ?? String(e));
  }
}

/** A backend that could not be reached (upstream proxy Transport: 503 ServiceUnavailable). */
export function unreachable(target: ProxyTarget, e: unknown): StatusError {
  return new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${dialMessage(target, e)}`, undefined, { cause: e });
}

function tlsOptions(target: ProxyTarget): tls.ConnectionOptions {
  const t = target.tls;
  const verify = Boolean(t?.ca);
  return {
    ...(t ?? {}),
    rejectUnauthorized: verify,
    servername: net.isIP(target.host) ? undefined : target.host,
    ALPNProtocols: ['http/1.1'],
  };
}

function clientAddress(req: Req): string {
  const s = req.socket as { remoteAddress?: string } | undefined;
  return s?.remoteAddress ?? '';
}

/** The request headers for the backend (upstream CloneHeader, minus hop-by-hop; plus X-Forwarded-*). */
function backendHeaders(req: Req, o: ProxyRequestOptions, target: ProxyTarget): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionTokens = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(':') || DROPPED_REQUEST_HEADERS.has(lower) || connectionTokens.has(lower)) continue;
    out[lower] = value;
  }
  out.host = joinHostPort(target.host, target.port);
  // Upstream's proxy Transport: where the request came in, so the backend can build links back.
  out['x-forwarded-uri'] = `${o.prefix}${o.path}`;
  const clientHost = req.headers.host ?? (req.headers[':authority'] as string | undefined);
  if (clientHost) out['x-forwarded-host'] = clientHost;
  out['x-forwarded-proto'] = 'https';
  const from = clientAddress(req);
  if (from) {
    const prior = req.headers['x-forwarded-for'];
    out['x-forwarded-for'] = prior ? `${String(prior)}, ${from}` : from;
  }
  return out;
}

/**
 * A backend redirect to one of its own absolute paths goes back through the proxy (upstream
 * Transport.rewriteURL): `/login` becomes `<prefix>/login`; other hosts are left alone.
 */
function rewriteLocation(location: string, target: ProxyTarget, prefix: string, clientHost: string | undefined): string {
  let u: URL;
  try {
    u = new URL(location, `${target.scheme}://${joinHostPort(target.host, target.port)}`);
  } catch {
    return location;
  }
  const sameHost = u.host === joinHostPort(target.host, target.port) || u.host === `${target.host}:${target.port}` || (clientHost !== undefined && u.host === clientHost);
  const relative = !location.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(location);
  if (!sameHost || relative) return location;
  if (u.pathname.startsWith(prefix)) return `${u.pathname}${u.search}${u.hash}`;
  return `${prefix}${u.pathname}${u.search}${u.hash}`;
}

async function writeAll(res: Res, upstream: IncomingMessage): Promise<void> {
  for await (const chunk of upstream as AsyncIterable<Buffer>) {
    if (res.writableEnded) break;
    if (!res.write(chunk)) await drainOrClose(res);
  }
}

/**
 * Proxies the client's request to `target` (upstream UpgradeAwareHandler.ServeHTTP). A GET or HEAD
 * naming no path is redirected to the same URL with a trailing slash (upstream's fix for
 * issue 4958). An unreachable backend throws a 503 before anything is written; a failure after
 * the answer started ends the response.
 */
export async function proxyHTTP(target: ProxyTarget, req: Req, res: Res, o: ProxyRequestOptions): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  if (upgradeOf(req)) {
    await proxyUpgrade(target, req, res, o, query);
    return;
  }
  const method = req.method ?? 'GET';
  if (o.path === '' && (method === 'GET' || method === 'HEAD')) {
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    res.writeHead(301, { location: `${rawPath}/${query ? `?${query}` : ''}` });
    res.end();
    return;
  }
  const path = `${o.path || '/'}${query ? `?${query}` : ''}`;
  const headers = backendHeaders(req, o, target);
  const timeout = o.dialTimeoutMs ?? 10_000;
  const common = { host: target.host, port: target.port, method, path, headers, agent: false as const, timeout };
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = target.scheme === 'https' ? https.request({ ...common, ...tlsOptions(target) }, resolve) : http.request(common, resolve);
    r.on('timeout', () => r.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    r.on('error', (e) => reject(unreachable(target, e)));
    // The client going away ends the backend request too.
    res.once('close', () => {
      if (!r.destroyed) r.destroy();
    });
    const body = req as unknown as Readable;
    if (typeof body.pipe === 'function' && method !== 'GET' && method !== 'HEAD') body.pipe(r);
    else r.end();
  });
  // No idle timeout once the answer has started: a streamed answer may be quiet for long.
  upstream.socket.setTimeout(0);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = value;
  }
  if (typeof out.location === 'string') out.location = rewriteLocation(out.location, target, o.prefix, req.headers.host);
  const gone = (): void => {
    upstream.destroy();
  };
  res.once('close', gone);
  try {
    res.writeHead(upstream.statusCode ?? 502, out);
    res.flushHeaders?.();
    await writeAll(res, upstream);
  } catch {
    // The backend broke mid-answer: end what was sent.
  } finally {
    res.off?.('close', gone);
    if (!res.writableEnded) res.end();
  }
}

/** An HTTP/1.1 upgrade (WebSocket) replayed to the backend; from then on both sockets are piped. */
async function proxyUpgrade(target: ProxyTarget, req: Req, res: Res, o: ProxyRequestOptions, query: string): Promise<void> {
  const timeoutMs = o.dialTimeoutMs ?? 10_000;
  const backend = await new Promise<net.Socket>((resolve, reject) => {
    const s = target.scheme === 'https' ? tls.connect({ host: target.host, port: target.port, ...tlsOptions(target) }) : net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => s.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(unreachable(target, e));
    };
    s.once(target.scheme === 'https' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      resolve(s);
    });
    s.once('error', onError);
  });
  await relayUpgrade(req as Req & { rawHeaders?: string[] }, res, backend, `${o.path || '/'}${query ? `?${query}` : ''}`, joinHostPort(target.host, target.port));
}

/**
 * Upstream IsProxyableIP: only global unicast addresses are proxied to (not loopback, link-local,
 * multicast, unspecified or broadcast), so the proxy cannot reach the API server's own host services.
 */
export function isGlobalUnicast(ip: string): boolean {
  const v = net.isIP(ip);
  if (v === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    if (ip === '255.255.255.255' || a === 0 || a === 127 || a >= 224) return false;
    return !(a === 169 && b === 254);
  }
  if (v === 6) {
    const lower = ip.toLowerCase();
    if (lower === '::' || lower === '::1') return false;
    if (lower.startsWith('ff')) return false;
    if (/^fe[89ab]/.test(lower)) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return isGlobalUnicast(mapped[1]!);
    return true;
  }
  return false;
}
