// Control-plane benchmarks on simulated nodes (issue 4), each a scenario of its own server:
//
//   scheduler  5,000 simulated nodes; 10,000 pods created as fast as 64 clients can: pods
//              scheduled and bound per second (target ≥ 1,000/s) and the scheduler's p99 per
//              scheduling attempt (target ≤ 15 ms, from the server's /metrics).
//   rollout    a Deployment of 10,000 replicas on 1,000 simulated nodes: time until every pod
//              is Running (target ≤ 30 s).
//   heartbeat  5,000 simulated nodes heartbeating every 10 s: p99 of ConfigMap creates at 50/s
//              (target ≤ 100 ms) and the server's CPU at rest (target ≤ 50 % of one core).
//
//   node --import tsx bench/controlplane.ts [scheduler|rollout|heartbeat]…
//   (env: K8TS_BENCH_NODES, K8TS_BENCH_PODS override the sizes)
//
// The simulated nodes run in a process of their own by default (lib/fleet.ts), as upstream
// loads a control plane with kubemark or kwok: the server's CPU then counts the control plane
// and not the 5,000 kubelets. K8TS_BENCH_SIMULATED=server runs them on the server's components
// thread instead (`k8ts server --simulated-nodes N`). Each table says which it measured.

import { H2Client, expectStatus } from './lib/client.js';
import { configMapBody, namespaceBody } from './lib/objects.js';
import { describeRequestDelta, requestCounts } from './lib/metrics.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { withFleet, type SimulatedFleet } from './lib/fleet.js';
import { CPU_LABEL, CpuMeter, describeCpu, rssMiB, settlesWithin, sleep, withServer, type BenchServer } from './lib/server.js';
import { watch } from './lib/watch.js';

const CONCURRENCY = 64;
/** Room for 32,768 node /24s (the default 10.42.0.0/16 holds 256 nodes, as upstream's would). */
const WIDE_CLUSTER_CIDR = '10.128.0.0/9';

/** Where the simulated nodes run: `process` (a fleet process of their own) or `server`. */
const SIMULATED = process.env.K8TS_BENCH_SIMULATED ?? 'process';
if (SIMULATED !== 'process' && SIMULATED !== 'server') throw new Error(`K8TS_BENCH_SIMULATED must be process or server, not ${SIMULATED}`);

interface Cluster {
  server: BenchServer;
  /** The simulated nodes' own process, when they do not run in the server. */
  fleet?: SimulatedFleet;
  /** For table titles: where the simulated nodes ran. */
  where: string;
}

/** Runs fn against a fresh server with `nodes` simulated nodes (registered, maybe not yet Ready). */
async function withCluster(nodes: number, fn: (cluster: Cluster) => Promise<void>): Promise<void> {
  if (SIMULATED === 'server') {
    await withServer((server) => fn({ server, where: 'simulated nodes in the server' }), {
      serverFlags: ['--simulated-nodes', String(nodes), '--cluster-cidr', WIDE_CLUSTER_CIDR],
      timeoutMs: 120_000,
    });
    return;
  }
  await withServer((server) => withFleet(server, nodes, (fleet) => fn({ server, fleet, where: 'simulated nodes in a process of their own' })), {
    serverFlags: ['--disable-agent', '--cluster-cidr', WIDE_CLUSTER_CIDR],
    timeoutMs: 120_000,
  });
}

function podJson(ns: string, name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] },
  });
}

