// Joining a node (k3s's token scheme): the server's `token` file holds
// `K10<sha256 of the server CA certificate, hex>::server:<secret>`. An agent fetches the CA from
// `GET /cacerts` without trusting it, checks it against the hash in its token (so a token is
// enough to reach the right server securely), then exchanges the secret for a node client
// certificate (CN `system:node:<name>`, O `system:nodes`) at `POST /v1-k8ts/node-credentials`.
// A bare secret (no `K10…::server:` frame) also joins, trusting the CA on first use.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { issueCertificate, type PKI } from '../util/pki/index.js';
import type { NodeJoinService, NodeCredentials } from '../apiserver/join.js';

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

  async issue(nodeName: string): Promise<NodeCredentials> {
    if (!NODE_NAME.test(nodeName) || nodeName.length > 253) throw new Error(`invalid node name "${nodeName}": must be a lowercase RFC 1123 subdomain`);
    const cert = await issueCertificate(this.pki.clientCA, {
      commonName: `system:node:${nodeName}`,
      organizations: ['system:nodes'],
      usages: 'client',
      validityDays: 365,
    });
    return { certPem: cert.certPem, keyPem: cert.keyPem, caPem: this.pki.serverCA.certPem };
  }
}
