import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { isStorageError, type StoredObject, type WatchEvent } from '../interfaces.js';
import { SqliteBackend } from '../sqlite/backend.js';
import { createStorage } from '../store.js';
import { runStorageConformance } from '../testing/conformance.js';
import { createCacher } from './cacher.js';

const WINDOW = 5;

async function setup(extra: { watcherBufferSize?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-cacher-'));
  const backend = new SqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
  await backend.start();
  const store = createStorage(backend, { bookmarkIntervalMs: 200 });
  const cacher = createCacher(store, {
    prefix: '/registry/configmaps/',
    eventWindowSize: WINDOW,
    eventFreshMs: 0,
    bookmarkIntervalMs: 200,
    waitTimeoutMs: 300,
    ...extra,
  });
  await cacher.start(AbortSignal.timeout(5000));
  return {
    backend,
    store,
    cacher,
    close: async () => {
      await cacher.close();
      await cacher.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runStorageConformance(
  'cacher over store over sqlite',
  async () => {
    const f = await setup();
    return { storage: f.cacher, compact: (rev) => f.backend.compact(rev), close: f.close };
  },
  { windowSize: WINDOW },
);

describe('cacher', () => {
  it('serves LIST from memory with frozen, shared objects and consistent reads', async () => {
    const f = await setup();
    try {
      const created = await f.cacher.create<StoredObject>('/registry/configmaps/default/a', { metadata: { name: 'a' }, data: { x: '1' } });
      // '' is a consistent read: the write just acknowledged is there.
      const l1 = await f.cacher.getList('/registry/configmaps/');
      assert.equal(l1.items.length, 1);
      assert.equal(l1.resourceVersion, created.metadata!.resourceVersion);
      assert.ok(Object.isFrozen(l1.items[0]) && Object.isFrozen(l1.items[0]!.metadata));
      const l2 = await f.cacher.getList('/registry/configmaps/', { resourceVersion: '0' });
      assert.equal(l2.items[0], l1.items[0], 'the same object instance');
      // Writes elsewhere advance the revision; a consistent read still answers from the cache.
      await f.store.create('/registry/secrets/default/s', { metadata: { name: 's' } });
      const l3 = await f.cacher.getList('/registry/configmaps/');
      assert.equal(l3.resourceVersion, await f.store.currentResourceVersion());
      assert.equal(l3.items[0], l1.items[0]);
    } finally {
      await f.close();
    }
  });

  it('fans one frozen event object out to many watchers', async () => {
    const f = await setup();
    try {
      const acs: AbortController[] = [];
      const firsts: Promise<WatchEvent>[] = [];
      await f.cacher.create('/registry/configmaps/default/seed', { metadata: { name: 'seed' } });
      const rv = await f.cacher.currentResourceVersion();
      for (let i = 0; i < 200; i++) {
        const ac = new AbortController();
        acs.push(ac);
        const it = f.cacher.watch('/registry/configmaps/', { resourceVersion: rv, recursive: true, signal: ac.signal })[Symbol.asyncIterator]();
        firsts.push(it.next().then((r) => r.value as WatchEvent));
      }
      await new Promise((r) => setTimeout(r, 20));
      await f.cacher.create('/registry/configmaps/default/x', { metadata: { name: 'x' } });
      const evs = await Promise.all(firsts);
      for (const ac of acs) ac.abort();
      assert.ok(evs.every((e) => e === evs[0]), 'one shared event');
      assert.ok(Object.isFrozen(evs[0]) && Object.isFrozen(evs[0]!.object));
      assert.throws(() => {
        (evs[0]!.object as StoredObject).kind = 'mutated';
      });
    } finally {
      await f.close();
    }
  });

  it('terminates a slow watcher without affecting the others', async () => {
    const f = await setup({ watcherBufferSize: 10 });
    try {
      await f.cacher.create('/registry/configmaps/default/seed', { metadata: { name: 'seed' } });
      const rv = await f.cacher.currentResourceVersion();
      const slow = f.cacher.watch('/registry/configmaps/', { resourceVersion: rv, recursive: true, signal: new AbortController().signal });
      const ac = new AbortController();
      const fastSeen: string[] = [];
      const fast = (async () => {
        for await (const e of f.cacher.watch('/registry/configmaps/', { resourceVersion: rv, recursive: true, signal: ac.signal })) {
          fastSeen.push(e.object.metadata!.name!);
          if (fastSeen.length === 30) break;
        }
      })();
      const slowIt = slow[Symbol.asyncIterator]();
      const first = slowIt.next(); // registers, then never reads again
      await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 30; i++) await f.cacher.create(`/registry/configmaps/default/s${i}`, { metadata: { name: `s${i}` } });
      await fast;
      ac.abort();
      assert.equal(fastSeen.length, 30);
      await first;
      let n = 1;
      for (;;) {
        const r = await slowIt.next();
        if (r.done) break;
        n++;
      }
      assert.ok(n < 30, `slow watcher was ended after ${n} events`);
    } finally {
      await f.close();
    }
  });

  it('a watcher older than the window is served by the backend log without gaps', async () => {
    const f = await setup();
    try {
      await f.cacher.create('/registry/configmaps/default/seed', { metadata: { name: 'seed' } });
      const start = await f.cacher.currentResourceVersion();
      for (let i = 0; i < WINDOW * 4; i++) await f.cacher.create(`/registry/configmaps/default/o${i}`, { metadata: { name: `o${i}` } });
      const ac = new AbortController();
      const names: string[] = [];
      for await (const e of f.cacher.watch('/registry/configmaps/', { resourceVersion: start, recursive: true, signal: ac.signal })) {
        names.push(e.object.metadata!.name!);
        if (names.length === WINDOW * 4) break;
      }
      ac.abort();
      assert.deepEqual(
        names,
        Array.from({ length: WINDOW * 4 }, (_, i) => `o${i}`),
      );
    } finally {
      await f.close();
    }
  });

  it('pages LIST from memory in key order after random churn, with remainingItemCount and continue', async () => {
    const f = await setup();
    try {
      const live = new Set<string>();
      const names = Array.from({ length: 120 }, (_, i) => `n${String((i * 37) % 120).padStart(3, '0')}`);
      await Promise.all(
        names.map(async (n) => {
          await f.cacher.create(`/registry/configmaps/ns/${n}`, { metadata: { name: n } });
          live.add(n);
        }),
      );
      for (const n of names.filter((_, i) => i % 3 === 0)) {
        await f.cacher.delete(`/registry/configmaps/ns/${n}`);
        live.delete(n);
      }
      const want = [...live].sort();
      // Consistent reads ('' resourceVersion): the cache has applied every answered write.
      const first = await f.cacher.getList('/registry/configmaps/ns/', { limit: 25 });
      assert.deepEqual(
        first.items.map((o) => o.metadata!.name),
        want.slice(0, 25),
      );
      assert.equal(first.remainingItemCount, want.length - 25);
      assert.ok(first.continue);
      const rest = await f.cacher.getList('/registry/configmaps/ns/', { continue: first.continue, limit: 1000 });
      assert.deepEqual(
        rest.items.map((o) => o.metadata!.name),
        want.slice(25),
      );
      const selected = await f.cacher.getList('/registry/configmaps/ns/', {
        limit: 10,
        predicate: { matches: (o) => o.metadata!.name!.endsWith('5') },
      });
      assert.deepEqual(
        selected.items.map((o) => o.metadata!.name),
        want.filter((n) => n.endsWith('5')).slice(0, 10),
      );
      assert.equal(selected.remainingItemCount, undefined, 'unknown with a selector');
    } finally {
      await f.close();
    }
  });

  it('answers a writer before its watchers receive the event, and a consistent read after the write sees it', async () => {
    const f = await setup();
    try {
      await f.cacher.create('/registry/configmaps/default/seed', { metadata: { name: 'seed' } });
      const rv = await f.cacher.currentResourceVersion();
      const order: string[] = [];
      const acs: AbortController[] = [];
      const firsts: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const ac = new AbortController();
        acs.push(ac);
        const it = f.cacher.watch('/registry/configmaps/', { resourceVersion: rv, recursive: true, signal: ac.signal })[Symbol.asyncIterator]();
        firsts.push(it.next().then(() => void order.push('watcher')));
      }
      await new Promise((r) => setTimeout(r, 20));
      await (async () => {
        await f.cacher.create('/registry/configmaps/default/x', { metadata: { name: 'x' } });
        // The rest of the request path: many promise hops before the answer is sent.
        for (let i = 0; i < 200; i++) await null;
        order.push('writer');
        const list = await f.cacher.getList('/registry/configmaps/');
        assert.ok(list.items.some((o) => o.metadata!.name === 'x'), 'a consistent read sees the write');
      })();
      await Promise.all(firsts);
      for (const ac of acs) ac.abort();
      assert.equal(order[0], 'writer');
      assert.equal(order.length, 101);
    } finally {
      await f.close();
    }
  });
});

describe('cacher get at resourceVersion 0', () => {
  it('is served from memory and reports a missing key as KeyNotFound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cacher-get-'));
    const backend = new SqliteBackend({ path: `${dir}/db`, compactIntervalMs: 0 });
    await backend.start();
    const storage = createStorage(backend);
    const cacher = createCacher(storage, { prefix: '/registry/things/' });
    await cacher.start();
    try {
      const created = await cacher.create<StoredObject>('/registry/things/a', { metadata: { name: 'a' } });
      // The cache sees the create shortly after the write returns.
      for (let i = 0; i < 100; i++) {
        const o = await cacher.get('/registry/things/a', { resourceVersion: '0', ignoreNotFound: true });
        if (o) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const got = await cacher.get<{ metadata: { name: string; resourceVersion: string } }>('/registry/things/a', { resourceVersion: '0' });
      assert.equal(got?.metadata.resourceVersion, created.metadata?.resourceVersion);
      assert.ok(Object.isFrozen(got), 'the cached (shared, frozen) object is returned');
      await assert.rejects(cacher.get('/registry/things/missing', { resourceVersion: '0' }), (e: unknown) => isStorageError(e, 'KeyNotFound'));
      assert.equal(await cacher.get('/registry/things/missing', { resourceVersion: '0', ignoreNotFound: true }), undefined);
    } finally {
      await cacher.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cacher guaranteedUpdate and shared get from memory', () => {
  /** Counts the backend reads of one key (the read guaranteedUpdate makes without the cache). */
  function countGets(backend: SqliteBackend): { n: number } {
    const counter = { n: 0 };
    const get = backend.get.bind(backend);
    backend.get = (key: string, revision?: number) => {
      counter.n++;
      return get(key, revision);
    };
    return counter;
  }

  async function settled(f: Awaited<ReturnType<typeof setup>>, key: string, rv: string | undefined): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const o = await f.cacher.get(key, { resourceVersion: '0', ignoreNotFound: true });
      if (o?.metadata?.resourceVersion === rv) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`cache never reached ${rv}`);
  }

  it('starts from the cached object without a read, and a stale copy costs one conflict', async () => {
    const f = await setup();
    try {
      const key = '/registry/configmaps/default/u';
      const c = await f.cacher.create<StoredObject>(key, { metadata: { name: 'u' }, data: { n: '0' } });
      await settled(f, key, c.metadata!.resourceVersion);
      const gets = countGets(f.backend);
      const seen: (string | undefined)[] = [];
      const u1 = await f.cacher.guaranteedUpdate<StoredObject>(key, (cur) => {
        seen.push(cur!.metadata!.resourceVersion);
        assert.ok(Object.isFrozen(cur), 'the cached object itself');
        return { ...cur!, data: { n: '1' } };
      });
      assert.equal(gets.n, 0, 'no read from the backend');
      assert.deepEqual(seen, [c.metadata!.resourceVersion]);
      assert.equal((u1.data as { n: string }).n, '1');

      // Stale: the cache cannot have seen a write made right under it; the conflict re-reads.
      const u2 = await f.store.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { n: '2' } }));
      seen.length = 0;
      const hidden = f.cacher.guaranteedUpdate<StoredObject>(key, (cur) => {
        seen.push(cur!.metadata!.resourceVersion);
        return { ...cur!, data: { n: `${(cur!.data as { n: string }).n}+` } };
      });
      const u3 = await hidden;
      assert.equal((u3.data as { n: string }).n, '2+', 'applied to the current object, not the stale one');
      assert.equal(seen[seen.length - 1], u2.metadata!.resourceVersion);
      assert.ok(Number(u3.metadata!.resourceVersion) > Number(u2.metadata!.resourceVersion));
    } finally {
      await f.close();
    }
  });

  it('an error on a current cached copy stands without a second try; on a stale one it retries fresh', async () => {
    const f = await setup();
    try {
      const key = '/registry/configmaps/default/e';
      const c = await f.cacher.create<StoredObject>(key, { metadata: { name: 'e' }, data: { n: '0' } });
      await settled(f, key, c.metadata!.resourceVersion);
      let calls = 0;
      await assert.rejects(
        f.cacher.guaranteedUpdate<StoredObject>(key, () => {
          calls++;
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.equal(calls, 1, 'the re-read found the same revision: the first error stands');

      // Mutating the frozen cached object throws; the retry on a fresh read may mutate it.
      const objs: boolean[] = [];
      const out = await f.cacher.guaranteedUpdate<StoredObject>(key, (cur) => {
        objs.push(Object.isFrozen(cur));
        (cur!.data as Record<string, string>).n = 'mutated';
        return cur!;
      });
      assert.deepEqual(objs, [true, false]);
      assert.equal((out.data as { n: string }).n, 'mutated');

      // A precondition newer than the cache: read from storage, not the stale copy.
      const u = await f.store.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { n: 'new' } }));
      const frozen: boolean[] = [];
      await f.cacher.guaranteedUpdate<StoredObject>(
        key,
        (cur) => {
          frozen.push(Object.isFrozen(cur));
          return { ...cur!, data: { n: 'newer' } };
        },
        { preconditions: { resourceVersion: u.metadata!.resourceVersion } },
      );
      assert.deepEqual(frozen, [false]);

      // A dry run reads the current object (never the cached copy).
      const gets = countGets(f.backend);
      const dry = await f.cacher.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { n: 'dry' } }), { dryRun: true });
      assert.equal(gets.n, 1);
      assert.equal((dry.data as { n: string }).n, 'dry');
    } finally {
      await f.close();
    }
  });

  it('shared gets: consistent reads from memory, other reads as before', async () => {
    const f = await setup();
    try {
      const key = '/registry/configmaps/default/g';
      const c = await f.cacher.create<StoredObject>(key, { metadata: { name: 'g' }, data: { n: '0' } });
      const gets = countGets(f.backend);
      // Right after the write returns: the consistent read waits for the cache to catch up.
      const got = await f.cacher.get<StoredObject>(key, { shared: true });
      assert.equal(got!.metadata!.resourceVersion, c.metadata!.resourceVersion);
      assert.ok(Object.isFrozen(got));
      const atRV = await f.cacher.get<StoredObject>(key, { shared: true, resourceVersion: c.metadata!.resourceVersion });
      assert.equal(atRV, got);
      assert.equal(gets.n, 0);
      await assert.rejects(f.cacher.get(`${key}-missing`, { shared: true }), (e: unknown) => isStorageError(e, 'KeyNotFound'));
      assert.equal(await f.cacher.get(`${key}-missing`, { shared: true, ignoreNotFound: true }), undefined);
      // Without `shared` the caller gets its own mutable copy from storage.
      const own = await f.cacher.get<StoredObject>(key);
      assert.ok(!Object.isFrozen(own));
      assert.equal(gets.n, 1);
      // A revision beyond the cache goes to storage, which says it is too large.
      await assert.rejects(
        f.cacher.get(key, { shared: true, resourceVersion: String(Number(c.metadata!.resourceVersion) + 1000) }),
        (e: unknown) => isStorageError(e, 'TooLargeResourceVersion'),
      );
    } finally {
      await f.close();
    }
  });
});
