// Watch fan-out through the real API server: 1,000 concurrent watchers (HTTP/2 streams spread
// over a few sessions) on one namespace's ConfigMaps; ~20 paced writes; for each write and
// watcher, the time from the write's response to that watcher receiving the event.
// Target (issue 2): p99 ≤ 100 ms.
//
// Receive times are taken in the stream's 'data' callback (parsing waits until the end), so the
// figure includes the load generator's own serial handling of 1,000 streams on a shared core.
//
//   node --import tsx bench/watch.ts     (env: K8TS_BENCH_WATCHERS, default 1000; K8TS_BENCH_WRITES, default 20)

import type { ClientHttp2Stream } from 'node:http2';
import { H2Client, expectStatus } from './lib/client.js';
import { configMapBody, namespaceBody } from './lib/objects.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';
import { CPU_LABEL, CpuMeter, describeCpu, rssMiB, sleep, withServer } from './lib/server.js';

const WATCHERS = Number(process.env.K8TS_BENCH_WATCHERS ?? 1000);
const WRITES = Number(process.env.K8TS_BENCH_WRITES ?? 20);
const SESSIONS = 4;
const GAP_MS = 250;
const NS = 'w';

interface Chunk {
  at: number;
  text: string;
}

await withServer(async (server) => {
  const writer = await H2Client.connect(server.credentials, 1);
  const watchers = await H2Client.connect(server.credentials, SESSIONS);
  expectStatus(await writer.request('POST', '/api/v1/namespaces', { body: namespaceBody(NS) }), 201, 'create namespace');
  const base = `/api/v1/namespaces/${NS}/configmaps`;
  const list = await writer.request('GET', base);
  expectStatus(list, 200, 'list');
  const rv = (JSON.parse(list.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

  const received: Chunk[][] = [];
  const streams: ClientHttp2Stream[] = [];
  const tOpen = performance.now();
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          const chunks: Chunk[] = [];
          received[w] = chunks;
          const stream = watchers.session().request({ ':method': 'GET', ':path': `${base}?watch=1&resourceVersion=${rv}`, accept: 'application/json' });
          streams.push(stream);
          stream.setEncoding('utf8');
          stream.on('data', (text: string) => chunks.push({ at: performance.now(), text }));
          stream.on('response', (h) => (Number(h[':status']) === 200 ? resolve() : reject(new Error(`watch: HTTP ${h[':status']}`))));
          stream.on('error', reject);
        }),
    ),
  );
  const openSecs = (performance.now() - tOpen) / 1000;
  await sleep(1000);
  const rssWatching = rssMiB(server.pid);

  const cpu = new CpuMeter(server.pid);
  const sent = new Map<string, { start: number; response: number }>();
  for (let i = 0; i < WRITES; i++) {
    const name = `event-${i}`;
    const start = performance.now();
    const res = await writer.request('POST', base, { body: configMapBody(NS, name) });
    const response = performance.now();
    expectStatus(res, 201, `create ${name}`);
    sent.set(name, { start, response });
    await sleep(GAP_MS);
  }
  // Wait until every watcher has every event (or give up after 10 s).
  const deadline = performance.now() + 10_000;
  const count = (): number => received.reduce((n, cs) => n + cs.reduce((m, c) => m + (c.text.match(/\n/g)?.length ?? 0), 0), 0);
  while (count() < WATCHERS * WRITES && performance.now() < deadline) await sleep(100);
  const usage = cpu.read();
  for (const s of streams) s.close();
  await watchers.close();
  await writer.close();

  // Attribute each event line to the chunk that completed it.
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  const lastPerWrite = new Map<string, number>();
  let early = 0;
  let delivered = 0;
  for (const chunks of received) {
    let buf = '';
    for (const c of chunks) {
      buf += c.text;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
        const s = ev.type === 'ADDED' ? sent.get(ev.object.metadata?.name ?? '') : undefined;
        if (!s) continue;
        delivered++;
        fromResponse.push(c.at - s.response);
        fromRequest.push(c.at - s.start);
        if (c.at < s.response) early++;
        const name = ev.object.metadata!.name!;
        lastPerWrite.set(name, Math.max(lastPerWrite.get(name) ?? 0, c.at - s.start));
      }
    }
  }
  sortNumbers(fromResponse);
  sortNumbers(fromRequest);
  const fanout = sortNumbers([...lastPerWrite.values()]);
  const writeLatency = sortNumbers([...sent.values()].map((s) => s.response - s.start));
  const rows: Row[] = [
    targetRow('write response → watcher receives, p99', percentile(fromResponse, 99), ' ms', '<=', 100, 1),
    infoRow('  p50 / max', `${percentile(fromResponse, 50).toFixed(1)} / ${fromResponse[fromResponse.length - 1]!.toFixed(1)} ms`),
    infoRow('  events that arrived before the write response', `${early} of ${delivered}`),
    infoRow('write request sent → watcher receives, p50 / p99', `${percentile(fromRequest, 50).toFixed(1)} / ${percentile(fromRequest, 99).toFixed(1)} ms`),
    infoRow('write request sent → last of the watchers receives, median / max over writes', `${percentile(fanout, 50).toFixed(1)} / ${fanout[fanout.length - 1]!.toFixed(1)} ms`),
    infoRow('create latency with the watchers open, p50 / max', `${percentile(writeLatency, 50).toFixed(1)} / ${writeLatency[writeLatency.length - 1]!.toFixed(1)} ms`),
    infoRow('events delivered / expected', `${delivered} / ${WATCHERS * WRITES}`),
    infoRow(`time to open ${WATCHERS} watches`, openSecs * 1000, ' ms', 0),
    infoRow('server RSS with the watches open', rssWatching, ' MiB', 0),
    infoRow(`${CPU_LABEL}, during the writes`, describeCpu(usage)),
  ];
  printTable(`watch: ${WATCHERS} watchers (HTTP/2, ${SESSIONS} sessions), ${WRITES} creates ${GAP_MS} ms apart`, rows, [
    `machine: ${machine()}; receive times include the load generator's handling of all ${WATCHERS} streams`,
  ]);
  if (delivered !== WATCHERS * WRITES) throw new Error(`only ${delivered} of ${WATCHERS * WRITES} events were delivered`);
});
