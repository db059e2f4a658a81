// Authentication: x509 client certificates signed by the cluster's client CA (the TLS layer
// checks the chain; here the verified certificate becomes a user). Further authenticators
// (bearer tokens, service account JWTs) plug in through the Authenticator interface.

import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../registry/generic/strategy.js';

export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: unknown;
  /** A stable object per client connection (the HTTP/2 session or the TLS socket), for caching. */
  connection?: object;
}

/** Returns the user, undefined when this authenticator does not apply, or throws on a bad credential. */
export interface Authenticator {
  authenticate(req: AuthRequest): UserInfo | undefined | Promise<UserInfo | undefined>;
}

const cache = new WeakMap<object, UserInfo | null>();

/** CN is the user name, every O a group (upstream x509 authenticator). */
export class ClientCertAuthenticator implements Authenticator {
  authenticate(req: AuthRequest): UserInfo | undefined {
    const socket = req.socket as TLSSocket | undefined;
    if (!socket || typeof socket.getPeerCertificate !== 'function') return undefined;
    // http2's compat `socket` is a new proxy per request: cache per connection instead.
    const key = req.connection ?? (socket as unknown as object);
    const hit = cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    let user: UserInfo | undefined;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (cn) {
        const o = cert.subject.O;
        const groups = Array.isArray(o) ? o : o ? [o] : [];
        user = { name: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups, 'system:authenticated'] };
      }
    }
    cache.set(key, user ?? null);
    return user;
  }
}

/** Tries each authenticator in order; the first that returns a user wins. */
export class UnionAuthenticator implements Authenticator {
  constructor(private readonly list: readonly Authenticator[]) {}
  async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
    for (const a of this.list) {
      const u = await a.authenticate(req);
      if (u) return u;
    }
    return undefined;
  }
}
