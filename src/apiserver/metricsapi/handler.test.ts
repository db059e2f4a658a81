import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { nopLogger } from '../../logging/index.js';
import { StatusError } from '../../machinery/errors.js';
import { parseRequestInfo } from '../request-info.js';
import { metricsAPIResourceList, metricsAggregatedDiscoveryItem } from './discovery.js';
import { MetricsAPI, usageOf } from './handler.js';
import type { MetricsSummary, NodeMetrics, PodMetrics } from './types.js';

const T = '2025-01-01T00:00:00Z';
const NOW = Date.parse('2025-01-01T00:00:05Z');

const nodes: Node[] = [
  { metadata: { name: 'real-b', labels: { zone: 'b' } } },
  { metadata: { name: 'real-a', labels: { zone: 'a' } } },
  { metadata: { name: 'sim-1', annotations: { 'k8ts.io/simulated': 'true' } } },
  { metadata: { name: 'down' } },
];

const pod = (ns: string, name: string, node: string, phase = 'Running', labels: Record<string, string> = { app: name }): Pod => ({
  metadata: { namespace: ns, name, labels },
  spec: { nodeName: node, containers: [] },
  status: { phase },
});
const pods: Pod[] = [
  pod('default', 'web', 'real-a'),
  pod('default', 'api', 'real-b'),
  pod('kube-system', 'dns', 'real-a'),
  pod('default', 'done', 'real-a', 'Succeeded'),
  pod('default', 'simpod', 'sim-1'),
  pod('default', 'new', 'real-a'),
];

const summary = (node: string, podsOn: MetricsSummary['pods']): MetricsSummary => ({
  node: { nodeName: node, cpu: { time: T, usageNanoCores: 250_000_000 }, memory: { time: T, workingSetBytes: 1024 * 1024 * 1024 } },
  pods: podsOn,
});
const container = (name: string, cpu: number | undefined, mem: number) => ({ name, cpu: { time: T, usageNanoCores: cpu }, memory: { time: T, workingSetBytes: mem } });

function api() {
  const fetched: string[] = [];
  const m = new MetricsAPI({
    listNodes: async () => nodes,
    listPods: async (ns) => pods.filter((p) => !ns || p.metadata?.namespace === ns),
    fetchSummary: async (n) => {
      const name = n.metadata!.name!;
      fetched.push(name);
      if (name === 'real-a')
        return summary(name, [
          { podRef: { name: 'web', namespace: 'default', uid: '1' }, containers: [container('nginx', 1_234_567, 12_345 * 1024), container('sidecar', 1_000_000, 1000)] },
          { podRef: { name: 'dns', namespace: 'kube-system', uid: '2' }, containers: [container('coredns', 0, 2048)] },
          { podRef: { name: 'new', namespace: 'default', uid: '3' }, containers: [container('c', undefined, 2048)] },
        ]);
      if (name === 'real-b') return summary(name, [{ podRef: { name: 'api', namespace: 'default', uid: '4' }, containers: [container('app', 5, 4096)] }]);
      throw new Error('connect ECONNREFUSED');
    },
    logger: nopLogger(),
    now: () => NOW,
  });
  const get = (path: string, q = '') => m.serve(parseRequestInfo('GET', path, new URLSearchParams(q)), new URLSearchParams(q));
  return { m, get, fetched };
}

test('usage quantities are formatted as metrics-server does', () => {
  assert.deepEqual(usageOf(1_234_567, 12_345 * 1024), { cpu: '1234567n', memory: '12345Ki' });
  assert.deepEqual(usageOf(1_000_000, 1000), { cpu: '1m', memory: '1k' });
  assert.deepEqual(usageOf(0, 0), { cpu: '0', memory: '0' });
});

test('nodes: list skips simulated and unreachable nodes, sorted, with labels', async () => {
  const { get, fetched } = api();
  const list = (await get('/apis/metrics.k8s.io/v1beta1/nodes')) as { kind: string; items: NodeMetrics[] };
  assert.equal(list.kind, 'NodeMetricsList');
  assert.deepEqual(list.items.map((n) => n.metadata.name), ['real-a', 'real-b']);
  assert.ok(!fetched.includes('sim-1'), 'simulated nodes are never contacted');
  assert.deepEqual(list.items[0], {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'real-a', creationTimestamp: '2025-01-01T00:00:05Z', labels: { zone: 'a' } },
    timestamp: T,
    window: '10s',
    usage: { cpu: '250m', memory: '1Gi' },
  });
  const sel = (await get('/apis/metrics.k8s.io/v1beta1/nodes', 'labelSelector=zone%3Db')) as { items: NodeMetrics[] };
  assert.deepEqual(sel.items.map((n) => n.metadata.name), ['real-b']);
});

test('nodes: get one; unknown node and node without metrics are NotFound', async () => {
  const { get } = api();
  const n = (await get('/apis/metrics.k8s.io/v1beta1/nodes/real-b')) as NodeMetrics;
  assert.equal(n.usage.cpu, '250m');
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes/nope'), (e: StatusError) => e.code === 404 && e.message === 'node "nope" not found');
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes/sim-1'), (e: StatusError) => e.code === 404 && e.message === 'nodemetrics.metrics.k8s.io "sim-1" not found');
});

