import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import type { ServiceAccountInfo } from './claims.js';
import { TokenIssuer } from './issuer.js';
import { InvalidTokenError, LEGACY_TOKEN_INVALID_SINCE_LABEL, TokenValidator } from './validator.js';
import { MemoryGetter, testKey } from './testing/fixtures.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const T0 = new Date('2026-01-01T00:00:00Z');
const key = testKey();

function setup(clock = { now: T0 }) {
  const getter = new MemoryGetter();
  getter.serviceAccounts.set('ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-uid' } });
  getter.pods.set('ns/p', { metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid' }, spec: { containers: [], serviceAccountName: 'sa', nodeName: 'n1' } });
  getter.nodes.set('n1', { metadata: { name: 'n1', uid: 'node-uid' } });
  getter.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns', uid: 'secret-uid' } });
  const issuer = new TokenIssuer({ key, now: () => clock.now, newUUID: () => 'jti-1' });
  const validator = new TokenValidator({ keys: [key], getter, now: () => clock.now });
  const sa = { namespace: 'ns', name: 'sa', uid: 'sa-uid' };
  return { getter, issuer, validator, sa, clock };
}

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function rejects(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InvalidTokenError, String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('a pod-bound token carries upstream claims and validates to the service account', async () => {
  const { issuer, validator, sa } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: sa, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as unknown;
  assert.deepEqual(header, { alg: 'ES256', kid: key.kid });
  const t0 = T0.getTime() / 1000;
  const claims = payload(token);
  assert.deepEqual(Object.keys(claims), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
  assert.deepEqual(claims, {
    aud: [ISS],
    exp: t0 + 3600,
    iat: t0,
    iss: ISS,
    jti: 'jti-1',
    'kubernetes.io': { namespace: 'ns', node: { name: 'n1', uid: 'node-uid' }, pod: { name: 'p', uid: 'pod-uid' }, serviceaccount: { name: 'sa', uid: 'sa-uid' } },
    nbf: t0,
    sub: 'system:serviceaccount:ns:sa',
  });
  const info = await validator.validate(token);
  assert.deepEqual(info, { namespace: 'ns', name: 'sa', uid: 'sa-uid', podName: 'p', podUID: 'pod-uid', nodeName: 'n1', nodeUID: 'node-uid', credentialID: 'JTI=jti-1' } satisfies ServiceAccountInfo);
});

test('expiry, not-before and issued-in-the-future use a 60 s leeway', async () => {
  const { issuer, validator, sa, clock } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: sa, expirationSeconds: 600, warnAfterSeconds: 0, audiences: [ISS] });
  clock.now = new Date(T0.getTime() + 659_000);
  assert.ok(await validator.validate(token), 'within the leeway after exp');
  clock.now = new Date(T0.getTime() + 661_000);
  await rejects(validator.validate(token), 'service account token has expired');
  clock.now = new Date(T0.getTime() - 61_000);
  await rejects(validator.validate(token), 'service account token is not valid yet');
  const future = await issuer.sign({ ...payload(token), nbf: undefined, iat: T0.getTime() / 1000 + 120 });
  clock.now = T0;
  await rejects(validator.validate(future), 'service account token is issued in the future');
});

test('audiences must meet the API server audiences', async () => {
  const { issuer, validator, sa } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: sa, expirationSeconds: 600, warnAfterSeconds: 0, audiences: ['vault', 'other'] });
  await rejects(validator.validate(token), `token audiences ["vault" "other"] is invalid for the target audiences ["${ISS}"]`);
  assert.ok(await validator.validate(token, ['vault']), 'valid for a caller that asks for its audience');
});

