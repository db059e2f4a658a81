import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../client/rest/resource.js';
import { CONFIGMAPS, DEPLOYMENTS, PERSISTENTVOLUMECLAIMS, PODS, RESOURCEQUOTAS, SERVICES } from '../../client/resources.js';
import type { PodObject } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { create, NAME, type ResourceQuotaObject } from './controller.js';
import { podResources } from './evaluators.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function setup() {
  const t = testContext({ now: T0 });
  const ctrl = create(t.ctx);
  const signal = new AbortController().signal;
  const seed = (gvr: typeof PODS, o: KubeObject, metadataOnly = false): void => {
    t.informers.forResource(gvr, { metadataOnly }).add(t.client.seed(gvr, o));
  };
  const status = (name = 'q') => t.client.stored<ResourceQuotaObject>(RESOURCEQUOTAS, 'ns', name)?.status;
  return { ...t, ctrl, signal, seed, status };
}

function quota(hard: Record<string, string>, extra: Partial<NonNullable<ResourceQuotaObject['spec']>> = {}, status?: ResourceQuotaObject['status']): ResourceQuotaObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns', uid: 'uid-q', generation: 1, resourceVersion: '1' }, spec: { hard, ...extra }, status };
}

interface PodOpts {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  phase?: string;
  deadline?: number;
  priorityClassName?: string;
  ns?: string;
}

function pod(name: string, o: PodOpts = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'ns', uid: `uid-${name}`, resourceVersion: '2' },
    spec: {
      activeDeadlineSeconds: o.deadline,
      priorityClassName: o.priorityClassName,
      containers: [{ name: 'c', image: 'i', resources: { requests: o.requests, limits: o.limits } }],
    },
    status: { phase: o.phase ?? 'Running' },
  };
}

test('hard mirrors the spec; pods and their requests/limits are summed in upstream format', async () => {
  assert.equal(NAME, 'resourcequota-controller');
  const h = setup();
  h.seed(RESOURCEQUOTAS, quota({ pods: '10', 'requests.cpu': '2', 'requests.memory': '2Gi', 'limits.memory': '4Gi', cpu: '4', 'count/pods': '20' }));
  h.seed(PODS, pod('a', { requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '1Gi' } }));
  h.seed(PODS, pod('b', { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '1Gi' } }));
  h.seed(PODS, pod('done', { requests: { cpu: '1', memory: '1Gi' }, phase: 'Succeeded' }));
  h.seed(PODS, pod('elsewhere', { requests: { cpu: '1' }, ns: 'other' }));
  await h.ctrl.sync('ns/q', h.signal);
  assert.deepEqual(h.status(), {
    hard: { 'count/pods': '20', cpu: '4', 'limits.memory': '4Gi', pods: '10', 'requests.cpu': '2', 'requests.memory': '2Gi' },
    used: { 'count/pods': '3', cpu: '300m', 'limits.memory': '2Gi', pods: '2', 'requests.cpu': '300m', 'requests.memory': '1536Mi' },
  });
});

test('nothing used yet: every tracked resource reads 0; unknown names keep their last observation', async () => {
  const h = setup();
  h.seed(RESOURCEQUOTAS, quota({ pods: '1', 'requests.storage': '10Gi', 'example.com/widgets': '3' }, {}, { used: { 'example.com/widgets': '2', gone: '1' } }));
  await h.ctrl.sync('ns/q', h.signal);
  assert.deepEqual(h.status()?.used, { 'example.com/widgets': '2', pods: '0', 'requests.storage': '0' });
});

test('object counts, services, node ports, load balancers and claimed storage', async () => {
  const h = setup();
  h.seed(
    RESOURCEQUOTAS,
    quota({
      services: '5',
      'services.nodeports': '5',
      'services.loadbalancers': '1',
      configmaps: '3',
      'count/deployments.apps': '2',
      persistentvolumeclaims: '2',
      'requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/requests.storage': '1Gi',
    }),
  );
  const svc = (name: string, type: string, ports: number): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) } }) as KubeObject;
  h.seed(SERVICES, svc('a', 'ClusterIP', 1));
  h.seed(SERVICES, svc('b', 'NodePort', 2));
  h.seed(SERVICES, svc('c', 'LoadBalancer', 1));
  h.seed(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } }, true);
  h.seed(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } }, true);
  const pvc = (name: string, size: string, sc?: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'ns' }, spec: { storageClassName: sc, resources: { requests: { storage: size } } } }) as KubeObject;
  h.seed(PERSISTENTVOLUMECLAIMS, pvc('p1', '1Gi'));
  h.seed(PERSISTENTVOLUMECLAIMS, pvc('p2', '500Mi', 'fast'));
  await h.ctrl.sync('ns/q', h.signal);
  assert.deepEqual(h.status()?.used, {
    configmaps: '1',
    'count/deployments.apps': '1',
    'fast.storageclass.storage.k8s.io/requests.storage': '500Mi',
    persistentvolumeclaims: '2',
    'requests.storage': '1524Mi',
    services: '3',
    'services.loadbalancers': '1',
    'services.nodeports': '3',
  });
});

