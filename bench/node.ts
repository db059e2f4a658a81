// Node agent benchmarks (issue 5) with real containers: `k8ts server --disable-agent` and one
// `k8ts agent` joining it on this machine (its own containerd, images imported, CNI bridge).
//
//   startup   100 pods (busybox:1.35, present) created at 5 pods/s: creation → Running and
//             ready as observed by a watch; p50 (target ≤ 0.5 s) and p99 (target ≤ 1 s).
//   overhead  30 running pods: RSS of the agent process (target ≤ 150 MB) and its CPU at rest
//             over 30 s (target ≤ 5 % of one core), measured once the deleted pods have been
//             garbage-collected (75 s); containerd's own figures for information.
//
//   node --import tsx bench/node.ts        (root; env K8TS_BENCH_PODS, K8TS_BENCH_RATE,
//                                           K8TS_BENCH_AGENT_NODE_FLAGS for the agent's node flags)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { H2Client, expectStatus } from './lib/client.js';
import { namespaceBody } from './lib/objects.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { K8TS_BIN, cpuSeconds, rssMiB, settlesWithin, sleep, withServer, type BenchServer } from './lib/server.js';
import { watch } from './lib/watch.js';

const PODS = Number(process.env.K8TS_BENCH_PODS ?? 100);
const RATE = Number(process.env.K8TS_BENCH_RATE ?? 5);
const RUNNING_FOR_OVERHEAD = 30;
const NS = 'nodebench';

function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'nodebench' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'] }],
    },
  });
}

interface PodLite {
  metadata: { name: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: PodLite): boolean => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** One `k8ts agent` on this machine joining the server; killed and cleaned up by stop(). */
class BenchAgent {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-agent-'));
  private child: ChildProcess | undefined;
  private output = '';

  start(server: BenchServer): void {
    const token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim();
    const url = server.credentials.url;
    // K8TS_BENCH_AGENT_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") runs the agent under those node flags.
    const nodeFlags = (process.env.K8TS_BENCH_AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(
      nodeFlags.length ? process.execPath : K8TS_BIN,
      [...(nodeFlags.length ? [...nodeFlags, K8TS_BIN] : []), 'agent', '--server', `https://${url.hostname}:${url.port}`, '--token', token, '--data-dir', this.dataDir, '--node-name', 'bench-node', '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--log-level', 'warn'],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (c: Buffer): void => {
      this.output = (this.output + c.toString('utf8')).slice(-16_384);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    process.once('exit', () => this.killSync());
  }

  get pid(): number {
    if (this.child?.pid === undefined) throw new Error('agent not running');
    return this.child.pid;
  }

  /** containerd's pid (the agent's only direct child process that is not a shell). */
  containerdPid(): number | undefined {
    const r = spawnSync('pgrep', ['-f', `containerd --config ${join(this.dataDir, 'agent', 'containerd', 'config.toml')}`], { encoding: 'utf8' });
    const pid = Number(r.stdout.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(30_000)]);
    }
    this.killSync();
  }

  private killSync(): void {
    if (this.child?.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync(K8TS_BIN, ['cleanup', '--data-dir', this.dataDir], { stdio: 'ignore', timeout: 60_000 });
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function waitForNode(client: H2Client, agent: BenchAgent): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const res = await client.request('GET', '/api/v1/nodes/bench-node');
    if (res.status === 200) {
      const n = JSON.parse(res.body.toString('utf8')) as { spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } };
      if (n.spec?.podCIDR && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    }
    if (performance.now() - t0 > 120_000) throw new Error(`the agent's node is not Ready after 120 s; agent output:\n${agent.log}`);
    await sleep(500);
  }
}

async function podsReady(client: H2Client, want: number, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const res = await client.request('GET', `/api/v1/namespaces/${NS}/pods`);
    const items = (JSON.parse(res.body.toString('utf8')) as { items: PodLite[] }).items;
    if (items.filter(isReady).length >= want) return;
    if (performance.now() - t0 > timeoutMs) throw new Error(`only ${items.filter(isReady).length}/${want} pods ready after ${timeoutMs} ms`);
    await sleep(500);
  }
}

async function run(server: BenchServer): Promise<void> {
  const agent = new BenchAgent();
  try {
    agent.start(server);
    const client = await H2Client.connect(server.credentials, 2);
    const watcher = await H2Client.connect(server.credentials, 1);
    await waitForNode(client, agent);
    expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody(NS) }), 201, 'namespace');

