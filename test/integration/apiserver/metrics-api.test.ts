// metrics.k8s.io and service account issuer discovery mounted in an in-process API server: the
// real `kubectl top pod` / `kubectl top node` find the group through discovery and print what the
// kubelets' summaries say; the OpenID documents are served after authentication with a JWKS URI
// that names the port the server picked at listen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Registry as MetricsRegistry } from 'prom-client';
import { SqliteBackend, createStorage } from '../../../src/storage/index.js';
import { APIRegistry } from '../../../src/apiserver/registry/index.js';
import { APIServer } from '../../../src/apiserver/server.js';
import { ResourceHandler } from '../../../src/apiserver/endpoints/resource.js';
import { ClientCertAuthenticator } from '../../../src/apiserver/filters/authentication.js';
import { MetricsAPI, type MetricsSummary } from '../../../src/apiserver/metricsapi/index.js';
import { OpenIDMetadata, DEFAULT_ISSUER, loadOrCreateServiceAccountKey } from '../../../src/apiserver/serviceaccount/index.js';
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
let kubeconfig = '';
const fetched: string[] = [];

const T = '2025-01-01T00:00:00Z';
const cpu = (nanoCores: number) => ({ time: T, usageNanoCores: nanoCores });
const mem = (bytes: number) => ({ time: T, workingSetBytes: bytes });
const MiB = 1024 * 1024;

