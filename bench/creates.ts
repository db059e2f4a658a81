// Creates/s of 1 KiB ConfigMaps through the real API server over HTTPS from 64 concurrent
// clients (closed loop: each client sends its next create when the previous one answers).
// Target (issue 2): ≥ 3,000 creates/s. Runs once over HTTP/2 (8 sessions) and once over
// HTTP/1.1 (64 keep-alive sockets).
//
//   node --import tsx bench/creates.ts     (env: K8TS_BENCH_SECONDS, default 10)

import { connect, expectStatus, type Transport } from './lib/client.js';
import { configMapBody, namespaceBody } from './lib/objects.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { CPU_LABEL, CpuMeter, describeCpu, withServer, type CpuReading } from './lib/server.js';

const CLIENTS = 64;
const SECONDS = Number(process.env.K8TS_BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const TARGET = 3000;

interface Result {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  cpu: CpuReading;
}

async function run(creds: Parameters<typeof connect>[0], pid: number, transport: Transport, connections: number): Promise<Result> {
  const client = await connect(creds, transport, connections);
  const ns = `creates-${transport}`;
  expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody(ns) }), 201, 'create namespace');
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  let seq = 0;
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const worker = async (): Promise<void> => {
    while (phase !== 'done') {
      const body = configMapBody(ns, `cm-${seq++}`);
      const counted = phase === 'measure';
      const t = performance.now();
      const res = await client.request('POST', path, { body });
      const dt = performance.now() - t;
      if (res.status !== 201) {
        errors++;
        firstError ||= `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
      } else if (counted && phase === 'measure') latencies.push(dt);
    }
  };
  const workers = Array.from({ length: CLIENTS }, worker);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  phase = 'measure';
  const cpu = new CpuMeter(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  phase = 'done';
  const elapsed = (performance.now() - t0) / 1000;
  const usage = cpu.read();
  await Promise.all(workers);
  await client.close();
  if (errors) process.stderr.write(`creates over ${transport}: ${errors} errors, first: ${firstError}\n`);
  sortNumbers(latencies);
  return {
    rate: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    errors,
    cpu: usage,
  };
}

await withServer(async (server) => {
  const rows: Row[] = [];
  for (const [transport, connections] of [['h2', 8], ['h1', CLIENTS]] as const) {
    const r = await run(server.credentials, server.pid, transport, connections);
    const label = transport === 'h2' ? `HTTP/2, ${connections} sessions` : `HTTP/1.1, ${connections} sockets`;
    rows.push(targetRow(`creates/s, ${label}`, r.rate, '/s', '>=', TARGET, 0));
    rows.push(infoRow(`  latency p50 / p99 / max`, `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} / ${r.max.toFixed(1)} ms`));
    rows.push(infoRow(`  ${CPU_LABEL}`, describeCpu(r.cpu)));
    rows.push(infoRow(`  non-201 responses`, String(r.errors)));
  }
  printTable(`creates: 1 KiB ConfigMaps, ${CLIENTS} concurrent clients, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up`, rows, [
    `machine: ${machine()}; the load generator shares the cores with the server`,
  ]);
});
