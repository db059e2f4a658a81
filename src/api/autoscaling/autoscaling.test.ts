import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../scheme.js';
import type { ErrorList } from '../../machinery/field.js';
import { kinds as v2 } from './v2/index.js';
import { kinds as v1 } from './v1/index.js';
import { applyScaleToObject, scaleFromObject, validateScale } from './v1/scale.js';

const msgs = (errs: ErrorList | undefined) => (errs ?? []).map((e) => e.toString());

test('v2 HPA defaults and validation', () => {
  const hpa: ApiObject = { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, maxReplicas: 5 } };
  v2.HorizontalPodAutoscaler!.defaults!(hpa);
  assert.equal(hpa.spec.minReplicas, 1);
  assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(hpa.spec.behavior, undefined);
  assert.deepEqual(msgs(v2.HorizontalPodAutoscaler!.validate!(hpa)), []);

  const b: ApiObject = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 2, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
  v2.HorizontalPodAutoscaler!.defaults!(b);
  assert.deepEqual(b.spec.behavior.scaleDown, { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  assert.equal(b.spec.behavior.scaleUp.stabilizationWindowSeconds, 0);
  assert.equal(b.spec.behavior.scaleUp.policies.length, 2);

  const bad: ApiObject = { spec: { scaleTargetRef: { name: '' }, minReplicas: 0, maxReplicas: 0 } };
  assert.deepEqual(msgs(v2.HorizontalPodAutoscaler!.validate!(bad)), [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.scaleTargetRef.kind: Required value',
    'spec.scaleTargetRef.name: Required value',
  ]);
  const inverted: ApiObject = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, minReplicas: 4, maxReplicas: 2 } };
  assert.deepEqual(msgs(v2.HorizontalPodAutoscaler!.validate!(inverted)), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
});

test('v1 HPA converts targetCPUUtilizationPercentage and round trips', () => {
  const c = v1.HorizontalPodAutoscaler!.conversion!;
  const hpa: ApiObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 70 },
  };
  v1.HorizontalPodAutoscaler!.defaults!(hpa);
  assert.equal(hpa.spec.minReplicas, 1);
  const hub = c.toHub(hpa);
  assert.equal(hub.apiVersion, 'autoscaling/v2');
  assert.deepEqual(hub.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.deepEqual(hub.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 70 } } }]);
  assert.deepEqual(c.fromHub(hub), hpa);

  // No target: the v2 default of 80% CPU shows through, as `kubectl autoscale` users see.
  const bare: ApiObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'b' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'b' }, maxReplicas: 3 } };
  assert.equal(c.fromHub(c.toHub(bare)).spec.targetCPUUtilizationPercentage, 80);

  // v2-only fields survive a v1 read-modify-write through annotations.
  const rich: ApiObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'r' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'r' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 10, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    },
  };
  const asV1 = c.fromHub(rich);
  assert.equal(asV1.spec.targetCPUUtilizationPercentage, 60);
  assert.ok(asV1.metadata!.annotations!['autoscaling.alpha.kubernetes.io/metrics']);
  const back = c.toHub(asV1);
  assert.deepEqual(back.spec.behavior.scaleDown, rich.spec.behavior.scaleDown);
  assert.equal(back.spec.metrics.length, 2);
  assert.equal(back.metadata!.annotations, undefined);
});

test('Scale from a Deployment and back', () => {
  const d: ApiObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '7', labels: { x: 'y' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] } },
    status: { replicas: 2 },
  };
  const s = scaleFromObject(d, 'Deployment');
  assert.deepEqual(s, {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '7' },
    spec: { replicas: 2 },
    status: { replicas: 2, selector: 'app=web,tier in (fe)' },
  });
  const out = applyScaleToObject(d, { ...s, spec: { replicas: 5 } });
  assert.equal(out.spec.replicas, 5);
  assert.equal(d.spec.replicas, 2);
  const rc = scaleFromObject({ kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { replicas: 1, selector: { app: 'x' } } }, 'ReplicationController');
  assert.equal(rc.status!.selector, 'app=x');
  assert.deepEqual(msgs(validateScale({ spec: { replicas: -1 } })), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
});
