// The per-resource strategy of the generic registry (upstream rest.RESTCreateStrategy,
// RESTUpdateStrategy, RESTDeleteStrategy). The generic store runs the algorithm; a strategy
// adds only what is specific to one resource.

import type { ApiObject } from '../../../api/scheme.js';
import type { ErrorList } from '../../../machinery/field.js';
import type { ResourceInfo } from '../../../api/catalogue.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What a strategy may read about the request. */
export interface StrategyContext {
  user: UserInfo;
  namespace: string | undefined;
  dryRun: boolean;
}

/** Fields a resource exposes to field selectors (`metadata.name`, `spec.nodeName`, …). */
export type FieldSet = Record<string, string>;

export interface Strategy<T extends ApiObject = ApiObject> {
  /** Objects carry spec/status: status is reset on create and kept on main-resource updates; generation bumps on spec changes. */
  readonly hasStatus: boolean;
  /** metadata.generation is maintained (set to 1 on create, incremented when anything but metadata/status changes). */
  readonly tracksGeneration: boolean;
  /** PUT of a missing object creates it (upstream AllowCreateOnUpdate). */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is accepted (upstream AllowUnconditionalUpdate). */
  readonly allowUnconditionalUpdate: boolean;

  /** Clears fields the user may not set on create (status…), sets server-owned fields. May be async (allocators). */
  prepareForCreate(ctx: StrategyContext, obj: T): void | Promise<void>;
  /** Restores fields the user may not change through this endpoint from `old`. */
  prepareForUpdate(ctx: StrategyContext, obj: T, old: T): void | Promise<void>;
  /** Resource-specific validation on create (object metadata is validated by the store). */
  validate(ctx: StrategyContext, obj: T): ErrorList;
  validateUpdate(ctx: StrategyContext, obj: T, old: T): ErrorList;
  /** Warnings returned to the client in `Warning` headers. */
  warningsOnCreate?(obj: T): string[];
  warningsOnUpdate?(obj: T, old: T): string[];
  /** Normalises the object after validation (upstream Canonicalize). */
  canonicalize?(obj: T): void;
  /** Fields for field selectors; the store adds metadata.name and metadata.namespace. */
  fieldSet?(obj: T): FieldSet;
  /** Field selector labels this resource supports besides metadata.name/namespace. */
  readonly selectableFields?: readonly string[];
  /** Called after a successful delete or when an object is about to be removed (release allocated IPs/ports). */
  afterDelete?(obj: T): void | Promise<void>;
  /** Called when an object is deleted with grace: decides the grace period; undefined = delete immediately. */
  gracefulDelete?(obj: T, requested: number | undefined): { graceSeconds: number } | undefined;
}

/** The status subresource strategy: the reverse of the main one — only status may change. */
export interface StatusStrategy<T extends ApiObject = ApiObject> {
  prepareForUpdate(ctx: StrategyContext, obj: T, old: T): void;
  validateUpdate(ctx: StrategyContext, obj: T, old: T): ErrorList;
}

/** A registry entry: the catalogue facts and the strategies of one stored resource. */
export interface ResourceRegistration<T extends ApiObject = ApiObject> {
  info: ResourceInfo;
  strategy: Strategy<T>;
  statusStrategy?: StatusStrategy<T>;
}
