import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interface } from '../clientset.js';
import type { GroupVersionResource, KubeObject, ResourceClient, WriteOptions } from '../rest/resource.js';
import { StatusError } from '../../machinery/errors.js';
import { LeaderElector, LeaderElectionError, microTime, type LeaderElectorOptions } from './leader-elector.js';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type LeaseObj = KubeObject & { spec?: LeaseSpec };

/** An in-memory Lease store with resourceVersion checks; `fail` makes calls throw. */
class LeaseStore {
  leases = new Map<string, LeaseObj>();
  rv = 1;
  writes: string[] = [];
  fail: ((verb: string) => Error | undefined) | undefined;

  client(): Interface {
    const check = (verb: string): void => {
      const e = this.fail?.(verb);
      if (e) throw e;
    };
    const rc = (_gvr: GroupVersionResource) =>
      ({
        get: async (name: string, o: WriteOptions = {}) => {
          check('get');
          const l = this.leases.get(`${o.namespace}/${name}`);
          if (!l) throw new StatusError(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
          return structuredClone(l);
        },
        create: async (obj: LeaseObj, o: WriteOptions = {}) => {
          check('create');
          const k = `${o.namespace}/${obj.metadata?.name}`;
          if (this.leases.has(k)) throw new StatusError(409, 'AlreadyExists', 'exists');
          const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
          this.leases.set(k, stored);
          this.writes.push(`create ${stored.spec?.holderIdentity}`);
          return structuredClone(stored);
        },
        update: async (obj: LeaseObj, o: WriteOptions = {}) => {
          check('update');
          const k = `${o.namespace}/${obj.metadata?.name}`;
          const old = this.leases.get(k);
          if (!old) throw new StatusError(404, 'NotFound', 'not found');
          if (obj.metadata?.resourceVersion !== old.metadata?.resourceVersion) throw new StatusError(409, 'Conflict', 'the object has been modified');
          const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
          this.leases.set(k, stored);
          this.writes.push(`update ${stored.spec?.holderIdentity}`);
          return structuredClone(stored);
        },
      }) as unknown as ResourceClient;
    return { resource: rc, metadata: rc } as unknown as Interface;
  }

  spec(): LeaseSpec | undefined {
    return this.leases.get('kube-system/lock')?.spec;
  }
}

const T0 = Date.parse('2026-01-01T00:00:00Z');

function elector(store: LeaseStore, identity: string, clock: { now: number }, extra: Partial<LeaderElectorOptions> = {}): LeaderElector {
  return new LeaderElector({
    client: store.client(),
    lease: { namespace: 'kube-system', name: 'lock' },
    identity,
    now: () => clock.now,
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
    ...extra,
  });
}

test('acquires a free lease: creates it with the upstream fields', async () => {
  const store = new LeaseStore();
  const clock = { now: T0 };
  const leaders: string[] = [];
  const a = elector(store, 'a', clock, { onNewLeader: (id) => leaders.push(id) });
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.ok(a.isLeader());
  assert.deepEqual(store.spec(), { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z' });
  assert.deepEqual(leaders, ['a']);
  // Renewal keeps acquireTime and transitions, moves renewTime.
  clock.now += 2000;
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(store.spec()!.acquireTime, microTime(T0));
  assert.equal(store.spec()!.renewTime, '2026-01-01T00:00:02.000000Z');
  assert.equal(store.spec()!.leaseTransitions, 0);
});

test('does not take a lease another holder keeps fresh; takes over after expiry', async () => {
  const store = new LeaseStore();
  const clock = { now: T0 };
  const a = elector(store, 'a', clock);
  const b = elector(store, 'b', clock);
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(await b.tryAcquireOrRenew(), false);
  assert.equal(b.getLeader(), 'a');
  // a renews; b's observation restarts, so 10 s later it still may not take over.
  clock.now += 10_000;
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.now += 10_000;
  assert.equal(await b.tryAcquireOrRenew(), false);
  // a stopped renewing: a full lease duration after b last saw a change, b takes over.
  clock.now += 5_001;
  assert.equal(await b.tryAcquireOrRenew(), true);
  assert.equal(store.spec()!.holderIdentity, 'b');
  assert.equal(store.spec()!.leaseTransitions, 1);
  assert.equal(store.spec()!.acquireTime, microTime(clock.now));
  // a now sees b's fresh record and stops being leader.
  assert.equal(await a.tryAcquireOrRenew(), false);
  assert.ok(!a.isLeader());
});

test('two candidates racing on the same read: only one write wins', async () => {
  const store = new LeaseStore();
  const clock = { now: T0 };
  const a = elector(store, 'a', clock);
  assert.equal(await a.tryAcquireOrRenew(), true);
  const b = elector(store, 'b', clock);
  const c = elector(store, 'c', clock);
  await b.tryAcquireOrRenew();
  await c.tryAcquireOrRenew();
  clock.now += 16_000;
  const results = await Promise.all([b.tryAcquireOrRenew(), c.tryAcquireOrRenew()]);
  assert.deepEqual(results.filter(Boolean).length, 1);
});

test('release on cancel empties the holder; another candidate acquires at once', async () => {
  const store = new LeaseStore();
  const clock = { now: T0 };
  const a = elector(store, 'a', clock);
  await a.tryAcquireOrRenew();
  assert.equal(await a.release(), true);
  assert.equal(store.spec()!.holderIdentity, '');
  assert.equal(store.spec()!.leaseDurationSeconds, 1);
  const b = elector(store, 'b', clock);
  assert.equal(await b.tryAcquireOrRenew(), true);
});

test('run: leads, loses leadership when renewals fail past renewDeadline, calls the callbacks', async () => {
  const store = new LeaseStore();
  const events: string[] = [];
  let leadingSignal: AbortSignal | undefined;
  const e = new LeaderElector({
    client: store.client(),
    lease: { namespace: 'kube-system', name: 'lock' },
    identity: 'a',
    leaseDurationMs: 300,
    renewDeadlineMs: 100,
    retryPeriodMs: 20,
    onStartedLeading: (s) => {
      leadingSignal = s;
      events.push('started');
    },
    onStoppedLeading: () => events.push('stopped'),
  });
  const ac = new AbortController();
  const done = e.run(ac.signal);
  await waitFor(() => events.includes('started'));
  await waitFor(() => store.writes.filter((w) => w === 'update a').length >= 2);
  store.fail = (verb) => (verb === 'update' ? new StatusError(500, 'InternalError', 'etcd down') : undefined);
  const started = Date.now();
  await done;
  assert.ok(Date.now() - started >= 90, 'kept retrying for renewDeadline');
  assert.deepEqual(events, ['started', 'stopped']);
  assert.ok(leadingSignal?.aborted);
});

test('run stopped while leading releases the lease with releaseOnCancel', async () => {
  const store = new LeaseStore();
  const e = new LeaderElector({
    client: store.client(),
    lease: { namespace: 'kube-system', name: 'lock' },
    identity: 'a',
    leaseDurationMs: 300,
    renewDeadlineMs: 100,
    retryPeriodMs: 20,
    releaseOnCancel: true,
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
  });
  const ac = new AbortController();
  const done = e.run(ac.signal);
  await waitFor(() => e.isLeader());
  ac.abort();
  await done;
  assert.equal(store.spec()!.holderIdentity, '');
});

test('run waits while another holder is fresh and stops cleanly', async () => {
  const store = new LeaseStore();
  const clock = { now: Date.now() };
  const holder = elector(store, 'other', clock);
  await holder.tryAcquireOrRenew();
  const events: string[] = [];
  const e = new LeaderElector({
    client: store.client(),
    lease: { namespace: 'kube-system', name: 'lock' },
    identity: 'a',
    leaseDurationMs: 10_000,
    renewDeadlineMs: 100,
    retryPeriodMs: 20,
    onStartedLeading: () => {
      events.push('started');
    },
    onStoppedLeading: () => events.push('stopped'),
  });
  const ac = new AbortController();
  const done = e.run(ac.signal);
  await new Promise((r) => setTimeout(r, 80));
  ac.abort();
  await done;
  assert.deepEqual(events, []);
  assert.equal(store.spec()!.holderIdentity, 'other');
});

test('invalid timings are refused as client-go does', () => {
  const store = new LeaseStore();
  const base = { client: store.client(), lease: { namespace: 'n', name: 'l' }, identity: 'a', onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), LeaderElectionError);
  assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline must be greater/);
  assert.throws(() => new LeaderElector({ ...base, identity: '' }), /identity is empty/);
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