test('pods: running pods with complete metrics, per namespace and across namespaces', async () => {
  const { get } = api();
  const ns = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')) as { kind: string; items: PodMetrics[] };
  assert.equal(ns.kind, 'PodMetricsList');
  // done: not Running; simpod: simulated node; new: no CPU rate yet.
  assert.deepEqual(ns.items.map((p) => p.metadata.name), ['api', 'web']);
  const web = ns.items[1]!;
  assert.deepEqual(web, {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2025-01-01T00:00:05Z', labels: { app: 'web' } },
    timestamp: T,
    window: '10s',
    containers: [
      { name: 'nginx', usage: { cpu: '1234567n', memory: '12345Ki' } },
      { name: 'sidecar', usage: { cpu: '1m', memory: '1k' } },
    ],
  });
  const all = (await get('/apis/metrics.k8s.io/v1beta1/pods')) as { items: PodMetrics[] };
  assert.deepEqual(all.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['default/api', 'default/web', 'kube-system/dns']);
  const sel = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', 'labelSelector=app%3Dweb')) as { items: PodMetrics[] };
  assert.deepEqual(sel.items.map((p) => p.metadata.name), ['web']);
  const fsel = (await get('/apis/metrics.k8s.io/v1beta1/pods', 'fieldSelector=metadata.namespace%3Dkube-system')) as { items: PodMetrics[] };
  assert.deepEqual(fsel.items.map((p) => p.metadata.name), ['dns']);
});

test('pods: get one; missing pod and pod without metrics are NotFound; bad requests', async () => {
  const { get } = api();
  const p = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/dns')) as PodMetrics;
  assert.deepEqual(p.containers, [{ name: 'coredns', usage: { cpu: '0', memory: '2Ki' } }]);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope'), (e: StatusError) => e.code === 404 && e.message === 'pod "nope" not found');
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/new'), (e: StatusError) => e.message === 'podmetrics.metrics.k8s.io "default/new" not found');
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', 'labelSelector=%3D%3D'), (e: StatusError) => e.code === 400);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/services'), (e: StatusError) => e.code === 404);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes', 'watch=true'), (e: StatusError) => e.code === 405);
});

test('a kubelet that does not answer in time is left out', async () => {
  const m = new MetricsAPI({
    listNodes: async () => [{ metadata: { name: 'slow' } }],
    listPods: async () => [],
    fetchSummary: (_n, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    logger: nopLogger(),
    summaryTimeoutMs: 20,
  });
  const list = await m.listNodes(undefined, undefined);
  assert.deepEqual(list.items, []);
});

test('handle writes JSON and Status errors', async () => {
  const { m } = api();
  const mk = () => {
    const r = { statusCode: 0, headers: {} as Record<string, unknown>, body: '', headersSent: false, writableEnded: false };
    return Object.assign(r, {
      setHeader: (k: string, v: unknown) => void (r.headers[k] = v),
      writeHead: (c: number, h?: Record<string, unknown>) => {
        r.statusCode = c;
        Object.assign(r.headers, h);
        r.headersSent = true;
      },
      write: (c: string | Buffer) => ((r.body += String(c)), true),
      end: (c?: string | Buffer) => {
        if (c) r.body += String(c);
        r.writableEnded = true;
      },
      on: () => undefined,
      once: () => undefined,
    });
  };
  const ok = mk();
  const path = '/apis/metrics.k8s.io/v1beta1/nodes/real-a';
  await m.handle({ headers: {}, on: () => undefined, socket: undefined }, ok, parseRequestInfo('GET', path, new URLSearchParams()), new URLSearchParams());
  assert.equal(ok.statusCode, 200);
  assert.equal((JSON.parse(ok.body) as NodeMetrics).metadata.name, 'real-a');
  const missing = mk();
  const p2 = '/apis/metrics.k8s.io/v1beta1/nodes/nope';
  await m.handle({ headers: {}, on: () => undefined, socket: undefined }, missing, parseRequestInfo('GET', p2, new URLSearchParams()), new URLSearchParams());
  assert.equal(missing.statusCode, 404);
  assert.equal((JSON.parse(missing.body) as { kind: string; reason: string }).reason, 'NotFound');
});

test('discovery documents list nodes and pods with get and list', () => {
  const rl = metricsAPIResourceList() as { resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] };
  assert.deepEqual(rl.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs.join(',')]), [
    ['nodes', 'NodeMetrics', false, 'get,list'],
    ['pods', 'PodMetrics', true, 'get,list'],
  ]);
  const agg = metricsAggregatedDiscoveryItem() as { metadata: { name: string }; versions: { version: string; resources: { scope: string }[] }[] };
  assert.equal(agg.metadata.name, 'metrics.k8s.io');
  assert.deepEqual(agg.versions[0]!.resources.map((r) => r.scope), ['Cluster', 'Namespaced']);
});
