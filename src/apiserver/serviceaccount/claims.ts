// The claims of service account tokens (upstream pkg/serviceaccount/claims.go and legacy.go) and
// the user they authenticate as (k8s.io/apiserver/pkg/authentication/serviceaccount).

import type { UserInfo } from '../registry/generic/strategy.js';

/** What kube-apiserver (and kubeadm, k3s) uses as --service-account-issuer and --api-audiences. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of Secret-based (legacy) tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** The kubelet asks for this lifetime on projected tokens; the server extends it (warn-only). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** The extended lifetime of such tokens: one year. */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** go-jose's DefaultLeeway for exp/nbf/iat and for deletions. */
export const LEEWAY_SECONDS = 60;

export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The `kubernetes.io` private claim of bound tokens. */
export interface KubernetesClaim {
  namespace: string;
  node?: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
  /** Unix seconds after which a use is reported as stale (extended projected tokens). */
  warnafter?: number;
}

/** The payload of a bound token, keys in the order go-jose writes them (sorted). */
export interface BoundTokenClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

/** The payload of a Secret-based token: no aud, no exp. */
export interface LegacyTokenClaims {
  iss: string;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
  sub: string;
}

export function makeUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:<ns>:<name>` → [ns, name]; undefined when not a service account name. */
export function splitUsername(username: string): [string, string] | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return [parts[0], parts[1]];
}

export interface BoundClaimsInput {
  serviceAccount: { namespace: string; name: string; uid: string };
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  expirationSeconds: number;
  /** Seconds after issue to warn after (0: none). */
  warnAfterSeconds: number;
  audiences: readonly string[];
  issuer: string;
  now: Date;
  jti: string;
}

/** The claims of a bound token (upstream Claims): a token is bound to at most a pod (and its node), a secret or a node. */
export function boundClaims(input: BoundClaimsInput): BoundTokenClaims {
  if (input.secret && (input.pod || input.node)) throw new Error('internal error, token can only be bound to one object type');
  const now = Math.floor(input.now.getTime() / 1000);
  const k: KubernetesClaim = { namespace: input.serviceAccount.namespace } as KubernetesClaim;
  if (input.pod && input.node) k.node = { ...input.node };
  if (input.pod) k.pod = { ...input.pod };
  if (input.secret) k.secret = { ...input.secret };
  if (!input.pod && !input.secret && input.node) k.node = { ...input.node };
  k.serviceaccount = { name: input.serviceAccount.name, uid: input.serviceAccount.uid };
  if (input.warnAfterSeconds) k.warnafter = now + input.warnAfterSeconds;
  return {
    aud: [...input.audiences],
    exp: now + input.expirationSeconds,
    iat: now,
    iss: input.issuer,
    jti: input.jti,
    'kubernetes.io': k,
    nbf: now,
    sub: makeUsername(input.serviceAccount.namespace, input.serviceAccount.name),
  };
}

/** The claims of a Secret-based token (upstream LegacyClaims), issued by LEGACY_ISSUER. */
export function legacyClaims(serviceAccount: { namespace: string; name: string; uid: string }, secretName: string): LegacyTokenClaims {
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': serviceAccount.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': serviceAccount.name,
    'kubernetes.io/serviceaccount/service-account.uid': serviceAccount.uid,
    sub: makeUsername(serviceAccount.namespace, serviceAccount.name),
  };
}

/** What a validated token says (upstream ServiceAccountInfo). */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  credentialID?: string;
}

/** `JTI=<jti>` (upstream CredentialIDForJTI); empty for no jti. */
export function credentialIDForJTI(jti: string | undefined): string {
  return jti ? `JTI=${jti}` : '';
}

/**
 * The user a service account token authenticates as (upstream ServiceAccountInfo.UserInfo), plus
 * `system:authenticated`, which upstream's authentication filter adds to every user.
 */
export function userInfoFor(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[EXTRA_POD_NAME] = [sa.podName];
    extra[EXTRA_POD_UID] = [sa.podUID];
  }
  if (sa.credentialID) extra[EXTRA_CREDENTIAL_ID] = [sa.credentialID];
  if (sa.nodeName) {
    extra[EXTRA_NODE_NAME] = [sa.nodeName];
    if (sa.nodeUID) extra[EXTRA_NODE_UID] = [sa.nodeUID];
  }
  const user: UserInfo = {
    name: makeUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${sa.namespace}`, 'system:authenticated'],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
