import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { parseSelector } from '../../machinery/labels.js';
import { FakeClient } from '../shared/testing.js';
import { getRawResourceReplicas, getResourceReplicas, POD_METRICS } from './replica-calculator.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function pod(name: string, opts: { phase?: string; ready?: string; started?: number; transition?: number; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: { app: 'x' }, ...(opts.deleting ? { deletionTimestamp: iso(T0) } : {}) },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
    status: { phase: opts.phase ?? 'Running', startTime: iso(opts.started ?? T0 - 3600_000), conditions: [{ type: 'Ready', status: opts.ready ?? 'True', lastTransitionTime: iso(opts.transition ?? T0 - 3000_000) }] },
  };
}

function input(usage: Record<string, string>, pods: Pod[], currentReplicas: number) {
  const client = new FakeClient(() => T0);
  for (const [name, cpu] of Object.entries(usage)) {
    client.seed(POD_METRICS, { metadata: { name, namespace: 'ns', labels: { app: 'x' } }, timestamp: iso(T0), window: '30s', containers: [{ name: 'c', usage: { cpu } }] } as KubeObject);
  }
  return { client: client as Interface, pods, currentReplicas, resource: 'cpu', namespace: 'ns', selector: parseSelector('app=x'), now: T0 };
}

test('ratio times ready pods, ceiling', async () => {
  const r = await getResourceReplicas(input({ a: '90m', b: '90m' }, [pod('a'), pod('b')], 2), 60);
  assert.deepEqual({ replicas: r.replicas, utilization: r.utilization, raw: r.rawAverage }, { replicas: 3, utilization: 90, raw: 90 });
});

test('missing metrics count as 100 % of request when scaling down, 0 when scaling up', async () => {
  // Without the rule: ceil(0.2 * 2) = 1. With it: (10+10+100)/300 = 40 % of 50 → 0.8 → ceil(2.4) = 3.
  const down = await getResourceReplicas(input({ a: '10m', b: '10m' }, [pod('a'), pod('b'), pod('c')], 4), 50);
  assert.equal(down.replicas, 3);
  assert.equal(down.utilization, 10);
  // Scaling up: (200+200+0)/300 = 133 % of 50 → 2.67 → ceil(8) = 8.
  const up = await getResourceReplicas(input({ a: '200m', b: '200m' }, [pod('a'), pod('b'), pod('c')], 3), 50);
  assert.equal(up.replicas, 8);
});

test('unready pods count as idle only when scaling up; pods being deleted are ignored', async () => {
  const pods = [pod('a'), pod('b', { phase: 'Pending' }), pod('gone', { deleting: true })];
  const up = await getResourceReplicas(input({ a: '200m', gone: '900m' }, pods, 2), 50);
  assert.equal(up.replicas, 4);
  // A pod in its CPU initialization period whose sample predates readiness is unready.
  const fresh = pod('f', { started: T0 - 60_000, transition: T0 - 10_000 });
  const r = await getResourceReplicas(input({ a: '25m', f: '500m' }, [pod('a'), fresh], 2), 50);
  assert.equal(r.replicas, 1);
});

test('errors have upstream texts', async () => {
  await assert.rejects(getResourceReplicas(input({}, [pod('a')], 1), 50), /^Error: unable to get metrics for resource cpu: no metrics returned from resource metrics API$/);
  await assert.rejects(getResourceReplicas(input({ a: '10m' }, [], 1), 50), /no pods returned by selector while calculating replica count/);
  await assert.rejects(getResourceReplicas(input({ a: '10m' }, [pod('a', { phase: 'Pending' })], 1), 50), /did not receive metrics for targeted pods \(pods might be unready\)/);
  const noReq = pod('a');
  (noReq.spec!.containers[0] as { resources?: unknown }).resources = {};
  await assert.rejects(getResourceReplicas(input({ a: '10m' }, [noReq], 1), 50), /missing request for cpu in container c of Pod a/);
});

test('average value targets', async () => {
  const r = await getRawResourceReplicas(input({ a: '300m', b: '100m' }, [pod('a'), pod('b')], 2), 100_000 / 1000);
  assert.equal(r.rawAverage, 200);
  assert.equal(r.replicas, 4);
});
