// Service account tokens for projected volumes (upstream pkg/kubelet/token/token_manager.go):
// TokenRequests through the API, cached per (account, audiences, lifetime, bound pod) and
// requested again once 80% of the token's lifetime has passed or it is 24 h old (minus a
// jitter of up to 10 s so that many pods do not refresh at once). A failed refresh keeps
// serving the cached token until it expires.

import type { TokenRequest, TokenRequestSpec } from 'kubernetes-types/authentication/v1.js';
import type { Interface } from '../../client/clientset.js';
import { SERVICEACCOUNTS } from '../../client/resources.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { Logger } from '../../logging/index.js';

const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_JITTER_S = 10;
const GC_PERIOD_MS = 60 * 1000;

export interface TokenManagerOptions {
  client: Interface;
  logger: Logger;
  now?: () => number;
  /** [0, 1), for the refresh jitter; default Math.random. */
  random?: () => number;
}

interface Cached {
  tr: TokenRequest;
  podUID: string;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();
  private readonly now: () => number;
  private readonly random: () => number;
  private lastGC = 0;

  constructor(private readonly opts: TokenManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** A token for `name` in `namespace` (upstream GetServiceAccountToken). */
  async getServiceAccountToken(namespace: string, name: string, spec: TokenRequestSpec): Promise<TokenRequest> {
    this.gc();
    const key = keyFunc(namespace, name, spec);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached.tr)) return cached.tr;
    let tr: TokenRequest;
    try {
      tr = await this.opts.client.resource(SERVICEACCOUNTS).createSubresource<TokenRequest>(
        name,
        'token',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } as KubeObject,
        { namespace },
      );
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!cached) throw new Error(`failed to fetch token: ${msg}`, { cause: e });
      if (this.expired(cached.tr)) throw new Error(`token ${key} expired and refresh failed: ${msg}`, { cause: e });
      this.opts.logger.error({ err: e, cacheKey: key }, "Couldn't update token");
      return cached.tr;
    }
    if (!tr.status?.token) throw new Error('failed to fetch token: the TokenRequest response has no token');
    // A server that leaves out the expiration time: count the lifetime from now.
    const expirationSeconds = tr.spec?.expirationSeconds ?? spec.expirationSeconds;
    if (!tr.status.expirationTimestamp && expirationSeconds) {
      tr = { ...tr, status: { ...tr.status, expirationTimestamp: new Date(this.now() + expirationSeconds * 1000).toISOString() } };
    }
    if (tr.spec?.expirationSeconds == null && expirationSeconds != null) tr = { ...tr, spec: { ...spec, ...tr.spec, expirationSeconds } };
    this.cache.set(key, { tr, podUID: spec.boundObjectRef?.uid ?? '' });
    return tr;
  }

  /** Forgets the tokens bound to a pod (upstream DeleteServiceAccountToken). */
  deleteServiceAccountToken(podUID: string): void {
    for (const [k, c] of this.cache) if (c.podUID === podUID) this.cache.delete(k);
  }

  /** Number of cached tokens (tests, metrics). */
  get size(): number {
    return this.cache.size;
  }

  private expired(tr: TokenRequest): boolean {
    return this.now() > Date.parse(tr.status?.expirationTimestamp ?? '');
  }

  /** Upstream requiresRefresh. */
  private requiresRefresh(tr: TokenRequest): boolean {
    const seconds = tr.spec?.expirationSeconds;
    if (seconds == null) return false;
    const now = this.now();
    const exp = Date.parse(tr.status?.expirationTimestamp ?? '');
    if (Number.isNaN(exp)) return true;
    const iat = exp - seconds * 1000;
    const jitterMs = Math.floor(this.random() * MAX_JITTER_S) * 1000;
    if (now > iat + MAX_TTL_MS - jitterMs) return true;
    // Within 20% of the lifetime (plus the jitter) of the expiration.
    return now > exp - Math.floor((seconds * 20) / 100) * 1000 - jitterMs;
  }

  /** Drops expired tokens, at most once a minute (upstream runs cleanup every minute). */
  private gc(): void {
    const now = this.now();
    if (now - this.lastGC < GC_PERIOD_MS) return;
    this.lastGC = now;
    for (const [k, c] of this.cache) if (this.expired(c.tr)) this.cache.delete(k);
  }
}

/** Upstream keyFunc: the account, its audiences, the lifetime and the bound object. */
function keyFunc(namespace: string, name: string, spec: TokenRequestSpec): string {
  const ref = spec.boundObjectRef;
  const exp = spec.expirationSeconds ?? 0;
  return `${JSON.stringify(name)}/${JSON.stringify(namespace)}/${JSON.stringify(spec.audiences ?? [])}/${exp}/${ref ? `${ref.kind ?? ''}/${ref.name ?? ''}/${ref.uid ?? ''}` : ''}`;
}
