// Benchmark dispatcher: `npm run bench` runs every benchmark, `npm run bench -- <name> …` only
// those named. Each runs in its own process (its own heap, its own server) and prints a table;
// results are recorded in docs/benchmarks.md. The server-driving benchmarks need `npm run build`.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS: Record<string, string> = {
  storage: 'in-process Storage over SQLite: creates/s, cacher LIST, watch fan-out, compaction',
  creates: 'creates/s of 1 KiB ConfigMaps over HTTPS from 64 concurrent clients',
  mixed: 'GET / create / update at 500 req/s open loop: p99 latencies',
  list: 'LIST of 10,000 pods from the watch cache, as JSON and as Table',
  watch: '1,000 concurrent watchers: write → event delivery latency',
  patch: 'in-process strategic merge patch, server-side apply and managedFields on a 3-container Deployment: p50/p99',
  startup: 'cold start to /readyz and idle RSS of `k8ts server --disable-agent`',
  controlplane: 'simulated nodes: scheduler throughput (5,000 nodes), a 10,000-replica rollout, 5,000 heartbeating nodes',
  node: 'a real node (k8ts agent, containerd): pod start-up latency at 5 pods/s, agent RSS and CPU with 30 pods (root)',
};

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`usage: npm run bench [-- <name>…]\n\n${Object.entries(BENCHMARKS).map(([n, d]) => `  ${n.padEnd(8)} ${d}`).join('\n')}\n`);
  process.exit(0);
}
const unknown = args.filter((a) => !(a in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of args.length ? args : Object.keys(BENCHMARKS)) {
  process.stdout.write(`\n=== bench ${name}: ${BENCHMARKS[name]}\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (c, signal) => resolve(signal ? 1 : (c ?? 1)));
  });
  if (code !== 0) failed.push(name);
}
if (failed.length) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
