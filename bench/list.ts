// LIST of 10,000 pods served from the watch cache (resourceVersion=0), as JSON and as a
// server-side Table (what `kubectl get pods` asks for). Target (issue 2): ≤ 300 ms each.
// While the LISTs run, a second connection pings /readyz every 5 ms: its worst latency shows
// how long encoding a big LIST blocks the server's event loop for everyone else.
// The LISTs start once the server has settled: the scheduler (no nodes here) marks each new pod
// unschedulable with a status write and a FailedScheduling event, about half a minute of
// background writes after 10,000 creates, which would otherwise share the cores with the LISTs.
//
//   node --import tsx bench/list.ts     (env: K8TS_BENCH_PODS, default 10000; K8TS_BENCH_RUNS, default 10)

import { H2Client, expectStatus } from './lib/client.js';
import { namespaceBody, podBody } from './lib/objects.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { CPU_LABEL, CpuMeter, describeCpu, rssMiB, sleep, withServer, type BenchServer } from './lib/server.js';

const PODS = Number(process.env.K8TS_BENCH_PODS ?? 10_000);
const RUNS = Number(process.env.K8TS_BENCH_RUNS ?? 10);
const CONCURRENCY = 64;
const NS = 'x';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** Waits until the server uses under 10 % of a core in three 2 s windows in a row (at most `timeoutMs`); the seconds it took. */
async function settle(server: BenchServer, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (let quiet = 0; ; ) {
    const cpu = new CpuMeter(server.pid);
    await sleep(2000);
    quiet = cpu.read().server < 10 ? quiet + 1 : 0;
    if (quiet === 3) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`the server did not settle within ${timeoutMs / 1000} s after the creates`);
  }
}

await withServer(async (server) => {
  const client = await H2Client.connect(server.credentials, 4);
  const probe = await H2Client.connect(server.credentials, 1);
  expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody(NS) }), 201, 'create namespace');

  // Create the pods in parallel: CONCURRENCY clients taking the next index.
  const path = `/api/v1/namespaces/${NS}/pods`;
  let next = 0;
  const tc = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < PODS; i = next++) {
        const name = `pod-${String(i).padStart(5, '0')}`;
        expectStatus(await client.request('POST', path, { body: podBody(NS, name) }), 201, `create ${name}`);
      }
    }),
  );
  const createSecs = (performance.now() - tc) / 1000;

  const settleSecs = await settle(server, 300_000);
  const rows: Row[] = [
    infoRow(`setup: ${PODS} pods created (${CONCURRENCY} concurrent)`, `${createSecs.toFixed(1)} s, ${(PODS / createSecs).toFixed(0)}/s`),
    infoRow('setup: then until the server settled (< 10 % of a core for 6 s)', settleSecs, ' s', 1),
  ];
  const cpu = new CpuMeter(server.pid);
  for (const [label, accept] of [
    ['JSON', 'application/json'],
    ['Table', TABLE],
  ] as const) {
    const times: number[] = [];
    const probes: number[] = [];
    let bytes = 0;
    for (let r = 0; r < RUNS + 1; r++) {
      let listing = true;
      // Liveness probe on its own connection for as long as the LIST is in flight.
      const probing = (async () => {
        while (listing) {
          const t = performance.now();
          expectStatus(await probe.request('GET', '/readyz', { accept: 'text/plain' }), 200, '/readyz');
          if (r > 0) probes.push(performance.now() - t);
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      const t = performance.now();
      const res = await client.request('GET', `${path}?resourceVersion=0`, { accept });
      const dt = performance.now() - t;
      listing = false;
      await probing;
      expectStatus(res, 200, `LIST as ${label}`);
      bytes = res.body.length;
      const parsed = JSON.parse(res.body.toString('utf8')) as { kind: string; items?: unknown[]; rows?: unknown[] };
      const count = (parsed.items ?? parsed.rows ?? []).length;
      if (count !== PODS) throw new Error(`LIST as ${label} returned ${count} ${parsed.kind} entries, want ${PODS}`);
      if (r > 0) times.push(dt); // the first run warms the server's code paths
    }
    sortNumbers(times);
    sortNumbers(probes);
    rows.push(targetRow(`LIST ${PODS} pods as ${label}, p50`, percentile(times, 50), ' ms', '<=', 300, 1));
    rows.push(targetRow(`LIST ${PODS} pods as ${label}, max`, times[times.length - 1]!, ' ms', '<=', 300, 1));
    rows.push(infoRow(`  response size`, bytes / 1024 / 1024, ' MiB', 2));
    rows.push(infoRow(`  /readyz latency during the LISTs, p50 / max`, `${percentile(probes, 50).toFixed(1)} / ${probes[probes.length - 1]!.toFixed(1)} ms`));
  }
  rows.push(infoRow(`${CPU_LABEL}, during the LISTs`, describeCpu(cpu.read())));
  rows.push(infoRow('server RSS after the LISTs', rssMiB(server.pid), ' MiB', 0));
  await probe.close();
  await client.close();
  printTable(`list: ${PODS} pods from the watch cache (resourceVersion=0), ${RUNS} runs each after 1 warm-up, HTTP/2`, rows, [
    `machine: ${machine()}; time is request sent → whole body received (the client's read included)`,
  ]);
});
