// Builds a Strategy from the catalogue entry and the kind's defaulting/validation handlers, so a
// resource without special behaviour needs no code of its own; resources with special behaviour
// pass overrides (see registry/<group>/<resource>/strategy.ts).

import type { ResourceInfo } from '../../../api/catalogue.js';
import type { ApiObject, KindHandlers } from '../../../api/scheme.js';
import type { Strategy, StatusStrategy } from './strategy.js';

/** Kinds whose metadata.generation tracks spec changes (upstream strategies that bump it). */
const GENERATION_TRACKING = new Set([
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  '/ReplicationController',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'storage.k8s.io/VolumeAttachment',
]);

export function hasStatusSubresource(info: ResourceInfo): boolean {
  return (info.subresources ?? []).some((s) => s.name === 'status');
}

export function defaultStrategy(info: ResourceInfo, handlers: KindHandlers | undefined, overrides: Partial<Strategy> = {}): Strategy {
  const hasStatus = hasStatusSubresource(info);
  const base: Strategy = {
    hasStatus,
    tracksGeneration: GENERATION_TRACKING.has(`${info.group}/${info.kind}`),
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    prepareForCreate(_ctx, obj: ApiObject) {
      if (hasStatus) delete obj.status;
    },
    prepareForUpdate(_ctx, obj: ApiObject, old: ApiObject) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
    },
    validate(_ctx, obj) {
      return handlers?.validate?.(obj) ?? [];
    },
    validateUpdate(_ctx, obj, old) {
      if (handlers?.validateUpdate) return handlers.validateUpdate(obj, old);
      return handlers?.validate?.(obj) ?? [];
    },
  };
  return { ...base, ...overrides };
}

/**
 * Metadata a status write may change, by kind, where upstream's status strategy lets it:
 * deploymentStatusStrategy keeps only the old spec and labels (the deployment controller writes
 * its revision annotation through deployments/status), rsStatusStrategy only the old spec.
 */
const STATUS_WRITABLE_METADATA: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['annotations'],
  'apps/ReplicaSet': ['labels', 'annotations'],
};

/** Status subresource: everything but status (and metadata labels/annotations/finalizers… which upstream keeps too) comes from the current object. */
export function defaultStatusStrategy(handlers: KindHandlers | undefined, info?: ResourceInfo): StatusStrategy {
  const writable = new Set(info ? (STATUS_WRITABLE_METADATA[`${info.group}/${info.kind}`] ?? []) : []);
  return {
    prepareForUpdate(_ctx, obj: ApiObject, old: ApiObject) {
      for (const k of Object.keys(obj)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete obj[k];
      for (const k of Object.keys(old)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') obj[k] = old[k];
      // Upstream status strategies reset metadata changes other than (since 1.2x) nothing; keep labels/annotations from old.
      const meta = obj.metadata ?? {};
      const oldMeta = old.metadata ?? {};
      for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
        if (writable.has(f)) continue;
        if (oldMeta[f] === undefined) delete meta[f];
        else meta[f] = oldMeta[f];
      }
      obj.metadata = meta;
    },
    validateUpdate(_ctx, obj, old) {
      return handlers?.validateStatusUpdate?.(obj, old) ?? [];
    },
  };
}
