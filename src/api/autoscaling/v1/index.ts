// autoscaling/v1 HorizontalPodAutoscaler, served by converting to and from autoscaling/v2.
//
// v1 can express only a CPU utilization target. As upstream does, everything else that v2
// holds travels in annotations on the v1 object, so a v1 read-modify-write keeps it:
//   autoscaling.alpha.kubernetes.io/metrics          spec.metrics other than the CPU target
//   autoscaling.alpha.kubernetes.io/behavior         spec.behavior
//   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics other than CPU
//   autoscaling.alpha.kubernetes.io/conditions       status.conditions
// Unlike upstream (which writes autoscaling/v2beta1 shapes there), the annotation values are
// the autoscaling/v2 JSON of those fields.

import type { HorizontalPodAutoscaler as V1Hpa } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler as V2Hpa, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { ApiObject, GroupVersionKinds } from '../../scheme.js';
import { clone } from '../../apps/v1/util.js';
import { setDefaultsHorizontalPodAutoscaler } from '../v2/index.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

export function setDefaultsHorizontalPodAutoscaler_v1(hpa: V1Hpa): void {
  const spec = (hpa.spec ??= {} as V1Hpa['spec'] & object);
  spec.minReplicas ??= 1;
}

function takeJson<T>(ann: Record<string, string>, key: string): T | undefined {
  const raw = ann[key];
  delete ann[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function isCpuUtilization(m: MetricSpec): boolean {
  return m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';
}

export function hpaToV2(obj: ApiObject): ApiObject {
  const v1 = clone(obj) as V1Hpa;
  const ann: Record<string, string> = { ...(v1.metadata?.annotations ?? {}) };
  const otherMetrics = takeJson<MetricSpec[]>(ann, METRICS_ANNOTATION) ?? [];
  const behavior = takeJson<NonNullable<V2Hpa['spec']>['behavior']>(ann, BEHAVIOR_ANNOTATION);
  const otherCurrent = takeJson<MetricStatus[]>(ann, CURRENT_METRICS_ANNOTATION) ?? [];
  const conditions = takeJson<NonNullable<V2Hpa['status']>['conditions']>(ann, CONDITIONS_ANNOTATION);

  const metadata = { ...(v1.metadata ?? {}) };
  if (Object.keys(ann).length) metadata.annotations = ann;
  else delete metadata.annotations;

  const s = v1.spec ?? ({} as NonNullable<V1Hpa['spec']>);
  const metrics: MetricSpec[] = [];
  if (typeof s.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...otherMetrics);
  const spec: NonNullable<V2Hpa['spec']> = { scaleTargetRef: s.scaleTargetRef, maxReplicas: s.maxReplicas };
  if (s.minReplicas !== undefined) spec.minReplicas = s.minReplicas;
  if (metrics.length) spec.metrics = metrics;
  if (behavior) spec.behavior = behavior;

  const out: V2Hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (v1.status) {
    const st = v1.status;
    const status: NonNullable<V2Hpa['status']> = { desiredReplicas: st.desiredReplicas };
    if (st.observedGeneration !== undefined) status.observedGeneration = st.observedGeneration;
    if (st.lastScaleTime !== undefined) status.lastScaleTime = st.lastScaleTime;
    if (st.currentReplicas !== undefined) status.currentReplicas = st.currentReplicas;
    const current: MetricStatus[] = [];
    if (typeof st.currentCPUUtilizationPercentage === 'number') {
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } });
    }
    current.push(...otherCurrent);
    if (current.length) status.currentMetrics = current;
    if (conditions) status.conditions = conditions;
    (out as { status?: unknown }).status = status;
  }
  return out as ApiObject;
}

export function hpaFromV2(obj: ApiObject): ApiObject {
  const v2 = clone(obj) as V2Hpa;
  const ann: Record<string, string> = { ...(v2.metadata?.annotations ?? {}) };
  const s = v2.spec ?? ({} as NonNullable<V2Hpa['spec']>);
  const spec: NonNullable<V1Hpa['spec']> = { scaleTargetRef: s.scaleTargetRef, maxReplicas: s.maxReplicas };
  if (s.minReplicas !== undefined) spec.minReplicas = s.minReplicas;
  const metrics = s.metrics ?? [];
  const cpuIndex = metrics.findIndex(isCpuUtilization);
  if (cpuIndex >= 0) spec.targetCPUUtilizationPercentage = metrics[cpuIndex]!.resource!.target.averageUtilization;
  const others = metrics.filter((_, i) => i !== cpuIndex);
  if (others.length) ann[METRICS_ANNOTATION] = JSON.stringify(others);
  if (s.behavior) ann[BEHAVIOR_ANNOTATION] = JSON.stringify(s.behavior);

  let status: NonNullable<V1Hpa['status']> | undefined;
  if (v2.status) {
    const st = v2.status;
    status = { desiredReplicas: st.desiredReplicas } as NonNullable<V1Hpa['status']>;
    if (st.observedGeneration !== undefined) status.observedGeneration = st.observedGeneration;
    if (st.lastScaleTime !== undefined) status.lastScaleTime = st.lastScaleTime;
    if (st.currentReplicas !== undefined) status.currentReplicas = st.currentReplicas;
    const current = st.currentMetrics ?? [];
    const ci = current.findIndex((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current.averageUtilization !== undefined);
    if (ci >= 0) status.currentCPUUtilizationPercentage = current[ci]!.resource!.current.averageUtilization;
    const otherCurrent = current.filter((_, i) => i !== ci);
    if (otherCurrent.length) ann[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherCurrent);
    if (st.conditions?.length) ann[CONDITIONS_ANNOTATION] = JSON.stringify(st.conditions);
  }
  const metadata = { ...(v2.metadata ?? {}) };
  if (Object.keys(ann).length) metadata.annotations = ann;
  else delete metadata.annotations;
  const out: V1Hpa = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (status) (out as { status?: unknown }).status = status;
  return out as ApiObject;
}

export const kinds: GroupVersionKinds = {
  HorizontalPodAutoscaler: {
    defaults: setDefaultsHorizontalPodAutoscaler_v1,
    conversion: {
      hub: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
      toHub(obj) {
        const out = hpaToV2(obj);
        setDefaultsHorizontalPodAutoscaler(out as V2Hpa);
        return out;
      },
      fromHub: hpaFromV2,
    },
  },
};