    // Start-up latency: created at RATE pods/s, observed Running and ready through a watch.
    const sentAt = new Map<string, number>();
    const latency = new Map<string, number>();
    // Where the time goes: bound by the scheduler, and phase Running (before ready).
    const boundAfter = new Map<string, number>();
    const runningAfter = new Map<string, number>();
    let done!: () => void;
    const allReady = new Promise<void>((r) => (done = r));
    const list = await client.request('GET', `/api/v1/namespaces/${NS}/pods`);
    const rv = (JSON.parse(list.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const w = watch(watcher, `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${rv}`, (_type, obj) => {
      const p = obj as unknown as PodLite & { spec?: { nodeName?: string } };
      const t = sentAt.get(p.metadata.name);
      if (t === undefined || latency.has(p.metadata.name)) return;
      if (p.spec?.nodeName && !boundAfter.has(p.metadata.name)) boundAfter.set(p.metadata.name, performance.now() - t);
      if (p.status?.phase === 'Running' && !runningAfter.has(p.metadata.name)) runningAfter.set(p.metadata.name, performance.now() - t);
      if (!isReady(p)) return;
      latency.set(p.metadata.name, performance.now() - t);
      if (latency.size === PODS) done();
    });
    await w.opened;
    const interval = 1000 / RATE;
    const t0 = performance.now();
    for (let i = 0; i < PODS; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const name = `p-${i}`;
      sentAt.set(name, performance.now());
      void client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: podJson(name) }).then((res) => expectStatus(res, 201, `create ${name}`));
    }
    if (!(await settlesWithin(allReady, 180_000))) throw new Error(`only ${latency.size}/${PODS} pods ready within 180 s`);
    w.close();
    const lat = sortNumbers([...latency.values()]);
    if (process.env.K8TS_BENCH_DUMP) {
      // Per pod in creation order: bound, Running, ready (ms after the create was sent).
      const rows = [...sentAt.keys()].map((n) => `${n} ${Math.round(boundAfter.get(n) ?? -1)} ${Math.round(runningAfter.get(n) ?? -1)} ${Math.round(latency.get(n) ?? -1)}`);
      process.stdout.write(`${rows.join('\n')}\n`);
    }

    // Overhead: 30 running pods, the agent at rest.
    for (let i = RUNNING_FOR_OVERHEAD; i < PODS; i++) {
      void client.request('DELETE', `/api/v1/namespaces/${NS}/pods/p-${i}`);
    }
    const deadline = performance.now() + 120_000;
    for (;;) {
      const res = await client.request('GET', `/api/v1/namespaces/${NS}/pods`);
      const n = (JSON.parse(res.body.toString('utf8')) as { items: unknown[] }).items.length;
      if (n === RUNNING_FOR_OVERHEAD) break;
      if (performance.now() > deadline) throw new Error(`${n} pods left after deleting down to ${RUNNING_FOR_OVERHEAD}`);
      await sleep(1000);
    }
    await podsReady(client, RUNNING_FOR_OVERHEAD, 60_000);
    // At rest means after the deletions have been cleaned up: the kubelet's container garbage
    // collection removes the deleted pods' sandboxes and exited containers once a minute.
    await sleep(75_000);
    const cd = agent.containerdPid();
    const cpu0 = cpuSeconds(agent.pid);
    const cd0 = cd ? cpuSeconds(cd) : 0;
    const restSecs = 30;
    await sleep(restSecs * 1000);
    const agentCpu = ((cpuSeconds(agent.pid) - cpu0) / restSecs) * 100;
    const cdCpu = cd ? ((cpuSeconds(cd) - cd0) / restSecs) * 100 : NaN;
    const rss = rssMiB(agent.pid);

    const rows: Row[] = [
      targetRow(`pod start-up p50 (${PODS} pods at ${RATE}/s)`, percentile(lat, 50) / 1000, 's', '<=', 0.5, 2),
      targetRow(`pod start-up p99 (${PODS} pods at ${RATE}/s)`, percentile(lat, 99) / 1000, 's', '<=', 1, 2),
      infoRow('pod start-up max', lat[lat.length - 1]! / 1000, 's', 2),
      infoRow('  of which: bound to the node, p50', percentile(sortNumbers([...boundAfter.values()]), 50) / 1000, 's', 3),
      infoRow('  of which: phase Running, p50', percentile(sortNumbers([...runningAfter.values()]), 50) / 1000, 's', 3),
      targetRow(`agent RSS, ${RUNNING_FOR_OVERHEAD} running pods`, rss * 1.048576, 'MB', '<=', 150, 0),
      targetRow(`agent CPU at rest, ${RUNNING_FOR_OVERHEAD} running pods`, agentCpu, '% of a core', '<=', 5, 1),
      infoRow('containerd RSS', cd ? rssMiB(cd) * 1.048576 : NaN, 'MB', 0),
      infoRow('containerd CPU at rest', cdCpu, '% of a core', 1),
    ];
    printTable('node agent with real containers', rows, [machine(), 'agent = the `k8ts agent` process (kubelet, node status, kubelet server); containerd and the shims are separate processes']);
    await watcher.close();
    await client.close();
  } finally {
    await agent.stop();
  }
}

if (process.getuid?.() !== 0) {
  process.stderr.write('bench node needs root (containerd, runc, CNI)\n');
  process.exit(1);
}
await withServer(run);
