// autoscaling/v1 Scale, the body of every `/scale` subresource: built from the scalable object
// and written back into its spec.replicas (upstream scaleFromDeployment & co.).

import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ApiObject } from '../../scheme.js';
import { Path, type ErrorList } from '../../../machinery/field.js';
import { selectorFromLabelSelector, selectorFromSet } from '../../../machinery/labels.js';
import { clone, nonNegative } from '../../apps/v1/util.js';

/** The label selector text of a scalable object; ReplicationControllers select with a plain map. */
function selectorText(obj: ApiObject, kind: string): string {
  const sel = obj.spec?.selector as unknown;
  if (kind === 'ReplicationController') return selectorFromSet((sel ?? {}) as Record<string, string>).toString();
  try {
    return selectorFromLabelSelector(sel as LabelSelector | undefined).toString();
  } catch {
    return '';
  }
}

/** The Scale of `obj` (a Deployment, ReplicaSet, StatefulSet or ReplicationController). */
export function scaleFromObject(obj: ApiObject, kind: string = obj.kind ?? ''): Scale {
  const m = obj.metadata ?? {};
  const metadata: NonNullable<Scale['metadata']> = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const) {
    if (m[k] !== undefined) (metadata as Record<string, unknown>)[k] = m[k];
  }
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorText(obj, kind) },
  };
}

/** A copy of `obj` with spec.replicas from `scale` (and its resourceVersion, for the precondition). */
export function applyScaleToObject<T extends ApiObject>(obj: T, scale: Scale): T {
  const out: ApiObject = clone(obj);
  out.spec = { ...(out.spec ?? {}), replicas: scale.spec?.replicas ?? 0 };
  const rv = scale.metadata?.resourceVersion;
  if (rv) out.metadata = { ...(out.metadata ?? {}), resourceVersion: rv };
  return out as T;
}

/** Upstream ValidateScale (metadata is validated by the caller). */
export function validateScale(scale: Scale): ErrorList {
  return nonNegative(scale.spec?.replicas, Path.root('spec', 'replicas'));
}
