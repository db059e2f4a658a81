// In-process storage benchmark: node --import tsx bench/storage.ts
// Creates/s through Storage over SQLite (group commit, synchronous FULL) with 64 writers and
// what they cost the event loop (delay, and the latency of GETs issued meanwhile), watch
// fan-out latency to 1,000 cacher watchers and the writer's own latency meanwhile, LIST of
// 10,000 objects from the cacher, the cacher absorbing 100,000 creates, and the longest
// event-loop stall while compacting.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loopDelayMs } from './lib/report.js';

import { createCacher } from '../src/storage/cacher/index.js';
import type { Backend, BackendEvent, KeyValue, StoredObject, WatchBatch } from '../src/storage/interfaces.js';
import { SqliteBackend } from '../src/storage/sqlite/index.js';
import { createStorage, decodeKv } from '../src/storage/store.js';
import { deepFreeze } from '../src/util/freeze.js';
import type { BackendStorage } from '../src/storage/store.js';

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


/**
 * Main-thread cost of the watch cache absorbing `n` creates with random keys (its key index
 * insertions), fed by a backend stub so that SQLite is not part of the measure.
 */
async function cacherAbsorb(n: number): Promise<{ ms: number; listMs: number; listed: number }> {
  const prefix = '/registry/absorb/';
  let feed: (b: WatchBatch) => void = () => {};
  let end: () => void = () => {};
  const batches: WatchBatch[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  feed = (b) => {
    batches.push(b);
    wake?.();
  };
  end = () => {
    ended = true;
    wake?.();
  };
  let rev = 1;
  const stub = {
    async range() {
      return { revision: 1, kvs: [], more: false, count: 0 };
    },
    async currentRevision() {
      return rev;
    },
    async *watchWithProgress(): AsyncIterable<WatchBatch> {
      for (;;) {
        while (batches.length > 0) yield batches.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
  const storage = {
    backend: stub as unknown as Backend,
    decode: (kv: KeyValue) => decodeKv(kv),
    decodeFrozen: (kv: KeyValue) => deepFreeze(decodeKv(kv)),
  } as unknown as BackendStorage;
  const cacher = createCacher(storage, { prefix });
  await cacher.start();
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } });
  const names = Array.from({ length: n }, (_, i) => i);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const t = performance.now();
  for (let i = 0; i < n; i += 100) {
    const events: BackendEvent[] = [];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      rev++;
      events.push({ type: 'create', kv: { key: `${prefix}ns-${names[j]! % 50}/cm-${names[j]}`, value, createRevision: rev, modRevision: rev } });
    }
    feed({ events, revision: rev });
  }
  // Consistent LIST: returns once the cache has applied everything fed above.
  const all = await cacher.getList(prefix, { limit: 10_000 });
  const ms = performance.now() - t;
  const tl = performance.now();
  const listed = (await cacher.getList(prefix, { resourceVersion: '0', limit: 10_000 })).items.length;
  const listMs = performance.now() - tl;
  if (all.items.length !== 10_000) throw new Error(`absorb: listed ${all.items.length}`);
  end();
  await cacher.close();
  return { ms, listMs, listed };
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
  await store.create(`${PREFIX}probe/p`, configMap('probe', 'p'));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // An open-loop GET every 2 ms while the writers run: latency from its scheduled start.
  const getLatencies: number[] = [];
  let probing = true;
  const probe = (async () => {
    const start = performance.now();
    for (let k = 1; probing; k++) {
      const due = start + 2 * k;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await store.get(`${PREFIX}probe/p`);
      getLatencies.push(performance.now() - due);
    }
  })();
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
  probing = false;
  await probe;
  loop.disable();
  getLatencies.sort((a, b) => a - b);
  rows.push([`creates/s (${OBJECTS} × ${size} B, ${WRITERS} writers, sync FULL)`, (OBJECTS / createSecs).toFixed(0)]);
  rows.push(['  event-loop delay meanwhile, p99 / max (ms)', `${loopDelayMs(loop, 1).p99.toFixed(1)} / ${loopDelayMs(loop, 1).max.toFixed(1)}`]);
  rows.push([
    '  GET every 2 ms meanwhile, p50 / p99 (ms from scheduled start)',
    `${percentile(getLatencies, 50).toFixed(2)} / ${percentile(getLatencies, 99).toFixed(2)}`,
  ]);
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
  const writeLatencies: number[] = [];
  for (let i = 0; i < FANOUT_EVENTS; i++) {
    const name = `f-${i}`;
    const ts = performance.now();
    sentAt.set(name, ts);
    await cacher.create(`${PREFIX}fanout/${name}`, configMap('fanout', name));
    writeLatencies.push(performance.now() - ts);
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
  writeLatencies.sort((a, b) => a - b);
  rows.push([
    `create latency with ${WATCHERS} watchers, p50 / p99 (ms)`,
    `${percentile(writeLatencies, 50).toFixed(2)} / ${percentile(writeLatencies, 99).toFixed(2)}`,
  ]);
  await cacher.close();

  // 4. The cacher absorbing 100,000 creates with random keys (key index insertions).
  const absorb = await cacherAbsorb(100_000);
  rows.push(['cacher absorbs 100000 random-key creates (ms)', absorb.ms.toFixed(0)]);
  rows.push([`  then LIST ${absorb.listed} of them from the cacher (ms)`, absorb.listMs.toFixed(2)]);

  // 5. Compaction: 20,000 updates of history, compacted while the loop is monitored.
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
  rows.push(['compaction: longest event-loop delay (ms)', loopDelayMs(h, 1).max.toFixed(1)]);
} finally {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`${'measure'.padEnd(width)} | value\n${'-'.repeat(width)}-|-------\n`);
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)} | ${v}\n`);
