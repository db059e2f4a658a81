// autoscaling/v2 HorizontalPodAutoscaler: the storage version. Defaults from
// pkg/apis/autoscaling/v2/defaults.go, validation from pkg/apis/autoscaling/validation.

import type {
  HPAScalingRules,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerSpec,
  MetricSpec,
  MetricTarget,
} from 'kubernetes-types/autoscaling/v2.js';
import type { GroupVersionKinds } from '../../scheme.js';
import { Path, forbidden, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { nonNegative } from '../../apps/v1/util.js';

/** Upstream DefaultCPUUtilization: the target when an HPA names no metric. */
export const DEFAULT_CPU_UTILIZATION = 80;

export function defaultScaleUpRules(): HPAScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDownRules(): HPAScalingRules {
  return { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

function fillRules(rules: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (!rules) return defaults;
  rules.stabilizationWindowSeconds ??= defaults.stabilizationWindowSeconds;
  rules.selectPolicy ??= defaults.selectPolicy;
  if (!rules.policies || rules.policies.length === 0) rules.policies = defaults.policies;
  return rules;
}

export function setDefaultsHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= {} as HorizontalPodAutoscalerSpec);
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  // Only a behavior that is given gets its missing parts filled.
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, defaultScaleUpRules());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, defaultScaleDownRules());
  }
}

const PATH_SEGMENT_BAD = ['.', '..'];

function validateScaleTargetRef(ref: HorizontalPodAutoscalerSpec['scaleTargetRef'] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const r = ref ?? ({} as NonNullable<typeof ref>);
  if (!r.kind) errs.push(required(path.child('kind'), ''));
  else errs.push(...pathSegment(r.kind, path.child('kind')));
  if (!r.name) errs.push(required(path.child('name'), ''));
  else errs.push(...pathSegment(r.name, path.child('name')));
  return errs;
}

/** Upstream path.IsValidPathSegmentName as ValidateCrossVersionObjectReference applies it. */
function pathSegment(v: string, path: Path): ErrorList {
  if (PATH_SEGMENT_BAD.includes(v)) return [invalid(path, v, `may not be '${v}'`)];
  for (const bad of ['/', '%']) if (v.includes(bad)) return [invalid(path, v, `may not contain '${bad}'`)];
  return [];
}

