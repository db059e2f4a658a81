// One conformance suite for every Backend and every Storage (store over a backend, the watch
// cache), as upstream's pkg/storage/testing/store_tests.go. Call from a `*.test.ts` file.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { CompactedError, isStorageError } from '../interfaces.js';
import type { Backend, BackendEvent, Storage, StoredObject, WatchEvent } from '../interfaces.js';
import { INCONSISTENT_CONTINUE_MESSAGE, INITIAL_EVENTS_END_ANNOTATION } from '../store.js';

export interface BackendFixture {
  backend: Backend;
  close(): Promise<void>;
}

export interface StorageFixture {
  storage: Storage;
  /** Compacts the backend under the storage. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withFixture<F extends { close(): Promise<void> }>(make: () => Promise<F>, body: (f: F) => Promise<void>): Promise<void> {
  const f = await make();
  try {
    await body(f);
  } finally {
    await f.close();
  }
}

/** Collects from an async iterable until `done` says so or the timeout passes (then throws). */
async function collect<T>(iter: AsyncIterable<T>, done: (all: T[]) => boolean, timeoutMs = 5000): Promise<T[]> {
  const all: T[] = [];
  const it = iter[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  let pending: Promise<IteratorResult<T>> | undefined;
  while (!done(all)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${all.length} items`);
    pending ??= it.next();
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([pending, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), left)))]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`timed out after ${all.length} items`);
    pending = undefined;
    if (r.done) break;
    all.push(r.value);
  }
  return all;
}

async function expectRejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(check(e), `${what}: unexpected error ${String(e)}`);
    return;
  }
  assert.fail(`${what}: expected a rejection`);
}

function obj(name: string, extra: Record<string, unknown> = {}, ns = 'default'): StoredObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, uid: `uid-${name}` }, ...extra };
}

// ---------------------------------------------------------------------------------------------

export function runBackendConformance(name: string, makeBackend: () => Promise<BackendFixture>): void {
  describe(`Backend conformance: ${name}`, () => {
    it('create, get, update and delete are conditional', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        const c = await b.create('/t/a', 'v1');
        assert.ok(c.succeeded);
        assert.equal(c.kv.createRevision, c.revision);
        assert.equal(c.kv.modRevision, c.revision);
        const again = await b.create('/t/a', 'other');
        assert.equal(again.succeeded, false);
        assert.equal(again.kv?.value, 'v1');
        const bad = await b.update('/t/a', 'v2', c.revision + 100);
        assert.equal(bad.succeeded, false);
        assert.equal(bad.kv?.modRevision, c.revision);
        const u = await b.update('/t/a', 'v2', c.revision);
        assert.ok(u.succeeded);
        assert.ok(u.revision > c.revision);
        assert.equal(u.kv.createRevision, c.revision);
        const missing = await b.update('/t/none', 'x', 1);
        assert.equal(missing.succeeded, false);
        assert.equal(missing.kv, undefined);
        const g = await b.get('/t/a');
        assert.equal(g.kv?.value, 'v2');
        assert.equal(g.revision, await b.currentRevision());
        const old = await b.get('/t/a', c.revision);
        assert.equal(old.kv?.value, 'v1');
        const d0 = await b.delete('/t/a', c.revision);
        assert.equal(d0.succeeded, false);
        const d = await b.delete('/t/a', u.revision);
        assert.ok(d.succeeded);
        assert.equal(d.kv.value, 'v2');
        assert.equal((await b.get('/t/a')).kv, undefined);
        assert.equal((await b.get('/t/a', u.revision)).kv?.value, 'v2');
        const re = await b.create('/t/a', 'v3');
        assert.ok(re.succeeded);
        assert.equal(re.kv.createRevision, re.revision);
        assert.ok((await b.delete('/t/a', 0)).succeeded, 'delete with 0 is unconditional');
      });
    });

    it('concurrent conditional writes: exactly one wins', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        const c = await b.create('/t/x', '0');
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => b.update('/t/x', String(i), c.revision)));
        assert.equal(results.filter((r) => r.succeeded).length, 1);
        const creates = await Promise.all(Array.from({ length: 10 }, () => b.create('/t/y', 'y')));
        assert.equal(creates.filter((r) => r.succeeded).length, 1);
        const revs = results.filter((r) => r.succeeded).map((r) => r.revision);
        assert.ok(revs.every((r) => r > c.revision));
      });
    });

    it('range by prefix with limit, startKey, count and old revisions', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        for (let i = 0; i < 10; i++) await b.create(`/r/a/${String(i).padStart(2, '0')}`, `v${i}`);
        await b.create('/r/b/0', 'b');
        await b.create('/r/a0', 'not under /r/a/');
        const mid = await b.currentRevision();
        await b.update('/r/a/00', 'changed', (await b.get('/r/a/00')).kv!.modRevision);
        await b.delete('/r/a/01', 0);
        const all = await b.range('/r/a/');
        assert.deepEqual(
          all.kvs.map((kv) => kv.key),
          ['/r/a/00', '/r/a/02', '/r/a/03', '/r/a/04', '/r/a/05', '/r/a/06', '/r/a/07', '/r/a/08', '/r/a/09'],
        );
        assert.equal(all.more, false);
        const p1 = await b.range('/r/a/', { limit: 4 });
        assert.equal(p1.kvs.length, 4);
        assert.equal(p1.more, true);
        if (p1.count !== undefined) assert.equal(p1.count, 9);
        const p2 = await b.range('/r/a/', { limit: 10, startKey: `${p1.kvs[3]!.key}\x00`, revision: p1.revision });
        assert.equal(p2.kvs.length, 5);
        assert.equal(p2.more, false);
        const then = await b.range('/r/a/', { revision: mid });
        assert.equal(then.kvs.length, 10);
        assert.equal(then.kvs[0]!.value, 'v0');
        assert.equal(then.revision, mid);
        assert.equal((await b.count('/r/')).count, 11);
        await assert.rejects(b.range('/r/', { revision: (await b.currentRevision()) + 10 }));
      });
    });

    it('watch replays history then live events without gaps or duplicates', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        const start = await b.currentRevision();
        for (let i = 0; i < 30; i++) await b.create(`/w/k${i}`, `v${i}`);
        await b.create('/other/x', 'x');
        const ac = new AbortController();
        const from = start + 10;
        const got: BackendEvent[] = [];
        const watching = (async () => {
          for await (const batch of b.watch('/w/', { afterRevision: from, signal: ac.signal })) {
            got.push(...batch);
            if (got.length >= 20 + 30 + 1) break;
          }
        })();
        // Concurrent writes while the replay runs.
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 30; i++) writes.push(b.create(`/w/live${i}`, `l${i}`));
        await Promise.all(writes);
        const k0 = await b.get('/w/k0');
        await b.delete('/w/k0', k0.kv!.modRevision);
        await Promise.race([watching, sleep(5000)]);
        ac.abort();
        await watching;
        assert.equal(got.length, 51);
        const revs = got.map((e) => e.kv.modRevision);
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, 'strictly increasing');
        assert.ok(revs[0]! > from);
        assert.ok(got.every((e) => e.kv.key.startsWith('/w/')));
        const del = got[got.length - 1]!;
        assert.equal(del.type, 'delete');
        assert.equal(del.kv.value, 'v0');
        assert.equal(del.prevKv?.value, 'v0');
        assert.equal(del.prevKv?.modRevision, k0.kv!.modRevision);
      });
    });

    it('watch reports updates with prevKv and ends on abort', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        const c = await b.create('/u/a', 'one');
        const ac = new AbortController();
        const it = b.watch('/u/', { afterRevision: c.revision, signal: ac.signal });
        const p = collect(it, (all) => all.flat().length >= 1);
        await b.update('/u/a', 'two', c.revision);
        const [batch] = await p;
        assert.equal(batch![0]!.type, 'update');
        assert.equal(batch![0]!.prevKv?.value, 'one');
        assert.equal(batch![0]!.kv.createRevision, c.revision);
        ac.abort();
      });
    });

    it('compaction drops superseded history but keeps live values and revisions monotonic', async () => {
      await withFixture(makeBackend, async ({ backend: b }) => {
        let rev = (await b.create('/c/a', '0')).revision;
        for (let i = 1; i <= 20; i++) rev = (await b.update('/c/a', String(i), rev)).revision;
        await b.create('/c/gone', 'x');
        const gone = await b.get('/c/gone');
        await b.delete('/c/gone', gone.kv!.modRevision);
        const early = rev - 10;
        const target = await b.currentRevision();
        await b.compact(target);
        assert.equal(await b.compactRevision(), target);
        await expectRejects(b.range('/c/', { revision: early }), (e) => e instanceof CompactedError, 'range below compaction');
        await expectRejects(
          collect(b.watch('/c/', { afterRevision: early, signal: AbortSignal.timeout(2000) }), () => false),
          (e) => e instanceof CompactedError,
          'watch below compaction',
        );
        const now = await b.range('/c/');
        assert.deepEqual(
          now.kvs.map((kv) => [kv.key, kv.value]),
          [['/c/a', '20']],
        );
        assert.equal((await b.range('/c/', { revision: target })).kvs.length, 1);
        const next = await b.create('/c/new', 'n');
        assert.ok(next.revision > target);
        // A watch from exactly the compacted revision is still served.
        const p = collect(b.watch('/c/', { afterRevision: target, signal: AbortSignal.timeout(2000) }), (all) => all.flat().length >= 1);
        assert.equal((await p)[0]![0]!.kv.key, '/c/new');
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------

export interface StorageConformanceOptions {
  /** The storage serves watches of old revisions from a window (the cache): compaction tests write past it first. */
  windowSize?: number;
}

export function runStorageConformance(name: string, makeStorage: () => Promise<StorageFixture>, opts: StorageConformanceOptions = {}): void {
  describe(`Storage conformance: ${name}`, () => {
    it('create, get, KeyExists and KeyNotFound', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const created = await s.create('/registry/configmaps/default/a', obj('a', { data: { k: 'v' } }));
        assert.match(created.metadata!.resourceVersion!, /^\d+$/);
        const got = await s.get('/registry/configmaps/default/a');
        assert.deepEqual(got, created);
        await expectRejects(s.create('/registry/configmaps/default/a', obj('a')), (e) => isStorageError(e, 'KeyExists'), 'create twice');
        await expectRejects(s.get('/registry/configmaps/default/zz'), (e) => isStorageError(e, 'KeyNotFound'), 'get missing');
        assert.equal(await s.get('/registry/configmaps/default/zz', { ignoreNotFound: true }), undefined);
        const withRv = { ...obj('b'), metadata: { name: 'b', resourceVersion: '5' } };
        await expectRejects(s.create('/registry/configmaps/default/b', withRv), (e) => isStorageError(e), 'create with resourceVersion');
        const dry = await s.create('/registry/configmaps/default/c', obj('c'), { dryRun: true });
        assert.equal(dry.metadata?.name, 'c');
        assert.equal(await s.get('/registry/configmaps/default/c', { ignoreNotFound: true }), undefined);
        const cur = Number(await s.currentResourceVersion());
        await expectRejects(
          s.get('/registry/configmaps/default/a', { resourceVersion: String(cur + 1000) }),
          (e) => isStorageError(e, 'TooLargeResourceVersion'),
          'get at a future resourceVersion',
        );
      });
    });

    it('guaranteedUpdate retries under concurrent writers and skips no-op writes', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const key = '/registry/configmaps/default/counter';
        await s.create(key, obj('counter', { data: { n: '0' } }));
        let calls = 0;
        await Promise.all(
          Array.from({ length: 25 }, () =>
            s.guaranteedUpdate<StoredObject>(key, (cur) => {
              calls++;
              const data = cur!.data as { n: string };
              return { ...cur!, data: { n: String(Number(data.n) + 1) } };
            }),
          ),
        );
        const final = await s.get<StoredObject>(key);
        assert.equal((final!.data as { n: string }).n, '25');
        assert.ok(calls >= 25);
        const same = await s.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur! }));
        assert.equal(same.metadata?.resourceVersion, final!.metadata?.resourceVersion, 'no write for an unchanged object');
        const stale = { ...final!, metadata: { ...final!.metadata, resourceVersion: '1' } };
        const fromCache = await s.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { n: 'x' } }), { cachedExisting: stale });
        assert.ok(Number(fromCache.metadata!.resourceVersion) > Number(final!.metadata!.resourceVersion));
        await expectRejects(
          s.guaranteedUpdate('/registry/configmaps/default/none', (c) => c!),
          (e) => isStorageError(e, 'KeyNotFound'),
          'update missing',
        );
        const upserted = await s.guaranteedUpdate<StoredObject>('/registry/configmaps/default/new', (c) => c ?? obj('new'), {
          ignoreNotFound: true,
        });
        assert.equal(upserted.metadata?.name, 'new');
        const dry = await s.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { n: 'dry' } }), { dryRun: true });
        assert.equal((dry.data as { n: string }).n, 'dry');
        assert.equal(((await s.get<StoredObject>(key))!.data as { n: string }).n, 'x');
      });
    });

    it('preconditions and validateDeletion', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const key = '/registry/configmaps/default/p';
        const created = await s.create(key, obj('p'));
        const rv = created.metadata!.resourceVersion!;
        await expectRejects(
          s.guaranteedUpdate(key, (c) => ({ ...c!, data: { a: 'b' } }), { preconditions: { uid: 'other' } }),
          (e) => isStorageError(e, 'InvalidObj') && /Precondition failed: UID in precondition: other/.test((e as Error).message),
          'uid precondition',
        );
        await expectRejects(
          s.guaranteedUpdate(key, (c) => ({ ...c!, data: { a: 'b' } }), { preconditions: { resourceVersion: `${rv}0` } }),
          (e) => isStorageError(e, 'InvalidObj') && (e as Error).message.includes(`ResourceVersion in precondition: ${rv}0, ResourceVersion in object meta: ${rv}`),
          'resourceVersion precondition',
        );
        const u = await s.guaranteedUpdate<StoredObject>(key, (c) => ({ ...c!, data: { a: 'b' } }), {
          preconditions: { uid: 'uid-p', resourceVersion: rv },
        });
        await expectRejects(s.delete(key, { preconditions: { uid: 'nope' } }), (e) => isStorageError(e, 'InvalidObj'), 'delete uid');
        await expectRejects(
          s.delete(key, {
            validateDeletion: () => {
              throw new Error('refused');
            },
          }),
          (e) => (e as Error).message === 'refused',
          'validateDeletion',
        );
        const dry = await s.delete(key, { dryRun: true });
        assert.equal(dry.metadata?.name, 'p');
        assert.ok(await s.get(key));
        const deleted = await s.delete<StoredObject>(key, { preconditions: { resourceVersion: u.metadata!.resourceVersion! } });
        assert.equal(deleted.metadata?.name, 'p');
        assert.ok(Number(deleted.metadata!.resourceVersion) > Number(u.metadata!.resourceVersion));
        await expectRejects(s.delete(key), (e) => isStorageError(e, 'KeyNotFound'), 'delete missing');
      });
    });

    it('getList: prefixes, predicates, pagination and continue tokens', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        for (let i = 0; i < 25; i++) {
          await s.create(`/registry/configmaps/ns1/cm${String(i).padStart(2, '0')}`, obj(`cm${i}`, { labels: i % 2 }, 'ns1'));
        }
        await s.create('/registry/configmaps/ns2/x', obj('x', {}, 'ns2'));
        const all = await s.getList('/registry/configmaps/');
        assert.equal(all.items.length, 26);
        assert.equal(all.continue, undefined);
        const ns1 = await s.getList('/registry/configmaps/ns1/');
        assert.equal(ns1.items.length, 25);
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        let listRv: string | undefined;
        do {
          const page = await s.getList('/registry/configmaps/ns1/', { limit: 10, continue: token });
          pages++;
          listRv ??= page.resourceVersion;
          assert.equal(page.resourceVersion, listRv, 'every page at the first page revision');
          seen.push(...page.items.map((o) => o.metadata!.name!));
          if (page.continue && page.remainingItemCount !== undefined) assert.equal(page.remainingItemCount, 25 - seen.length);
          token = page.continue;
          // Writes between pages do not show up in later pages.
          if (pages === 1) await s.create('/registry/configmaps/ns1/cm99', obj('cm99', {}, 'ns1'));
        } while (token);
        assert.equal(pages, 3);
        assert.equal(seen.length, 25);
        assert.equal(new Set(seen).size, 25);
        const odd = await s.getList('/registry/configmaps/ns1/', {
          predicate: { matches: (o) => o.labels === 1 },
          limit: 5,
        });
        assert.equal(odd.items.length, 5);
        assert.ok(odd.continue);
        assert.ok(odd.items.every((o) => o.labels === 1));
        const rest = await s.getList('/registry/configmaps/ns1/', { predicate: { matches: (o) => o.labels === 1 }, continue: odd.continue });
        assert.equal(rest.items.length, 7);
        await expectRejects(
          s.getList('/registry/configmaps/', { continue: 'not-a-token!' }),
          (e) => isStorageError(e, 'InvalidContinue'),
          'malformed continue',
        );
        const traversal = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: '../secrets/x' })).toString('base64url');
        await expectRejects(
          s.getList('/registry/configmaps/', { continue: traversal }),
          (e) => isStorageError(e, 'InvalidContinue'),
          'continue escaping the prefix',
        );
      });
    });

    it('getList resourceVersion semantics', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const a = await s.create('/registry/configmaps/default/a', obj('a'));
        const rvA = a.metadata!.resourceVersion!;
        await s.create('/registry/configmaps/default/b', obj('b'));
        const latest = await s.getList('/registry/configmaps/');
        assert.equal(latest.items.length, 2);
        assert.equal(latest.resourceVersion, await s.currentResourceVersion());
        const exact = await s.getList('/registry/configmaps/', { resourceVersion: rvA, resourceVersionMatch: 'Exact' });
        assert.equal(exact.items.length, 1);
        assert.equal(exact.resourceVersion, rvA);
        const notOlder = await s.getList('/registry/configmaps/', { resourceVersion: rvA, resourceVersionMatch: 'NotOlderThan' });
        assert.ok(Number(notOlder.resourceVersion) >= Number(rvA));
        assert.equal(notOlder.items.length, 2);
        const any = await s.getList('/registry/configmaps/', { resourceVersion: '0' });
        assert.ok(any.items.length <= 2);
        const future = String(Number(latest.resourceVersion) + 1000);
        await expectRejects(
          s.getList('/registry/configmaps/', { resourceVersion: future, resourceVersionMatch: 'NotOlderThan' }),
          (e) => isStorageError(e, 'TooLargeResourceVersion'),
          'NotOlderThan in the future',
        );
        await expectRejects(
          s.getList('/registry/configmaps/', { resourceVersion: future, resourceVersionMatch: 'Exact' }),
          (e) => isStorageError(e, 'TooLargeResourceVersion'),
          'Exact in the future',
        );
      });
    });

    it('compaction: Expired for old lists and continue tokens, ERROR 410 for old watches', async () => {
      await withFixture(makeStorage, async ({ storage: s, compact }) => {
        for (let i = 0; i < 6; i++) await s.create(`/registry/configmaps/default/c${i}`, obj(`c${i}`));
        const page = await s.getList('/registry/configmaps/', { limit: 2 });
        assert.ok(page.continue);
        const early = page.resourceVersion;
        // Enough writes to push the early revision out of any watch-cache window.
        const n = (opts.windowSize ?? 0) + 5;
        for (let i = 0; i < n; i++) {
          await s.guaranteedUpdate<StoredObject>('/registry/configmaps/default/c0', (c) => ({ ...c!, data: { i: String(i) } }));
        }
        await compact(Number(await s.currentResourceVersion()));
        let expired: unknown;
        try {
          await s.getList('/registry/configmaps/', { continue: page.continue });
        } catch (e) {
          expired = e;
        }
        assert.ok(isStorageError(expired, 'Expired'), `continue after compaction: ${String(expired)}`);
        assert.equal((expired as Error).message, INCONSISTENT_CONTINUE_MESSAGE);
        const fresh = (expired as { continue?: string }).continue;
        if (fresh) {
          const restOfList = await s.getList('/registry/configmaps/', { continue: fresh });
          assert.equal(restOfList.items.length, 4);
        }
        await expectRejects(
          s.getList('/registry/configmaps/', { resourceVersion: early, resourceVersionMatch: 'Exact' }),
          (e) => isStorageError(e, 'Expired'),
          'Exact list below compaction',
        );
        const events = await collect(
          s.watch('/registry/configmaps/', { resourceVersion: early, recursive: true, signal: AbortSignal.timeout(3000) }),
          (all) => all.length >= 1,
        );
        assert.equal(events[0]!.type, 'ERROR');
        const status = events[0]!.object as unknown as { code: number; reason: string; message: string };
        assert.equal(status.code, 410);
        assert.equal(status.reason, 'Expired');
        assert.match(status.message, new RegExp(`^too old resource version: ${early} \\(\\d+\\)$`));
      });
    });

    it('watch: initial events for resourceVersion 0, then changes in order', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        await s.create('/registry/configmaps/default/a', obj('a'));
        await s.create('/registry/configmaps/other/b', obj('b', {}, 'other'));
        const ac = new AbortController();
        const w = s.watch('/registry/configmaps/default/', { resourceVersion: '0', recursive: true, signal: ac.signal });
        const p = collect(w, (all) => all.length >= 4);
        await sleep(20);
        await s.create('/registry/configmaps/default/c', obj('c'));
        await s.guaranteedUpdate<StoredObject>('/registry/configmaps/default/a', (c) => ({ ...c!, data: { x: '1' } }));
        await s.create('/registry/configmaps/other/d', obj('d', {}, 'other'));
        await s.delete('/registry/configmaps/default/c');
        const got = await p;
        ac.abort();
        assert.deepEqual(
          got.map((e) => `${e.type} ${e.object.metadata!.name}`),
          ['ADDED a', 'ADDED c', 'MODIFIED a', 'DELETED c'],
        );
        const revs = got.map((e) => Number(e.object.metadata!.resourceVersion));
        for (let i = 2; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!);
      });
    });

    it('watch from a resourceVersion delivers exactly what came after it', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const revs: string[] = [];
        for (let i = 0; i < 10; i++) revs.push((await s.create(`/registry/configmaps/default/k${i}`, obj(`k${i}`))).metadata!.resourceVersion!);
        const ac = new AbortController();
        const w = s.watch('/registry/configmaps/', { resourceVersion: revs[4], recursive: true, signal: ac.signal });
        const p = collect(w, (all) => all.length >= 10);
        for (let i = 10; i < 15; i++) await s.create(`/registry/configmaps/default/k${i}`, obj(`k${i}`));
        const got = await p;
        ac.abort();
        assert.deepEqual(
          got.map((e) => e.object.metadata!.name),
          Array.from({ length: 10 }, (_, i) => `k${i + 5}`),
        );
        assert.ok(got.every((e) => e.type === 'ADDED'));
        // A single-key watch sees that key only.
        const ac2 = new AbortController();
        const one = s.watch('/registry/configmaps/default/k1', { resourceVersion: revs[9], recursive: false, signal: ac2.signal });
        const p2 = collect(one, (all) => all.length >= 1);
        await s.create('/registry/configmaps/default/k10x', obj('k10x'));
        await s.guaranteedUpdate<StoredObject>('/registry/configmaps/default/k1', (c) => ({ ...c!, data: { a: 'b' } }));
        const got2 = await p2;
        ac2.abort();
        assert.equal(got2[0]!.type, 'MODIFIED');
        assert.equal(got2[0]!.object.metadata!.name, 'k1');
      });
    });

    it('watch predicate transitions: ADDED when starting to match, DELETED when stopping', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        const key = '/registry/configmaps/default/t';
        const c = await s.create(key, obj('t', { labels: 'no' }));
        const ac = new AbortController();
        const w = s.watch(key.slice(0, key.lastIndexOf('/') + 1), {
          resourceVersion: c.metadata!.resourceVersion,
          recursive: true,
          predicate: { matches: (o) => o.labels === 'yes' },
          signal: ac.signal,
        });
        const p = collect(w, (all) => all.length >= 4);
        const set = (v: string): Promise<StoredObject> => s.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, labels: v }));
        await set('yes');
        await s.guaranteedUpdate<StoredObject>(key, (cur) => ({ ...cur!, data: { x: '1' } }));
        const out = await set('no');
        await set('maybe');
        await set('yes');
        const got = await p;
        ac.abort();
        assert.deepEqual(
          got.map((e) => e.type),
          ['ADDED', 'MODIFIED', 'DELETED', 'ADDED'],
        );
        const deleted = got[2]!;
        assert.equal(deleted.object.labels, 'yes', 'DELETED carries the last matching content');
        assert.equal(deleted.object.metadata!.resourceVersion, out.metadata!.resourceVersion, 'at the revision of the change');
      });
    });

    it('bookmarks: periodic when quiet, and at the end of initial events', async () => {
      await withFixture(makeStorage, async ({ storage: s }) => {
        await s.create('/registry/configmaps/default/a', obj('a'));
        const ac = new AbortController();
        const w = s.watch('/registry/configmaps/', {
          resourceVersion: '',
          sendInitialEvents: true,
          allowBookmarks: true,
          recursive: true,
          signal: ac.signal,
        });
        const got: WatchEvent[] = await collect(w, (all) => all.filter((e) => e.type === 'BOOKMARK').length >= 2, 8000);
        ac.abort();
        assert.equal(got[0]!.type, 'ADDED');
        const end = got[1]!;
        assert.equal(end.type, 'BOOKMARK');
        assert.equal(end.object.metadata!.annotations && (end.object.metadata!.annotations as Record<string, string>)[INITIAL_EVENTS_END_ANNOTATION], 'true');
        assert.ok(Number(end.object.metadata!.resourceVersion) >= Number(got[0]!.object.metadata!.resourceVersion));
        const periodic = got[2]!;
        assert.equal(periodic.type, 'BOOKMARK');
        assert.ok(Number(periodic.object.metadata!.resourceVersion) >= Number(end.object.metadata!.resourceVersion));
      });
    });
  });
}
