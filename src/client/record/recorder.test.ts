import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interface } from '../clientset.js';
import type { KubeObject, ResourceClient } from '../rest/resource.js';
import { APIStatusError } from '../rest/errors.js';
import { nopLogger } from '../../logging/index.js';
import { EventBroadcaster } from './recorder.js';

interface Call {
  verb: 'create' | 'patch';
  namespace: string | undefined;
  name: string;
  body: Record<string, unknown>;
}

function fakeEvents(opts: { patchNotFound?: boolean } = {}): { client: Interface; calls: Call[] } {
  const calls: Call[] = [];
  const rc = {
    create: async (obj: KubeObject, o: { namespace?: string }) => {
      calls.push({ verb: 'create', namespace: o.namespace, name: obj.metadata?.name ?? '', body: structuredClone(obj) as Record<string, unknown> });
      return obj;
    },
    patch: async (name: string, _type: string, body: Record<string, unknown>, o: { namespace?: string }) => {
      calls.push({ verb: 'patch', namespace: o.namespace, name, body });
      if (opts.patchNotFound) throw new APIStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' });
      return {};
    },
  } as unknown as ResourceClient;
  return { client: { resource: () => rc, metadata: () => rc } as unknown as Interface, calls };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'team', uid: 'u1', resourceVersion: '7' } };

test('an event becomes a core/v1 Event about the object, from the source', async () => {
  const { client, calls } = fakeEvents();
  const b = new EventBroadcaster(client, { logger: nopLogger(), now: () => Date.parse('2026-01-01T00:00:00.500Z') });
  b.newRecorder({ component: 'kubelet', host: 'node-1' }).event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await b.flush();
  assert.equal(calls.length, 1);
  const ev = calls[0]!.body;
  assert.equal(calls[0]!.namespace, 'team');
  assert.match(calls[0]!.name, /^web-1\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', name: 'web-1', uid: 'u1', resourceVersion: '7', namespace: 'team' });
  assert.deepEqual([ev.type, ev.reason, ev.message, ev.count], ['Warning', 'BackOff', 'Back-off restarting failed container', 1]);
  assert.deepEqual(ev.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(ev.firstTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(ev.lastTimestamp, '2026-01-01T00:00:00Z');
});

test('a repeat bumps count and lastTimestamp of the stored event instead of creating one', async () => {
  const { client, calls } = fakeEvents();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const b = new EventBroadcaster(client, { logger: nopLogger(), now: () => now });
  const r = b.newRecorder({ component: 'kubelet' });
  r.event(pod, 'Warning', 'BackOff', 'x');
  now += 60_000;
  r.event(pod, 'Warning', 'BackOff', 'x');
  now += 60_000;
  r.event(pod, 'Warning', 'BackOff', 'x');
  r.event(pod, 'Normal', 'Pulled', 'y');
  await b.flush();
  // Repeats of one event go in order; other events are written alongside.
  const backOff = calls.filter((c) => c.verb === 'patch' || c.body.reason === 'BackOff');
  assert.deepEqual(
    backOff.map((c) => c.verb),
    ['create', 'patch', 'patch'],
  );
  assert.equal(backOff[1]!.name, backOff[0]!.name);
  assert.deepEqual(backOff[2]!.body, { count: 3, lastTimestamp: '2026-01-01T00:02:00Z', message: 'x' });
  assert.equal(calls.filter((c) => c.body.reason === 'Pulled').length, 1);
});

test('a repeat whose stored event is gone creates it again', async () => {
  const { client, calls } = fakeEvents({ patchNotFound: true });
  const b = new EventBroadcaster(client, { logger: nopLogger() });
  const r = b.newRecorder({ component: 'c' });
  r.event(pod, 'Normal', 'A', 'm');
  r.event(pod, 'Normal', 'A', 'm');
  await b.flush();
  assert.deepEqual(
    calls.map((c) => c.verb),
    ['create', 'patch', 'create'],
  );
  assert.equal(calls[2]!.body.count, 1);
});

test('from the tenth similar event in the window on, they are combined into one', async () => {
  const { client, calls } = fakeEvents();
  const b = new EventBroadcaster(client, { logger: nopLogger(), now: () => 0 });
  const r = b.newRecorder({ component: 'c' });
  for (let i = 0; i < 12; i++) r.event(pod, 'Warning', 'FailedMount', `volume ${i} missing`);
  await b.flush();
  const creates = calls.filter((c) => c.verb === 'create');
  assert.equal(creates.length, 10);
  assert.equal(creates[8]!.body.message, 'volume 8 missing');
  assert.equal(creates[9]!.body.message, '(combined from similar events): volume 9 missing');
  assert.deepEqual(
    calls.slice(10).map((c) => [c.verb, c.name, c.body.count, c.body.message]),
    [
      ['patch', creates[9]!.name, 2, '(combined from similar events): volume 10 missing'],
      ['patch', creates[9]!.name, 3, '(combined from similar events): volume 11 missing'],
    ],
  );
});

test('different events are written concurrently, at most eight at a time', async () => {
  let inFlight = 0;
  let most = 0;
  const rc = {
    create: async (obj: KubeObject) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return obj;
    },
  } as unknown as ResourceClient;
  const b = new EventBroadcaster({ resource: () => rc, metadata: () => rc } as unknown as Interface, { logger: nopLogger() });
  const r = b.newRecorder({ component: 'c' });
  for (let i = 0; i < 20; i++) r.event({ ...pod, metadata: { ...pod.metadata, name: `p-${i}` } }, 'Normal', 'Scheduled', `assigned p-${i}`);
  await b.flush();
  assert.equal(most, 8);
  assert.equal(inFlight, 0);
});
