import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { OpenIDMetadata } from './openid-metadata.js';
import { testKey } from './testing/fixtures.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';

function recorder() {
  const r = { status: 0, headers: {} as Record<string, string>, body: undefined as string | undefined };
  return {
    r,
    res: {
      writeHead(s: number, h: Record<string, string>) {
        r.status = s;
        r.headers = h;
      },
      end(b?: string) {
        r.body = b;
      },
    },
  };
}

test('the discovery document and the JWKS describe our keys', () => {
  const ec = testKey('ec');
  const rsa = testKey('rsa');
  const meta = new OpenIDMetadata({ issuer: ISS, externalAddress: '127.0.0.1:6443', keys: [ec, rsa] });
  assert.deepEqual(JSON.parse(meta.configJSON), {
    issuer: ISS,
    jwks_uri: 'https://127.0.0.1:6443/openid/v1/jwks',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
  });
  const { keys } = JSON.parse(meta.keysetJSON) as { keys: Record<string, string>[] };
  assert.deepEqual(Object.keys(keys[0]!), ['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
  assert.deepEqual(Object.keys(keys[1]!), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
  assert.equal(keys[0]!.kid, ec.kid);
  assert.equal(keys[1]!.kid, rsa.kid);
  // The published JWK is the same public key.
  const back = createPublicKey({ key: keys[1]! as unknown as import('node:crypto').JsonWebKey, format: 'jwk' });
  assert.ok(back.equals(rsa.key));
});

test('serve answers the two paths with upstream headers and nothing else', () => {
  const meta = new OpenIDMetadata({ issuer: ISS, jwksURI: 'https://example.test/keys', keys: [testKey()] });
  const a = recorder();
  assert.equal(meta.serve(a.res, '/.well-known/openid-configuration', 'GET'), true);
  assert.deepEqual(a.r.headers, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
  assert.equal(JSON.parse(a.r.body!).jwks_uri, 'https://example.test/keys');
  const b = recorder();
  assert.equal(meta.serve(b.res, '/openid/v1/jwks', 'GET'), true);
  assert.equal(b.r.headers['content-type'], 'application/jwk-set+json');
  const c = recorder();
  assert.equal(meta.serve(c.res, '/openid/v1/jwks', 'POST'), true);
  assert.equal(c.r.status, 405);
  assert.equal(meta.serve(recorder().res, '/api', 'GET'), false);
});

test('issuer URLs must be https without query or fragment', () => {
  const keys = [testKey()];
  assert.throws(() => new OpenIDMetadata({ issuer: 'http://x', externalAddress: 'a:1', keys }), /https scheme/);
  assert.throws(() => new OpenIDMetadata({ issuer: 'https://x?a=b', externalAddress: 'a:1', keys }), /query/);
  assert.throws(() => new OpenIDMetadata({ issuer: ISS, keys }), /JWKS URI or the default external address/);
});
