// POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token: issues a bound service account
// token (upstream pkg/registry/core/serviceaccount/storage/token.go, TokenREST.Create, with
// pkg/apis/authentication/validation ValidateTokenRequest and the v1 defaults).

import type { Node, Pod, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { BoundObjectReference, TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { DeepMutable } from '../../../../util/mutable.js';
import { StatusError, newBadRequest, newConflict, newInternalError, newMethodNotSupported } from '../../../../machinery/errors.js';
import { Path, invalid, toInvalidError, type ErrorList } from '../../../../machinery/field.js';
import type { HandlerContext, SubresourceHandler } from '../../../endpoints/resource.js';
import { bodyTypeOf, parseBody, isPlainObject } from '../../../endpoints/codec.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../../../../api/protobuf/index.js';
import { writeBody, warningHeaders } from '../../../endpoints/response.js';
import type { GenericStore, RequestContext } from '../../generic/store.js';
import type { TokenIssuer } from '../../../serviceaccount/issuer.js';
import { EXPIRATION_EXTENSION_SECONDS, WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, type ObjectRef } from '../../../serviceaccount/claims.js';

/** Upstream MinTokenAgeSec. */
export const MIN_TOKEN_AGE_SECONDS = 10 * 60;
/** The v1 default of spec.expirationSeconds (SetDefaults_TokenRequestSpec). */
export const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
const MAX_TOKEN_AGE_SECONDS = 2 ** 32;

const GROUP_KIND = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

export interface TokenRequestHandlerOptions {
  serviceAccounts: GenericStore;
  pods: GenericStore;
  secrets: GenericStore;
  nodes: GenericStore;
  issuer: TokenIssuer;
  /** The API server's audiences (--api-audiences): the default audiences of a token. */
  audiences: readonly string[];
  /** --service-account-max-token-expiration in seconds; 0 or absent: no maximum. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true): kubelet's 3607 s pod tokens live a year, warning after 3607 s. */
  extendExpiration?: boolean;
  now?: () => Date;
}

type Request = DeepMutable<TokenRequest>;

export function serviceAccountTokenHandler(opts: TokenRequestHandlerOptions): SubresourceHandler {
  return {
    async handle(hc) {
      if (hc.ri.verb !== 'create') throw newMethodNotSupported({ group: '', resource: 'serviceaccounts/token' }, hc.ri.verb);
      const type = bodyTypeOf(hc.req.headers['content-type'], ['json', 'yaml', 'protobuf']);
      let body: unknown;
      if (type === 'protobuf') {
        // kubectl create token sends protobuf, as its typed clients do.
        try {
          body = decodeKubernetesProtobuf(await hc.readRawBody(), { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' });
        } catch (e) {
          if (e instanceof ProtobufDecodeError) throw newBadRequest(e.message);
          throw e;
        }
      } else {
        body = parseBody(await hc.readBody(), type as 'json' | 'yaml');
      }
      if (!isPlainObject(body)) throw newBadRequest('the body of a TokenRequest must be an object');
      const warnings: string[] = [];
      const out = await createToken(opts, hc, decodeTokenRequest(body), warnings);
      writeBody(hc.res, 201, out, 'json', warnings.length ? { warning: warningHeaders(warnings) } : {});
    },
  };
}

/** Checks kind/apiVersion when given and applies the v1 defaults. */
export function decodeTokenRequest(body: Record<string, unknown>): Request {
  if (body.kind !== undefined && body.kind !== 'TokenRequest') {
    throw newBadRequest(`the object provided is unrecognized (must be of type TokenRequest): kind ${JSON.stringify(body.kind)}`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== 'authentication.k8s.io/v1') {
    throw newBadRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`);
  }
  const req = structuredClone(body) as unknown as Request;
  if (!isPlainObject(req.spec)) req.spec = { audiences: [] };
  if (req.spec.audiences === null || req.spec.audiences === undefined) req.spec.audiences = [];
  if (!Array.isArray(req.spec.audiences) || req.spec.audiences.some((a) => typeof a !== 'string')) throw newBadRequest('spec.audiences must be a list of strings');
  if (req.spec.expirationSeconds === undefined || req.spec.expirationSeconds === null) req.spec.expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
  if (typeof req.spec.expirationSeconds !== 'number' || !Number.isInteger(req.spec.expirationSeconds)) throw newBadRequest('spec.expirationSeconds must be an integer');
  if (req.spec.boundObjectRef === null) delete req.spec.boundObjectRef;
  if (req.spec.boundObjectRef !== undefined && !isPlainObject(req.spec.boundObjectRef)) throw newBadRequest('spec.boundObjectRef must be an object');
  return req;
}

/** Upstream ValidateTokenRequest (the parts that apply to TokenRequest v1 in 1.32). */
export function validateTokenRequest(req: Request): ErrorList {
  const errs: ErrorList = [];
  const exp = req.spec.expirationSeconds ?? 0;
  const path = Path.root('spec', 'expirationSeconds');
  if (exp < MIN_TOKEN_AGE_SECONDS) errs.push(invalid(path, exp, 'may not specify a duration less than 10 minutes'));
  if (exp > MAX_TOKEN_AGE_SECONDS) errs.push(invalid(path, exp, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** The apiVersion's group ("" for "v1"), as schema.FromAPIVersionAndKind splits it. */
function groupVersionOf(apiVersion: string | undefined): { group: string; version: string } {
  const v = apiVersion ?? '';
  const i = v.indexOf('/');
  return i < 0 ? { group: '', version: v } : { group: v.slice(0, i), version: v.slice(i + 1) };
}

async function createToken(opts: TokenRequestHandlerOptions, hc: HandlerContext, req: Request, warnings: string[]): Promise<Request> {
  const namespace = hc.ri.namespace;
  if (!namespace) throw newBadRequest('namespace is required');
  const name = hc.ri.name;
  const meta = (req.metadata ??= {});
  if (meta.name && meta.name !== name) {
    throw toInvalidError(GROUP_KIND, name, [invalid(Path.root('metadata', 'name'), meta.name, 'must match the service account name if specified')]);
  }
  if (meta.namespace && meta.namespace !== namespace) {
    throw toInvalidError(GROUP_KIND, name, [invalid(Path.root('metadata', 'namespace'), meta.namespace, 'must match the service account namespace if specified')]);
  }
  const ctx = hc.requestContext(false);
  const sa = (await opts.serviceAccounts.get(ctx, name)) as ServiceAccount;

  if (req.spec.audiences.length === 0) req.spec.audiences = [...opts.audiences];
  meta.name ||= sa.metadata?.name ?? name;
  meta.namespace ||= sa.metadata?.namespace ?? namespace;
  // Taken before the token is built so that status.expirationTimestamp <= the token's exp.
  const now = (opts.now ?? (() => new Date()))();
  meta.creationTimestamp = rfc3339(now);
  delete req.status;

  const errs = validateTokenRequest(req);
  if (errs.length) throw toInvalidError(GROUP_KIND, '', errs);

  let pod: ObjectRef | undefined;
  let secret: ObjectRef | undefined;
  let node: ObjectRef | undefined;
  const ref = req.spec.boundObjectRef;
  if (ref) {
    const gv = groupVersionOf(ref.apiVersion);
    const refName = ref.name ?? '';
    let uid: string;
    if (gv.group === '' && ref.kind === 'Pod') {
      const p = (await getBound(opts.pods, ctx, refName)) as Pod;
      if (name !== p.spec?.serviceAccountName) {
        throw newBadRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
      }
      uid = p.metadata?.uid ?? '';
      pod = { name: p.metadata?.name ?? refName, uid };
      const nodeName = p.spec?.nodeName;
      if (nodeName) node = await podNode(opts.nodes, ctx, nodeName);
    } else if (gv.group === '' && ref.kind === 'Node') {
      const n = (await getBound(opts.nodes, { ...ctx, namespace: undefined }, refName)) as Node;
      uid = n.metadata?.uid ?? '';
      node = { name: n.metadata?.name ?? refName, uid };
    } else if (gv.group === '' && ref.kind === 'Secret') {
      const s = (await getBound(opts.secrets, ctx, refName)) as Secret;
      uid = s.metadata?.uid ?? '';
      secret = { name: s.metadata?.name ?? refName, uid };
    } else {
      throw newBadRequest(`cannot bind token to object of type ${gv.group}/${gv.version}, Kind=${ref.kind ?? ''}`);
    }
    if (ref.uid && uid !== ref.uid) {
      throw newConflict(
        { group: gv.group, resource: ref.kind ?? '' },
        refName,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
  }

  const max = opts.maxExpirationSeconds ?? 0;
  if (max > 0 && req.spec.expirationSeconds! > max) {
    warnings.push(`requested expiration of ${req.spec.expirationSeconds} seconds shortened to ${max} seconds`);
    req.spec.expirationSeconds = max;
  }
  // The kubelet's projected tokens (3607 s, API server audiences only) live a year but are
  // reported as stale after the requested time, so a too-short refresh is noticed, not fatal.
  let exp = req.spec.expirationSeconds!;
  let warnAfter = 0;
  const kubeAudiences = new Set(opts.audiences);
  if ((opts.extendExpiration ?? true) && pod && exp === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && req.spec.audiences.every((a) => kubeAudiences.has(a))) {
    warnAfter = exp;
    exp = EXPIRATION_EXTENSION_SECONDS;
  }

  let token: string;
  try {
    ({ token } = await opts.issuer.issueBound({
      serviceAccount: { namespace: sa.metadata?.namespace ?? namespace, name: sa.metadata?.name ?? name, uid: sa.metadata?.uid ?? '' },
      pod,
      secret,
      node,
      expirationSeconds: exp,
      warnAfterSeconds: warnAfter,
      audiences: req.spec.audiences,
      now,
    }));
  } catch (e) {
    throw newInternalError(new Error(`failed to generate token: ${e instanceof Error ? e.message : String(e)}`));
  }
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: meta,
    spec: orderedSpec(req.spec),
    status: { token, expirationTimestamp: rfc3339(new Date(now.getTime() + req.spec.expirationSeconds! * 1000)) },
  };
}

/** Reads a bound object; an empty name is a bad request as in upstream's key function. */
async function getBound(store: GenericStore, ctx: RequestContext, name: string): Promise<unknown> {
  if (!name) throw newBadRequest('Name parameter required.');
  return store.get(ctx, name);
}

/**
 * The node of a pod-bound token: from the cache, else a live read; a node that does not exist
 * still puts its name in the token (upstream ServiceAccountTokenPodNodeInfo).
 */
async function podNode(nodes: GenericStore, ctx: RequestContext, nodeName: string): Promise<ObjectRef> {
  const nctx = { ...ctx, namespace: undefined };
  let lastErr: unknown;
  for (const rv of ['0', undefined]) {
    try {
      const n = (await nodes.get(nctx, nodeName, rv)) as Node;
      return { name: nodeName, uid: n.metadata?.uid ?? '' };
    } catch (e) {
      lastErr = e;
    }
  }
  if (lastErr instanceof StatusError && lastErr.code === 404) return { name: nodeName, uid: '' };
  throw newInternalError(lastErr);
}

/** TokenRequestSpec in Go's field order: audiences, expirationSeconds, boundObjectRef. */
function orderedSpec(spec: Request['spec']): Request['spec'] {
  const out: Request['spec'] = { audiences: spec.audiences, expirationSeconds: spec.expirationSeconds };
  if (spec.boundObjectRef) {
    const r = spec.boundObjectRef;
    const ref: DeepMutable<BoundObjectReference> = {};
    if (r.kind) ref.kind = r.kind;
    if (r.apiVersion) ref.apiVersion = r.apiVersion;
    if (r.name) ref.name = r.name;
    if (r.uid) ref.uid = r.uid;
    out.boundObjectRef = ref;
  }
  return out;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
