// The API server: HTTPS (HTTP/2 with HTTP/1.1 fallback), the filter chain (panic recovery,
// authentication, request info) and the routes (health, version, metrics, service account issuer
// discovery, discovery, OpenAPI, metrics.k8s.io, resources).

import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Registry as MetricsRegistry, Counter, Histogram } from 'prom-client';
import { StatusError, newBadRequest, newUnauthorized } from '../machinery/errors.js';
import type { Logger } from '../logging/index.js';
import { parseRequestInfo } from './request-info.js';
import { writeBody, writeError, type Req, type Res } from './endpoints/response.js';
import { Discovery, aggregatedContentType, wantsAggregated } from './endpoints/discovery.js';
import type { ResourceHandler } from './endpoints/resource.js';
import type { Authenticator } from './filters/authentication.js';
import { CACERTS_PATH, NODE_CREDENTIALS_PATH, serveCACerts, serveNodeCredentials, type NodeJoinService } from './join.js';
import { markUpgrade } from './proxy/upgrade.js';
import { MetricsAPI, metricsDiscoveryGroup } from './metricsapi/index.js';
import type { OpenIDMetadata } from './serviceaccount/index.js';

/** A published OpenAPI document, kept compressed. */
export interface OpenAPIDocument {
  /** Upper-case hex SHA-512 of the JSON (the v2 ETag for both of its forms; the v3 `?hash=`). */
  readonly hash: string;
  /** The JSON, gzip-compressed. */
  readonly gzip: Buffer;
  json(): string;
}

export interface OpenAPIService {
  v2(): OpenAPIDocument;
  /** The v2 document as gnostic's protobuf `openapi.v2.Document`; built on first call, then kept. */
  v2Protobuf(): Promise<Buffer>;
  /** `/openapi/v3`: may build every document first (their hashes are in it). */
  v3Index(): Promise<OpenAPIDocument>;
  /** `api/v1`, `apis/apps/v1`; undefined when not served. */
  v3(path: string): OpenAPIDocument | undefined;
}

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface APIServerOptions {
  bindAddress: string;
  port: number;
  tls: { cert: string; key: string; clientCA: string };
  authenticator: Authenticator;
  resources: ResourceHandler;
  openapi: OpenAPIService;
  version: VersionInfo;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Answers /readyz: true once storage and caches are ready. */
  ready(): boolean;
  /** Serves /cacerts and /v1-k8ts/node-credentials so agents can join (absent: 404). */
  join?: NodeJoinService;
  /**
   * Serves metrics.k8s.io/v1beta1 (what `kubectl top` reads) and lists it in discovery; absent,
   * the group is neither served nor discovered, as without metrics-server.
   */
  resourceMetrics?: MetricsAPI;
  /** Serves /.well-known/openid-configuration and /openid/v1/jwks to authenticated clients (absent: 404). */
  openid?: OpenIDMetadata;
}

type ServerState = 'new' | 'listening' | 'closing' | 'closed';

/**
 * Splits a raw request target into a decoded path and its query, refusing what would let a
 * request address something other than what it names: dot segments (`..`, `%2e%2e`), encoded
 * slashes in the path, empty segments and undecodable escapes. URL normalisation is never
 * applied, so `/configmaps/x/../../secrets` cannot become `/secrets`.
 */
