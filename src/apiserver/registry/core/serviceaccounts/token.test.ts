import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { StatusError, newNotFound } from '../../../../machinery/errors.js';
import type { HandlerContext } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { TokenIssuer } from '../../../serviceaccount/issuer.js';
import { TokenValidator } from '../../../serviceaccount/validator.js';
import { MemoryGetter, testKey } from '../../../serviceaccount/testing/fixtures.js';
import { serviceAccountTokenHandler } from './token.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const T0 = new Date('2026-03-01T10:00:00.250Z');
const key = testKey();

/** A store answering `get` from a map keyed `namespace/name` (cluster-scoped: `/name`). */
function store(resource: string, objects: Map<string, unknown>): GenericStore {
  return {
    get: async (ctx: { namespace: string | undefined }, name: string) => {
      const o = objects.get(`${ctx.namespace ?? ''}/${name}`);
      if (!o) throw newNotFound({ group: '', resource }, name);
      return structuredClone(o);
    },
  } as unknown as GenericStore;
}

function setup() {
  const sas = new Map<string, unknown>([['ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-uid' } }]]);
  const pods = new Map<string, unknown>([
    ['ns/p', { metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid' }, spec: { serviceAccountName: 'sa', nodeName: 'n1' } }],
    ['ns/other', { metadata: { name: 'other', namespace: 'ns', uid: 'o-uid' }, spec: { serviceAccountName: 'default' } }],
    ['ns/lost', { metadata: { name: 'lost', namespace: 'ns', uid: 'l-uid' }, spec: { serviceAccountName: 'sa', nodeName: 'gone' } }],
  ]);
  const secrets = new Map<string, unknown>([['ns/s', { metadata: { name: 's', namespace: 'ns', uid: 'secret-uid' } }]]);
  const nodes = new Map<string, unknown>([['/n1', { metadata: { name: 'n1', uid: 'node-uid' } }]]);
  const handler = serviceAccountTokenHandler({
    serviceAccounts: store('serviceaccounts', sas),
    pods: store('pods', pods),
    secrets: store('secrets', secrets),
    nodes: store('nodes', nodes),
    issuer: new TokenIssuer({ key, newUUID: () => 'id-1' }),
    audiences: [ISS],
    now: () => T0,
  });
  return { handler, sas };
}

interface Answer {
  code: number;
  body: Record<string, any>;
  headers: Record<string, unknown>;
}

async function call(handler: ReturnType<typeof serviceAccountTokenHandler>, body: unknown, opts: { name?: string; verb?: string } = {}): Promise<Answer> {
  const out: Answer = { code: 0, body: {}, headers: {} };
  const res = {
    headersSent: false,
    writeHead(code: number, headers: Record<string, unknown>) {
      out.code = code;
      out.headers = headers;
    },
    end(text: string) {
      out.body = JSON.parse(text) as Record<string, any>;
    },
  };
  const hc = {
    req: { headers: { 'content-type': 'application/json' } },
    res,
    ri: { verb: opts.verb ?? 'create', namespace: 'ns', name: opts.name ?? 'sa', resource: 'serviceaccounts', subresource: 'token' },
    readBody: async () => JSON.stringify(body),
    requestContext: () => ({ user: { name: 'u', groups: [] }, namespace: 'ns', dryRun: false, warnings: [] }),
  } as unknown as HandlerContext;
  try {
    await handler.handle(hc);
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return { code: e.code, body: e.toStatus() as unknown as Record<string, any>, headers: {} };
  }
  return out;
}

/** What `kubectl create token sa` sends (no --duration: expirationSeconds absent). */
const kubectlBody = (spec: Record<string, unknown> = {}) => ({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { audiences: null, boundObjectRef: null, ...spec }, status: { token: '', expirationTimestamp: null } });

function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

test('kubectl create token: defaults to one hour and the API server audiences; 201 with the token', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody());
  assert.equal(a.code, 201);
  const { token, ...status } = a.body.status as { token: string; expirationTimestamp: string };
  assert.deepEqual({ ...a.body, status }, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: '2026-03-01T10:00:00Z', name: 'sa', namespace: 'ns' },
    spec: { audiences: [ISS], expirationSeconds: 3600 },
    status: { expirationTimestamp: '2026-03-01T11:00:00Z' },
  });
  const c = claims(token);
  assert.equal(c.exp - c.iat, 3600);
  assert.equal(c.sub, 'system:serviceaccount:ns:sa');
  assert.deepEqual(c['kubernetes.io'], { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' } });
  // The token authenticates (the validator sees the same service account).
  const getter = new MemoryGetter();
  getter.serviceAccounts.set('ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-uid' } });
  const info = await new TokenValidator({ keys: [key], getter, now: () => T0 }).validate(token);
  assert.equal(info?.name, 'sa');
});

