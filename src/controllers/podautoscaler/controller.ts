// The horizontal pod autoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go),
// on autoscaling/v2 objects. Every 15 s per HPA: read the target's scale subresource, compute
// desired replicas from resource metrics (metrics.k8s.io PodMetrics), clamp by min/max,
// stabilize and rate-limit (the behavior, or upstream's rules when none is given), write the
// scale, and report status and conditions with upstream's reasons and messages.

import { isDeepStrictEqual } from 'node:util';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HPAScalingRules, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { DEPLOYMENTS, HORIZONTALPODAUTOSCALERS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { parseSelector, type Selector } from '../../machinery/labels.js';
import { Quantity } from '../../machinery/quantity.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { getRawResourceReplicas, getResourceReplicas, type CalculatorInput } from './replica-calculator.js';

export const NAME = 'horizontal-pod-autoscaler-controller';

/** Upstream records as `horizontal-pod-autoscaler`. */
const EVENT_COMPONENT = 'horizontal-pod-autoscaler';
/** --horizontal-pod-autoscaler-sync-period. */
export const RESYNC_MS = 15_000;
/** --horizontal-pod-autoscaler-downscale-stabilization. */
const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
/** Upstream scaleUpLimitFactor / scaleUpLimitMinimum (no behavior given). */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

type HPA = DeepMutable<HorizontalPodAutoscaler> & KubeObject;
type Condition = DeepMutable<HorizontalPodAutoscalerCondition>;
type PodObject = Pod & KubeObject;
interface ScaleObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** Scale targets by kind (the RESTMapper of upstream, for the workloads that serve /scale). */
const SCALE_TARGETS: Readonly<Record<string, GroupVersionResource>> = {
  Deployment: DEPLOYMENTS,
  ReplicaSet: REPLICASETS,
  StatefulSet: STATEFULSETS,
  ReplicationController: REPLICATIONCONTROLLERS,
};

interface Recommendation {
  replicas: number;
  at: number;
}
interface ScaleEvent {
  change: number;
  at: number;
}

export function create(ctx: ControllerContext): Controller {
  return new HorizontalController(ctx);
}

/** An error with the condition it sets (upstream getUnableComputeReplicaCountCondition). */
class MetricError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly conditionMessage: string,
  ) {
    super(message);
    this.name = 'MetricError';
  }
}