function validateMetricTarget(t: MetricTarget | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!t?.type) return [required(path.child('type'), 'must specify a metric target type')];
  if (t.type !== 'Utilization' && t.type !== 'Value' && t.type !== 'AverageValue') {
    errs.push(invalid(path.child('type'), t.type, 'must be either Utilization, Value, or AverageValue'));
  }
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    errs.push(invalid(path.child('averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  }
  if (t.type === 'Utilization' && t.averageUtilization === undefined) {
    errs.push(required(path.child('averageUtilization'), 'must set either a target raw value or a target utilization'));
  }
  if (t.type === 'Value' && t.value === undefined) errs.push(required(path.child('value'), 'must set either a target value for metric or a per-pod target'));
  if (t.type === 'AverageValue' && t.averageValue === undefined) {
    errs.push(required(path.child('averageValue'), 'must set either a target value for metric or a per-pod target'));
  }
  return errs;
}

const SOURCE_OF: Record<string, keyof MetricSpec> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

function validateMetricSpec(m: MetricSpec, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!m.type) return [required(path.child('type'), 'must specify a metric source type')];
  const source = SOURCE_OF[m.type];
  if (!source) {
    return [notSupported(path.child('type'), m.type, ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'])];
  }
  const populated = Object.values(SOURCE_OF).filter((k) => m[k] !== undefined && m[k] !== null);
  if (populated.length !== 1 || populated[0] !== source) {
    if (m[source] === undefined || m[source] === null) errs.push(required(path.child(source), 'must populate information for the given metric source'));
    else errs.push(forbidden(path, 'must populate the given metric source only'));
    return errs;
  }
  const sp = path.child(source);
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource': {
      const r = (m.resource ?? m.containerResource)!;
      if (!r.name) errs.push(required(sp.child('name'), 'must specify a resource name'));
      if (m.type === 'ContainerResource' && !m.containerResource?.container) {
        errs.push(required(sp.child('container'), 'must specify a container'));
      }
      errs.push(...validateMetricTarget(r.target, sp.child('target')));
      if (r.target?.type === 'Value') errs.push(forbidden(sp.child('target', 'value'), 'may not set a value for a resource metric'));
      break;
    }
    case 'Pods':
      if (!m.pods?.metric?.name) errs.push(required(sp.child('metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(m.pods?.target, sp.child('target')));
      if (m.pods?.target?.type && m.pods.target.type !== 'AverageValue') {
        errs.push(invalid(sp.child('target', 'type'), m.pods.target.type, 'must be AverageValue'));
      }
      break;
    case 'Object':
      errs.push(...validateScaleTargetRef(m.object?.describedObject as never, sp.child('describedObject')));
      if (!m.object?.metric?.name) errs.push(required(sp.child('metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(m.object?.target, sp.child('target')));
      break;
    case 'External':
      if (!m.external?.metric?.name) errs.push(required(sp.child('metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(m.external?.target, sp.child('target')));
      break;
  }
  return errs;
}

const MAX_STABILIZATION = 3600;
const MAX_PERIOD = 1800;

function validateScalingRules(r: HPAScalingRules | undefined, path: Path): ErrorList {
  if (!r) return [];
  const errs: ErrorList = [];
  const w = r.stabilizationWindowSeconds;
  if (typeof w === 'number') {
    if (w < 0) errs.push(invalid(path.child('stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
    if (w > MAX_STABILIZATION) errs.push(invalid(path.child('stabilizationWindowSeconds'), w, `must be less than or equal to ${MAX_STABILIZATION}`));
  }
  if (r.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) {
    errs.push(notSupported(path.child('selectPolicy'), r.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = r.policies ?? [];
  if (policies.length === 0) errs.push(required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = path.child('policies').at(i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(pp.child('type'), p.type, ['Percent', 'Pods']));
    if (!(p.value > 0)) errs.push(invalid(pp.child('value'), p.value, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(invalid(pp.child('periodSeconds'), p.periodSeconds, 'must be greater than zero'));
    else if (p.periodSeconds > MAX_PERIOD) errs.push(invalid(pp.child('periodSeconds'), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD}`));
  });
  return errs;
}

export function validateHorizontalPodAutoscalerSpec(spec: HorizontalPodAutoscalerSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as HorizontalPodAutoscalerSpec);
  const errs: ErrorList = [];
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1) {
    errs.push(invalid(path.child('minReplicas'), s.minReplicas, 'must be greater than or equal to 1'));
  }
  if (!(s.maxReplicas >= 1)) errs.push(invalid(path.child('maxReplicas'), s.maxReplicas ?? 0, 'must be greater than 0'));
  if (typeof s.minReplicas === 'number' && s.minReplicas > (s.maxReplicas ?? 0)) {
    errs.push(invalid(path.child('maxReplicas'), s.maxReplicas ?? 0, 'must be greater than or equal to `minReplicas`'));
  }
  errs.push(...validateScaleTargetRef(s.scaleTargetRef, path.child('scaleTargetRef')));
  (s.metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m, path.child('metrics').at(i))));
  if (s.behavior) {
    errs.push(...validateScalingRules(s.behavior.scaleUp, path.child('behavior', 'scaleUp')));
    errs.push(...validateScalingRules(s.behavior.scaleDown, path.child('behavior', 'scaleDown')));
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): ErrorList {
  return validateHorizontalPodAutoscalerSpec(hpa.spec, Path.root('spec'));
}

export function validateHorizontalPodAutoscalerStatusUpdate(hpa: HorizontalPodAutoscaler, _old: HorizontalPodAutoscaler): ErrorList {
  const s = hpa.status ?? ({} as NonNullable<HorizontalPodAutoscaler['status']>);
  const path = Path.root('status');
  return [...nonNegative(s.currentReplicas, path.child('currentReplicas')), ...nonNegative(s.desiredReplicas, path.child('desiredReplicas'))];
}

export const kinds: GroupVersionKinds = {
  HorizontalPodAutoscaler: {
    defaults: setDefaultsHorizontalPodAutoscaler,
    validate: validateHorizontalPodAutoscaler,
    validateUpdate: (hpa: HorizontalPodAutoscaler) => validateHorizontalPodAutoscaler(hpa),
    validateStatusUpdate: validateHorizontalPodAutoscalerStatusUpdate,
  },
};