/** What the kubelets' /stats/summary would say: node-a runs web (two containers), node-b runs db. */
const SUMMARIES: Record<string, MetricsSummary> = {
  'node-a': {
    node: { nodeName: 'node-a', cpu: cpu(500_000_000), memory: mem(1024 * MiB) },
    pods: [
      {
        podRef: { namespace: 'default', name: 'web', uid: 'u1' },
        containers: [
          { name: 'nginx', cpu: cpu(5_000_000), memory: mem(10 * MiB) },
          { name: 'sidecar', cpu: cpu(2_000_000), memory: mem(3 * MiB) },
        ],
      },
    ],
  },
  'node-b': {
    node: { nodeName: 'node-b', cpu: cpu(1_000_000_000), memory: mem(2048 * MiB) },
    pods: [{ podRef: { namespace: 'default', name: 'db', uid: 'u2' }, containers: [{ name: 'postgres', cpu: cpu(120_000_000), memory: mem(256 * MiB) }] }],
  },
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-metricsapi-'));
  backend = new SqliteBackend({ path: join(dir, 'db.sqlite'), logger: nopLogger() });
  await backend.start();
  const storage = createStorage(backend);
  const registry = new APIRegistry({ serviceCIDR: '10.43.0.0/16', storageFor: () => storage });
  const handler = new ResourceHandler({ registry, printers, defaultPrinter, schema: schemaValidator() });
  const ctx = (namespace: string | undefined) => ({ user: { name: 'system:apiserver', groups: ['system:masters'] }, namespace, dryRun: false });
  const resourceMetrics = new MetricsAPI({
    listNodes: async () => (await registry.store('', 'nodes').list(ctx(undefined), {})).items as Node[],
    listPods: async (ns) => (await registry.store('', 'pods').list(ctx(ns), {})).items as Pod[],
    fetchSummary: async (node) => {
      const name = node.metadata?.name ?? '';
      fetched.push(name);
      const s = SUMMARIES[name];
      if (!s) throw new Error(`no kubelet on ${name}`);
      return s;
    },
    logger: nopLogger(),
  });
  const saKey = await loadOrCreateServiceAccountKey(join(dir, 'tls'), { algorithm: 'ES256' });
  const serverCA = await createCA({ commonName: 'test-server-ca', validityDays: 1 });
  const clientCA = await createCA({ commonName: 'test-client-ca', validityDays: 1 });
  const serving = await issueCertificate(serverCA, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
  admin = await issueCertificate(clientCA, { commonName: 'system:admin', organizations: ['system:masters'], usages: 'client', validityDays: 1 });
  ca = serverCA.certPem;
  // The port is known only after listen: the JWKS URI reads the server's address on first use.
  const openid = new OpenIDMetadata({ issuer: DEFAULT_ISSUER, externalAddress: () => server.externalAddress, keys: [saKey] });
  server = new APIServer({
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCA: clientCA.certPem },
    authenticator: new ClientCertAuthenticator(),
    resources: handler,
    openapi: createOpenAPIService(),
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: '', gitTreeState: '', buildDate: '', goVersion: '', compiler: '', platform: '' },
    logger: nopLogger(),
    metrics: new MetricsRegistry(),
    ready: () => true,
    resourceMetrics,
    openid,
  });
  port = await server.start();

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k8ts', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(ca) } }],
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(admin.certPem), 'client-key-data': b64(admin.keyPem) } }],
      contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'admin', namespace: 'default' } }],
      'current-context': 'k8ts',
    }),
    { mode: 0o600 },
  );

  // Nodes with allocatable (for the % columns), pods bound to them and Running.
  await ok(call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } }), [201, 409]);
  await ok(call('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } }), [201, 409]);
  const nodes: [string, string, string][] = [
    ['node-a', '2', '4Gi'],
    ['node-b', '4', '8Gi'],
    ['node-c', '1', '1Gi'], // registered, but its kubelet does not answer
  ];
  for (const [name, cores, memory] of nodes) {
    await ok(call('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } } }), [201]);
    const status = { capacity: { cpu: cores, memory, pods: '110' }, allocatable: { cpu: cores, memory, pods: '110' } };
    await ok(call('PATCH', `/api/v1/nodes/${name}/status`, { body: { status }, contentType: 'application/merge-patch+json' }), [200]);
  }
  for (const [name, node] of [['web', 'node-a'], ['db', 'node-b']] as const) {
    const containers = name === 'web' ? [{ name: 'nginx', image: 'nginx' }, { name: 'sidecar', image: 'busybox' }] : [{ name: 'postgres', image: 'postgres' }];
    await ok(call('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName: node, containers } } }), [201]);
    await ok(call('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' }), [200]);
  }
});

after(async () => {
  await server?.close();
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function call(method: string, path: string, opts: { body?: unknown; accept?: string; contentType?: string; anonymous?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json', 'content-type': opts.contentType ?? 'application/json' };
    const creds = opts.anonymous ? {} : { cert: admin.certPem, key: admin.keyPem };
    const req = https.request({ host: '127.0.0.1', port, method, path, ca, headers, ...creds }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

async function ok(p: Promise<Reply>, codes: number[]): Promise<Reply> {
  const r = await p;
  assert.ok(codes.includes(r.status), `${r.status}: ${r.text}`);
  return r;
}

async function getJSON<T = Record<string, unknown>>(path: string, accept?: string): Promise<T> {
  const r = await ok(call('GET', path, { accept }), [200]);
  return JSON.parse(r.text) as T;
}

function kubectl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    void mkdtemp(join(dir, 'kubectl-cache-')).then((cacheDir) => {
      const child = spawn('kubectl', [...args, '--kubeconfig', kubeconfig, '--cache-dir', cacheDir], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    }, reject);
  });
}

/** A kubectl table as rows of cells (columns are separated by at least two spaces). */
function table(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

test('discovery lists metrics.k8s.io/v1beta1 in every form', async () => {
  const groups = await getJSON<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>('/apis');
  const last = groups.groups.at(-1)!;
  assert.equal(last.name, 'metrics.k8s.io', 'listed after the built-in groups');
  assert.equal(last.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
  assert.equal(groups.groups.filter((g) => g.name === 'metrics.k8s.io').length, 1);
  const group = await getJSON('/apis/metrics.k8s.io');
  assert.equal(group.kind, 'APIGroup');
  assert.deepEqual(group.versions, [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }]);
  const rl = await getJSON<{ kind: string; groupVersion: string; resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] }>('/apis/metrics.k8s.io/v1beta1');
  assert.equal(rl.kind, 'APIResourceList');
  assert.equal(rl.groupVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual(rl.resources.map((r) => [r.name, r.namespaced, r.kind, r.verbs.join(',')]), [
    ['nodes', false, 'NodeMetrics', 'get,list'],
    ['pods', true, 'PodMetrics', 'get,list'],
  ]);
  assert.equal((await call('GET', '/apis/metrics.k8s.io/v1')).status, 404);
  for (const v of ['v2', 'v2beta1']) {
    const accept = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList,application/json`;
    const r = await ok(call('GET', '/apis', { accept }), [200]);
    assert.equal(r.headers['content-type'], `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
    const agg = JSON.parse(r.text) as { apiVersion: string; items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; verbs: string[] }[] }[] }[] };
    assert.equal(agg.apiVersion, `apidiscovery.k8s.io/${v}`);
    const item = agg.items.find((i) => i.metadata.name === 'metrics.k8s.io');
    assert.ok(item, `aggregated ${v} lists metrics.k8s.io`);
    assert.deepEqual(item.versions[0]!.resources.map((x) => [x.resource, x.scope, x.verbs.join(',')]), [
      ['nodes', 'Cluster', 'get,list'],
      ['pods', 'Namespaced', 'get,list'],
    ]);
    // The core document is untouched.
    const core = JSON.parse((await ok(call('GET', '/api', { accept }), [200])).text) as { items: { versions: { resources: { resource: string }[] }[] }[] };
    assert.ok(!JSON.stringify(core).includes('metrics.k8s.io'));
  }
});

test('metrics.k8s.io answers after authentication, and only get and list', async () => {
  const anon = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes', { anonymous: true });
  assert.equal(anon.status, 401);
  const list = await getJSON<{ kind: string; items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[] }>('/apis/metrics.k8s.io/v1beta1/nodes');
  assert.equal(list.kind, 'NodeMetricsList');
  assert.deepEqual(list.items.map((n) => [n.metadata.name, n.usage.cpu, n.usage.memory]), [
    ['node-a', '500m', '1Gi'],
    ['node-b', '1', '2Gi'],
  ]);
  const del = await call('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/node-a');
  assert.equal(del.status, 405);
  assert.equal((JSON.parse(del.text) as { kind: string }).kind, 'Status');
});

test('kubectl top pod prints the pods\' usage', async () => {
  const r = await kubectl(['top', 'pod']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(table(r.stdout), [
    ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ['db', '120m', '256Mi'],
    ['web', '7m', '13Mi'],
  ]);
  const containers = await kubectl(['top', 'pod', 'web', '--containers']);
  assert.equal(containers.code, 0, containers.stderr);
  assert.deepEqual(table(containers.stdout), [
    ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ['web', 'nginx', '5m', '10Mi'],
    ['web', 'sidecar', '2m', '3Mi'],
  ]);
});

test('kubectl top node prints usage against allocatable', async () => {
  const r = await kubectl(['top', 'node']);
  assert.equal(r.code, 0, r.stderr);
  const rows = table(r.stdout);
  assert.deepEqual(rows[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
  // kubectl 1.32 spells the percentage columns CPU(%) and MEMORY(%). 500m of 2 cores, 1Gi of 4Gi;
  // 1 core of 4, 2Gi of 8Gi; node-c has no metrics.
  assert.deepEqual(rows.slice(1), [
    ['node-a', '500m', '25%', '1024Mi', '25%'],
    ['node-b', '1000m', '25%', '2048Mi', '25%'],
    ['node-c', '<unknown>', '<unknown>', '<unknown>', '<unknown>'],
  ]);
  assert.ok(fetched.includes('node-c'), 'the unreachable node was asked and left out');
});

test('service account issuer discovery: OpenID configuration and JWKS', async () => {
  assert.equal((await call('GET', '/.well-known/openid-configuration', { anonymous: true })).status, 401);
  const cfg = await ok(call('GET', '/.well-known/openid-configuration'), [200]);
  assert.equal(cfg.headers['content-type'], 'application/json');
  assert.equal(cfg.headers['cache-control'], 'public, max-age=3600');
  assert.deepEqual(JSON.parse(cfg.text), {
    issuer: DEFAULT_ISSUER,
    jwks_uri: `https://127.0.0.1:${port}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  });
  const jwks = await ok(call('GET', '/openid/v1/jwks'), [200]);
  assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
  const keys = (JSON.parse(jwks.text) as { keys: { kty: string; alg: string; use: string; crv: string }[] }).keys;
  assert.deepEqual(keys.map((k) => [k.kty, k.alg, k.use, k.crv]), [['EC', 'ES256', 'sig', 'P-256']]);
  assert.equal((await call('POST', '/openid/v1/jwks', { body: {} })).status, 405);
  // Neighbouring paths are not theirs.
  assert.equal((await call('GET', '/openid/v1/jwks/extra')).status, 404);
});
