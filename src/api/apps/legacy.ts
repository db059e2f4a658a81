// Conversion and defaulting helpers for the removed workload versions (extensions/v1beta1,
// apps/v1beta1, apps/v1beta2) that are served by converting to and from apps/v1.
//
// Conversion copies every field and rewrites only what differs between the versions, so a
// field the legacy shape did not know survives a read-modify-write through a legacy endpoint.

import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ApiObject, KindHandlers } from '../scheme.js';
import { setDefaultsPodTemplateSpec } from '../core/v1/index.js';
import { clone } from './v1/util.js';

/** Annotation that carries a legacy Deployment's spec.rollbackTo.revision on apps/v1 (upstream appsv1.DeprecatedRollbackTo). */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** Annotation that carries a DaemonSet's templateGeneration on apps/v1 (upstream appsv1.DeprecatedTemplateGeneration). */
export const DEPRECATED_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/** Upstream MaxInt32: what the beta versions default "keep everything / no deadline" to. */
export const MAX_INT32 = 2147483647;

/** A copy of `obj` with apiVersion/kind set. */
export function retype(obj: ApiObject, apiVersion: string, kind: string): ApiObject {
  const out = clone(obj);
  out.apiVersion = apiVersion;
  out.kind = kind;
  return out;
}

/**
 * The beta defaulting rule: a missing selector selects the template's labels, and an object
 * without labels takes the template's labels.
 */
export function defaultSelectorAndLabelsFromTemplate(obj: ApiObject): void {
  const spec = (obj.spec ??= {}) as { selector?: LabelSelector; template?: PodTemplateSpec };
  const labels = spec.template?.metadata?.labels;
  if (!labels) return;
  spec.selector ??= { matchLabels: { ...labels } };
  const meta = (obj.metadata ??= {});
  if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
}

export function defaultTemplate(obj: ApiObject): void {
  const spec = (obj.spec ??= {});
  spec.template ??= {};
  setDefaultsPodTemplateSpec(spec.template as PodTemplateSpec);
}

function setAnnotation(obj: ApiObject, key: string, value: string): void {
  const meta = (obj.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [key]: value };
}

/** Removes an annotation and returns its value; drops an emptied annotations map as Go's omitempty would. */
function takeAnnotation(obj: ApiObject, key: string): string | undefined {
  const ann = obj.metadata?.annotations as Record<string, string> | undefined;
  if (!ann || !(key in ann)) return undefined;
  const v = ann[key];
  const rest = { ...ann };
  delete rest[key];
  if (Object.keys(rest).length === 0) delete obj.metadata!.annotations;
  else obj.metadata!.annotations = rest;
  return v;
}

/** Legacy Deployment (spec.rollbackTo) → apps/v1 Deployment (rollbackTo kept in an annotation). */
export function deploymentToHub(obj: ApiObject): ApiObject {
  const out = retype(obj, 'apps/v1', 'Deployment');
  const rollbackTo = out.spec?.rollbackTo as { revision?: number } | undefined;
  if (out.spec) delete out.spec.rollbackTo;
  takeAnnotation(out, DEPRECATED_ROLLBACK_TO);
  if (rollbackTo) setAnnotation(out, DEPRECATED_ROLLBACK_TO, String(rollbackTo.revision ?? 0));
  return out;
}

export function deploymentFromHub(obj: ApiObject, apiVersion: string): ApiObject {
  const out = retype(obj, apiVersion, 'Deployment');
  const revision = takeAnnotation(out, DEPRECATED_ROLLBACK_TO);
  if (revision !== undefined && revision !== '' && out.spec) {
    const n = Number.parseInt(revision, 10);
    if (!Number.isNaN(n)) out.spec.rollbackTo = { revision: n };
  }
  return out;
}

/** extensions/v1beta1 DaemonSet (spec.templateGeneration) → apps/v1 (annotation). */
export function daemonSetToHub(obj: ApiObject): ApiObject {
  const out = retype(obj, 'apps/v1', 'DaemonSet');
  const gen = out.spec?.templateGeneration as number | undefined;
  if (out.spec) delete out.spec.templateGeneration;
  if (typeof gen === 'number') setAnnotation(out, DEPRECATED_TEMPLATE_GENERATION, String(gen));
  return out;
}

export function daemonSetFromHub(obj: ApiObject, apiVersion: string): ApiObject {
  const out = retype(obj, apiVersion, 'DaemonSet');
  const gen = takeAnnotation(out, DEPRECATED_TEMPLATE_GENERATION);
  if (gen !== undefined && out.spec) {
    const n = Number.parseInt(gen, 10);
    if (!Number.isNaN(n)) out.spec.templateGeneration = n;
  }
  return out;
}

export interface LegacyKindOptions {
  /** `extensions/v1beta1`, `apps/v1beta1`, … */
  apiVersion: string;
  kind: string;
  /** This version's defaulting. */
  defaults?: (obj: ApiObject) => void;
  /**
   * apps/v1 defaulting, run on the converted object so the stored object has every apps/v1
   * default (upstream applies them whenever it decodes the stored object).
   */
  hubDefaults?: (obj: ApiObject) => void;
  /** Field rewrites beyond apiVersion/kind; default: none. */
  toHub?: (obj: ApiObject) => ApiObject;
  fromHub?: (obj: ApiObject, apiVersion: string) => ApiObject;
  nameValidation?: KindHandlers['nameValidation'];
}

/** Handlers of a legacy version of an apps kind: defaults plus conversion through apps/v1. */
export function legacyKind(o: LegacyKindOptions): KindHandlers {
  const to = o.toHub ?? ((obj: ApiObject) => retype(obj, 'apps/v1', o.kind));
  const from = o.fromHub ?? ((obj: ApiObject, v: string) => retype(obj, v, o.kind));
  const h: KindHandlers = {
    conversion: {
      hub: { group: 'apps', version: 'v1', kind: o.kind },
      toHub(obj) {
        const out = to(obj);
        o.hubDefaults?.(out);
        return out;
      },
      fromHub(obj) {
        return from(obj, o.apiVersion);
      },
    },
  };
  if (o.defaults) h.defaults = o.defaults;
  if (o.nameValidation) h.nameValidation = o.nameValidation;
  return h;
}
