// The two endpoints an agent uses to join, served beside the API: `GET /cacerts` (public: the
// CA that signs the serving certificate, which the agent checks against its token) and
// `POST /v1-k8ts/node-credentials` (bearer join secret + `{"nodeName": "…", "ips": […],
// "hostnames": […]}` → a node client certificate and, for the addresses given, a kubelet
// serving certificate). The credential logic lives with the composition root; this is the HTTP side.

import { StatusError, newBadRequest, newUnauthorized } from '../machinery/errors.js';
import type { Req, Res } from './endpoints/response.js';

export interface NodeCredentials {
  certPem: string;
  keyPem: string;
  /** The CA that verifies the API server. */
  caPem: string;
  /** The kubelet's serving certificate (for the addresses asked for), signed by the server CA. */
  servingCertPem?: string;
  servingKeyPem?: string;
  /** The CA of client certificates: the kubelet verifies the API server's kubelet client with it. */
  clientCAPem?: string;
}

/** The names a kubelet serving certificate is for. */
export interface ServingNames {
  ips: string[];
  dnsNames: string[];
}

export interface NodeJoinService {
  caBundle(): string;
  /** Constant-time check of the presented join secret. */
  checkSecret(presented: string): boolean;
  /** Throws an Error whose message is shown to the agent for a bad node name. */
  issue(nodeName: string, serving?: ServingNames): Promise<NodeCredentials>;
}

export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/v1-k8ts/node-credentials';
const MAX_BODY = 4096;


export function serveCACerts(join: NodeJoinService, res: Res): void {
  res.writeHead(200, { 'content-type': 'application/x-pem-file', 'cache-control': 'no-cache, private' });
  res.end(join.caBundle());
}

export async function serveNodeCredentials(join: NodeJoinService, req: Req, res: Res): Promise<void> {
  if (req.method !== 'POST') throw new StatusError(405, 'MethodNotAllowed', `method ${req.method ?? ''} is not allowed on ${NODE_CREDENTIALS_PATH}`);
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (!m || !join.checkSecret(m[1]!)) throw newUnauthorized();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as unknown as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new StatusError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(c);
  }
  let body: { nodeName?: unknown; ips?: unknown; hostnames?: unknown } | null;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
  } catch {
    throw newBadRequest('the body must be JSON: {"nodeName": "<name>"}');
  }
  const nodeName = body?.nodeName;
  if (typeof nodeName !== 'string' || !nodeName) throw newBadRequest('nodeName is required');
  const strings = (v: unknown, what: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw newBadRequest(`${what} must be a list of strings`);
    return v as string[];
  };
  const ips = strings(body?.ips, 'ips');
  const dnsNames = strings(body?.hostnames, 'hostnames');
  let creds: NodeCredentials;
  try {
    creds = await join.issue(nodeName, ips.length || dnsNames.length ? { ips, dnsNames } : undefined);
  } catch (e) {
    throw newBadRequest(e instanceof Error ? e.message : String(e));
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(creds));
}