test('tokens of other issuers or not JWTs are not ours; bad signatures are invalid', async () => {
  const { issuer, validator, sa, getter } = setup();
  const other = new TokenIssuer({ key, issuer: 'https://elsewhere.example' });
  const { token: foreign } = await other.issueBound({ serviceAccount: sa, expirationSeconds: 600, warnAfterSeconds: 0, audiences: [ISS] });
  assert.equal(await validator.validate(foreign), undefined);
  assert.equal(await validator.validate('not-a-jwt'), undefined);
  assert.equal(await validator.validate('{"iss":"x"}.a.b'), undefined);

  const { token } = await issuer.issueBound({ serviceAccount: sa, expirationSeconds: 600, warnAfterSeconds: 0, audiences: [ISS] });
  const otherKey = testKey();
  const stranger = new TokenValidator({ keys: [{ ...otherKey, kid: key.kid }], getter, now: () => T0 });
  await rejects(stranger.validate(token), /signature verification failed/);
  const noKid = new TokenValidator({ keys: [otherKey], getter, now: () => T0 });
  await rejects(noKid.validate(token), 'invalid signature, no keys found');
  const [h, p, s] = token.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload(token), sub: 'system:serviceaccount:ns:admin' })).toString('base64url')}.${s}`;
  assert.notEqual(tampered, `${h}.${p}.${s}`);
  await rejects(validator.validate(tampered), /signature verification failed/);
});

test('a token dies with its pod, its service account or a changed uid', async () => {
  const { issuer, validator, sa, getter, clock } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: sa, pod: { name: 'p', uid: 'pod-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  const pod = getter.pods.get('ns/p')!;

  // Being deleted, within the leeway: still valid; deleted longer ago: invalid.
  getter.pods.set('ns/p', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(T0.getTime() - 30_000).toISOString() } });
  assert.ok(await validator.validate(token));
  clock.now = new Date(T0.getTime() + 60_000);
  await rejects(validator.validate(token), 'service account token has been invalidated');
  clock.now = T0;

  getter.pods.set('ns/p', { ...pod, metadata: { ...pod.metadata, uid: 'pod-uid-2' } });
  await rejects(validator.validate(token), 'pod UID (pod-uid-2) does not match service account pod ref claim (pod-uid)');
  getter.pods.delete('ns/p');
  await rejects(validator.validate(token), 'service account token has been invalidated');
  getter.pods.set('ns/p', pod);
  assert.ok(await validator.validate(token));

  getter.serviceAccounts.set('ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-uid-2' } });
  await rejects(validator.validate(token), 'service account UID (sa-uid-2) does not match claim (sa-uid)');
  getter.serviceAccounts.delete('ns/sa');
  await rejects(validator.validate(token), 'serviceaccounts "sa" not found');
});

test('secret- and node-bound tokens check their object', async () => {
  const { issuer, validator, sa, getter } = setup();
  const { token: st } = await issuer.issueBound({ serviceAccount: sa, secret: { name: 's', uid: 'secret-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  assert.deepEqual(await validator.validate(st), { namespace: 'ns', name: 'sa', uid: 'sa-uid', credentialID: 'JTI=jti-1' });
  getter.secrets.delete('ns/s');
  await rejects(validator.validate(st), 'service account token has been invalidated');

  const { token: nt } = await issuer.issueBound({ serviceAccount: sa, node: { name: 'n1', uid: 'node-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  assert.equal(payload(nt)['kubernetes.io'] && (payload(nt)['kubernetes.io'] as { node?: unknown }).node !== undefined, true);
  assert.equal((await validator.validate(nt))?.nodeName, 'n1');
  getter.nodes.set('n1', { metadata: { name: 'n1', uid: 'other' } });
  await rejects(validator.validate(nt), 'node UID (other) does not match service account node ref claim (node-uid)');
});

test('warnafter is set for extended tokens', async () => {
  const { issuer, sa } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: sa, pod: { name: 'p', uid: 'pod-uid' }, expirationSeconds: 31536000, warnAfterSeconds: 3607, audiences: [ISS] });
  assert.equal((payload(token)['kubernetes.io'] as { warnafter?: number }).warnafter, T0.getTime() / 1000 + 3607);
});

test('legacy Secret-based tokens must match the Secret that holds them', async () => {
  const { issuer, validator, sa, getter } = setup();
  const token = await issuer.issueLegacy(sa, 'sa-token');
  assert.deepEqual(payload(token), {
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': 'ns',
    'kubernetes.io/serviceaccount/secret.name': 'sa-token',
    'kubernetes.io/serviceaccount/service-account.name': 'sa',
    'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
    sub: 'system:serviceaccount:ns:sa',
  });
  await rejects(validator.validate(token), 'token has been invalidated');
  const secret = { metadata: { name: 'sa-token', namespace: 'ns', uid: 'x' }, type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(token).toString('base64') } };
  getter.secrets.set('ns/sa-token', secret);
  assert.deepEqual(await validator.validate(token), { namespace: 'ns', name: 'sa', uid: 'sa-uid' });
  getter.secrets.set('ns/sa-token', { ...secret, data: { token: Buffer.from('other').toString('base64') } });
  await rejects(validator.validate(token), "token does not match server's copy");
  getter.secrets.set('ns/sa-token', { ...secret, metadata: { ...secret.metadata, labels: { [LEGACY_TOKEN_INVALID_SINCE_LABEL]: '2025-01-01' } } });
  await rejects(validator.validate(token), 'token has been invalidated');
  const off = new TokenValidator({ keys: [key], getter, legacy: false });
  assert.equal(await off.validate(token), undefined);
});
