// An upgrade-aware proxy (the shape of upstream's apimachinery proxy.UpgradeAwareHandler): an
// HTTP/1.1 request asking for `Upgrade` (SPDY/3.1 or WebSocket) is replayed to a backend (request
// line with the backend's path, the client's headers) and from then on both sockets are piped
// byte for byte, the backend's `101 Switching Protocols` included. Domain-free: it imports only
// node:*, so it can move to util/ unchanged.

import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeUpgrade } from '../../util/upgrade-pipe.js';

/** The socket and the bytes read past the headers of an HTTP/1.1 upgrade request. */
export interface UpgradedConnection {
  socket: Duplex;
  head: Buffer;
}

const upgrades = new WeakMap<object, UpgradedConnection>();

/** Called by the HTTP server's `upgrade` listener: the request's handler may take over `socket`. */
export function markUpgrade(req: object, socket: Duplex, head: Buffer): void {
  upgrades.set(req, { socket, head });
}

/** The connection of an upgrade request that reached a handler; undefined for plain requests (and HTTP/2). */
export function upgradeOf(req: object): UpgradedConnection | undefined {
  return upgrades.get(req);
}

/** True when the request asks for a protocol upgrade (`Connection: upgrade` plus `Upgrade`). */
export function isUpgradeRequest(headers: IncomingHttpHeaders): boolean {
  const connection = headers.connection;
  return (
    typeof headers.upgrade === 'string' &&
    headers.upgrade !== '' &&
    typeof connection === 'string' &&
    connection.split(',').some((t) => t.trim().toLowerCase() === 'upgrade')
  );
}

/** Sub-protocols containerd's CRI streaming server speaks over WebSocket (upstream wsstream: channel/base64, v1–v4). */
const BACKEND_WEBSOCKET_PROTOCOL = /^(v[1-4]\.)?(base64\.)?channel\.k8s\.io$/;

/**
 * A WebSocket upgrade that offers only sub-protocols the CRI streaming server refuses (kubectl
 * 1.30+'s `v5.channel.k8s.io` for exec/attach, `SPDY/3.1+portforward.k8s.io` for port-forward).
 * Answering such a request with any non-101 makes kubectl fall back to SPDY (client-go
 * remotecommand/portforward fallback on an upgrade failure), which is then proxied unchanged.
 */
export function isUnsupportedWebSocket(headers: IncomingHttpHeaders): boolean {
  if (typeof headers.upgrade !== 'string' || headers.upgrade.toLowerCase() !== 'websocket') return false;
  const offered = String(headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return !offered.some((p) => BACKEND_WEBSOCKET_PROTOCOL.test(p));
}

/** Headers that describe the client's hop to us and never go to the backend. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer']);

export interface ReplayOptions {
  method: string;
  /** Path and query on the backend. */
  path: string;
  /** `host:port` sent as the Host header. */
  host: string;
  /** The client's headers, in the order received (rawHeaders: name, value, name, value …). */
  rawHeaders: readonly string[];
  /** Further header names (lower case) to leave out, e.g. `authorization` when the backend is authenticated otherwise. */
  drop?: readonly string[];
  /** Headers to add after the client's. */
  extra?: Record<string, string>;
}

/** The request head replayed to the backend: request line, Host, the client's remaining headers, extras. */
export function replayHead(o: ReplayOptions): Buffer {
  const drop = new Set([...DROPPED_HEADERS, ...(o.drop ?? []).map((h) => h.toLowerCase())]);
  const lines = [`${o.method} ${o.path} HTTP/1.1`, `Host: ${o.host}`];
  for (let i = 0; i + 1 < o.rawHeaders.length; i += 2) {
    const name = o.rawHeaders[i]!;
    if (drop.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${sanitize(o.rawHeaders[i + 1]!)}`);
  }
  for (const [name, value] of Object.entries(o.extra ?? {})) lines.push(`${name}: ${sanitize(value)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Header values never carry CR/LF (Node rejects them on input; this guards the extras). */
function sanitize(v: string): string {
  return v.replace(/[\r\n]/g, ' ');
}

/** Headers of an upgrade request a backend never sees: the client's credentials (the proxy authenticates on its own, if at all). */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'impersonate-user', 'impersonate-group', 'impersonate-uid'];

/**
 * Hands an upgrade request's connection over to a connected `backend`: the request head is
 * replayed to it (`path` on `host`, without the client's credentials) and both sockets are piped
 * until either closes; from then on the backend answers, byte for byte. A client already gone
 * closes the backend instead.
 */
export async function relayUpgrade(
  req: object & { method?: string; rawHeaders?: string[] },
  res: { statusCode: number; detachSocket?: (socket: unknown) => void },
  backend: Duplex,
  path: string,
  host: string,
): Promise<void> {
  const up = upgradeOf(req);
  if (!up) throw new Error('relayUpgrade called for a request that is not an upgrade');
  if (up.socket.destroyed) {
    backend.destroy();
    return;
  }
  res.statusCode = 101;
  res.detachSocket?.(up.socket);
  await pipeUpgrade(up.socket, up.head, backend, replayHead({ method: req.method ?? 'GET', path, host, rawHeaders: req.rawHeaders ?? [], drop: CREDENTIAL_HEADERS }));
}

export { pipeUpgrade };
