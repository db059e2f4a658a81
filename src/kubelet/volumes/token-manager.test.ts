import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { SERVICEACCOUNTS } from '../../client/resources.js';
import { nopLogger } from '../../logging/index.js';
import { TokenManager } from './token-manager.js';
import { TokenClient } from './testing/token-client.js';

const T0 = Date.UTC(2026, 0, 1);

function setup(expirationSeconds = 3600) {
  let clock = T0;
  let seq = 0;
  let fail: Error | undefined;
  const fake = new FakeClient(() => clock);
  fake.seed(SERVICEACCOUNTS, { metadata: { namespace: 'ns', name: 'default' } });
  const client = new TokenClient(fake, (_ns, _name, req) => {
    if (fail) throw fail;
    const secs = req.spec.expirationSeconds ?? expirationSeconds;
    return { ...req, spec: { ...req.spec, expirationSeconds: secs }, status: { token: `tok-${++seq}`, expirationTimestamp: new Date(clock + secs * 1000).toISOString() } };
  });
  const tm = new TokenManager({ client, logger: nopLogger(), now: () => clock, random: () => 0 });
  const spec = (uid = 'u1'): TokenRequest['spec'] => ({ audiences: [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid } });
  return {
    tm,
    client,
    spec,
    advance: (ms: number) => (clock += ms),
    setFail: (e: Error | undefined) => (fail = e),
  };
}

describe('TokenManager', () => {
  it('caches a token until 80% of its lifetime has passed', async () => {
    const s = setup(3600);
    const t1 = await s.tm.getServiceAccountToken('ns', 'default', s.spec());
    assert.equal(t1.status?.token, 'tok-1');
    assert.equal(s.client.requests[0]!.request.spec.boundObjectRef?.uid, 'u1');
    s.advance(2879_000); // just under 80% of 3600 s
    assert.equal((await s.tm.getServiceAccountToken('ns', 'default', s.spec())).status?.token, 'tok-1');
    s.advance(2_000);
    assert.equal((await s.tm.getServiceAccountToken('ns', 'default', s.spec())).status?.token, 'tok-2');
    assert.equal(s.client.requests.length, 2);
  });

  it('refreshes long-lived tokens after 24 hours', async () => {
    const s = setup(7 * 24 * 3600);
    await s.tm.getServiceAccountToken('ns', 'default', s.spec());
    s.advance(24 * 3600_000 - 1000);
    assert.equal((await s.tm.getServiceAccountToken('ns', 'default', s.spec())).status?.token, 'tok-1');
    s.advance(2000);
    assert.equal((await s.tm.getServiceAccountToken('ns', 'default', s.spec())).status?.token, 'tok-2');
  });

  it('keys tokens by bound pod and forgets a pod', async () => {
    const s = setup();
    await s.tm.getServiceAccountToken('ns', 'default', s.spec('u1'));
    const other = await s.tm.getServiceAccountToken('ns', 'default', s.spec('u2'));
    assert.equal(other.status?.token, 'tok-2');
    assert.equal(s.tm.size, 2);
    s.tm.deleteServiceAccountToken('u1');
    assert.equal(s.tm.size, 1);
  });

  it('serves the cached token when a refresh fails, until it expires', async () => {
    const s = setup(3600);
    await s.tm.getServiceAccountToken('ns', 'default', s.spec());
    s.advance(3000_000);
    s.setFail(new Error('boom'));
    assert.equal((await s.tm.getServiceAccountToken('ns', 'default', s.spec())).status?.token, 'tok-1');
    s.advance(700_000);
    await assert.rejects(s.tm.getServiceAccountToken('ns', 'default', s.spec()), { message: 'failed to fetch token: boom' });
  });

  it('reports a first failure as upstream does', async () => {
    const s = setup();
    await assert.rejects(s.tm.getServiceAccountToken('ns', 'missing', s.spec()), { message: 'failed to fetch token: serviceaccounts "missing" not found' });
  });
});
