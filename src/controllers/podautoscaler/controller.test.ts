import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interface } from '../../client/clientset.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { DEPLOYMENTS, HORIZONTALPODAUTOSCALERS, PODS } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { FakeClient, testContext } from '../shared/testing.js';
import { HorizontalController, NAME, RESYNC_MS } from './controller.js';

const signal = new AbortController().signal;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type HPAObj = KubeObject & { status?: { currentReplicas?: number; desiredReplicas?: number; lastScaleTime?: string; currentMetrics?: unknown[]; conditions?: Cond[] } };

function hpa(opts: { min?: number; max?: number; target?: number; averageValue?: string; behavior?: unknown; kind?: string } = {}): HPAObj {
  const target = opts.averageValue ? { type: 'AverageValue', averageValue: opts.averageValue } : { type: 'Utilization', averageUtilization: opts.target ?? 50 };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', uid: 'hpa-uid', resourceVersion: '1', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: opts.kind ?? 'Deployment', name: 'web' },
      minReplicas: opts.min ?? 1,
      maxReplicas: opts.max ?? 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target } }],
      ...(opts.behavior ? { behavior: opts.behavior } : {}),
    },
    status: { desiredReplicas: 0 },
  };
}
function scale(replicas: number): KubeObject {
  return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default', resourceVersion: '1' }, spec: { replicas }, status: { replicas, selector: 'app=web' } };
}
function pod(name: string, opts: { phase?: string; ready?: boolean; request?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, resourceVersion: '1' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: opts.request ?? '100m' } } }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: iso(T0 - 3600_000),
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: iso(T0 - 3000_000) }],
    },
  };
}
function podMetrics(name: string, cpu: string): KubeObject {
  return { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name, namespace: 'default', labels: { app: 'web' } }, timestamp: iso(T0), window: '30s', containers: [{ name: 'c', usage: { cpu, memory: '10Mi' } }] };
}

function setup(opts: { metricsMissing?: boolean } = {}) {
  const t = testContext({ now: T0 });
  // metrics.k8s.io "pods" live apart from core pods.
  const metrics = new FakeClient(() => t.clock.now);
  const client = {
    resource: (gvr: GroupVersionResource) => {
      if (gvr.group !== 'metrics.k8s.io') return t.client.resource(gvr);
      if (opts.metricsMissing) return { list: async () => Promise.reject(new StatusError(404, 'NotFound', 'the server could not find the requested resource')) };
      return metrics.resource(gvr);
    },
    metadata: (gvr: GroupVersionResource) => t.client.metadata(gvr),
  } as unknown as Interface;
  const controller = new HorizontalController({ ...t.ctx, client });
  const hpas = t.informers.forResource(HORIZONTALPODAUTOSCALERS);
  const pods = t.informers.forResource(PODS);
  const addHPA = (h: HPAObj): void => {
    t.client.seed(HORIZONTALPODAUTOSCALERS, h);
    hpas.add(t.client.stored(HORIZONTALPODAUTOSCALERS, 'default', 'web')!);
  };
  const refreshHPA = (): void => hpas.add(structuredClone(t.client.stored(HORIZONTALPODAUTOSCALERS, 'default', 'web')!));
  const stored = (): HPAObj => t.client.stored<HPAObj>(HORIZONTALPODAUTOSCALERS, 'default', 'web')!;
  const replicas = (): number => (t.client.stored<KubeObject & { spec: { replicas: number } }>(DEPLOYMENTS, 'default', 'web')!).spec.replicas;
  const setUsage = (usage: Record<string, string>): void => {
    for (const [name, cpu] of Object.entries(usage)) metrics.seed({ group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespaced: true }, podMetrics(name, cpu));
  };
  return { ...t, controller, pods, addHPA, refreshHPA, stored, replicas, setUsage };
}

const cond = (h: HPAObj, type: string): Cond | undefined => h.status?.conditions?.find((c) => c.type === type);