test('--duration and --audience are honoured', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody({ expirationSeconds: 7200, audiences: ['vault'] }));
  assert.equal(a.code, 201);
  assert.deepEqual(a.body.spec, { audiences: ['vault'], expirationSeconds: 7200 });
  assert.deepEqual(claims(a.body.status.token).aud, ['vault']);
});

test('a duration under ten minutes is 422 Invalid with upstream wording', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody({ expirationSeconds: 300 }));
  assert.equal(a.code, 422);
  assert.equal(a.body.reason, 'Invalid');
  assert.equal(a.body.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
  assert.deepEqual(a.body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 300: may not specify a duration less than 10 minutes', field: 'spec.expirationSeconds' }]);
  const big = await call(handler, kubectlBody({ expirationSeconds: 2 ** 32 + 1 }));
  assert.match(big.body.message, /may not specify a duration larger than 2\^32 seconds/);
});

test('a missing service account is 404; a mismatched metadata.name is 422', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody(), { name: 'nobody' });
  assert.equal(a.code, 404);
  assert.equal(a.body.message, 'serviceaccounts "nobody" not found');
  const b = await call(handler, { ...kubectlBody(), metadata: { name: 'x' } });
  assert.equal(b.code, 422);
  assert.equal(b.body.message, 'TokenRequest.authentication.k8s.io "sa" is invalid: metadata.name: Invalid value: "x": must match the service account name if specified');
});

test('a pod-bound token carries the pod and its node; checks as upstream', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }));
  assert.equal(a.code, 201);
  assert.deepEqual(a.body.spec.boundObjectRef, { kind: 'Pod', apiVersion: 'v1', name: 'p' });
  assert.deepEqual(claims(a.body.status.token)['kubernetes.io'], {
    namespace: 'ns',
    node: { name: 'n1', uid: 'node-uid' },
    pod: { name: 'p', uid: 'pod-uid' },
    serviceaccount: { name: 'sa', uid: 'sa-uid' },
  });
  const lost = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'lost' } }));
  assert.deepEqual(claims(lost.body.status.token)['kubernetes.io'].node, { name: 'gone', uid: '' }, 'a missing node still names itself');

  const missing = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }));
  assert.equal(missing.code, 404);
  assert.equal(missing.body.message, 'pods "nope" not found');
  const uid = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'old' } }));
  assert.equal(uid.code, 409);
  assert.equal(uid.body.message, 'Operation cannot be fulfilled on Pod "p": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated');
  const other = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } }));
  assert.equal(other.code, 400);
  assert.equal(other.body.message, 'cannot bind token for serviceaccount "sa" to pod running with different serviceaccount name.');
});

test('secret- and node-bound tokens; other kinds are refused', async () => {
  const { handler } = setup();
  const s = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's' } }));
  assert.deepEqual(claims(s.body.status.token)['kubernetes.io'].secret, { name: 's', uid: 'secret-uid' });
  const n = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n1', uid: 'node-uid' } }));
  assert.deepEqual(claims(n.body.status.token)['kubernetes.io'].node, { name: 'n1', uid: 'node-uid' });
  const nn = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n9' } }));
  assert.equal(nn.body.message, 'nodes "n9" not found');
  const cm = await call(handler, kubectlBody({ boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } }));
  assert.equal(cm.code, 400);
  assert.equal(cm.body.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
  const dep = await call(handler, kubectlBody({ boundObjectRef: { kind: 'Pod', apiVersion: 'apps/v1', name: 'p' } }));
  assert.equal(dep.body.message, 'cannot bind token to object of type apps/v1, Kind=Pod');
});

test("the kubelet's 3607 s pod tokens are extended to a year with warnafter", async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody({ expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }));
  const c = claims(a.body.status.token);
  assert.equal(c.exp - c.iat, 365 * 24 * 3600);
  assert.equal(c['kubernetes.io'].warnafter, c.iat + 3607);
  assert.equal(a.body.status.expirationTimestamp, '2026-03-01T11:00:07Z', 'status reports the requested lifetime');
  const foreign = await call(handler, kubectlBody({ expirationSeconds: 3607, audiences: ['vault'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }));
  const f = claims(foreign.body.status.token);
  assert.equal(f.exp - f.iat, 3607, 'not extended for other audiences');
});

test('only create is served', async () => {
  const { handler } = setup();
  const a = await call(handler, kubectlBody(), { verb: 'get' });
  assert.equal(a.code, 405);
});
