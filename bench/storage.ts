// In-process storage benchmark: node --import tsx bench/storage.ts
// Creates/s through Storage over SQLite (group commit, synchronous FULL) with 64 writers,
// watch fan-out latency to 1,000 cacher watchers, LIST of 10,000 objects from the cacher,
// and the longest event-loop stall while compacting.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { createCacher } from '../src/storage/cacher/index.js';
import type { StoredObject } from '../src/storage/interfaces.js';
import { SqliteBackend } from '../src/storage/sqlite/index.js';
import { createStorage } from '../src/storage/store.js';

const PREFIX = '/registry/configmaps/';
const OBJECTS = 20_000;
const WRITERS = 64;
const WATCHERS = 1000;
const FANOUT_EVENTS = 200;

function configMap(ns: string, name: string): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, uid: `${name}-0000-0000-0000-000000000000`, labels: { app: 'bench' } },
    data: { payload: 'x'.repeat(880) },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Creates/s on a fresh database with the given durability. */
async function createsPerSecond(synchronous: 'FULL' | 'NORMAL'): Promise<number> {
  const d = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const b = new SqliteBackend({ path: join(d, 'state.db'), compactIntervalMs: 0, synchronous });
  await b.start();
  const s = createStorage(b);
  let n = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = n++; i < OBJECTS; i = n++) await s.create(`${PREFIX}ns/cm-${i}`, configMap('ns', `cm-${i}`));
    }),
  );
  const rate = OBJECTS / ((performance.now() - t) / 1000);
  await b.close();
  rmSync(d, { recursive: true, force: true });
  return rate;
}

const rows: [string, string][] = [];
const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
const backend = new SqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
await backend.start();
const store = createStorage(backend);
try {
  // 1. Creates/s with 64 concurrent writers.
  const size = JSON.stringify(configMap('bench-00', 'cm-000000')).length;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= OBJECTS) return;
        const ns = `bench-${String(i % 10).padStart(2, '0')}`;
        const name = `cm-${String(i).padStart(6, '0')}`;
        await store.create(`${PREFIX}${ns}/${name}`, configMap(ns, name));
      }
    }),
  );
  const createSecs = (performance.now() - t0) / 1000;
  rows.push([`creates/s (${OBJECTS} × ${size} B, ${WRITERS} writers, sync FULL)`, (OBJECTS / createSecs).toFixed(0)]);
  rows.push([`creates/s, same with synchronous NORMAL`, (await createsPerSecond('NORMAL')).toFixed(0)]);

  // 2. Cacher: LIST of 10,000 objects.
  const cacher = createCacher(store, { prefix: PREFIX });
  await cacher.start();
  const half = `${PREFIX}`;
  // Exactly 10,000 of the 20,000 objects: the first page of size 10,000.
  const runs = 20;
  let listMs = 0;
  let listed = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const l = await cacher.getList(half, { resourceVersion: '0', limit: 10_000 });
    listMs += performance.now() - t;
    listed = l.items.length;
  }
  rows.push([`LIST ${listed} from cacher, resourceVersion=0 (ms, mean of ${runs})`, (listMs / runs).toFixed(2)]);
  let consistentMs = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await cacher.getList(half, { limit: 10_000 });
    consistentMs += performance.now() - t;
  }
  rows.push([`LIST ${listed} from cacher, consistent (ms, mean of ${runs})`, (consistentMs / runs).toFixed(2)]);
  const tStore = performance.now();
  const fromStore = await store.getList(half, { limit: 10_000 });
  rows.push([`LIST ${fromStore.items.length} from SQLite store, no cache (ms)`, (performance.now() - tStore).toFixed(1)]);

  // 3. Watch fan-out latency to 1,000 watchers.
  const acs: AbortController[] = [];
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((r) => (allReceived = r));
  const rv = await cacher.currentResourceVersion();
  const watching: Promise<void>[] = [];
  for (let w = 0; w < WATCHERS; w++) {
    const ac = new AbortController();
    acs.push(ac);
    watching.push(
      (async () => {
        for await (const e of cacher.watch(`${PREFIX}fanout/`, { resourceVersion: rv, recursive: true, signal: ac.signal })) {
          latencies.push(performance.now() - sentAt.get(e.object.metadata!.name!)!);
          if (++received === WATCHERS * FANOUT_EVENTS) allReceived();
        }
      })(),
    );
  }
  const tf = performance.now();
  for (let i = 0; i < FANOUT_EVENTS; i++) {
    const name = `f-${i}`;
    sentAt.set(name, performance.now());
    await cacher.create(`${PREFIX}fanout/${name}`, configMap('fanout', name));
    // Pace writes so each measures one event's fan-out rather than a queue.
    await new Promise((r) => setTimeout(r, 2));
  }
  await done;
  const fanoutSecs = (performance.now() - tf) / 1000;
  for (const ac of acs) ac.abort();
  await Promise.all(watching);
  latencies.sort((a, b) => a - b);
  rows.push([`watch latency to ${WATCHERS} watchers, p50 (ms, write → delivery)`, percentile(latencies, 50).toFixed(2)]);
  rows.push([`watch latency to ${WATCHERS} watchers, p99 (ms)`, percentile(latencies, 99).toFixed(2)]);
  rows.push(['watch events delivered/s during fan-out', (received / fanoutSecs).toFixed(0)]);
  await cacher.close();

  // 4. Compaction: 20,000 updates of history, compacted while the loop is monitored.
  let rev = await backend.currentRevision();
  const keys = Array.from({ length: 2000 }, (_, i) => `/registry/leases/l${i}`);
  await Promise.all(keys.map((k) => backend.create(k, 'x')));
  for (let round = 0; round < 10; round++) {
    await Promise.all(
      keys.map(async (k) => {
        const cur = await backend.get(k);
        await backend.update(k, `r${round}`, cur.kv!.modRevision);
      }),
    );
  }
  rev = await backend.currentRevision();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const tc = performance.now();
  await backend.compact(rev);
  h.disable();
  rows.push([`compaction of ${rev} revisions (ms total)`, (performance.now() - tc).toFixed(0)]);
  rows.push(['compaction: longest event-loop delay (ms)', (h.max / 1e6).toFixed(1)]);
} finally {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`${'measure'.padEnd(width)} | value\n${'-'.repeat(width)}-|-------\n`);
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)} | ${v}\n`);
