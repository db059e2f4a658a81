// Validates service account tokens (upstream pkg/serviceaccount jwt.go jwtTokenAuthenticator,
// claims.go validator and legacy.go legacyValidator): the signature against our public keys,
// the issuer, the audiences, the times, and that what the token is bound to still exists.

import { Buffer } from 'node:buffer';
import { compactVerify } from 'jose';
import type { VerificationKey } from './keys.js';
import type { ServiceAccountTokenGetter } from './getters.js';
import {
  DEFAULT_ISSUER,
  LEGACY_ISSUER,
  LEEWAY_SECONDS,
  credentialIDForJTI,
  splitUsername,
  type KubernetesClaim,
  type ObjectRef,
  type ServiceAccountInfo,
} from './claims.js';

/** A token that names our issuer but is not valid. The message is for logs, never the client. */
export class InvalidTokenError extends Error {
  readonly code = 'InvalidToken';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/** Secrets carrying this label were invalidated by the legacy token cleaner. */
export const LEGACY_TOKEN_INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';

export interface TokenValidatorOptions {
  /** Verification keys (the signing key's public half, plus any older keys still accepted). */
  keys: readonly VerificationKey[];
  /** Accepted issuers of bound tokens (--service-account-issuer); default [DEFAULT_ISSUER]. */
  issuers?: readonly string[];
  /** The API server's audiences (--api-audiences); default the first issuer. */
  audiences?: readonly string[];
  getter: ServiceAccountTokenGetter;
  /** Accept Secret-based tokens (issuer kubernetes/serviceaccount); default true. */
  legacy?: boolean;
  now?: () => Date;
}

interface Claims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  jti?: unknown;
  'kubernetes.io'?: Partial<KubernetesClaim>;
  [k: string]: unknown;
}

export class TokenValidator {
  readonly issuers: ReadonlySet<string>;
  readonly audiences: readonly string[];
  private readonly legacy: boolean;
  private readonly now: () => Date;

  constructor(private readonly opts: TokenValidatorOptions) {
    const issuers = opts.issuers?.length ? opts.issuers : [DEFAULT_ISSUER];
    this.issuers = new Set(issuers);
    this.audiences = opts.audiences?.length ? [...opts.audiences] : [issuers[0]!];
    this.legacy = opts.legacy ?? true;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * undefined: not a token of ours (not a JWT, or another issuer) — another authenticator may
   * know it. Throws InvalidTokenError for a token of ours that does not validate.
   * `audiences` are the audiences the caller wants (default: the API server's).
   */
  async validate(token: string, audiences: readonly string[] = this.audiences): Promise<ServiceAccountInfo | undefined> {
    const iss = this.unverifiedIssuer(token);
    if (iss === undefined) return undefined;
    const isLegacy = iss === LEGACY_ISSUER && this.legacy;
    if (!isLegacy && !this.issuers.has(iss)) return undefined;

    const claims = await this.verifySignature(token);
    if (claims.iss !== iss) throw new InvalidTokenError(`token issuer ${JSON.stringify(claims.iss)} is invalid`);

    let tokenAuds = audienceList(claims.aud);
    // Only the API server's own audiences are implied for tokens without any (legacy tokens).
    if (tokenAuds.length === 0) tokenAuds = [...this.audiences];
    const wanted = new Set(audiences);
    if (!tokenAuds.some((a) => wanted.has(a)) && this.audiences.length) {
      throw new InvalidTokenError(`token audiences ${goQuoted(tokenAuds)} is invalid for the target audiences ${goQuoted(audiences)}`);
    }
    return isLegacy ? this.validateLegacy(token, claims) : this.validateBound(claims);
  }

  /** The `iss` of a compact JWT, read without verification (upstream hasCorrectIssuer). */
  private unverifiedIssuer(token: string): string | undefined {
    if (token.trimStart().startsWith('{')) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts[1]) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
      const iss = (payload as { iss?: unknown } | null)?.iss;
      return typeof iss === 'string' ? iss : undefined;
    } catch {
      return undefined;
    }
  }