/** Waits until `want` nodes exist and are Ready with a pod CIDR; returns the seconds it took. */
async function waitForNodes(client: H2Client, want: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const res = await client.request('GET', '/api/v1/nodes?resourceVersion=0');
    expectStatus(res, 200, 'list nodes');
    const nodes = (JSON.parse(res.body.toString('utf8')) as { items: { spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } }[] }).items;
    const ready = nodes.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= want) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`only ${ready}/${want} nodes Ready with a pod CIDR after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** The scheduler's attempt-latency quantiles from /metrics (a prom-client Summary). */
async function schedulerQuantiles(client: H2Client): Promise<Map<string, number>> {
  const res = await client.request('GET', '/metrics', { accept: 'text/plain' });
  expectStatus(res, 200, '/metrics');
  const out = new Map<string, number>();
  for (const m of res.body.toString('utf8').matchAll(/^k8ts_scheduler_attempt_duration_seconds\{quantile="([\d.]+)"[^}]*\} ([\d.e+-]+|NaN)$/gm)) out.set(m[1]!, Number(m[2]) * 1000);
  return out;
}

async function schedulerScenario({ server, where }: Cluster, nodes: number, podCount: number): Promise<void> {
  const client = await H2Client.connect(server.credentials, 4);
  const watcher = await H2Client.connect(server.credentials, 1);
  const nodeSecs = await waitForNodes(client, nodes, 300_000);
  expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody('sched') }), 201, 'namespace');
  let bound = 0;
  let tAllBound = 0;
  const boundNames = new Set<string>();
  let done!: () => void;
  const allBound = new Promise<void>((r) => (done = r));
  const list = await client.request('GET', '/api/v1/namespaces/sched/pods');
  const rv = (JSON.parse(list.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const seen: Record<string, number> = {};
  const w = watch(watcher, `/api/v1/namespaces/sched/pods?watch=1&resourceVersion=${rv}`, (type, obj) => {
    seen[type] = (seen[type] ?? 0) + 1;
    const meta = obj.metadata as { name: string };
    if (type === 'MODIFIED' && (obj.spec as { nodeName?: string }).nodeName && !boundNames.has(meta.name)) {
      boundNames.add(meta.name);
      if (++bound === podCount) {
        tAllBound = performance.now();
        done();
      }
    }
  });
  await w.opened;
  const requestsBefore = await requestCounts(client);
  const cpu = new CpuMeter(server.pid);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < podCount; i = next++) {
        const name = `p-${String(i).padStart(5, '0')}`;
        expectStatus(await client.request('POST', '/api/v1/namespaces/sched/pods', { body: podJson('sched', name) }), 201, `create ${name}`);
      }
    }),
  );
  const tCreated = performance.now();
  const BIND_TIMEOUT_MS = Number(process.env.K8TS_BENCH_TIMEOUT_MS ?? 300_000);
  const timedOut = !(await settlesWithin(allBound, BIND_TIMEOUT_MS));
  if (timedOut) {
    const metrics = (await client.request('GET', '/metrics', { accept: 'text/plain' })).body.toString('utf8');
    const sched = metrics.split('\n').filter((l) => l.startsWith('scheduler_') || l.startsWith('k8ts_scheduler')).join('\n');
    throw new Error(`only ${bound}/${podCount} pods bound after ${BIND_TIMEOUT_MS} ms (watch events: ${JSON.stringify(seen)}, re-watches ${w.reconnects})\n${sched}\n${server.logTail()}`);
  }
  const load = cpu.read();
  w.close();
  const requests = describeRequestDelta(requestsBefore, await requestCounts(client));
  const q = await schedulerQuantiles(client);
  const secs = (tAllBound - t0) / 1000;
  const rows: Row[] = [
    infoRow(`setup: ${nodes} simulated nodes Ready`, `${nodeSecs.toFixed(1)} s`),
    infoRow(`${podCount} pods created (${CONCURRENCY} concurrent)`, `${((tCreated - t0) / 1000).toFixed(1)} s`),
    targetRow('pods scheduled and bound per second (first create → last bound)', podCount / secs, '/s', '>=', 1000, 0),
    infoRow('scheduling attempt p50', q.get('0.5') ?? NaN, ' ms', 2),
    infoRow('re-watches of the measuring watch (server dropped it as slow)', w.reconnects),
    targetRow('scheduling attempt p99', q.get('0.99') ?? NaN, ' ms', '<=', 15, 2),
    infoRow(CPU_LABEL, describeCpu(load)),
    infoRow('server RSS', rssMiB(server.pid), ' MiB', 0),
    infoRow('API requests during the run (most frequent)', requests),
    infoRow('watchers the server terminated as unresponsive', server.describeDroppedWatchers()),
  ];
  printTable(`scheduler: ${podCount} pods onto ${nodes} simulated nodes (${where})`, rows, [machine()]);
  await client.close();
  await watcher.close();
}

async function rolloutScenario({ server, where }: Cluster, nodes: number, replicas: number): Promise<void> {
  const client = await H2Client.connect(server.credentials, 2);
  const watcher = await H2Client.connect(server.credentials, 1);
  const nodeSecs = await waitForNodes(client, nodes, 300_000);
  const running = new Set<string>();
  let tDone = 0;
  let done!: () => void;
  const allRunning = new Promise<void>((r) => (done = r));
  const list = await client.request('GET', '/api/v1/namespaces/default/pods');
  const rv = (JSON.parse(list.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const w = watch(watcher, `/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dbig&resourceVersion=${rv}`, (type, obj) => {
    const name = (obj.metadata as { name: string }).name;
    if (type !== 'DELETED' && (obj.status as { phase?: string } | undefined)?.phase === 'Running') {
      running.add(name);
      if (running.size === replicas && !tDone) {
        tDone = performance.now();
        done();
      }
    }
  });
  await w.opened;
  const requestsBefore = await requestCounts(client);
  const cpu = new CpuMeter(server.pid);
  const t0 = performance.now();
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'big', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'big' } },
      template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m' } } }] } },
    },
  };
  expectStatus(await client.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify(deploy) }), 201, 'create deployment');
  if (!(await settlesWithin(allRunning, 300_000))) throw new Error(`only ${running.size}/${replicas} pods Running after 300 s`);
  const load = cpu.read();
  w.close();
  const requests = describeRequestDelta(requestsBefore, await requestCounts(client));
  printTable(
    `rollout: a Deployment of ${replicas} replicas on ${nodes} simulated nodes (${where})`,
    [
      infoRow(`setup: ${nodes} simulated nodes Ready`, `${nodeSecs.toFixed(1)} s`),
      targetRow('create → every pod Running (seen by a watch)', (tDone - t0) / 1000, ' s', '<=', 30, 1),
      infoRow(CPU_LABEL, describeCpu(load)),
      infoRow('server RSS', rssMiB(server.pid), ' MiB', 0),
      infoRow('API requests during the run (most frequent)', requests),
      infoRow('watchers the server terminated as unresponsive', server.describeDroppedWatchers()),
    ],
    [machine()],
  );
  await client.close();
  await watcher.close();
}

async function heartbeatScenario({ server, fleet, where }: Cluster, nodes: number): Promise<void> {
  const client = await H2Client.connect(server.credentials, 2);
  const nodeSecs = await waitForNodes(client, nodes, 300_000);
  // Let registration settle into steady heartbeats.
  await sleep(20_000);
  const requestsBefore = await requestCounts(client);
  const rest = new CpuMeter(server.pid);
  const fleetRest = fleet && new CpuMeter(fleet.pid);
  await sleep(30_000);
  const atRest = rest.read();
  const fleetAtRest = fleetRest?.read();
  const requestsAtRest = describeRequestDelta(requestsBefore, await requestCounts(client));
  expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody('hb') }), 201, 'namespace');
  const lat: number[] = [];
  const RATE = 50;
  const SECS = 20;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < RATE * SECS; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      (async () => {
        const t = performance.now();
        expectStatus(await client.request('POST', '/api/v1/namespaces/hb/configmaps', { body: configMapBody('hb', `cm-${i}`) }), 201, 'create');
        lat.push(performance.now() - t);
      })(),
    );
  }
  await Promise.all(inflight);
  const s = sortNumbers(lat);
  printTable(
    `heartbeat: ${nodes} simulated nodes renewing Leases every 10 s (${where})`,
    [
      infoRow(`setup: ${nodes} simulated nodes Ready`, `${nodeSecs.toFixed(1)} s`),
      targetRow('server CPU at rest (30 s, % of one core)', atRest.server, ' %', '<=', 50, 0),
      ...(fleetAtRest ? [infoRow('the simulated nodes\' own process, CPU in those 30 s', fleetAtRest.server, ' %', 0)] : []),
      infoRow('API requests in those 30 s (most frequent)', requestsAtRest),
      infoRow(`ConfigMap creates at ${RATE}/s during heartbeats, p50`, percentile(s, 50), ' ms', 1),
      targetRow(`ConfigMap creates at ${RATE}/s during heartbeats, p99`, percentile(s, 99), ' ms', '<=', 100, 1),
      infoRow('server RSS', rssMiB(server.pid), ' MiB', 0),
    ],
    [machine()],
  );
  await client.close();
}

const scenarios = process.argv.slice(2).length ? process.argv.slice(2) : ['scheduler', 'rollout', 'heartbeat'];
for (const s of scenarios) {
  const envNodes = process.env.K8TS_BENCH_NODES ? Number(process.env.K8TS_BENCH_NODES) : undefined;
  const envPods = process.env.K8TS_BENCH_PODS ? Number(process.env.K8TS_BENCH_PODS) : undefined;
  if (s === 'scheduler') {
    const nodes = envNodes ?? 5000;
    await withCluster(nodes, (cluster) => schedulerScenario(cluster, nodes, envPods ?? 10_000));
  } else if (s === 'rollout') {
    const nodes = envNodes ?? 1000;
    await withCluster(nodes, (cluster) => rolloutScenario(cluster, nodes, envPods ?? 10_000));
  } else if (s === 'heartbeat') {
    const nodes = envNodes ?? 5000;
    await withCluster(nodes, (cluster) => heartbeatScenario(cluster, nodes));
  } else {
    throw new Error(`unknown scenario ${s}; known: scheduler, rollout, heartbeat`);
  }
}