export function splitRequestURL(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  if (!rawPath.startsWith('/')) throw newBadRequest('the request path must be absolute');
  if (rawPath === '/') return { path: '/', query };
  // The common case: nothing escaped, no empty or dot segments, no trailing slash.
  if (!rawPath.includes('%') && !rawPath.endsWith('/') && !rawPath.includes('//') && !rawPath.includes('/.')) return { path: rawPath, query };
  const raw = rawPath.slice(1).replace(/\/$/, '').split('/');
  const segs: string[] = [];
  for (const r of raw) {
    if (/%2f/i.test(r)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    let seg: string;
    try {
      seg = decodeURIComponent(r);
    } catch {
      throw newBadRequest(`invalid escape in the request path: ${JSON.stringify(r.slice(0, 100))}`);
    }
    if (seg === '' || seg === '.' || seg === '..') {
      throw newBadRequest(seg === '' ? 'the request path has an empty segment' : `Name parameter invalid: ${JSON.stringify(seg)}: may not be '${seg}'`);
    }
    segs.push(seg);
  }
  return { path: `/${segs.join('/')}`, query };
}

const PUBLIC_PATHS = new Set(['/livez', '/readyz', '/healthz', '/version']);
/** Non-resource paths counted by their path in the subresource label, as upstream does; others by method only. */
const METRIC_PATHS = new Set([...PUBLIC_PATHS, '/metrics', '/api', '/apis', '/openapi/v2', '/openapi/v3']);
/** Methods counted by name before a route gives the verb; any other is `other`, so a client cannot mint label values (upstream's cleanVerb). */
const METRIC_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT']);

export class APIServer {
  private state: ServerState = 'new';
  private server: http2.Http2SecureServer | undefined;
  private readonly discovery: Discovery;
  private readonly requests: Counter<string>;
  private readonly latency: Histogram<string>;
  private readonly sessions = new Set<http2.Http2Session>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private address = '';

  constructor(private readonly opts: APIServerOptions) {
    this.discovery = new Discovery(opts.resourceMetrics ? [metricsDiscoveryGroup()] : []);
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource and HTTP response code.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'code'],
      registers: [opts.metrics],
    });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version and resource.',
      labelNames: ['verb', 'group', 'version', 'resource'],
      // Upstream's buckets (k8s.io/apiserver/pkg/endpoints/metrics).
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers: [opts.metrics],
    });
  }

  /** Listens; resolves with the bound port. Rejects with a one-line reason (port in use…). */
  async start(): Promise<number> {
    if (this.state !== 'new') throw new Error(`server cannot start from state ${this.state}`);
    const server = http2.createSecureServer(
      {
        key: this.opts.tls.key,
        cert: this.opts.tls.cert,
        ca: this.opts.tls.clientCA,
        requestCert: true,
        rejectUnauthorized: false,
        allowHTTP1: true,
        settings: { maxConcurrentStreams: 1000 },
      },
      (req, res) => {
        void this.handle(req as unknown as Req, res as unknown as Res);
      },
    );
    // Go's default header limit (1 MiB), so long paths reach the handler and get a Status. The
    // HTTP/1.1 fallback reads it from the server object (it is not an http2 option).
    (server as unknown as { maxHeaderSize: number }).maxHeaderSize = 1024 * 1024;
    // HTTP/1.1 `Upgrade` requests (kubectl exec/attach/port-forward) go through the same chain;
    // the subresource handler takes the socket over (proxy/upgrade.ts), any error is an ordinary
    // response on it, after which the connection closes.
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as Socket);
      res.shouldKeepAlive = false;
      res.on('finish', () => socket.end());
      socket.on('error', () => socket.destroy());
      markUpgrade(req, socket, head);
      void this.handle(req as unknown as Req, res as unknown as Res);
    });
    server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
    server.on('secureConnection', (sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    server.on('tlsClientError', () => {
      /* a client that fails the handshake is its own problem */
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        reject(e.code === 'EADDRINUSE' ? new Error(`port ${this.opts.port} on ${this.opts.bindAddress} is already in use`) : e);
      };
      server.once('error', onError);
      server.listen(this.opts.port, this.opts.bindAddress, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.state = 'listening';
    const port = (server.address() as AddressInfo).port;
    this.address = `${this.opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : this.opts.bindAddress}:${port}`;
    return port;
  }

  /** The host:port clients reach this server at (the bind address, loopback for 0.0.0.0); '' before start. */
  get externalAddress(): string {
    return this.address;
  }

  /** Stops accepting, ends open streams (watches) and waits for connections to close. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing' || !this.server) {
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    const server = this.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    for (const sock of this.sockets) sock.end();
    const timer = setTimeout(() => {
      for (const s of this.sessions) s.destroy();
      for (const sock of this.sockets) sock.destroy();
    }, 2000);
    await closed;
    clearTimeout(timer);
    this.state = 'closed';
  }

  private async handle(req: Req, res: Res): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let labels = { verb: METRIC_METHODS.has(method) ? method : 'other', group: '', version: '', resource: '', subresource: '' };
    try {
      const { path, query } = splitRequestURL(req.url ?? '/');
      if (METRIC_PATHS.has(path)) labels.subresource = path;
      if (PUBLIC_PATHS.has(path) || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
        this.publicEndpoint(res, path, method);
        return;
      }
      if (this.opts.join && path === CACERTS_PATH && (method === 'GET' || method === 'HEAD')) {
        serveCACerts(this.opts.join, res);
        return;
      }
      if (this.opts.join && path === NODE_CREDENTIALS_PATH) {
        await serveNodeCredentials(this.opts.join, req, res);
        return;
      }
      const connection = (req as { stream?: { session?: object } }).stream?.session ?? (req.socket as object);
      const user = await this.opts.authenticator.authenticate({ headers: req.headers, socket: req.socket, connection });
      if (!user) throw newUnauthorized();
      if (this.opts.openid?.serve(res, path, method)) return;
      if (path === '/metrics' && method === 'GET') {
        const text = await this.opts.metrics.metrics();
        res.writeHead(200, { 'content-type': this.opts.metrics.contentType });
        res.end(text);
        return;
      }
      if (path.startsWith('/openapi/')) {
        await this.openapi(req, res, path, method);
        return;
      }
      const ri = parseRequestInfo(method, path, query);
      labels = { verb: metricVerb(ri.verb, ri.subresource, req.headers['content-type']), group: ri.group, version: ri.version, resource: ri.resource, subresource: ri.subresource };
      if (this.opts.resourceMetrics && MetricsAPI.matches(ri)) {
        await this.opts.resourceMetrics.handle(req, res, ri, query);
        return;
      }
      if (!ri.isResourceRequest) {
        this.nonResource(req, res, path, method);
        return;
      }
      await this.opts.resources.handle(req, res, ri, query, user);
    } catch (e) {
      if (!(e instanceof StatusError)) this.opts.logger.error({ err: e, url: req.url, method: req.method }, 'request failed');
      if (!res.writableEnded) writeError(res, e);
    } finally {
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      if (labels.verb !== 'WATCH') this.latency.observe({ verb: labels.verb, group: labels.group, version: labels.version, resource: labels.resource }, secs);
      this.requests.inc({ ...labels, code: String(res.statusCode) });
    }
  }

  private publicEndpoint(res: Res, path: string, method: string): void {
    if (method !== 'GET' && method !== 'HEAD') throw new StatusError(405, 'MethodNotAllowed', `method ${method} is not allowed on ${path}`);
    if (path === '/version') {
      writeBody(res, 200, this.opts.version);
      return;
    }
    const ready = path.startsWith('/readyz') ? this.opts.ready() : true;
    res.writeHead(ready ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    res.end(ready ? 'ok' : `[-]storage not ready\n${path.slice(1)} check failed`);
  }

  private async openapi(req: Req, res: Res, path: string, method: string): Promise<void> {
    if (method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', `method ${method} is not allowed on ${path}`);
    if (path === '/openapi/v2') {
      await this.openapiV2(req, res);
      return;
    }
    let doc: OpenAPIDocument | undefined;
    if (path === '/openapi/v3' || path === '/openapi/v3/') doc = await this.opts.openapi.v3Index();
    else if (path.startsWith('/openapi/v3/')) doc = this.opts.openapi.v3(path.slice('/openapi/v3/'.length));
    if (doc === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    sendDocument(req, res, doc, { 'cache-control': path.startsWith('/openapi/v3/') ? 'public, immutable' : 'no-cache, private' });
  }

  /**
   * /openapi/v2 as kube-openapi's handler serves it: the first Accept clause (by preference) that
   * matches JSON or gnostic protobuf wins (a missing Accept means any); protobuf is asked for as
   * `…spec.v2@v1.0+protobuf` (kubectl) or `…spec.v2.v1.0+protobuf` and answered as the latter;
   * both forms share the ETag of the JSON; nothing acceptable is a 406.
   */
  private async openapiV2(req: Req, res: Res): Promise<void> {
    const format = negotiateOpenAPIV2(req.headers.accept);
    if (!format) throw new StatusError(406, 'NotAcceptable', 'only application/json and application/com.github.proto-openapi.spec.v2.v1.0+protobuf are served for /openapi/v2');
    const doc = this.opts.openapi.v2();
    const etag = `"${doc.hash}"`;
    const headers = { etag, vary: 'Accept', 'cache-control': 'no-cache, private' };
    if (ifNoneMatch(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (format === 'json') {
      sendDocument(req, res, doc, headers);
      return;
    }
    const body = await this.opts.openapi.v2Protobuf();
    res.writeHead(200, { ...headers, 'content-type': OPENAPI_V2_PROTOBUF });
    res.end(body);
  }

  private nonResource(req: Req, res: Res, path: string, method: string): void {
    if (method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', `method ${method} is not allowed on ${path}`);
    const segs = path.split('/').filter(Boolean);
    const agg = wantsAggregated(req.headers.accept);
    let body: string | undefined;
    let contentType = 'application/json';
    if (segs.length === 1 && (segs[0] === 'api' || segs[0] === 'apis')) {
      if (agg) {
        body = this.discovery.aggregated(segs[0], agg);
        contentType = aggregatedContentType(agg);
      } else body = segs[0] === 'api' ? this.discovery.apiVersions(this.address) : this.discovery.apiGroupList();
    } else if (segs[0] === 'api' && segs.length === 2) body = this.discovery.apiResourceList('', segs[1]!);
    else if (segs[0] === 'apis' && segs.length === 2) body = this.discovery.apiGroup(segs[1]!);
    else if (segs[0] === 'apis' && segs.length === 3) body = this.discovery.apiResourceList(segs[1]!, segs[2]!);
    if (body === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private', vary: 'Accept' });
    res.end(body);
  }
}

const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OPENAPI_V2_TYPES: readonly { subtype: string; format: 'json' | 'protobuf' }[] = [
  { subtype: 'json', format: 'json' },
  { subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', format: 'protobuf' },
  { subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', format: 'protobuf' },
];

/** The form of /openapi/v2 an Accept header gets: clauses by q (stable), wildcards allowed. */
export function negotiateOpenAPIV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  const clauses = (accept?.trim() ? accept : '*/*')
    .split(',')
    .map((raw, i) => {
      const [range = '', ...params] = raw.split(';').map((x) => x.trim());
      const q = params.find((p) => /^q=/i.test(p));
      const [type = '', subtype = ''] = range.toLowerCase().split('/');
      return { type, subtype, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((c) => c.type !== '' && c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const c of clauses) {
    if (c.type !== 'application' && c.type !== '*') continue;
    const hit = OPENAPI_V2_TYPES.find((t) => c.subtype === '*' || c.subtype === t.subtype);
    if (hit) return hit.format;
  }
  return undefined;
}

const METRIC_VERBS: Record<string, string> = { get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETECOLLECTION' };
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/**
 * The `verb` label of the request metrics as upstream reports it (metrics.CleanVerb): the
 * route's verb in capitals, POST/PUT for create/update, APPLY for server-side apply, CONNECT
 * for the streaming and proxy subresources.
 */
export function metricVerb(verb: string, subresource: string, contentType: string | undefined): string {
  if (CONNECT_SUBRESOURCES.has(subresource)) return 'CONNECT';
  if (verb === 'patch' && contentType?.split(';')[0]?.trim() === 'application/apply-patch+yaml') return 'APPLY';
  const known = METRIC_VERBS[verb];
  if (known) return known;
  // Other methods (HEAD, OPTIONS…) by name; anything a client made up is `other`, so requests
  // cannot mint label values.
  const upper = verb.toUpperCase();
  return METRIC_METHODS.has(upper) ? upper : 'other';
}

/** Whether an Accept-Encoding header takes gzip (a `gzip` or `*` coding with q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((clause) => {
    const [coding = '', ...params] = clause.split(';').map((x) => x.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** A JSON document: compressed as kept to clients that accept gzip, else decompressed. */
function sendDocument(req: Req, res: Res, doc: OpenAPIDocument, headers: Record<string, string>): void {
  const head = { ...headers, 'content-type': 'application/json', vary: headers['vary'] ? `${headers['vary']}, Accept-Encoding` : 'Accept-Encoding' };
  if (acceptsGzip(req.headers['accept-encoding'])) {
    res.writeHead(200, { ...head, 'content-encoding': 'gzip' });
    res.end(doc.gzip);
  } else {
    res.writeHead(200, head);
    res.end(doc.json());
  }
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}