  /** Tries the keys named by the token's `kid` (all keys when it has none), as upstream does. */
  private async verifySignature(token: string): Promise<Claims> {
    let kid: string | undefined;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: unknown };
      if (typeof header.kid === 'string' && header.kid) kid = header.kid;
    } catch (e) {
      throw new InvalidTokenError('malformed token header', { cause: e });
    }
    const keys = kid === undefined ? this.opts.keys : this.opts.keys.filter((k) => k.kid === kid);
    if (keys.length === 0) throw new InvalidTokenError('invalid signature, no keys found');
    const errors: string[] = [];
    for (const k of keys) {
      try {
        const { payload } = await compactVerify(token, k.key, { algorithms: [k.alg] });
        const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
        if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('the token payload is not a JSON object');
        return claims as Claims;
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    throw new InvalidTokenError(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
  }

  /** Upstream validator.Validate: times, then the service account and bound objects still exist. */
  private async validateBound(claims: Claims): Promise<ServiceAccountInfo> {
    const nowMs = this.now().getTime();
    const now = nowMs / 1000;
    const exp = numericDate(claims.exp, 'exp');
    const nbf = numericDate(claims.nbf, 'nbf');
    const iat = numericDate(claims.iat, 'iat');
    if (exp !== undefined && now - LEEWAY_SECONDS > exp) throw new InvalidTokenError('service account token has expired');
    if (nbf !== undefined && now + LEEWAY_SECONDS < nbf) throw new InvalidTokenError('service account token is not valid yet');
    if (iat !== undefined && now + LEEWAY_SECONDS < iat) throw new InvalidTokenError('service account token is issued in the future');

    const k = claims['kubernetes.io'] ?? {};
    const namespace = typeof k.namespace === 'string' ? k.namespace : '';
    const saRef = refOf(k.serviceaccount);
    const podRef = k.pod ? refOf(k.pod) : undefined;
    const secretRef = k.secret ? refOf(k.secret) : undefined;
    const nodeRef = k.node ? refOf(k.node) : undefined;
    // Objects deleted before now - leeway no longer back a token.
    const deletedBefore = (ts: string | undefined): boolean => ts !== undefined && Date.parse(ts) < nowMs - LEEWAY_SECONDS * 1000;
    const { getter } = this.opts;

    const sa = await getter.getServiceAccount(namespace, saRef.name);
    if (!sa) throw new InvalidTokenError(`serviceaccounts "${saRef.name}" not found`);
    if ((sa.metadata?.uid ?? '') !== saRef.uid) throw new InvalidTokenError(`service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${saRef.uid})`);
    if (deletedBefore(sa.metadata?.deletionTimestamp)) throw new InvalidTokenError(`service account ${namespace}/${saRef.name} has been deleted`);

    if (secretRef) {
      const secret = await getter.getSecret(namespace, secretRef.name);
      if (!secret) throw new InvalidTokenError('service account token has been invalidated');
      if ((secret.metadata?.uid ?? '') !== secretRef.uid) throw new InvalidTokenError(`secret UID (${secret.metadata?.uid ?? ''}) does not match service account secret ref claim (${secretRef.uid})`);
      if (deletedBefore(secret.metadata?.deletionTimestamp)) throw new InvalidTokenError('service account token has been invalidated');
    }

    const info: ServiceAccountInfo = { namespace, name: saRef.name, uid: saRef.uid };
    if (podRef) {
      const pod = await getter.getPod(namespace, podRef.name);
      if (!pod) throw new InvalidTokenError('service account token has been invalidated');
      if ((pod.metadata?.uid ?? '') !== podRef.uid) throw new InvalidTokenError(`pod UID (${pod.metadata?.uid ?? ''}) does not match service account pod ref claim (${podRef.uid})`);
      if (deletedBefore(pod.metadata?.deletionTimestamp)) throw new InvalidTokenError('service account token has been invalidated');
      info.podName = podRef.name;
      info.podUID = podRef.uid;
    }

    if (nodeRef) {
      if (podRef) {
        // A pod-bound token carries its node for information only.
        info.nodeName = nodeRef.name;
        info.nodeUID = nodeRef.uid;
      } else {
        const node = await getter.getNode(nodeRef.name);
        if (!node) throw new InvalidTokenError('service account token has been invalidated');
        if ((node.metadata?.uid ?? '') !== nodeRef.uid) throw new InvalidTokenError(`node UID (${node.metadata?.uid ?? ''}) does not match service account node ref claim (${nodeRef.uid})`);
        if (deletedBefore(node.metadata?.deletionTimestamp)) throw new InvalidTokenError('service account token has been invalidated');
        info.nodeName = nodeRef.name;
        info.nodeUID = nodeRef.uid;
      }
    }
    const credentialID = credentialIDForJTI(typeof claims.jti === 'string' ? claims.jti : undefined);
    if (credentialID) info.credentialID = credentialID;
    return info;
  }

  /** Upstream legacyValidator.Validate: the Secret must still exist and hold this very token. */
  private async validateLegacy(token: string, claims: Claims): Promise<ServiceAccountInfo> {
    const str = (k: string): string => (typeof claims[k] === 'string' ? (claims[k] as string) : '');
    const sub = str('sub');
    const namespace = str('kubernetes.io/serviceaccount/namespace');
    const secretName = str('kubernetes.io/serviceaccount/secret.name');
    const saName = str('kubernetes.io/serviceaccount/service-account.name');
    const saUID = str('kubernetes.io/serviceaccount/service-account.uid');
    if (!sub) throw new InvalidTokenError('sub claim is missing');
    if (!namespace) throw new InvalidTokenError('namespace claim is missing');
    if (!secretName) throw new InvalidTokenError('secretName claim is missing');
    if (!saName) throw new InvalidTokenError('serviceAccountName claim is missing');
    if (!saUID) throw new InvalidTokenError('serviceAccountUID claim is missing');
    const split = splitUsername(sub);
    if (!split || split[0] !== namespace || split[1] !== saName) throw new InvalidTokenError('sub claim is invalid');

    const { getter } = this.opts;
    const secret = await getter.getSecret(namespace, secretName);
    if (!secret || secret.metadata?.deletionTimestamp) throw new InvalidTokenError('token has been invalidated');
    const stored = secret.data?.token;
    if (stored === undefined || Buffer.from(stored, 'base64').toString('utf8') !== token) throw new InvalidTokenError("token does not match server's copy");
    const sa = await getter.getServiceAccount(namespace, saName);
    if (!sa) throw new InvalidTokenError(`serviceaccounts "${saName}" not found`);
    if (sa.metadata?.deletionTimestamp) throw new InvalidTokenError(`service account ${namespace}/${saName} has been deleted`);
    if ((sa.metadata?.uid ?? '') !== saUID) throw new InvalidTokenError(`service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${saUID})`);
    if (secret.metadata?.labels?.[LEGACY_TOKEN_INVALID_SINCE_LABEL]) throw new InvalidTokenError('token has been invalidated');
    return { namespace, name: saName, uid: saUID };
  }
}

function audienceList(aud: unknown): string[] {
  if (typeof aud === 'string') return aud ? [aud] : [];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

function numericDate(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidTokenError(`${name} claim is not a number`);
  return v;
}

function refOf(r: Partial<ObjectRef> | undefined): ObjectRef {
  return { name: typeof r?.name === 'string' ? r.name : '', uid: typeof r?.uid === 'string' ? r.uid : '' };
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoted(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}
