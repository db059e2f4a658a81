import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../client/rest/resource.js';

type PodK = Pod & KubeObject;
import { SharedInformerFactory } from '../client/cache/factory.js';
import { FakeRecorder } from '../client/record/fake.js';
import { NODES, PODS } from '../client/resources.js';
import { nopLogger } from '../logging/index.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testing/fixtures.js';
import { WatchableClient } from './testing/watchable-client.js';

async function waitFor(cond: () => boolean, what: string, timeoutMs = 1500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };

describe('Scheduler', () => {
  let sched: Scheduler | undefined;
  afterEach(async () => {
    await sched?.close();
    sched = undefined;
  });

  function setup() {
    const client = new WatchableClient();
    const recorder = new FakeRecorder();
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    sched = new Scheduler({ client, logger: nopLogger(), recorder, now: () => clock.now, flushIntervalMs: 5 });
    return { client, recorder, clock, sched };
  }

  const nodeOf = (client: WatchableClient, name: string): string | undefined => client.stored<PodK>(PODS, 'default', name)?.spec?.nodeName;

  it('binds pods, leaves an unschedulable one Pending with condition and event, binds it after a node is added', async () => {
    const { client, recorder, clock, sched: s } = setup();
    client.apply(NODES, makeNode('cp', { cpu: '4', taints: [CP_TAINT] }));
    client.apply(NODES, makeNode('n1', { cpu: '2' }));
    client.apply(NODES, makeNode('n2', { cpu: '2' }));
    await s.start(new AbortController().signal);

    client.apply(PODS, makePod('a', { cpu: '500m' }));
    client.apply(PODS, makePod('b', { cpu: '500m' }));
    await waitFor(() => !!nodeOf(client, 'a') && !!nodeOf(client, 'b'), 'a and b bound');
    assert.ok(['n1', 'n2'].includes(nodeOf(client, 'a')!));
    assert.ok(client.writes().includes('create pods/binding default/a'));
    await waitFor(() => recorder.lines().filter((l) => l.startsWith('Normal Scheduled')).length === 2, 'Scheduled events');
    assert.ok(recorder.lines().includes(`Normal Scheduled Successfully assigned default/a to ${nodeOf(client, 'a')!}`));

    client.apply(PODS, makePod('big', { cpu: '3' }));
    const msg =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    await waitFor(() => recorder.lines().some((l) => l.startsWith('Warning FailedScheduling')), 'FailedScheduling');
    assert.deepEqual(recorder.lines().filter((l) => l.startsWith('Warning')), [`Warning FailedScheduling ${msg}`]);
    await waitFor(() => !!client.stored<PodK>(PODS, 'default', 'big')?.status?.conditions, 'condition');
    const cond = client.stored<PodK>(PODS, 'default', 'big')!.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, msg);
    assert.equal(nodeOf(client, 'big'), undefined);
    assert.equal(s.metrics().queue.unschedulable, 1);

    clock.now += 2000; // past the 1 s backoff
    client.apply(NODES, makeNode('n3', { cpu: '8' }));
    await waitFor(() => nodeOf(client, 'big') === 'n3', 'big bound to n3');
    await waitFor(() => recorder.lines().includes('Normal Scheduled Successfully assigned default/big to n3'), 'Scheduled big');
    const m = s.metrics();
    assert.equal(m.attempts.scheduled, 3);
    assert.equal(m.attempts.unschedulable, 1);
    assert.equal(m.bound, 3);
    assert.ok(m.latencyMs.count >= 4 && m.latencyMs.p99 >= 0);
  });

  it('reports "no nodes available to schedule pods" without nodes', async () => {
    const { client, recorder, clock, sched: s } = setup();
    await s.start(new AbortController().signal);
    client.apply(PODS, makePod('p'));
    await waitFor(() => recorder.lines().includes('Warning FailedScheduling no nodes available to schedule pods'), 'event');
    await waitFor(() => !!client.stored<PodK>(PODS, 'default', 'p')?.status?.conditions, 'condition');
    assert.equal(client.stored<PodK>(PODS, 'default', 'p')!.status!.conditions![0]!.message, 'no nodes available to schedule pods');
    clock.now += 2000;
    client.apply(NODES, makeNode('n1'));
    await waitFor(() => nodeOf(client, 'p') === 'n1', 'bound after node add');
  });

  it('does not mark a pod unschedulable that was bound while its failure was being written', async () => {
    const { client, recorder, sched: s } = setup();
    await s.start(new AbortController().signal);
    client.reactor = (a) => {
      if (a.verb === 'patch' && a.subresource === 'status' && a.name === 'p') {
        // Another client binds the pod between the failed attempt and its status write.
        const cur = client.stored<PodK>(PODS, 'default', 'p')!;
        client.apply(PODS, { ...cur, spec: { ...cur.spec!, nodeName: 'elsewhere' } });
      }
      return undefined;
    };
    client.apply(PODS, makePod('p'));
    await waitFor(() => recorder.lines().includes('Warning FailedScheduling no nodes available to schedule pods'), 'event');
    await waitFor(() => client.writes().includes('patch pods/status default/p'), 'status write attempted');
    await s.close();
    sched = undefined;
    const stored = client.stored<PodK>(PODS, 'default', 'p')!;
    assert.equal(stored.spec?.nodeName, 'elsewhere');
    assert.equal(stored.status?.conditions, undefined);
  });

  it('ignores pods of other schedulers and counts assigned pods against nodes', async () => {
    const { client, sched: s } = setup();
    client.apply(NODES, makeNode('n1', { cpu: '1' }));
    client.apply(NODES, makeNode('n2', { cpu: '1' }));
    client.apply(PODS, makePod('existing', { cpu: '800m', nodeName: 'n1' }));
    await s.start(new AbortController().signal);
    const other = makePod('other');
    other.spec!.schedulerName = 'my-scheduler';
    client.apply(PODS, other);
    client.apply(PODS, makePod('new', { cpu: '500m' }));
    await waitFor(() => !!nodeOf(client, 'new'), 'new bound');
    assert.equal(nodeOf(client, 'new'), 'n2');
    assert.equal(nodeOf(client, 'other'), undefined);
    assert.ok(!client.writes().some((w) => w.includes('default/other')));
  });

  it('retries after a failed binding', async () => {
    const { client, recorder, clock, sched: s } = setup();
    client.apply(NODES, makeNode('n1'));
    let fail = true;
    client.reactor = (a) => (a.subresource === 'binding' && fail ? new Error('boom') : undefined);
    await s.start(new AbortController().signal);
    client.apply(PODS, makePod('p'));
    await waitFor(() => recorder.lines().some((l) => l.startsWith('Warning FailedScheduling') && l.includes('boom')), 'bind failure event');
    fail = false;
    clock.now += 2000;
    await waitFor(() => nodeOf(client, 'p') === 'n1', 'bound on retry');
    assert.equal(s.metrics().bindErrors, 1);
  });

  it('preempts a lower-priority pod and nominates the node', async () => {
    const { client, recorder, clock, sched: s } = setup();
    client.apply(NODES, makeNode('n1', { cpu: '1' }));
    client.apply(PODS, makePod('low', { cpu: '800m', nodeName: 'n1', priority: 0 }));
    await s.start(new AbortController().signal);
    const high = makePod('high', { cpu: '500m', priority: 1000 });
    client.apply(PODS, high);
    await waitFor(() => !client.stored(PODS, 'default', 'low'), 'victim deleted');
    const uid = client.stored<PodK>(PODS, 'default', 'high')!.metadata!.uid!;
    await waitFor(() => recorder.lines().includes(`Normal Preempted Preempted by pod ${uid} on node n1`), 'Preempted event');
    assert.ok(client.writes().includes('patch pods/status default/low'));
    clock.now += 2000;
    await waitFor(() => nodeOf(client, 'high') === 'n1', 'preemptor bound');
  });

  it('schedules from a factory it shares, removes its handlers on close and leaves the factory running', async () => {
    const client = new WatchableClient();
    const run = new AbortController();
    const informers = new SharedInformerFactory(client, { logger: nopLogger() });
    informers.start(run.signal);
    try {
      // Another component's informer, synced before the scheduler exists (the controller manager's).
      const pods = informers.forResource<PodK>(PODS);
      informers.start(run.signal);
      client.apply(NODES, makeNode('n1'));
      client.apply(PODS, makePod('early'));
      await waitFor(() => pods.hasSynced(), 'pods synced');
      const s = new Scheduler({ client, logger: nopLogger(), recorder: new FakeRecorder(), informers });
      sched = s;
      await s.start(new AbortController().signal);
      await waitFor(() => nodeOf(client, 'early') === 'n1', 'a pod cached before the scheduler started is bound');
      await s.close();
      sched = undefined;
      client.apply(PODS, makePod('late'));
      await waitFor(() => pods.lister().get('default', 'late') !== undefined, 'the shared informer still runs');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(nodeOf(client, 'late'), undefined, 'a closed scheduler binds nothing');
    } finally {
      run.abort();
      await informers.shutdown();
    }
  });
});
