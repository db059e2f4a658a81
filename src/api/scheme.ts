// Per-kind API behaviour that does not depend on storage: defaulting, validation and
// conversion between served versions. Each group/version folder under api/ exports a
// `kinds` map of these; api/index.ts joins them into one lookup by group/version/kind.

import type { ErrorList } from '../machinery/field.js';

/** Any API object as JSON. */
export type ApiObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
  [k: string]: any;
};

/** How metadata.name is validated (upstream's ValidateNameFunc per resource). */
export type NameValidation =
  | 'dns1123-subdomain' // most resources
  | 'dns1123-label' // namespaces
  | 'dns1035-label' // services
  | 'path-segment' // RBAC, some cluster objects: anything without '/', '%', '.' or '..'
  | 'none';

export interface KindHandlers<T extends ApiObject = any> {
  /** Name validation rule for metadata.name / generateName. Default dns1123-subdomain. */
  nameValidation?: NameValidation;

  /** Upstream SetObjectDefaults_<Kind>: fills defaults in place; idempotent; runs on every decode of this version. */
  defaults?(obj: T): void;

  /** Validation on create (metadata is validated separately by the registry). */
  validate?(obj: T): ErrorList;

  /** Validation on update, including immutable fields. Runs instead of `validate`. */
  validateUpdate?(obj: T, old: T): ErrorList;

  /** Validation of a write to the status subresource. */
  validateStatusUpdate?(obj: T, old: T): ErrorList;

  /**
   * For versions that are not stored as such (extensions/v1beta1 Deployment, apps/v1beta1, …):
   * conversion to and from the storage ("hub") version. Both return new objects with
   * apiVersion/kind set to the target.
   */
  conversion?: {
    hub: { group: string; version: string; kind: string };
    toHub(obj: T): ApiObject;
    fromHub(obj: ApiObject): T;
  };
}

/** `kinds` export of one group/version folder. */
export type GroupVersionKinds = Record<string, KindHandlers>;
