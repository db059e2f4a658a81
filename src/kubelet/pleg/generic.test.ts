import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nopLogger } from '../../logging/index.js';
import type { RunningPod, RuntimePodStatus } from '../container/runtime.js';
import { GenericPLEG, generateEvents, type PodLifecycleEvent } from './generic.js';

function fakeRuntime() {
  const rt = {
    pods: [] as RunningPod[],
    statusCalls: [] as string[],
    getPods: async () => structuredClone(rt.pods),
    getPodStatus: async (uid: string, name: string, namespace: string): Promise<RuntimePodStatus> => {
      rt.statusCalls.push(uid);
      return { uid, name, namespace, ips: [], sandboxStatuses: [], containerStatuses: [], timestamp: 0 };
    },
  };
  return rt;
}

const pod = (uid: string, containers: [string, RunningPod['containers'][number]['state']][], sandboxIds: string[] = ['sb-' + uid]): RunningPod => ({
  uid,
  name: uid,
  namespace: 'ns',
  sandboxIds,
  containers: containers.map(([id, state]) => ({ id: { type: 'containerd', id }, name: id, state, hash: '' })),
});

const fmt = (es: PodLifecycleEvent[]): string[] => es.map((e) => `${e.id} ${e.type} ${e.data}`);

describe('generateEvents', () => {
  it('maps state changes as upstream', () => {
    assert.deepEqual(fmt(generateEvents('p', 'c', 'non-existent', 'running')), ['p ContainerStarted c']);
    assert.deepEqual(fmt(generateEvents('p', 'c', 'running', 'exited')), ['p ContainerDied c']);
    assert.deepEqual(fmt(generateEvents('p', 'c', 'exited', 'non-existent')), ['p ContainerRemoved c']);
    assert.deepEqual(fmt(generateEvents('p', 'c', 'running', 'non-existent')), ['p ContainerDied c', 'p ContainerRemoved c']);
    assert.deepEqual(fmt(generateEvents('p', 'c', 'non-existent', 'created')), ['p ContainerChanged c']);
    assert.deepEqual(generateEvents('p', 'c', 'running', 'running'), []);
  });
});

describe('GenericPLEG', () => {
  it('emits per-pod events between relists and caches the status of changed pods', async () => {
    const rt = fakeRuntime();
    const got: PodLifecycleEvent[][] = [];
    const pleg = new GenericPLEG({ runtime: rt, logger: nopLogger(), onEvents: (e) => got.push(e), now: () => 42 });
    rt.pods = [pod('a', [['a1', 'running']])];
    await pleg.relist();
    assert.deepEqual(fmt(got[0]!), ['a ContainerStarted a1', 'a ContainerStarted sb-a']);
    assert.equal(pleg.getCachedStatus('a')?.uid, 'a');
    assert.equal(pleg.lastRelistAt(), 42);

    await pleg.relist();
    assert.equal(got.length, 1, 'no change, no events');

    rt.pods = [pod('a', [['a1', 'exited'], ['a2', 'running']]), pod('b', [['b1', 'created']])];
    await pleg.relist();
    assert.deepEqual(fmt(got[1]!), ['a ContainerDied a1', 'a ContainerStarted a2', 'b ContainerChanged b1', 'b ContainerStarted sb-b']);

    rt.pods = [pod('b', [['b1', 'running']])];
    await pleg.relist();
    assert.deepEqual(fmt(got[2]!), ['a ContainerRemoved a1', 'a ContainerDied a2', 'a ContainerRemoved a2', 'a ContainerDied sb-a', 'a ContainerRemoved sb-a', 'b ContainerStarted b1']);
    assert.equal(pleg.getCachedStatus('a'), undefined);
    assert.deepEqual(rt.statusCalls, ['a', 'a', 'b', 'b']);
  });

  it('relists periodically until the signal aborts', async () => {
    const rt = fakeRuntime();
    let n = 0;
    rt.getPods = async () => {
      n++;
      return [];
    };
    const pleg = new GenericPLEG({ runtime: rt, logger: nopLogger(), onEvents: () => undefined, relistPeriodMs: 5 });
    const ac = new AbortController();
    pleg.start(ac.signal);
    for (let i = 0; i < 200 && n < 3; i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await pleg.stopped();
    assert.ok(n >= 3, `relisted ${n} times`);
  });
});
