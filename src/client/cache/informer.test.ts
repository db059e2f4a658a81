import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from './informer.js';
import type { ListerWatcher } from './reflector.js';
import type { KubeList, KubeObject, WatchEvent } from '../rest/resource.js';
import { APIStatusError, TransportError } from '../rest/errors.js';
import { nopLogger } from '../../logging/index.js';

const o = (name: string, rv: string, ns = 'default'): KubeObject => ({ metadata: { name, namespace: ns, resourceVersion: rv } });

/** A scripted API: each list returns the next snapshot; each watch plays the next script. */
class FakeLW implements ListerWatcher<KubeObject> {
  lists: (KubeList | Error)[] = [];
  watches: ((rv: string, signal: AbortSignal) => AsyncIterable<WatchEvent>)[] = [];
  listCalls = 0;
  watchRVs: string[] = [];

  async list(): Promise<KubeList> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new TransportError('no more lists scripted');
    if (next instanceof Error) throw next;
    return next;
  }

  watch(opts: { resourceVersion: string; signal: AbortSignal }): AsyncIterable<WatchEvent> {
    this.watchRVs.push(opts.resourceVersion);
    const script = this.watches.shift();
    if (script) return script(opts.resourceVersion, opts.signal);
    // Nothing more scripted: hang until aborted.
    return (async function* () {
      await new Promise<void>((r) => opts.signal.addEventListener('abort', () => r(), { once: true }));
    })();
  }
}

function events(...evs: (WatchEvent | Error)[]): () => AsyncIterable<WatchEvent> {
  return async function* () {
    for (const e of evs) {
      await new Promise((r) => setImmediate(r));
      if (e instanceof Error) throw e;
      yield e;
    }
  };
}

function recorder() {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (x: KubeObject, initial: boolean) => log.push(`add ${x.metadata?.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (a: KubeObject, b: KubeObject) => log.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
      onDelete: (x: KubeObject, unknown: boolean) => log.push(`delete ${x.metadata?.name}${unknown ? ' (final state unknown)' : ''}`),
    },
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const expired = new APIStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired', message: 'too old' });

test('list, then watch from the list version; events reach handlers and the cache', async () => {
  const lw = new FakeLW();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [o('a', '5'), o('b', '6')] });
  lw.watches.push(
    events(
      { type: 'MODIFIED', object: o('a', '11') },
      { type: 'ADDED', object: o('c', '12') },
      { type: 'DELETED', object: o('b', '13') },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } },
    ),
  );
  const inf = new SharedInformer({ listerWatcher: lw, logger: nopLogger(), name: 'test' });
  const rec = recorder();
  inf.addEventHandler(rec.handler);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  assert.equal(await inf.waitForSync(ac.signal), true);
  await until(() => lw.watchRVs.length === 2);
  assert.deepEqual(lw.watchRVs, ['10', '20'], 'watch resumes from the last bookmark');
  assert.deepEqual(rec.log, ['add a (initial)', 'add b (initial)', 'update a 5->11', 'add c', 'delete b']);
  assert.deepEqual(inf.lister().list('default').map((x) => x.metadata?.name).sort(), ['a', 'c']);
  assert.equal(inf.lastSyncResourceVersion(), '20');

  // A handler added later first sees every cached object.
  const late = recorder();
  inf.addEventHandler(late.handler);
  assert.deepEqual(late.log.sort(), ['add a (initial)', 'add c (initial)']);
  ac.abort();
  await run;
});

test('410 Expired re-lists; objects missing from the new list are deleted with final state unknown', async () => {
  const lw = new FakeLW();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [o('a', '5'), o('b', '6')] });
  lw.lists.push({ metadata: { resourceVersion: '30' }, items: [o('a', '25'), o('d', '26')] });
  lw.watches.push(events(expired));
  const inf = new SharedInformer({ listerWatcher: lw, logger: nopLogger(), name: 'test' });
  const rec = recorder();
  inf.addEventHandler(rec.handler);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await until(() => lw.listCalls === 2 && lw.watchRVs.length === 2);
  assert.deepEqual(lw.watchRVs, ['10', '30']);
  assert.deepEqual(rec.log, ['add a (initial)', 'add b (initial)', 'update a 5->25', 'add d', 'delete b (final state unknown)']);
  ac.abort();
  await run;
});

test('errors back off exponentially and then list again', async () => {
  const lw = new FakeLW();
  const boom = new TransportError('connection refused');
  lw.lists.push(boom, boom, { metadata: { resourceVersion: '3' }, items: [o('a', '1')] });
  const inf = new SharedInformer({ listerWatcher: lw, logger: nopLogger(), name: 'test', reflector: { initialBackoffMs: 20, maxBackoffMs: 1000 } });
  const ac = new AbortController();
  const t0 = Date.now();
  const run = inf.run(ac.signal);
  assert.equal(inf.hasSynced(), false);
  assert.equal(await inf.waitForSync(ac.signal), true);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 55, `two backoffs of 20 and 40 ms, took ${elapsed} ms`);
  assert.equal(lw.listCalls, 3);
  ac.abort();
  await run;
});

test('resync replays cached objects as updates; waitForSync gives false when aborted', async () => {
  const lw = new FakeLW();
  lw.lists.push({ metadata: { resourceVersion: '1' }, items: [o('a', '1')] });
  const inf = new SharedInformer({ listerWatcher: lw, logger: nopLogger(), name: 'test' });
  const rec = recorder();
  inf.addEventHandler(rec.handler, 20);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await until(() => rec.log.filter((l) => l === 'update a 1->1').length >= 2);
  ac.abort();
  await run;
  const never = new SharedInformer({ listerWatcher: new FakeLW(), logger: nopLogger(), name: 'never' });
  const ac2 = new AbortController();
  const w = never.waitForSync(ac2.signal);
  ac2.abort();
  assert.equal(await w, false);
});
