// How the API server reaches a node's kubelet (upstream pkg/kubelet/client NodeConnectionInfoGetter
// plus the LocationStreamer and UpgradeAwareHandler the pod subresources use): the node's
// preferred address and kubelet port, mutual TLS with the API server's kubelet client
// certificate, plain GETs streamed back (logs) and upgrades proxied byte for byte.

import https from 'node:https';
import tls from 'node:tls';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Node } from 'kubernetes-types/core/v1.js';
import { StatusError, newBadRequest, newInternalError } from '../../machinery/errors.js';
import { drainOrClose, type Req, type Res } from '../endpoints/response.js';
import { isUnsupportedWebSocket, relayUpgrade, upgradeOf } from './upgrade.js';

/** The API server's client certificate for kubelets and the CA that signs kubelet serving certificates. */
export interface KubeletClientConfig {
  certPem: string;
  keyPem: string;
  /** Verifies the kubelet's serving certificate (the server CA when the join service signs it). */
  caPem: string;
  /** Used when the node reports no kubelet port (upstream --kubelet-port). */
  defaultPort?: number;
  /** Dial timeout in ms (default 10 s). */
  dialTimeoutMs?: number;
}

export interface KubeletLocation {
  host: string;
  port: number;
}

/** Address types in order of preference (k3s prefers InternalIP; upstream's default puts Hostname first). */
const PREFERRED_ADDRESS_TYPES = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];

/** The kubelet's host and port from the Node (status.addresses, status.daemonEndpoints). */
export function kubeletLocation(node: Node, defaultPort = 10250): KubeletLocation {
  const addresses = node.status?.addresses ?? [];
  for (const type of PREFERRED_ADDRESS_TYPES) {
    const a = addresses.find((x) => x.type === type && x.address);
    if (a) {
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      return { host: a.address, port: port && port > 0 ? port : defaultPort };
    }
  }
  const known = addresses.map((a) => `{${a.type} ${a.address}}`).join(' ');
  throw newInternalError(new Error(`no preferred addresses found; known addresses: [${known}]`));
}

function hostPort(loc: KubeletLocation): string {
  return isIP(loc.host) === 6 ? `[${loc.host}]:${loc.port}` : `${loc.host}:${loc.port}`;
}

function tlsOptions(cfg: KubeletClientConfig, loc: KubeletLocation): tls.ConnectionOptions {
  return { host: loc.host, port: loc.port, cert: cfg.certPem, key: cfg.keyPem, ca: cfg.caPem, servername: isIP(loc.host) ? undefined : loc.host, ALPNProtocols: ['http/1.1'] };
}

function dialError(loc: KubeletLocation, e: unknown): StatusError {
  const msg = e instanceof Error ? e.message : String(e);
  return new StatusError(500, 'InternalError', `error dialing backend: dial tcp ${hostPort(loc)}: ${msg}`);
}

/** Reads at most `limit` bytes of a response body as text. */
async function readText(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(c);
    size += c.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}

/** A kubelet error response as the API server reports it (upstream GenericHttpResponseChecker). */
function responseError(code: number, body: string, resource: string, name: string): StatusError {
  switch (code) {
    case 500:
      return newInternalError(new Error(body));
    case 400:
      return newBadRequest(body);
    case 404:
      return new StatusError(404, 'NotFound', `the server could not find the requested resource ( ${resource} ${name})`, { name, kind: resource });
    case 403:
      return new StatusError(403, 'Forbidden', body || `forbidden ( ${resource} ${name})`, { name, kind: resource });
    default:
      return new StatusError(code, code >= 500 ? 'InternalError' : 'BadRequest', body || `an error on the server has prevented the request from succeeding ( ${resource} ${name})`, { name, kind: resource });
  }
}

/**
 * GETs `path` from the kubelet and streams a 200 answer to `res` as text/plain, each chunk
 * written as it arrives (followed logs). A non-200 answer becomes a Status error; an unreachable
 * kubelet a 500 naming the address. The kubelet request ends when the client goes away.
 */
export async function streamKubeletGet(cfg: KubeletClientConfig, loc: KubeletLocation, path: string, res: Res, what: { resource: string; name: string }): Promise<void> {
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = https.request({ ...tlsOptions(cfg, loc), method: 'GET', path, agent: false, timeout: cfg.dialTimeoutMs ?? 10_000 }, resolve);
    req.on('timeout', () => req.destroy(new Error('i/o timeout')));
    req.on('error', (e) => reject(dialError(loc, e)));
    req.end();
  });
  // No idle timeout once the answer has started: a followed log may be quiet for long.
  upstream.socket.setTimeout(0);
  if (upstream.statusCode !== 200) throw responseError(upstream.statusCode ?? 500, await readText(upstream), what.resource, what.name);
  const gone = (): void => {
    upstream.destroy();
  };
  res.once('close', gone);
  try {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
    res.flushHeaders?.();
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      if (res.writableEnded) break;
      if (!res.write(chunk)) await drainOrClose(res);
    }
  } catch {
    // The kubelet connection broke mid-stream: end what was sent.
  } finally {
    res.off?.('close', gone);
    if (!res.writableEnded) res.end();
  }
}

/**
 * Proxies an HTTP/1.1 upgrade request (SPDY or WebSocket) to the kubelet at `path`. A WebSocket
 * offering only sub-protocols the runtime cannot speak is refused (400) so that kubectl falls back
 * to SPDY; anything else is replayed to the kubelet and both connections are piped until either
 * closes, the kubelet's own answer (101 or an error) included.
 */
export async function proxyKubeletUpgrade(cfg: KubeletClientConfig, loc: KubeletLocation, path: string, req: Req, res: Res): Promise<void> {
  if (!upgradeOf(req)) throw newBadRequest('Upgrade request required');
  if (isUnsupportedWebSocket(req.headers)) {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '');
    throw newBadRequest(`none of the offered WebSocket sub-protocols (${offered}) is supported by the node's container runtime; use SPDY/3.1`);
  }
  const backend = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect(tlsOptions(cfg, loc));
    const timer = setTimeout(() => s.destroy(new Error('i/o timeout')), cfg.dialTimeoutMs ?? 10_000);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      resolve(s);
    });
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(dialError(loc, e));
    };
    s.once('error', onError);
  });
  await relayUpgrade(req as Req & { rawHeaders?: string[] }, res, backend, path, hostPort(loc));
}

/** GET a JSON document from the kubelet (e.g. /stats/summary for metrics.k8s.io). */
export function kubeletGetJSON<T>(cfg: KubeletClientConfig, loc: KubeletLocation, path: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = https.request({ ...tlsOptions(cfg, loc), method: 'GET', path, headers: { accept: 'application/json' }, signal, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET https://${hostPort(loc)}${path}: HTTP ${String(res.statusCode)}: ${body.slice(0, 200)}`));
          return;
        }
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(new Error(`GET https://${hostPort(loc)}${path}: not JSON: ${(e as Error).message}`));
        }
      });
    });
    req.on('error', (e) => reject(dialError(loc, e)));
    req.end();
  });
}