export class HorizontalController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly hpas: Lister<HPA>;
  private readonly pods: Lister<PodObject>;
  private readonly pool: WorkerPool<string>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.recorder = ctx.recorder(EVENT_COMPONENT);
    // Upstream runs a single worker.
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: 1, sync: (k, s) => this.sync(k, s) });
    const informer = ctx.informers.forResource<HPA>(HORIZONTALPODAUTOSCALERS);
    this.hpas = informer.lister();
    this.pods = ctx.informers.forResource<PodObject>(PODS).lister();
    const key = (h: HPA): string => `${h.metadata?.namespace ?? ''}/${h.metadata?.name ?? ''}`;
    informer.addEventHandler({
      onAdd: (h) => this.pool.queue.add(key(h)),
      // Our own status writes come back as updates: only spec changes are worth an early look.
      onUpdate: (old, h) => {
        if (old.metadata?.generation !== h.metadata?.generation) this.pool.queue.add(key(h));
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Reconciles HPA `namespace/name`; comes back every resync period while it exists. */
  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const i = key.indexOf('/');
    const shared = this.hpas.get(key.slice(0, i), key.slice(i + 1));
    if (!shared) {
      this.recommendations.delete(key);
      this.scaleUpEvents.delete(key);
      this.scaleDownEvents.delete(key);
      return;
    }
    try {
      await this.reconcile(structuredClone(shared), key, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      this.log.warn({ hpa: key, err: e instanceof Error ? e.message : String(e) }, 'reconcile failed');
    }
    return { requeueAfterMs: RESYNC_MS };
  }

  private async reconcile(hpa: HPA, key: string, signal: AbortSignal): Promise<void> {
    const original = structuredClone(hpa.status ?? {});
    const ns = hpa.metadata?.namespace ?? '';
    const ref = hpa.spec?.scaleTargetRef;
    const reference = `${ref?.kind ?? ''}/${ns}/${ref?.name ?? ''}`;
    hpa.status ??= { desiredReplicas: 0 };

    const gvr = ref ? SCALE_TARGETS[ref.kind] : undefined;
    let scale: ScaleObject;
    try {
      if (!gvr || !ref) {
        const group = ref?.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0]! : '';
        throw new Error(`no matches for kind "${ref?.kind ?? ''}" in group "${group}"`);
      }
      scale = await this.client.resource(gvr).getSubresource<ScaleObject>(ref.name, 'scale', { namespace: ns, signal });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.recorder.event(hpaRef(hpa), 'Warning', 'FailedGetScale', msg);
      this.setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.updateStatusIfNeeded(original, hpa, signal);
      throw new Error(`failed to query scale subresource for ${reference}: ${msg}`, { cause: e });
    }
    this.setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec?.replicas ?? 0;
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: currentReplicas, at: this.now() }]);

    const minReplicas = hpa.spec?.minReplicas ?? 1;
    const maxReplicas = hpa.spec?.maxReplicas ?? minReplicas;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: MetricStatus[] | undefined = hpa.status.currentMetrics as MetricStatus[] | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      desiredReplicas = 0;
      rescale = false;
      this.setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      let computed: { replicas: number; metric: string; statuses: MetricStatus[] };
      try {
        computed = await this.computeReplicasForMetrics(hpa, scale, signal);
      } catch (e) {
        this.setStatus(hpa, currentReplicas, hpa.status.desiredReplicas ?? 0, hpa.status.currentMetrics as MetricStatus[] | undefined, false);
        await this.updateStatusIfNeeded(original, hpa, signal);
        const msg = e instanceof Error ? e.message : String(e);
        this.recorder.event(hpaRef(hpa), 'Warning', 'FailedComputeMetricsReplicas', msg);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${msg}`, { cause: e });
      }
      metricStatuses = computed.statuses;
      desiredReplicas = computed.replicas;
      if (desiredReplicas > currentReplicas) rescaleReason = `${computed.metric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = hpa.spec?.behavior
        ? this.normalizeWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas, maxReplicas)
        : this.normalize(hpa, key, currentReplicas, desiredReplicas, minReplicas, maxReplicas);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.client.resource(gvr!).put<ScaleObject>({ ...scale, spec: { ...scale.spec, replicas: desiredReplicas } }, 'scale', { namespace: ns, signal });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.recorder.event(hpaRef(hpa), 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${msg}`);
        this.setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        this.setStatus(hpa, currentReplicas, hpa.status.desiredReplicas ?? 0, hpa.status.currentMetrics as MetricStatus[] | undefined, false);
        await this.updateStatusIfNeeded(original, hpa, signal);
        throw new Error(`failed to rescale ${reference}: ${msg}`, { cause: e });
      }
      this.setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
      this.recorder.event(hpaRef(hpa), 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.storeScaleEvent(hpa, key, currentReplicas, desiredReplicas);
      this.log.info({ hpa: key, from: currentReplicas, to: desiredReplicas, reason: rescaleReason }, 'successful rescale');
    } else {
      desiredReplicas = currentReplicas;
    }
    this.setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    await this.updateStatusIfNeeded(original, hpa, signal);
  }

  /** Upstream computeReplicasForMetrics: the largest proposal over valid metrics; all invalid fails. */
  private async computeReplicasForMetrics(hpa: HPA, scale: ScaleObject, signal: AbortSignal): Promise<{ replicas: number; metric: string; statuses: MetricStatus[] }> {
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      this.recorder.event(hpaRef(hpa), 'Warning', 'SelectorRequired', 'selector is required');
      this.setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      throw new Error('selector is required');
    }
    let selector: Selector;
    try {
      selector = parseSelector(selectorText);
    } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${e instanceof Error ? e.message : String(e)}`;
      this.recorder.event(hpaRef(hpa), 'Warning', 'InvalidSelector', msg);
      this.setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg);
      throw new Error(msg, { cause: e });
    }
    const specs = (hpa.spec?.metrics ?? []) as MetricSpec[];
    const statuses: MetricStatus[] = [];
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: MetricError | undefined;
    for (const spec of specs) {
      try {
        const r = await this.computeReplicasForMetric(hpa, spec, scale.spec?.replicas ?? 0, selector, signal);
        statuses.push(r.status);
        if (replicas === 0 || r.replicas > replicas) {
          replicas = r.replicas;
          metric = r.metric;
        }
      } catch (e) {
        const err = e instanceof MetricError ? e : new MetricError(e instanceof Error ? e.message : String(e), 'FailedGetMetric', `the HPA was unable to compute the replica count: ${String(e)}`);
        this.recorder.event(hpaRef(hpa), 'Warning', err.reason, err.conditionMessage.replace(/^the HPA was unable to compute the replica count: /, ''));
        if (!firstError) firstError = err;
        invalid++;
      }
    }
    if (invalid >= specs.length) {
      if (firstError) this.setCondition(hpa, 'ScalingActive', 'False', firstError.reason, firstError.conditionMessage);
      throw new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError?.message ?? 'no metrics specified'}`);
    }
    this.setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
    return { replicas, metric, statuses };
  }

  private async computeReplicasForMetric(hpa: HPA, spec: MetricSpec, currentReplicas: number, selector: Selector, signal: AbortSignal): Promise<{ replicas: number; metric: string; status: MetricStatus }> {
    const fail = (reason: string, inner: string, outer: string): MetricError => new MetricError(outer, reason, `the HPA was unable to compute the replica count: ${inner}`);
    switch (spec.type) {
      case 'Resource': {
        const res = spec.resource!;
        const input: CalculatorInput = {
          client: this.client,
          pods: this.pods.list(hpa.metadata?.namespace).filter((p) => selector.matches(p.metadata?.labels ?? {})),
          currentReplicas,
          resource: res.name,
          namespace: hpa.metadata?.namespace ?? '',
          selector,
          now: this.now(),
          signal,
        };
        if (res.target.averageValue !== undefined) {
          const target = Quantity.fromJSON(res.target.averageValue).milliValue();
          try {
            const r = await getRawResourceReplicas(input, target);
            return {
              replicas: r.replicas,
              metric: `${res.name} resource`,
              status: { type: 'Resource', resource: { name: res.name, current: { averageValue: Quantity.fromMilli(r.rawAverage).toString() } } },
            };
          } catch (e) {
            const inner = `failed to get ${res.name} usage: ${e instanceof Error ? e.message : String(e)}`;
            throw fail('FailedGetResourceMetric', inner, `failed to get ${res.name} resource metric value: ${inner}`);
          }
        }
        if (res.target.averageUtilization === undefined) {
          const msg = 'invalid resource metric source: neither a utilization target nor a value target was set';
          throw fail('FailedGetResourceMetric', msg, `failed to get ${res.name} resource metric value: ${msg}`);
        }
        try {
          const r = await getResourceReplicas(input, res.target.averageUtilization);
          return {
            replicas: r.replicas,
            metric: `${res.name} resource utilization (percentage of request)`,
            status: { type: 'Resource', resource: { name: res.name, current: { averageUtilization: r.utilization, averageValue: Quantity.fromMilli(r.rawAverage).toString() } } },
          };
        } catch (e) {
          const inner = `failed to get ${res.name} utilization: ${e instanceof Error ? e.message : String(e)}`;
          throw fail('FailedGetResourceMetric', inner, `failed to get ${res.name} resource metric value: ${inner}`);
        }
      }
      // No custom or external metrics API is served; upstream's clients fail the same way then.
      case 'Pods': {
        const inner = `unable to get metric ${spec.pods?.metric.name ?? ''}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
        throw fail('FailedGetPodsMetric', inner, `failed to get pods metric value: ${inner}`);
      }
      case 'Object': {
        const inner = `unable to get metric ${spec.object?.metric.name ?? ''}: ${spec.object?.describedObject.kind ?? ''} on ${hpa.metadata?.namespace ?? ''} ${spec.object?.describedObject.name ?? ''}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
        throw fail('FailedGetObjectMetric', inner, `failed to get object metric value: ${inner}`);
      }
      case 'External': {
        const inner = `unable to get external metric ${hpa.metadata?.namespace ?? ''}/${spec.external?.metric.name ?? ''}/${JSON.stringify(spec.external?.metric.selector ?? {})}: no external metrics API (external.metrics.k8s.io) registered`;
        throw fail('FailedGetExternalMetric', inner, `failed to get ${spec.external?.metric.name ?? ''} external metric: ${inner}`);
      }
      default: {
        const msg = `unknown metric source type "${spec.type}"`;
        throw fail('InvalidMetricSourceType', msg, msg);
      }
    }
  }

  // ---- normalization without a behavior (upstream normalizeDesiredReplicas)

  private normalize(hpa: HPA, key: string, current: number, prenormalized: number, minReplicas: number, maxReplicas: number): number {
    const stabilized = this.stabilize(key, prenormalized);
    if (stabilized !== prenormalized) {
      this.setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
    } else {
      this.setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
    let reason: string;
    let message: string;
    let max: number;
    if (maxReplicas > scaleUpLimit) {
      max = scaleUpLimit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    } else {
      max = maxReplicas;
      reason = 'TooManyReplicas';
      message = 'the desired replica count is more than the maximum replica count';
    }
    let desired = stabilized;
    if (stabilized < minReplicas) {
      desired = minReplicas;
      reason = 'TooFewReplicas';
      message = 'the desired replica count is less than the minimum replica count';
    } else if (stabilized > max) {
      desired = max;
    } else {
      reason = 'DesiredWithinRange';
      message = 'the desired count is within the acceptable range';
    }
    this.setCondition(hpa, 'ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message);
    return desired;
  }

  /** The highest recommendation of the downscale stabilization window (upstream stabilizeRecommendation). */
  private stabilize(key: string, prenormalized: number): number {
    const now = this.now();
    const cutoff = now - DOWNSCALE_STABILIZATION_MS;
    const recs = this.recommendations.get(key) ?? [];
    let max = prenormalized;
    let oldIndex = -1;
    recs.forEach((r, i) => {
      if (r.at < cutoff) oldIndex = i;
      else if (r.replicas > max) max = r.replicas;
    });
    if (oldIndex >= 0) recs[oldIndex] = { replicas: prenormalized, at: now };
    else recs.push({ replicas: prenormalized, at: now });
    this.recommendations.set(key, recs);
    return max;
  }

  // ---- normalization with a behavior (upstream normalizeDesiredReplicasWithBehaviors)

  private normalizeWithBehaviors(hpa: HPA, key: string, current: number, prenormalized: number, minReplicas: number, maxReplicas: number): number {
    const up = withDefaults(hpa.spec?.behavior?.scaleUp, defaultScaleUp());
    const down = withDefaults(hpa.spec?.behavior?.scaleDown, defaultScaleDown());
    down.stabilizationWindowSeconds ??= DOWNSCALE_STABILIZATION_MS / 1000;
    const { value: stabilized, reason, message } = this.stabilizeWithBehaviors(key, current, prenormalized, up, down);
    if (stabilized !== prenormalized) this.setCondition(hpa, 'AbleToScale', 'True', reason, message);
    else this.setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    const limited = this.convertWithBehaviorRate(key, current, stabilized, minReplicas, maxReplicas, up, down);
    this.setCondition(hpa, 'ScalingLimited', limited.value === stabilized ? 'False' : 'True', limited.reason, limited.message);
    return limited.value;
  }

  private stabilizeWithBehaviors(key: string, current: number, desired: number, up: HPAScalingRules, down: HPAScalingRules): { value: number; reason: string; message: string } {
    const now = this.now();
    const upWindow = up.stabilizationWindowSeconds ?? 0;
    const downWindow = down.stabilizationWindowSeconds ?? 0;
    const scalingUp = desired >= current;
    const delay = scalingUp ? upWindow : downWindow;
    const better = scalingUp ? Math.min : Math.max;
    const reason = scalingUp ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
    const message = scalingUp
      ? 'recent recommendations were lower than current one, applying the lowest recent recommendation'
      : 'recent recommendations were higher than current one, applying the highest recent recommendation';
    const obsoleteCutoff = now - Math.max(upWindow, downWindow) * 1000;
    const cutoff = now - delay * 1000;
    const recs = this.recommendations.get(key) ?? [];
    let value = desired;
    let oldIndex = -1;
    recs.forEach((r, i) => {
      if (r.at > cutoff) value = better(r.replicas, value);
      if (r.at < obsoleteCutoff) oldIndex = i;
    });
    if (oldIndex >= 0) recs[oldIndex] = { replicas: desired, at: now };
    else recs.push({ replicas: desired, at: now });
    this.recommendations.set(key, recs);
    return { value, reason, message };
  }

  private convertWithBehaviorRate(key: string, current: number, desired: number, minReplicas: number, maxReplicas: number, up: HPAScalingRules, down: HPAScalingRules): { value: number; reason: string; message: string } {
    if (desired > current) {
      let limit = scaleUpLimit(current, this.scaleUpEvents.get(key) ?? [], up, this.now());
      if (limit < current) limit = current;
      let max = maxReplicas;
      let reason = 'TooManyReplicas';
      let message = 'the desired replica count is more than the maximum replica count';
      if (max > limit) {
        max = limit;
        reason = 'ScaleUpLimit';
        message = 'the desired replica count is increasing faster than the maximum scale rate';
      }
      if (desired > max) return { value: max, reason, message };
    } else if (desired < current) {
      let limit = scaleDownLimit(current, this.scaleDownEvents.get(key) ?? [], down, this.now());
      if (limit > current) limit = current;
      let min = minReplicas;
      let reason = 'TooFewReplicas';
      let message = 'the desired replica count is less than the minimum replica count';
      if (min < limit) {
        min = limit;
        reason = 'ScaleDownLimit';
        message = 'the desired replica count is decreasing faster than the maximum scale rate';
      }
      if (desired < min) return { value: min, reason, message };
    }
    return { value: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** Upstream storeScaleEvent: remembered only when a behavior rate-limits scaling. */
  private storeScaleEvent(hpa: HPA, key: string, prev: number, next: number): void {
    const behavior = hpa.spec?.behavior;
    if (!behavior) return;
    const now = this.now();
    const upward = next > prev;
    const rules = upward ? withDefaults(behavior.scaleUp, defaultScaleUp()) : withDefaults(behavior.scaleDown, defaultScaleDown());
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    // Events older than every policy period are no longer needed.
    const events = (map.get(key) ?? []).filter((e) => e.at >= now - longest * 1000);
    events.push({ change: Math.abs(next - prev), at: now });
    map.set(key, events);
  }

  // ---- status

  private setStatus(hpa: HPA, current: number, desired: number, metrics: MetricStatus[] | undefined, rescale: boolean): void {
    const status: HPA['status'] = { currentReplicas: current, desiredReplicas: desired };
    const last = rescale ? rfc3339(this.now()) : hpa.status?.lastScaleTime;
    if (last) status.lastScaleTime = last;
    if (metrics?.length) status.currentMetrics = structuredClone(metrics) as NonNullable<HPA['status']>['currentMetrics'];
    if (hpa.status?.conditions?.length) status.conditions = hpa.status.conditions;
    hpa.status = status;
  }

  private setCondition(hpa: HPA, type: string, status: string, reason: string, message: string): void {
    hpa.status ??= { desiredReplicas: 0 };
    const list = (hpa.status.conditions ??= []);
    let c: Condition | undefined = list.find((x) => x.type === type);
    if (!c) {
      c = { type, status: '' };
      list.push(c);
    }
    if (c.status !== status) c.lastTransitionTime = rfc3339(this.now());
    c.status = status;
    c.reason = reason;
    c.message = message;
  }

  private async updateStatusIfNeeded(original: unknown, hpa: HPA, signal: AbortSignal): Promise<void> {
    const next = JSON.parse(JSON.stringify(hpa.status ?? {})) as unknown;
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(original ?? {})), next)) return;
    try {
      await this.client.resource<HPA>(HORIZONTALPODAUTOSCALERS).updateStatus(hpa, { namespace: hpa.metadata?.namespace, signal });
    } catch (e) {
      this.recorder.event(hpaRef(hpa), 'Warning', 'FailedUpdateStatus', e instanceof Error ? e.message : String(e));
      throw new Error(`failed to update status for ${hpa.metadata?.name ?? ''}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

function hpaRef(hpa: HPA): ObjectReference {
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: hpa.metadata?.namespace, name: hpa.metadata?.name, uid: hpa.metadata?.uid, resourceVersion: hpa.metadata?.resourceVersion };
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Upstream GenerateHPAScaleUpRules defaults: 100 % or 4 pods per 15 s, whichever is more, no stabilization. */
function defaultScaleUp(): HPAScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** Upstream GenerateHPAScaleDownRules defaults: 100 % per 15 s, the controller's stabilization window. */
function defaultScaleDown(): HPAScalingRules {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

function withDefaults(given: HPAScalingRules | undefined, defaults: HPAScalingRules): DeepMutable<HPAScalingRules> {
  const out = structuredClone(defaults) as DeepMutable<HPAScalingRules>;
  if (!given) return out;
  if (given.stabilizationWindowSeconds !== undefined) out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  if (given.selectPolicy) out.selectPolicy = given.selectPolicy;
  if (given.policies?.length) out.policies = structuredClone(given.policies) as DeepMutable<HPAScalingRules>['policies'];
  return out;
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

/** Upstream calculateScaleUpLimitWithScalingRules. */
function scaleUpLimit(current: number, events: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : 0;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, events, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** Upstream calculateScaleDownLimitWithBehaviors. */
function scaleDownLimit(current: number, events: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? 0 : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current + changeInPeriod(p.periodSeconds, events, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}
