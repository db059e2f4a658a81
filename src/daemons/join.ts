// Joining a node (k3s's token scheme): the server's `token` file holds
// `K10<sha256 of the server CA certificate, hex>::server:<secret>`. An agent fetches the CA from
// `GET /cacerts` without trusting it, checks it against the hash in its token (so a token is
// enough to reach the right server securely), then exchanges the secret for a node client
// certificate (CN `system:node:<name>`, O `system:nodes`) at `POST /v1-k8ts/node-credentials`.
// A bare secret (no `K10…::server:` frame) also joins, trusting the CA on first use.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { issueCertificate, type PKI } from '../util/pki/index.js';
import type { NodeJoinService, NodeCredentials, ServingNames } from '../apiserver/join.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface JoinToken {
  /** sha256 of the server CA certificate PEM, hex; absent for a bare secret. */
  caHash?: string;
  secret: string;
}

export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

export function parseToken(token: string): JoinToken {
  const t = token.trim();
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(t);
  if (m) return { caHash: m[1], secret: m[2]! };
  if (!t) throw new Error('the join token is empty');
  return { secret: t };
}

export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

/** The server's side: hands the CA out and issues node certificates for the right secret. */
export class NodeJoin implements NodeJoinService {
  private readonly secret: Buffer;

  constructor(
    private readonly pki: PKI,
    secret: string,
  ) {
    this.secret = Buffer.from(secret);
  }

  caBundle(): string {
    return this.pki.serverCA.certPem;
  }

  checkSecret(presented: string): boolean {
    const p = Buffer.from(presented);
    return p.length === this.secret.length && timingSafeEqual(p, this.secret);
  }

  async issue(nodeName: string, serving?: ServingNames): Promise<NodeCredentials> {
    return issueNodeCredentials(this.pki, nodeName, serving);
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * A node's credentials: its client certificate (CN `system:node:<name>`, O `system:nodes`) and,
 * for the given addresses, the kubelet's serving certificate signed by the server CA so that
 * the API server can verify it; with the client CA the kubelet verifies the API server.
 */
export async function issueNodeCredentials(pki: PKI, nodeName: string, serving?: ServingNames): Promise<NodeCredentials> {
  if (!NODE_NAME.test(nodeName) || nodeName.length > 253) throw new Error(`invalid node name "${nodeName}": must be a lowercase RFC 1123 subdomain`);
  const cert = await issueCertificate(pki.clientCA, {
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    usages: 'client',
    validityDays: 365,
  });
  const creds: NodeCredentials = { certPem: cert.certPem, keyPem: cert.keyPem, caPem: pki.serverCA.certPem, clientCAPem: pki.clientCA.certPem };
  if (serving) {
    const bad = serving.ips.find((ip) => !IPV4.test(ip)) ?? serving.dnsNames.find((n) => !NODE_NAME.test(n.toLowerCase()));
    if (bad !== undefined) throw new Error(`invalid address "${bad}" for the kubelet serving certificate`);
    const s = await issueCertificate(pki.serverCA, {
      commonName: `system:node:${nodeName}`,
      organizations: ['system:nodes'],
      usages: 'server',
      dnsNames: [...new Set([nodeName, ...serving.dnsNames.map((n) => n.toLowerCase())])],
      ipAddresses: [...new Set(serving.ips)],
      validityDays: 365,
    });
    creds.servingCertPem = s.certPem;
    creds.servingKeyPem = s.keyPem;
  }
  return creds;
}
