// Signs service account tokens (upstream JWTTokenGenerator): a compact JWS with `alg` and the
// key's `kid` in the protected header, claims as given.

import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import type { ServiceAccountKey } from './keys.js';
import { DEFAULT_ISSUER, boundClaims, legacyClaims, type BoundClaimsInput, type BoundTokenClaims } from './claims.js';

export interface TokenIssuerOptions {
  key: ServiceAccountKey;
  /** --service-account-issuer (default https://kubernetes.default.svc.cluster.local). */
  issuer?: string;
  now?: () => Date;
  newUUID?: () => string;
}

/** What a bound token says; `now` (default: the issuer's clock) is its iat/nbf. */
export type BoundTokenRequest = Omit<BoundClaimsInput, 'issuer' | 'now' | 'jti'> & { now?: Date };

export class TokenIssuer {
  readonly issuer: string;
  private readonly now: () => Date;
  private readonly newUUID: () => string;

  constructor(private readonly opts: TokenIssuerOptions) {
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.now = opts.now ?? (() => new Date());
    this.newUUID = opts.newUUID ?? randomUUID;
  }

  /** Signs any payload with the service account key. */
  async sign(payload: object): Promise<string> {
    const { key } = this.opts;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
  }

  /** A bound token (TokenRequest); returns the token and its claims. */
  async issueBound(req: BoundTokenRequest): Promise<{ token: string; claims: BoundTokenClaims }> {
    const claims = boundClaims({ ...req, issuer: this.issuer, now: req.now ?? this.now(), jti: this.newUUID() });
    return { token: await this.sign(claims), claims };
  }

  /** A Secret-based token for a `kubernetes.io/service-account-token` Secret. */
  async issueLegacy(serviceAccount: { namespace: string; name: string; uid: string }, secretName: string): Promise<string> {
    return this.sign(legacyClaims(serviceAccount, secretName));
  }
}
