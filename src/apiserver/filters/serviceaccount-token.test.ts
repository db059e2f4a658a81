import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../machinery/errors.js';
import { TokenIssuer } from '../serviceaccount/issuer.js';
import { MemoryGetter, testKey } from '../serviceaccount/testing/fixtures.js';
import { ServiceAccountTokenAuthenticator, bearerToken } from './serviceaccount-token.js';
import { ClientCertAuthenticator, UnionAuthenticator } from './authentication.js';

const key = testKey();
const ISS = 'https://kubernetes.default.svc.cluster.local';

function setup() {
  const getter = new MemoryGetter();
  getter.serviceAccounts.set('team/builder', { metadata: { name: 'builder', namespace: 'team', uid: 'sa-uid' } });
  getter.pods.set('team/p', { metadata: { name: 'p', namespace: 'team', uid: 'pod-uid' }, spec: { containers: [], serviceAccountName: 'builder' } });
  const issuer = new TokenIssuer({ key, newUUID: () => 'c0ffee' });
  const authn = new ServiceAccountTokenAuthenticator({ keys: [key], getter, issuers: [ISS], audiences: [ISS] });
  return { getter, issuer, authn };
}

const req = (authorization?: string) => ({ headers: { authorization }, socket: undefined });

test('bearerToken reads the scheme case-insensitively and ignores other schemes', () => {
  assert.equal(bearerToken({ authorization: 'Bearer abc' }), 'abc');
  assert.equal(bearerToken({ authorization: '  bearer abc ' }), 'abc');
  assert.equal(bearerToken({ authorization: 'Basic dXNlcjpwYXNz' }), undefined);
  assert.equal(bearerToken({ authorization: 'Bearer' }), undefined);
  assert.equal(bearerToken({ authorization: 'Bearer  abc' }), '');
  assert.equal(bearerToken({}), undefined);
});

test('a valid pod-bound token authenticates as the service account with pod and credential extras', async () => {
  const { issuer, authn } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: { namespace: 'team', name: 'builder', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: '' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  assert.deepEqual(await authn.authenticate(req(`Bearer ${token}`)), {
    name: 'system:serviceaccount:team:builder',
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pod-uid'],
      'authentication.kubernetes.io/credential-id': ['JTI=c0ffee'],
      'authentication.kubernetes.io/node-name': ['n1'],
    },
  });
});

test('no bearer token or a foreign one is left to other authenticators', async () => {
  const { authn } = setup();
  assert.equal(await authn.authenticate(req()), undefined);
  assert.equal(await authn.authenticate(req('Bearer opaque-static-token')), undefined);
});

test('an invalid token of ours is a 401 Unauthorized, the reason kept only as the cause', async () => {
  const { issuer, authn, getter } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: { namespace: 'team', name: 'builder', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  getter.pods.delete('team/p');
  for (const header of [`Bearer ${token}`, 'Bearer  x']) {
    await assert.rejects(authn.authenticate(req(header)), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.deepEqual(e.toStatus(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      assert.ok(e.cause instanceof Error);
      return true;
    });
  }
});

test('beside client certificates in a union: a request without a certificate falls through to the token', async () => {
  const { issuer, authn } = setup();
  const { token } = await issuer.issueBound({ serviceAccount: { namespace: 'team', name: 'builder', uid: 'sa-uid' }, expirationSeconds: 3600, warnAfterSeconds: 0, audiences: [ISS] });
  const union = new UnionAuthenticator([new ClientCertAuthenticator(), authn]);
  const user = await union.authenticate({ headers: { authorization: `Bearer ${token}` }, socket: {}, connection: {} });
  assert.equal(user?.name, 'system:serviceaccount:team:builder');
});