test('scopes: BestEffort, NotTerminating and PriorityClass select the pods counted', async () => {
  const h = setup();
  h.seed(RESOURCEQUOTAS, { ...quota({ pods: '9' }, { scopes: ['BestEffort'] }), metadata: { name: 'be', namespace: 'ns', uid: 'u1' } });
  h.seed(RESOURCEQUOTAS, { ...quota({ pods: '9', 'requests.cpu': '9' }, { scopes: ['NotTerminating', 'NotBestEffort'] }), metadata: { name: 'nt', namespace: 'ns', uid: 'u2' } });
  h.seed(RESOURCEQUOTAS, {
    ...quota({ pods: '9' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }),
    metadata: { name: 'pc', namespace: 'ns', uid: 'u3' },
  });
  h.seed(PODS, pod('besteffort'));
  h.seed(PODS, pod('burstable', { requests: { cpu: '250m' } }));
  h.seed(PODS, pod('job', { requests: { cpu: '1' }, deadline: 60 }));
  h.seed(PODS, pod('high', { requests: { cpu: '500m' }, priorityClassName: 'high' }));
  for (const n of ['be', 'nt', 'pc']) await h.ctrl.sync(`ns/${n}`, h.signal);
  assert.deepEqual(h.status('be')?.used, { pods: '1' });
  assert.deepEqual(h.status('nt')?.used, { pods: '2', 'requests.cpu': '750m' });
  assert.deepEqual(h.status('pc')?.used, { pods: '1' });
});

test('an unchanged status is not written again', async () => {
  const h = setup();
  h.seed(RESOURCEQUOTAS, quota({ pods: '2' }));
  h.seed(PODS, pod('a'));
  await h.ctrl.sync('ns/q', h.signal);
  h.informers.forResource(RESOURCEQUOTAS).add(h.client.stored(RESOURCEQUOTAS, 'ns', 'q')!);
  await h.ctrl.sync('ns/q', h.signal);
  assert.deepEqual(h.client.writes(), ['update resourcequotas/status ns/q']);
});

test('pod changes wake the quotas of their namespace that track pods; status updates do not', async () => {
  const h = setup();
  h.seed(RESOURCEQUOTAS, quota({ pods: '2' }));
  h.seed(RESOURCEQUOTAS, { ...quota({ configmaps: '2' }), metadata: { name: 'cm', namespace: 'ns', uid: 'u2' } });
  const drain = async (): Promise<string[]> => {
    const out: string[] = [];
    while (h.ctrl.queue.len()) {
      const k = (await h.ctrl.queue.get())!;
      h.ctrl.queue.done(k);
      out.push(k);
    }
    return out;
  };
  await drain();
  const pods = h.informers.forResource<PodObject>(PODS);
  pods.add(pod('a', { ns: 'other' }));
  assert.deepEqual(await drain(), []);
  pods.add(pod('a'));
  assert.deepEqual(await drain(), ['ns/q']);
  pods.add({ ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: '3' }, status: { phase: 'Running', podIP: '10.42.0.5' } });
  assert.deepEqual(await drain(), []);
  pods.add({ ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: '4' }, status: { phase: 'Failed' } });
  assert.deepEqual(await drain(), ['ns/q']);
  await h.ctrl.close();
});

test('pod requests: init containers count by their max, sidecars add up, overhead is added', () => {
  const p = {
    spec: {
      overhead: { cpu: '10m' },
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
        { name: 'init', resources: { requests: { cpu: '1', memory: '64Mi' } } },
      ],
      containers: [
        { name: 'a', resources: { requests: { cpu: '200m', memory: '128Mi' } } },
        { name: 'b', resources: { requests: { cpu: '300m' } } },
      ],
    },
  } as unknown as PodObject;
  const r = podResources(p, 'requests');
  // containers 500m + sidecar 100m = 600m < init 1 + sidecar 100m = 1100m; + 10m overhead.
  assert.equal(r.get('cpu')?.toString(), '1110m');
  assert.equal(r.get('memory')?.toString(), '128Mi');
});
