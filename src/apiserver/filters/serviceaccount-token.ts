// Bearer-token authentication with service account JWTs (upstream bearertoken request
// authenticator around the service account token authenticators).

import type { UserInfo } from '../registry/generic/strategy.js';
import { StatusError } from '../../machinery/errors.js';
import type { AuthRequest, Authenticator } from './authentication.js';
import { TokenValidator, type TokenValidatorOptions } from '../serviceaccount/validator.js';
import { userInfoFor } from '../serviceaccount/claims.js';

export type ServiceAccountTokenAuthenticatorOptions = TokenValidatorOptions;

/** `Authorization: Bearer <token>` → the token; undefined when the header is absent or not a bearer one. */
export function bearerToken(headers: AuthRequest['headers']): string | undefined {
  const raw = headers.authorization;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1];
}

/**
 * Returns the service account user for a valid token; undefined when there is no bearer token
 * or it is not one of ours (another issuer, not a JWT), so other authenticators may try it;
 * throws 401 Unauthorized (the reason kept as `cause`, never sent) for a token of ours that
 * fails validation, or an empty bearer token.
 */
export class ServiceAccountTokenAuthenticator implements Authenticator {
  readonly validator: TokenValidator;

  constructor(opts: ServiceAccountTokenAuthenticatorOptions | TokenValidator) {
    this.validator = opts instanceof TokenValidator ? opts : new TokenValidator(opts);
  }

  async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
    const token = bearerToken(req.headers);
    if (token === undefined) return undefined;
    if (token === '') throw unauthorized(new Error('invalid bearer token'));
    let info;
    try {
      info = await this.validator.validate(token);
    } catch (e) {
      throw unauthorized(e);
    }
    return info ? userInfoFor(info) : undefined;
  }
}

/** Upstream answers every failed authentication with a bare 401 "Unauthorized". */
function unauthorized(cause: unknown): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized', undefined, { cause });
}
