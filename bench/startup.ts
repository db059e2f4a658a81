// `k8ts server --disable-agent`: cold start (spawn → first 200 on /readyz, fresh data dir, so
// certificates and the database are created) and idle memory: VmRSS each second for 30 s after
// ready, in every run. The first seconds hold the start-up burst (the controllers' first syncs,
// default ServiceAccounts and ConfigMaps, V8's young generation at its largest until its memory
// reducer runs, about 8 s after allocation calms down), so idle RSS is read at the end of the
// period; the 10 s figure is shown too. Targets (issue 2): cold start median ≤ 1.5 s; idle RSS
// ≤ 120 MB.
//
//   node --import tsx bench/startup.ts     (env: K8TS_BENCH_RUNS, default 5; K8TS_BENCH_IDLE_SECONDS, default 30)

import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infoRow, machine, median, printTable, targetRow, type Row } from './lib/report.js';
import { H2Client } from './lib/client.js';
import { BenchServer, rssMiB, sleep } from './lib/server.js';

const RUNS = Number(process.env.K8TS_BENCH_RUNS ?? 5);
const IDLE_SECONDS = Number(process.env.K8TS_BENCH_IDLE_SECONDS ?? 30);
/** The second of the idle period sessions 1–3 read idle RSS at. */
const EARLY_SECOND = 10;
const POLL_MS = 5;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One GET /readyz on a fresh connection; the status, or 0 when nothing answers yet. */
function readyz(port: number): Promise<number> {
  return new Promise((resolve) => {
    // No client certificate: /readyz is public. The CA is only being generated, so no verification.
    const req = https.get({ host: '127.0.0.1', port, path: '/readyz', agent: false, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** Starts a server on dataDir and returns ms from spawn to the first 200 on /readyz. */
async function timeToReady(server: BenchServer, port: number): Promise<number> {
  await server.start();
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (!server.running) throw new Error(`k8ts server exited during start\n${server.logTail()}`);
    if ((await readyz(port)) === 200) return performance.now() - server.spawnedAt;
    if (performance.now() > deadline) throw new Error(`no 200 on /readyz within 60 s\n${server.logTail()}`);
    await sleep(POLL_MS);
  }
}

const cold: number[] = [];
const warm: number[] = [];
/** Per run: RSS (MiB) right after ready, then after each second of the idle period. */
const rssRuns: number[][] = [];
let heapIdle: Map<string, number> | undefined;

/** Memory gauges from the server's /metrics (prom-client's default process and Node metrics). */
async function memoryMetrics(server: BenchServer): Promise<Map<string, number>> {
  const client = await H2Client.connect(server.loadCredentials(), 1);
  try {
    const text = (await client.request('GET', '/metrics', { accept: 'text/plain' })).body.toString('utf8');
    const out = new Map<string, number>();
    for (const name of ['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes']) {
      const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
      if (m) out.set(name, Number(m[1]) / 1024 / 1024);
    }
    for (const m of text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)) out.set(`space:${m[1]}`, Number(m[2]) / 1024 / 1024);
    return out;
  } finally {
    await client.close();
  }
}
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-start-'));
  try {
    const port = await freePort();
    const first = new BenchServer({ dataDir: dir, port, waitForKubeconfig: false });
    try {
      cold.push(await timeToReady(first, port));
      const series = [rssMiB(first.pid)];
      for (let t = 0; t < IDLE_SECONDS; t++) {
        await sleep(1000);
        series.push(rssMiB(first.pid));
      }
      rssRuns.push(series);
      // Read after the RSS figures: the metrics request itself allocates.
      if (i === RUNS - 1) heapIdle = await memoryMetrics(first);
    } finally {
      await first.dispose();
    }
    // Restart on the same data dir: certificates and database exist.
    const again = new BenchServer({ dataDir: dir, port, waitForKubeconfig: false });
    try {
      warm.push(await timeToReady(again, port));
    } finally {
      await again.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [
  targetRow(`cold start to /readyz 200, median of ${RUNS}`, median(cold), ' ms', '<=', 1500, 0),
  infoRow('  all runs', cold.map((x) => x.toFixed(0)).join(', ') + ' ms'),
  infoRow(`restart on an existing data dir, median of ${RUNS}`, median(warm), ' ms', 0),
  infoRow('  all runs', warm.map((x) => x.toFixed(0)).join(', ') + ' ms'),
  infoRow(`RSS right after ready, median of ${RUNS}`, median(rssRuns.map((r) => r[0]!)), ' MiB', 1),
  targetRow(`idle RSS (${IDLE_SECONDS} s after ready), median of ${RUNS}`, median(rssRuns.map((r) => r[IDLE_SECONDS]!)) * 1.048576, ' MB', '<=', 120, 1),
  infoRow('  all runs', rssRuns.map((r) => (r[IDLE_SECONDS]! * 1.048576).toFixed(1)).join(', ') + ' MB'),
  infoRow(`RSS ${EARLY_SECOND} s after ready, median of ${RUNS}`, median(rssRuns.map((r) => r[Math.min(EARLY_SECOND, IDLE_SECONDS)]!)) * 1.048576, ' MB', 1),
  infoRow('  all runs', rssRuns.map((r) => (r[Math.min(EARLY_SECOND, IDLE_SECONDS)]! * 1.048576).toFixed(1)).join(', ') + ' MB'),
  infoRow('  RSS each second of the last run', rssRuns.at(-1)!.map((x) => x.toFixed(0)).join(', ') + ' MiB'),
];
if (heapIdle) {
  const f = (k: string): string => (heapIdle!.get(k) ?? NaN).toFixed(1);
  rows.push(
    infoRow(
      '  after idle: V8 heap used / heap total / external',
      `${f('nodejs_heap_size_used_bytes')} / ${f('nodejs_heap_size_total_bytes')} / ${f('nodejs_external_memory_bytes')} MiB`,
    ),
    infoRow(
      '  after idle: V8 heap spaces (total size)',
      [...heapIdle]
        .filter(([k, v]) => k.startsWith('space:') && v >= 0.5)
        .map(([k, v]) => `${k.slice(6)} ${v.toFixed(1)}`)
        .join(', ') + ' MiB',
    ),
  );
}
printTable('startup: `k8ts server --disable-agent` cold start and idle memory', rows, [
  `machine: ${machine()}; /readyz polled every ${POLL_MS} ms on a fresh TLS connection`,
]);