test('scales up on CPU utilization above target, limited to max(2x, 4) without a behavior', async () => {
  assert.equal(NAME, 'horizontal-pod-autoscaler-controller');
  const { controller, client, pods, addHPA, stored, replicas, setUsage, recorder } = setup();
  addHPA(hpa());
  client.seed(DEPLOYMENTS, scale(2));
  pods.add(pod('a'));
  pods.add(pod('b'));
  setUsage({ a: '200m', b: '200m' });
  assert.deepEqual(await controller.sync('default/web', signal), { requeueAfterMs: RESYNC_MS });
  assert.equal(replicas(), 4);
  assert.deepEqual(recorder.lines(), ['Normal SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target']);
  const h = stored();
  assert.equal(h.status!.currentReplicas, 2);
  assert.equal(h.status!.desiredReplicas, 4);
  assert.equal(h.status!.lastScaleTime, iso(T0));
  assert.deepEqual(h.status!.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } } }]);
  assert.deepEqual(
    h.status!.conditions!.map((c) => `${c.type} ${c.status} ${c.reason}`),
    ['AbleToScale True SucceededRescale', 'ScalingActive True ValidMetricFound', 'ScalingLimited True ScaleUpLimit'],
  );
  assert.equal(cond(h, 'ScalingActive')!.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  assert.equal(cond(h, 'AbleToScale')!.message, 'the HPA controller was able to update the target scale to 4');
});

test('within the 10 % tolerance nothing changes', async () => {
  const { controller, client, pods, addHPA, replicas, setUsage, recorder, stored } = setup();
  addHPA(hpa());
  client.seed(DEPLOYMENTS, scale(2));
  pods.add(pod('a'));
  pods.add(pod('b'));
  setUsage({ a: '54m', b: '54m' });
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 2);
  assert.deepEqual(recorder.lines(), []);
  assert.equal(cond(stored(), 'AbleToScale')!.reason, 'ReadyForNewScale');
  assert.equal(cond(stored(), 'ScalingLimited')!.reason, 'DesiredWithinRange');
});

