// Mixed load at a fixed arrival rate (open loop): GETs, creates and updates of 1 KiB
// ConfigMaps at 500 requests/s in total. Latency counts from each request's scheduled start, so
// a stalled server (or load generator) shows up in the figures instead of slowing the arrivals;
// the schedule is kept by a sub-millisecond clock (lib/ticker.ts), not Node's 1 ms timers.
// Targets (issue 2): GET p99 ≤ 5 ms, create/update p99 ≤ 20 ms.
//
//   node --import tsx bench/mixed.ts     (env: K8TS_BENCH_SECONDS, default 15; K8TS_BENCH_RATE, default 500)

import { connect, defaultTransport, expectStatus } from './lib/client.js';
import { configMapBody, namespaceBody } from './lib/objects.js';
import { infoRow, loopDelayMs, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CPU_LABEL, CpuMeter, describeCpu, withServer } from './lib/server.js';
import { openLoop } from './lib/ticker.js';

const RATE = Number(process.env.K8TS_BENCH_RATE ?? 500);
const SECONDS = Number(process.env.K8TS_BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const EXISTING = 1000;
const MIX = { get: 0.7, create: 0.15, update: 0.15 } as const;
const NS = 'mixed';

type Verb = keyof typeof MIX;

/** Cumulative counts of the server's apiserver_request_duration_seconds for ConfigMaps: `VERB le` → count (`VERB +Inf` is the total). */
async function serverLatencyCounts(client: { request(method: string, path: string, opts?: { accept?: string }): Promise<{ status: number; body: Buffer }> }): Promise<Map<string, number>> {
  const res = await client.request('GET', '/metrics', { accept: 'text/plain' });
  expectStatus(res, 200, '/metrics');
  const out = new Map<string, number>();
  for (const line of res.body.toString('utf8').split('\n')) {
    if (!line.startsWith('apiserver_request_duration_seconds_bucket{') || !line.includes('resource="configmaps"') || !line.includes('group=""')) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1];
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (verb && le) out.set(`${verb} ${le}`, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** The share of requests of `verbs` the server answered within `le` seconds between two scrapes. */
function shareWithin(before: Map<string, number>, after: Map<string, number>, verbs: string[], le: string): { share: number; n: number } {
  let within = 0;
  let n = 0;
  for (const v of verbs) {
    within += (after.get(`${v} ${le}`) ?? 0) - (before.get(`${v} ${le}`) ?? 0);
    n += (after.get(`${v} +Inf`) ?? 0) - (before.get(`${v} +Inf`) ?? 0);
  }
  return { share: n ? within / n : NaN, n };
}

function updateBody(name: string, resourceVersion: string, fill: string): string {
  const o = JSON.parse(configMapBody(NS, name, 1024, fill)) as { metadata: Record<string, unknown> };
  o.metadata.resourceVersion = resourceVersion;
  return JSON.stringify(o);
}

await withServer(async (server) => {
  const transport = defaultTransport();
  const connections = transport === 'h2' ? 4 : 32;
  const client = await connect(server.credentials, transport, connections);
  expectStatus(await client.request('POST', '/api/v1/namespaces', { body: namespaceBody(NS) }), 201, 'create namespace');
  const base = `/api/v1/namespaces/${NS}/configmaps`;
  // Objects for GETs and updates to hit, created 50 at a time; their latest resourceVersions
  // make the updates conditional, as client-go's are.
  const rvs: string[] = [];
  const rvOf = (body: Buffer): string => (JSON.parse(body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  for (let i = 0; i < EXISTING; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, j) => {
        const res = await client.request('POST', base, { body: configMapBody(NS, `seed-${i + j}`) });
        expectStatus(res, 201, 'seed');
        rvs[i + j] = rvOf(res.body);
      }),
    );
  }

  const latencies: Record<Verb, number[]> = { get: [], create: [], update: [] };
  // The same, timed from when the request was actually sent (without the load generator's lag).
  const sentLatencies: Record<Verb, number[]> = { get: [], create: [], update: [] };
  const lag: number[] = [];
  let errors = 0;
  let firstError = '';
  let created = 0;
  let updates = 0;
  let measuring = false;
  const inflight = new Set<Promise<void>>();
  // Deterministic mix: request k takes the verb whose cumulative share covers (k * φ) mod 1.
  const verbFor = (k: number): Verb => {
    const u = (k * 0.6180339887498949) % 1;
    return u < MIX.get ? 'get' : u < MIX.get + MIX.create ? 'create' : 'update';
  };
  const issue = (k: number, scheduled: number): void => {
    const verb = verbFor(k);
    // Updates walk the objects in order, so no two are in flight for the same object.
    const index = verb === 'update' ? updates++ % EXISTING : (k * 7919) % EXISTING;
    const seed = `seed-${index}`;
    const counted = measuring;
    const sentAt = performance.now();
    lag.push(sentAt - scheduled);
    const p =
      verb === 'get'
        ? client.request('GET', `${base}/${seed}`)
        : verb === 'create'
          ? client.request('POST', base, { body: configMapBody(NS, `new-${created++}`) })
          : client.request('PUT', `${base}/${seed}`, { body: updateBody(seed, rvs[index]!, String(updates % 10)) });
    const done = p.then(
      (res) => {
        const dt = performance.now() - scheduled;
        const want = verb === 'create' ? 201 : 200;
        if (res.status !== want) {
          errors++;
          firstError ||= `${verb}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
        } else {
          if (counted) {
            latencies[verb].push(dt);
            sentLatencies[verb].push(performance.now() - sentAt);
          }
          if (verb === 'update') rvs[index] = rvOf(res.body);
        }
      },
      (e: unknown) => {
        errors++;
        firstError ||= `${verb}: ${(e as Error).message}`;
      },
    );
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  };

  const LOOP_RESOLUTION_MS = 5;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const total = Math.round((WARMUP_SECONDS + SECONDS) * RATE);
  const warmupCount = Math.round(WARMUP_SECONDS * RATE);
  let cpu: CpuMeter | undefined;
  let serverBefore: Promise<Map<string, number>> | undefined;
  await openLoop(1000 / RATE, total, (k, scheduledAt) => {
    if (k === warmupCount) {
      measuring = true;
      lag.length = 0;
      cpu = new CpuMeter(server.pid);
      serverBefore = serverLatencyCounts(client);
      loopDelay.enable();
    }
    issue(k, scheduledAt);
  });
  await Promise.all(inflight);
  loopDelay.disable();
  const usage = cpu!.read();
  const [before, after] = [await serverBefore!, await serverLatencyCounts(client)];
  await client.close();
  if (errors) process.stderr.write(`mixed: ${errors} errors, first: ${firstError}\n`);

  const rows: Row[] = [];
  const all = [...latencies.get, ...latencies.create, ...latencies.update];
  const writes = sortNumbers([...latencies.create, ...latencies.update]);
  for (const v of Object.values(latencies)) sortNumbers(v);
  rows.push(targetRow('GET p99', percentile(latencies.get, 99), ' ms', '<=', 5, 2));
  rows.push(targetRow('create + update p99', percentile(writes, 99), ' ms', '<=', 20, 2));
  for (const verb of ['get', 'create', 'update'] as const) {
    const l = latencies[verb];
    rows.push(
      infoRow(
        `  ${verb}: n / p50 / p99 / max`,
        `${l.length} / ${percentile(l, 50).toFixed(2)} / ${percentile(l, 99).toFixed(2)} / ${(l[l.length - 1] ?? NaN).toFixed(2)} ms`,
      ),
    );
  }
  const sentWrites = sortNumbers([...sentLatencies.create, ...sentLatencies.update]);
  rows.push(
    infoRow(
      'timed from the actual send instead: GET p99 / create + update p99',
      `${percentile(sortNumbers(sentLatencies.get), 99).toFixed(2)} / ${percentile(sentWrites, 99).toFixed(2)} ms`,
    ),
  );
  // Upstream's latency SLIs are read from this histogram, as the server sees each request (from
  // its arrival at the handler to the response written): no load-generator delay in it.
  const gets = shareWithin(before, after, ['GET'], '0.005');
  const writesIn = shareWithin(before, after, ['POST', 'PUT'], '0.025');
  rows.push(
    infoRow(
      'server-side (apiserver_request_duration_seconds): GETs within 5 ms / creates + updates within 25 ms',
      `${(gets.share * 100).toFixed(2)} % of ${gets.n} / ${(writesIn.share * 100).toFixed(2)} % of ${writesIn.n} (p99 within the bound when ≥ 99 %)`,
    ),
  );
  rows.push(infoRow('achieved request rate', all.length / SECONDS, '/s', 0));
  rows.push(infoRow('load generator dispatch lag p99 / max', `${percentile(sortNumbers(lag), 99).toFixed(2)} / ${lag[lag.length - 1]!.toFixed(2)} ms`));
  rows.push(infoRow('load generator event-loop delay p99 / max', `${loopDelayMs(loopDelay, LOOP_RESOLUTION_MS).p99.toFixed(1)} / ${loopDelayMs(loopDelay, LOOP_RESOLUTION_MS).max.toFixed(1)} ms`));
  rows.push(infoRow(CPU_LABEL, describeCpu(usage)));
  rows.push(infoRow('errors', String(errors)));
  printTable(
    `mixed: ${RATE} req/s open loop (${MIX.get * 100}% GET, ${MIX.create * 100}% create, ${MIX.update * 100}% update of 1 KiB ConfigMaps), ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${transport === 'h2' ? 'HTTP/2' : 'HTTP/1.1'} × ${connections} connections`,
    rows,
    [`machine: ${machine()}; the load generator shares the cores with the server`],
  );
});
