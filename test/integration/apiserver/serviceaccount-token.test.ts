// Service account tokens end to end over HTTPS against an in-process API server: TokenRequest
// through the real subresource dispatch, then the token as a bearer credential, and a 401 once
// the pod it is bound to is deleted.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Registry as MetricsRegistry } from 'prom-client';
import { SqliteBackend, createStorage } from '../../../src/storage/index.js';
import { APIRegistry } from '../../../src/apiserver/registry/index.js';
import { APIServer } from '../../../src/apiserver/server.js';
import { ResourceHandler } from '../../../src/apiserver/endpoints/resource.js';
import { ClientCertAuthenticator, UnionAuthenticator } from '../../../src/apiserver/filters/authentication.js';
import { ServiceAccountTokenAuthenticator } from '../../../src/apiserver/filters/serviceaccount-token.js';
import { serviceAccountTokenHandler } from '../../../src/apiserver/registry/core/serviceaccounts/token.js';
import { TokenIssuer, loadOrCreateServiceAccountKey, storeTokenGetter, DEFAULT_ISSUER } from '../../../src/apiserver/serviceaccount/index.js';
import { printers, defaultPrinter } from '../../../src/apiserver/printers/index.js';
import { createOpenAPIService, schemaValidator } from '../../../src/daemons/openapi.js';
import { createCA, issueCertificate } from '../../../src/util/pki/index.js';
import { nopLogger } from '../../../src/logging/index.js';

let dir = '';
let backend: SqliteBackend;
let server: APIServer;
let port = 0;
let ca = '';
let admin: { certPem: string; keyPem: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-satoken-'));
  backend = new SqliteBackend({ path: join(dir, 'db.sqlite'), logger: nopLogger() });
  await backend.start();
  const storage = createStorage(backend);
  const registry = new APIRegistry({ serviceCIDR: '10.43.0.0/16', storageFor: () => storage });
  const key = await loadOrCreateServiceAccountKey(join(dir, 'tls'), { algorithm: 'ES256' });
  const stores = { serviceAccounts: registry.store('', 'serviceaccounts'), pods: registry.store('', 'pods'), secrets: registry.store('', 'secrets'), nodes: registry.store('', 'nodes') };
  const handler = new ResourceHandler({
    registry,
    printers,
    defaultPrinter,
    schema: schemaValidator(),
    subresources: { 'serviceaccounts/token': serviceAccountTokenHandler({ ...stores, issuer: new TokenIssuer({ key }), audiences: [DEFAULT_ISSUER] }) },
  });
  const serverCA = await createCA({ commonName: 'test-server-ca', validityDays: 1 });
  const clientCA = await createCA({ commonName: 'test-client-ca', validityDays: 1 });
  const serving = await issueCertificate(serverCA, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
  admin = await issueCertificate(clientCA, { commonName: 'system:admin', organizations: ['system:masters'], usages: 'client', validityDays: 1 });
  ca = serverCA.certPem;
  server = new APIServer({
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCA: clientCA.certPem },
    authenticator: new UnionAuthenticator([new ClientCertAuthenticator(), new ServiceAccountTokenAuthenticator({ keys: [key], getter: storeTokenGetter(stores) })]),
    resources: handler,
    openapi: createOpenAPIService(),
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: '', gitTreeState: '', buildDate: '', goVersion: '', compiler: '', platform: '' },
    logger: nopLogger(),
    metrics: new MetricsRegistry(),
    ready: () => true,
  });
  port = await server.start();
});

after(async () => {
  await server?.close();
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

function call(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = https.request({ host: '127.0.0.1', port, method, path, ca, headers, ...(opts.token ? {} : { cert: admin.certPem, key: admin.keyPem }) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

test('kubectl create token → bearer authentication → 401 once the bound pod is gone', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sat' } } })).status, 201);
  assert.equal((await call('POST', '/api/v1/namespaces/sat/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } } })).status, 201);
  const pod = await call('POST', '/api/v1/namespaces/sat/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } } });
  assert.equal(pod.status, 201, JSON.stringify(pod.body));

  const tr = await call('POST', '/api/v1/namespaces/sat/serviceaccounts/robot/token', {
    body: { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { audiences: null, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }, status: { token: '', expirationTimestamp: null } },
  });
  assert.equal(tr.status, 201, JSON.stringify(tr.body));
  const token = tr.body.status.token as string;

  const got = await call('GET', '/api/v1/namespaces/sat/pods/p', { token });
  assert.equal(got.status, 200, JSON.stringify(got.body));

  const bad = await call('GET', '/api/v1/namespaces/sat/pods', { token: `${token.slice(0, -4)}AAAA` });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.message, 'Unauthorized');

  assert.equal((await call('DELETE', '/api/v1/namespaces/sat/pods/p?gracePeriodSeconds=0')).status, 200);
  const gone = await call('GET', '/api/v1/namespaces/sat/serviceaccounts', { token });
  assert.equal(gone.status, 401);

  const short = await call('POST', '/api/v1/namespaces/sat/serviceaccounts/robot/token', { body: { spec: { expirationSeconds: 60 } } });
  assert.equal(short.status, 422);
  assert.equal(short.body.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
});