test('no metrics API: ScalingActive False FailedGetResourceMetric with upstream messages; no scaling', async () => {
  const { controller, client, pods, addHPA, stored, replicas, recorder } = setup({ metricsMissing: true });
  addHPA(hpa());
  client.seed(DEPLOYMENTS, scale(2));
  pods.add(pod('a'));
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 2);
  const inner = 'failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';
  const c = cond(stored(), 'ScalingActive')!;
  assert.deepEqual({ status: c.status, reason: c.reason, message: c.message }, { status: 'False', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${inner}` });
  assert.equal(cond(stored(), 'AbleToScale')!.reason, 'SucceededGetScale');
  assert.equal(stored().status!.currentReplicas, 2);
  assert.deepEqual(recorder.lines(), [
    `Warning FailedGetResourceMetric ${inner}`,
    `Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${inner}`,
  ]);
});

test('empty metrics list fails the same way with "no metrics returned"', async () => {
  const { controller, client, pods, addHPA, stored } = setup();
  addHPA(hpa());
  client.seed(DEPLOYMENTS, scale(2));
  pods.add(pod('a'));
  await controller.sync('default/web', signal);
  assert.match(cond(stored(), 'ScalingActive')!.message, /unable to get metrics for resource cpu: no metrics returned from resource metrics API$/);
});

test('scale-down waits for the 5 minute stabilization window', async () => {
  const { controller, client, pods, addHPA, replicas, setUsage, clock, refreshHPA, stored } = setup();
  addHPA(hpa());
  client.seed(DEPLOYMENTS, scale(4));
  for (const n of ['a', 'b', 'c', 'd']) pods.add(pod(n));
  setUsage({ a: '5m', b: '5m', c: '5m', d: '5m' });
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 4);
  assert.equal(cond(stored(), 'AbleToScale')!.reason, 'ScaleDownStabilized');
  refreshHPA();
  clock.now = T0 + 5 * 60_000 + 1;
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 1);
});

test('with a behavior, scale-up is limited to 100 % or 4 pods per 15 s', async () => {
  const behavior = {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  };
  const { controller, client, pods, addHPA, replicas, setUsage, clock, refreshHPA, stored } = setup();
  addHPA(hpa({ max: 50, behavior }));
  client.seed(DEPLOYMENTS, scale(2));
  for (const n of ['a', 'b']) pods.add(pod(n));
  setUsage({ a: '500m', b: '500m' });
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 6);
  assert.equal(cond(stored(), 'ScalingLimited')!.reason, 'ScaleUpLimit');
  // 10 s later the period's budget is spent.
  refreshHPA();
  clock.now = T0 + 10_000;
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 6);
  refreshHPA();
  clock.now = T0 + 16_000;
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 12);
});

test('pods without metrics count as at their request when scaling down; unready pods as idle when scaling up', async () => {
  const down = setup();
  down.addHPA(hpa());
  down.client.seed(DEPLOYMENTS, scale(3));
  for (const n of ['a', 'b', 'c']) down.pods.add(pod(n));
  down.setUsage({ a: '10m', b: '10m' });
  await down.controller.sync('default/web', signal);
  // Without the missing-pod rule this would be ceil(0.2 * 2) = 1; with it 40 % → 3 (not fewer than... stabilized anyway).
  assert.equal(down.replicas(), 3);
  assert.equal(down.stored().status!.desiredReplicas, 3);

  const up = setup();
  up.addHPA(hpa());
  up.client.seed(DEPLOYMENTS, scale(2));
  up.pods.add(pod('a'));
  up.pods.add(pod('b', { phase: 'Pending' }));
  up.setUsage({ a: '200m' });
  await up.controller.sync('default/web', signal);
  // a at 200 %, b assumed 0 → 100 % over 2 pods → ratio 2 → 4.
  assert.equal(up.replicas(), 4);
});

test('replicas outside min/max are brought back; zero replicas disables scaling', async () => {
  const { controller, client, addHPA, replicas, recorder, stored } = setup();
  addHPA(hpa({ max: 3 }));
  client.seed(DEPLOYMENTS, scale(5));
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 3);
  assert.deepEqual(recorder.lines(), ['Normal SuccessfulRescale New size: 3; reason: Current number of replicas above Spec.MaxReplicas']);

  const zero = setup();
  zero.addHPA(hpa());
  zero.client.seed(DEPLOYMENTS, scale(0));
  await zero.controller.sync('default/web', signal);
  assert.equal(zero.replicas(), 0);
  assert.equal(cond(zero.stored(), 'ScalingActive')!.reason, 'ScalingDisabled');
  assert.ok(stored());
});

test('an unknown target kind sets AbleToScale False FailedGetScale', async () => {
  const { controller, addHPA, stored, recorder } = setup();
  addHPA(hpa({ kind: 'Widget' }));
  await controller.sync('default/web', signal);
  const c = cond(stored(), 'AbleToScale')!;
  assert.equal(c.reason, 'FailedGetScale');
  assert.equal(c.message, 'the HPA controller was unable to get the target\'s current scale: no matches for kind "Widget" in group "apps"');
  assert.deepEqual(recorder.lines(), ['Warning FailedGetScale no matches for kind "Widget" in group "apps"']);
});

test('AverageValue targets scale on raw usage', async () => {
  const { controller, client, pods, addHPA, replicas, setUsage, stored } = setup();
  addHPA(hpa({ averageValue: '100m' }));
  client.seed(DEPLOYMENTS, scale(2));
  pods.add(pod('a'));
  pods.add(pod('b'));
  setUsage({ a: '300m', b: '300m' });
  await controller.sync('default/web', signal);
  assert.equal(replicas(), 4);
  assert.deepEqual(stored().status!.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m' } } }]);
});

test('a deleted HPA is forgotten and not requeued', async () => {
  const { controller } = setup();
  assert.equal(await controller.sync('default/gone', signal), undefined);
});
