import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { nopLogger } from '../../logging/index.js';
import { PodWorkers, type PodSyncer, type SyncPodResult, type Timers } from './pod-workers.js';

function fakeTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let seq = 0;
  const timers: Timers = {
    set: (fn, ms) => {
      const t = { fn, ms, id: ++seq };
      pending.push(t);
      return t.id;
    },
    clear: (h) => {
      const i = pending.findIndex((t) => t.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending, fire: () => pending.splice(0).forEach((t) => t.fn()) };
}

function recordingSyncer(results: SyncPodResult[] = []) {
  const log: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  let failTerminating = 0;
  const syncer: PodSyncer = {
    syncPod: async (pod) => {
      log.push(`sync ${pod.metadata?.resourceVersion}`);
      if (gate) await gate;
      return results.shift() ?? { terminal: false };
    },
    syncTerminatingPod: async (pod, uid, _rp, grace) => {
      log.push(`terminating ${uid} grace=${grace}`);
      if (failTerminating-- > 0) throw new Error('still running');
    },
    syncTerminatedPod: async (_pod, uid) => {
      log.push(`terminated ${uid}`);
    },
  };
  return {
    syncer,
    log,
    hold: () => (gate = new Promise((r) => (release = r))),
    release: () => {
      gate = undefined;
      release?.();
    },
    failTerminatingOnce: () => (failTerminating = 1),
  };
}

const pod = (rv: string, over: Partial<Pod['metadata']> = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: rv, ...over }, spec: { containers: [], terminationGracePeriodSeconds: 30 } });

describe('PodWorkers', () => {
  it('serializes a pod and coalesces updates that arrive during a sync into one more sync', async () => {
    const s = recordingSyncer();
    const t = fakeTimers();
    const pw = new PodWorkers({ syncer: s.syncer, logger: nopLogger(), timers: t.timers, resyncPeriodMs: 60_000 });
    void s.hold();
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('1') });
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('2') });
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('3') });
    await new Promise((r) => setImmediate(r));
    s.release();
    await pw.idle();
    assert.deepEqual(s.log, ['sync 1', 'sync 3']);
    // Next sync at the resync period.
    assert.deepEqual(t.pending.map((x) => x.ms), [60_000]);
    t.fire();
    await pw.idle();
    assert.deepEqual(s.log, ['sync 1', 'sync 3', 'sync 3']);
  });

  it('requeues when the sync asks (back-off end) rather than at the resync period', async () => {
    const s = recordingSyncer([{ terminal: false, requeueAfterMs: 10_000 }]);
    const t = fakeTimers();
    const pw = new PodWorkers({ syncer: s.syncer, logger: nopLogger(), timers: t.timers });
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('1') });
    await pw.idle();
    assert.deepEqual(t.pending.map((x) => x.ms), [10_000]);
    pw.syncPod('u1');
    await pw.idle();
    assert.equal(t.pending.length, 1, 'one timer per pod');
  });

  it('a deleted pod goes terminating (with its deletion grace) → terminated and is forgotten once removed', async () => {
    const s = recordingSyncer();
    const t = fakeTimers();
    const forgotten: string[] = [];
    const pw = new PodWorkers({ syncer: s.syncer, logger: nopLogger(), timers: t.timers, onForget: (u) => forgotten.push(u), backOffPeriodMs: 5 });
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('1') });
    await pw.idle();
    s.failTerminatingOnce();
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('2', { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 7 }) });
    await pw.idle();
    assert.equal(pw.phase('u1'), 'terminating');
    assert.equal(pw.couldHaveRunningContainers('u1'), true);
    assert.deepEqual(t.pending.map((x) => x.ms), [5]);
    t.fire();
    await pw.idle();
    assert.equal(pw.phase('u1'), 'terminated');
    assert.equal(pw.couldHaveRunningContainers('u1'), false);
    pw.updatePod({ type: 'sync', uid: 'u1', removed: true });
    await pw.idle();
    assert.deepEqual(s.log, ['sync 1', 'terminating u1 grace=7', 'terminating u1 grace=7', 'terminated u1', 'terminated u1']);
    assert.deepEqual(forgotten, ['u1']);
    assert.equal(pw.isKnown('u1'), false);
  });

  it('a sync that finds the pod terminal terminates it; kills of unknown runtime pods use the override', async () => {
    const s = recordingSyncer([{ terminal: true }]);
    const pw = new PodWorkers({ syncer: s.syncer, logger: nopLogger(), timers: fakeTimers().timers });
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('1') });
    pw.updatePod({ type: 'kill', uid: 'orphan', gracePeriodSecondsOverride: 1 });
    await pw.idle();
    assert.deepEqual(s.log, ['sync 1', 'terminating orphan grace=1', 'terminating u1 grace=30', 'terminated orphan', 'terminated u1']);
    assert.equal(pw.isKnown('orphan'), false, 'a pod without API object is forgotten once terminated');
    assert.equal(pw.phase('u1'), 'terminated');
  });

  it('ignores sync updates for unknown removed pods and stops on close', async () => {
    const s = recordingSyncer();
    const t = fakeTimers();
    const pw = new PodWorkers({ syncer: s.syncer, logger: nopLogger(), timers: t.timers });
    pw.updatePod({ type: 'sync', uid: 'x', removed: true });
    assert.equal(pw.isKnown('x'), false);
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('1') });
    await pw.close();
    assert.equal(t.pending.length, 0);
    pw.updatePod({ type: 'sync', uid: 'u1', pod: pod('2') });
    await pw.idle();
    assert.deepEqual(s.log, ['sync 1']);
  });
});
