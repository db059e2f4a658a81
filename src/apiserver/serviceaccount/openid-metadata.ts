// Service account issuer discovery (upstream pkg/serviceaccount/openidmetadata.go and
// pkg/routes/openidmetadata.go): the OIDC provider configuration and the JWKS of the keys that
// verify service account tokens, so relying parties outside the cluster can validate them.

import type { VerificationKey } from './keys.js';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

/** How long clients may cache both documents (upstream: the static key getter's 3600 s). */
const MAX_AGE_SECONDS = 3600;

export interface OpenIDMetadataOptions {
  /** The issuer URL (https, no query or fragment). */
  issuer: string;
  /**
   * --service-account-jwks-uri; when absent `https://<externalAddress>/openid/v1/jwks`, the
   * API server's advertised host:port, as upstream derives it.
   */
  jwksURI?: string;
  /**
   * The API server's host:port, or a function that gives it: a server listening on port 0
   * learns its port only at listen, so the function is read on the first request (never
   * before) and its answer kept.
   */
  externalAddress?: string | (() => string);
  keys: readonly VerificationKey[];
}

/** The minimal response surface the handler writes to (Node's http and http2 responses). */
export interface MetadataResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: string): unknown;
}

export class OpenIDMetadata {
  readonly keysetJSON: string;
  private readonly jwksURI: string | (() => string);
  private readonly algs: string[];
  private readonly issuer: string;
  private config: string | undefined;

  constructor(opts: OpenIDMetadataOptions) {
    let iss: URL;
    try {
      iss = new URL(opts.issuer);
    } catch (e) {
      throw new Error(`invalid issuer URL ${opts.issuer}`, { cause: e });
    }
    if (iss.protocol !== 'https:') throw new Error(`issuer URL must use https scheme, got: ${opts.issuer}`);
    if (iss.search) throw new Error(`issuer URL may not include a query, got: ${opts.issuer}`);
    if (iss.hash) throw new Error(`issuer URL may not include a fragment, got: ${opts.issuer}`);
    const address = opts.externalAddress;
    if (opts.jwksURI) {
      if (new URL(opts.jwksURI).protocol !== 'https:') throw new Error(`jwksURI requires https scheme, parsed as: ${opts.jwksURI}`);
      this.jwksURI = opts.jwksURI;
    } else if (typeof address === 'function') {
      this.jwksURI = () => {
        const a = address();
        if (!a) throw new Error('the external address of the API server is not known yet');
        return `https://${a}${JWKS_PATH}`;
      };
    } else if (address) {
      this.jwksURI = `https://${address}${JWKS_PATH}`;
    } else {
      throw new Error('either the JWKS URI or the default external address, or both, must be set');
    }
    if (opts.keys.length === 0) throw new Error('no keys provided for validating keyset');
    const keys = opts.keys.map(jwkOf);
    this.issuer = opts.issuer;
    this.algs = [...new Set(keys.map((k) => k.alg as string))].sort();
    this.keysetJSON = JSON.stringify({ keys });
  }

  /** The OpenID provider configuration document. */
  get configJSON(): string {
    this.config ??= JSON.stringify({
      issuer: this.issuer,
      jwks_uri: typeof this.jwksURI === 'function' ? this.jwksURI() : this.jwksURI,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: this.algs,
    });
    return this.config;
  }

  /**
   * Answers GET on the two discovery paths; returns false for any other path so the caller
   * goes on routing. Mount after authentication (upstream grants them to authenticated users
   * through the system:service-account-issuer-discovery ClusterRole).
   */
  serve(res: MetadataResponse, path: string, method: string): boolean {
    if (path !== OPENID_CONFIG_PATH && path !== JWKS_PATH) return false;
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed');
      return true;
    }
    const config = path === OPENID_CONFIG_PATH;
    const body = config ? this.configJSON : this.keysetJSON;
    res.writeHead(200, {
      'content-type': config ? 'application/json' : 'application/jwk-set+json',
      'cache-control': `public, max-age=${MAX_AGE_SECONDS}`,
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  }
}

/** A public JWK in go-jose's field order: use, kty, kid, crv, alg, x, y, n, e. */
function jwkOf(k: VerificationKey): Record<string, string> {
  const jwk = k.key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return { use: 'sig', kty: 'RSA', kid: k.kid, alg: k.alg, n: jwk.n!, e: jwk.e! };
  return { use: 'sig', kty: 'EC', kid: k.kid, crv: jwk.crv!, alg: k.alg, x: jwk.x!, y: jwk.y! };
}
