// The generic registry store (upstream k8s.io/apiserver/pkg/registry/generic/registry/store.go):
// one CRUD + watch algorithm over Storage for every resource, parameterised by a Strategy.
// Objects here are always in the storage ("hub") version; the endpoints convert.

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ApiObject } from '../../../api/scheme.js';
import type { ResourceInfo } from '../../../api/catalogue.js';
import {
  StatusError,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newInternalError,
  newNotFound,
  newResourceExpired,
  newTimeout,
  newServiceUnavailable,
  type GroupResource,
} from '../../../machinery/errors.js';
import { type ErrorList, Path, invalid, toInvalidError, forbidden } from '../../../machinery/field.js';
import { parseSelector, type Selector } from '../../../machinery/labels.js';
import { parseFieldSelector, type FieldSelector } from '../../../machinery/fields.js';
import { isStorageError, type ListResult, type Storage, type StoredObject, type WatchEvent } from '../../../storage/interfaces.js';
import type { Strategy, StatusStrategy, StrategyContext, FieldSet } from './strategy.js';

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: '' | 'NotOlderThan' | 'Exact';
}

export interface WatchParams extends ListParams {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  signal: AbortSignal;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface RequestContext extends StrategyContext {
  /** Warnings to send back in `Warning` headers. */
  warnings: string[];
  /** For managedFields: the request's `fieldManager`, User-Agent and group/version. */
  fieldManager?: string;
  userAgent?: string;
  apiVersion?: string;
  /** The write already carries its managedFields (server-side apply). */
  skipManagedFields?: boolean;
}

/** The upstream rest.Updater's UpdatedObjectInfo: computes the new object from the current one. */
export type UpdateFn = (current: ApiObject | undefined) => ApiObject | Promise<ApiObject>;

export interface DeleteResult {
  /** The object as it is now: deleted (gone) or updated with a deletionTimestamp (pending finalizers/grace). */
  object: ApiObject;
  deleted: boolean;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Go's omitempty: empty metadata maps and lists are not written (a `label x-` leaves no `labels: {}`). */
function dropEmptyMeta(meta: Record<string, any>): void {
  for (const k of ['labels', 'annotations']) if (meta[k] && typeof meta[k] === 'object' && Object.keys(meta[k]).length === 0) delete meta[k];
  for (const k of ['finalizers', 'ownerReferences', 'managedFields']) if (Array.isArray(meta[k]) && meta[k].length === 0) delete meta[k];
}

/**
 * A deep copy of a JSON value (what storage holds: no undefined, no cycles, no class
 * instances); several times faster than structuredClone, and objects from the watch cache are
 * frozen, so every update starts from one.
 */
export function jsonClone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = jsonClone(v[i] as unknown);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = jsonClone((v as Record<string, unknown>)[k]);
    // A JSON "__proto__" key is an own property, not the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, writable: true, enumerable: true, configurable: true });
    else out[k] = c;
  }
  return out as T;
}

/** Everything but metadata and status: what `metadata.generation` tracks. */
function specPart(obj: ApiObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export interface GenericStoreOptions {
  info: ResourceInfo;
  storage: Storage;
  strategy: Strategy;
  statusStrategy?: StatusStrategy;
  /** Validates metadata (name rules etc.) on create and update. */
  validateMeta(obj: ApiObject, old: ApiObject | undefined): ErrorList;
  /** Admission: runs after defaulting/validation, before the write. */
  /**
   * Admission (upstream order: mutating plugins, then validation, then the write). Runs after
   * the strategy prepared the object and before it is validated, so what plugins add is
   * validated too. `subresource` is set for status/approval/binding writes.
   */
  admit?(ctx: RequestContext, operation: 'CREATE' | 'UPDATE' | 'DELETE', obj: ApiObject, old: ApiObject | undefined, subresource?: string): Promise<void>;
  /** Objects returned from a DELETE are the deleted object (pods, …) instead of a Status. */
  returnDeletedObject?: boolean;
  /**
   * Records the write in metadata.managedFields (an Update operation by the request's manager);
   * returns the object to continue with. `old` is undefined on create.
   */
  manageFields?(ctx: RequestContext, old: ApiObject | undefined, obj: ApiObject, subresource: string | undefined): ApiObject;
}

export class GenericStore {
  readonly info: ResourceInfo;
  readonly gr: GroupResource;
  protected readonly storage: Storage;
  readonly strategy: Strategy;
  readonly statusStrategy: StatusStrategy | undefined;
  protected readonly opts: GenericStoreOptions;
  private readonly root: string;
  private readonly selectable: Set<string>;

  constructor(opts: GenericStoreOptions) {
    this.opts = opts;
    this.info = opts.info;
    this.gr = { group: opts.info.group, resource: opts.info.resource };
    this.storage = opts.storage;
    this.strategy = opts.strategy;
    this.statusStrategy = opts.statusStrategy;
    this.root = `/registry/${opts.info.group ? `${opts.info.resource}.${opts.info.group}` : opts.info.resource}/`;
    this.selectable = new Set(['metadata.name', 'metadata.namespace', ...(opts.strategy.selectableFields ?? [])]);
  }

  get returnDeletedObject(): boolean {
    return this.opts.returnDeletedObject ?? false;
  }

  /** Storage key of one object. */
  key(namespace: string | undefined, name: string): string {
    return this.info.namespaced ? `${this.root}${namespace}/${name}` : `${this.root}${name}`;
  }

  /** Storage prefix of a list: all namespaces or one. */
  prefix(namespace: string | undefined): string {
    return this.info.namespaced && namespace ? `${this.root}${namespace}/` : this.root;
  }

  // ------------------------------------------------------------------------------- reads

  /**
   * One object. With `shared` the caller only reads the result (encodes it for the wire): the
   * watch cache may then hand out its frozen copy instead of a read and decode.
   */
  async get(ctx: StrategyContext, name: string, resourceVersion?: string, opts?: { shared?: boolean }): Promise<ApiObject> {
    try {
      const obj = await this.storage.get<ApiObject>(this.key(ctx.namespace, name), { resourceVersion, shared: opts?.shared });
      return obj!;
    } catch (e) {
      throw this.translate(e, name);
    }
  }

  async list(ctx: StrategyContext, params: ListParams): Promise<ListResult<ApiObject>> {
    const predicate = this.predicate(params.labelSelector, params.fieldSelector);
    try {
      return await this.storage.getList<ApiObject>(this.prefix(ctx.namespace), {
        resourceVersion: params.resourceVersion,
        resourceVersionMatch: params.resourceVersionMatch,
        limit: params.limit,
        continue: params.continue,
        predicate,
      });
    } catch (e) {
      throw this.translate(e, '');
    }
  }

  watch(ctx: StrategyContext, params: WatchParams, name?: string): AsyncIterable<WatchEvent<ApiObject>> {
    let fieldSelector = params.fieldSelector;
    if (name) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${name}` : `metadata.name=${name}`;
    const predicate = this.predicate(params.labelSelector, fieldSelector);
    return this.storage.watch<ApiObject>(this.prefix(ctx.namespace), {
      resourceVersion: params.resourceVersion,
      predicate,
      allowBookmarks: params.allowWatchBookmarks,
      sendInitialEvents: params.sendInitialEvents,
      recursive: true,
      signal: params.signal,
    });
  }

  /** Builds the selection predicate; bad selectors are 400s worded as upstream. */
  predicate(labelSelector: string | undefined, fieldSelector: string | undefined): { matches?: (o: StoredObject) => boolean; empty: boolean } {
    let labels: Selector | undefined;
    let fields: FieldSelector | undefined;
    if (labelSelector) {
      // Control characters are never part of a valid key or value (whitespace separates terms).
      const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(labelSelector);
      if (bad) throw newBadRequest(`unable to parse requirement: invalid character ${JSON.stringify(bad[0])} in label selector`);
      try {
        labels = parseSelector(labelSelector);
      } catch (e) {
        throw newBadRequest((e as Error).message);
      }
      if (labels.empty()) labels = undefined;
    }
    if (fieldSelector) {
      try {
        fields = parseFieldSelector(fieldSelector);
      } catch (e) {
        throw newBadRequest((e as Error).message);
      }
      for (const r of fields.requirements()) {
        if (!this.selectable.has(r.field)) throw newBadRequest(`field label not supported: ${r.field}`);
      }
      if (fields.empty()) fields = undefined;
    }
    if (!labels && !fields) return { empty: true };
    const fieldSet = (o: ApiObject): FieldSet => this.fieldSet(o);
    return {
      empty: false,
      matches: (o: StoredObject) => {
        if (labels && !labels.matches((o.metadata?.labels as Record<string, string> | undefined) ?? {})) return false;
        if (fields && !fields.matches(fieldSet(o as ApiObject))) return false;
        return true;
      },
    };
  }

  fieldSet(o: ApiObject): FieldSet {
    const base: FieldSet = { 'metadata.name': o.metadata?.name ?? '' };
    if (this.info.namespaced) base['metadata.namespace'] = o.metadata?.namespace ?? '';
    return this.strategy.fieldSet ? { ...this.strategy.fieldSet(o), ...base } : base;
  }

  // ------------------------------------------------------------------------------ create

  async create(ctx: RequestContext, input: ApiObject): Promise<ApiObject> {
    const obj = ctx.skipManagedFields || !this.opts.manageFields ? input : this.opts.manageFields(ctx, undefined, input, undefined);
    const meta = (obj.metadata ??= {});
    if (this.info.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ctx.namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    this.fillCreateMeta(obj);
    dropEmptyMeta(meta);
    await this.strategy.prepareForCreate(ctx, obj);
    try {
      await this.opts.admit?.(ctx, 'CREATE', obj, undefined);
      const errs = [...this.opts.validateMeta(obj, undefined), ...this.strategy.validate(ctx, obj)];
      if (errs.length) throw toInvalidError(this.groupKind(), meta.name ?? '', errs);
      this.strategy.canonicalize?.(obj);
      ctx.warnings.push(...(this.strategy.warningsOnCreate?.(obj) ?? []));
      return await this.storage.create(this.key(ctx.namespace ?? meta.namespace, meta.name as string), obj, { dryRun: ctx.dryRun });
    } catch (e) {
      // Give back what prepareForCreate allocated (service IPs and ports); dry runs took nothing.
      if (!ctx.dryRun) await this.strategy.afterDelete?.(obj);
      throw this.translate(e, meta.name as string);
    }
  }

  private fillCreateMeta(obj: ApiObject): void {
    const meta = obj.metadata!;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTime();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
  }

  // ------------------------------------------------------------------------------ update

  /**
   * Update (PUT and PATCH): `updateFn` computes the new object from the current one; runs
   * under optimistic concurrency and retries on storage conflicts. `subresource` 'status'
   * uses the status strategy. The object updateFn returns is changed here (server-owned
   * metadata): it must be the caller's own, never (a shallow copy of) a frozen write result.
   * The returned object, like create's, is frozen and shared with the watch cache.
   */
  async update(
    ctx: RequestContext,
    name: string,
    updateFn: UpdateFn,
    opts: {
      subresource?: 'status' | 'approval';
      forceAllowCreate?: boolean;
      finalize?: boolean;
      bypassStrategy?: 'binding';
      /**
       * updateFn leaves the current object untouched and builds its result from copies of the
       * parts it changes (metadata included): it is given the stored object itself, which may
       * be the watch cache's frozen one, instead of a deep copy.
       */
      readsCurrentOnly?: boolean;
    } = {},
  ): Promise<{ object: ApiObject; created: boolean }> {
    let created = false;
    const key = this.key(ctx.namespace, name);
    let result: ApiObject;
    try {
      result = await this.storage.guaranteedUpdate<ApiObject>(
        key,
        async (current) => {
          created = false;
          // The current object may be the watch cache's frozen copy: updateFn gets a copy of
          // its own to change, unless it only reads it.
          const snapshot = current && !opts.readsCurrentOnly ? jsonClone(current) : current;
          let obj = await updateFn(snapshot);
          if (!ctx.skipManagedFields && this.opts.manageFields && !opts.bypassStrategy) obj = this.opts.manageFields(ctx, current, obj, opts.subresource);
          const meta = (obj.metadata ??= {});
          if (meta.name !== undefined && meta.name !== name) {
            throw newBadRequest(`the name of the object (${meta.name as string}) does not match the name on the URL (${name})`);
          }
          meta.name = name;
          if (this.info.namespaced) {
            if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
              throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
            }
            meta.namespace = ctx.namespace;
          } else delete meta.namespace;

          if (!current) {
            if (!(this.strategy.allowCreateOnUpdate || opts.forceAllowCreate) || opts.subresource) throw newNotFound(this.gr, name);
            created = true;
            this.fillCreateMeta(obj);
            await this.strategy.prepareForCreate(ctx, obj);
            await this.opts.admit?.(ctx, 'CREATE', obj, undefined);
            const errs = [...this.opts.validateMeta(obj, undefined), ...this.strategy.validate(ctx, obj)];
            if (errs.length) throw toInvalidError(this.groupKind(), name, errs);
            this.strategy.canonicalize?.(obj);
            return obj;
          }

          // A uid in the body is a precondition (upstream rest.BeforeUpdate).
          if (meta.uid && meta.uid !== current.metadata?.uid) {
            throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${meta.uid as string}, UID in object meta: ${current.metadata?.uid as string}`);
          }
          const rv = meta.resourceVersion as string | undefined;
          if (!rv) {
            if (!this.strategy.allowUnconditionalUpdate) {
              throw toInvalidError(this.groupKind(), name, [invalid(Path.root('metadata', 'resourceVersion'), 0, 'must be specified for an update')]);
            }
            // Unconditional update: take the current version, as upstream's store does before validating.
            meta.resourceVersion = current.metadata?.resourceVersion;
          } else if (rv !== current.metadata?.resourceVersion) {
            throw newConflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
          }
          this.keepServerMeta(obj, current);
          dropEmptyMeta(meta);
          if (opts.subresource === 'approval') {
            // CSR approval: only the Approved/Denied/Failed conditions change (upstream approvalStrategy).
            const conditions = obj.status?.conditions;
            const next = jsonClone(current);
            next.metadata = { ...next.metadata, resourceVersion: meta.resourceVersion };
            next.status = { ...(current.status ?? {}), conditions };
            if (!conditions) delete next.status.conditions;
            await this.opts.admit?.(ctx, 'UPDATE', next, current, 'approval');
            return next;
          }
          if (opts.bypassStrategy) {
            // Writes the API server makes on the object's behalf (pods/binding): only metadata rules.
            await this.opts.admit?.(ctx, 'UPDATE', obj, current, opts.bypassStrategy);
            const errs = this.opts.validateMeta(obj, current);
            if (errs.length) throw toInvalidError(this.groupKind(), name, errs);
            meta.resourceVersion = current.metadata?.resourceVersion;
            return obj;
          }
          if (opts.subresource === 'status') {
            if (!this.statusStrategy) throw newInternalError(new Error(`no status strategy for ${this.info.resource}`));
            this.statusStrategy.prepareForUpdate(ctx, obj, current);
            await this.opts.admit?.(ctx, 'UPDATE', obj, current, 'status');
            const errs = [...this.opts.validateMeta(obj, current), ...this.statusStrategy.validateUpdate(ctx, obj, current)];
            if (errs.length) throw toInvalidError(this.groupKind(), name, errs);
          } else {
            // The namespace finalize endpoint changes spec.finalizers only, which the main strategy resets.
            if (!opts.finalize) await this.strategy.prepareForUpdate(ctx, obj, current);
            await this.opts.admit?.(ctx, 'UPDATE', obj, current, opts.finalize ? 'finalize' : undefined);
            if (this.strategy.tracksGeneration) {
              const gen = (current.metadata?.generation as number | undefined) ?? 1;
              meta.generation = isDeepStrictEqual(specPart(obj), specPart(current)) ? gen : gen + 1;
            }
            const errs = [...this.opts.validateMeta(obj, current), ...this.strategy.validateUpdate(ctx, obj, current)];
            if (errs.length) throw toInvalidError(this.groupKind(), name, errs);
            ctx.warnings.push(...(this.strategy.warningsOnUpdate?.(obj, current) ?? []));
          }
          this.strategy.canonicalize?.(obj);
          // Once deleting, new finalizers may not be added (upstream ValidateObjectMetaUpdate).
          if (current.metadata?.deletionTimestamp) {
            const before = new Set<string>(current.metadata.finalizers ?? []);
            const added = (meta.finalizers ?? []).filter((f: string) => !before.has(f));
            if (added.length) {
              throw toInvalidError(this.groupKind(), name, [
                forbidden(Path.root('metadata', 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f: string) => JSON.stringify(f)).join(', ')}}`),
              ]);
            }
          }
          // Keep the resourceVersion out of the comparison the storage makes.
          meta.resourceVersion = current.metadata?.resourceVersion;
          return obj;
        },
        { ignoreNotFound: true, dryRun: ctx.dryRun },
      );
    } catch (e) {
      throw this.translate(e, name);
    }
    // An update that removed the last finalizer of an object being deleted completes the delete.
    if (!created && this.shouldFinalizeDelete(result)) {
      if (ctx.dryRun) return { object: result, created };
      const done = await this.deleteNow(ctx, name, result.metadata?.uid as string);
      return { object: done ?? result, created };
    }
    return { object: result, created };
  }

  private keepServerMeta(obj: ApiObject, current: ApiObject): void {
    const meta = obj.metadata!;
    const cur = current.metadata ?? {};
    meta.uid = cur.uid;
    meta.creationTimestamp = cur.creationTimestamp;
    if (cur.deletionTimestamp) meta.deletionTimestamp = cur.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (cur.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    if (cur.generation !== undefined) meta.generation = cur.generation;
    else delete meta.generation;
    delete meta.selfLink;
  }

  protected shouldFinalizeDelete(obj: ApiObject): boolean {
    const m = obj.metadata ?? {};
    return Boolean(m.deletionTimestamp) && !(m.finalizers?.length) && (m.deletionGracePeriodSeconds ?? 0) === 0;
  }

  // ------------------------------------------------------------------------------ delete

  async delete(ctx: RequestContext, name: string, options: DeleteOptions): Promise<DeleteResult> {
    const key = this.key(ctx.namespace, name);
    let current: ApiObject;
    try {
      current = (await this.storage.get<ApiObject>(key))!;
    } catch (e) {
      throw this.translate(e, name);
    }
    this.checkPreconditions(name, current, options.preconditions);
    await this.opts.admit?.(ctx, 'DELETE', current, current);

    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : undefined);
    const wantFinalizer = policy === 'Orphan' ? FINALIZER_ORPHAN : policy === 'Foreground' ? FINALIZER_FOREGROUND : undefined;
    const graceful = this.strategy.gracefulDelete?.(current, options.gracePeriodSeconds);
    const hasFinalizers = (current.metadata?.finalizers?.length ?? 0) > 0;
    const pendingGrace = graceful && graceful.graceSeconds > 0;

    if (!hasFinalizers && !wantFinalizer && !pendingGrace) {
      const done = await this.deleteNow(ctx, name, undefined, options.preconditions);
      if (!done) throw newNotFound(this.gr, name);
      return { object: done, deleted: true };
    }

    // Graceful and finalizer-held deletion: mark the object and let its owners finish.
    let updated: ApiObject;
    try {
      updated = await this.storage.guaranteedUpdate<ApiObject>(
        key,
        (cur) => {
          if (!cur) throw newNotFound(this.gr, name);
          this.checkPreconditions(name, cur, options.preconditions);
          const obj = jsonClone(cur);
          const meta = obj.metadata!;
          const grace = pendingGrace ? graceful.graceSeconds : 0;
          if (!meta.deletionTimestamp) {
            meta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
            meta.deletionGracePeriodSeconds = grace;
          } else if ((meta.deletionGracePeriodSeconds ?? 0) > grace) {
            // A shorter grace period may replace a longer one (upstream BeforeDelete).
            meta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
            meta.deletionGracePeriodSeconds = grace;
          }
          if (wantFinalizer) {
            const fins: string[] = (meta.finalizers ?? []).filter((f: string) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
            fins.push(wantFinalizer);
            meta.finalizers = fins;
          }
          if (this.strategy.tracksGeneration && !cur.metadata?.deletionTimestamp) meta.generation = ((cur.metadata?.generation as number) ?? 0) + 1;
          return obj;
        },
        { dryRun: ctx.dryRun },
      );
    } catch (e) {
      throw this.translate(e, name);
    }
    if (this.shouldFinalizeDelete(updated) && !ctx.dryRun) {
      const done = await this.deleteNow(ctx, name, updated.metadata?.uid as string);
      if (done) return { object: done, deleted: true };
    }
    return { object: updated, deleted: false };
  }

  /** Removes the object from storage. Returns undefined when it was already gone. */
  protected async deleteNow(ctx: RequestContext, name: string, uid: string | undefined, preconditions?: DeleteOptions['preconditions']): Promise<ApiObject | undefined> {
    try {
      const obj = await this.storage.delete<ApiObject>(this.key(ctx.namespace, name), {
        preconditions: { uid: uid ?? preconditions?.uid, resourceVersion: preconditions?.resourceVersion },
        dryRun: ctx.dryRun,
      });
      if (!ctx.dryRun) await this.strategy.afterDelete?.(obj);
      return obj;
    } catch (e) {
      if (isStorageError(e, 'KeyNotFound')) return undefined;
      throw this.translate(e, name);
    }
  }

  protected checkPreconditions(name: string, obj: ApiObject, p: DeleteOptions['preconditions']): void {
    if (!p) return;
    if (p.uid && p.uid !== obj.metadata?.uid) {
      throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata?.uid as string}`);
    }
    if (p.resourceVersion && p.resourceVersion !== obj.metadata?.resourceVersion) {
      throw newConflict(
        this.gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion as string}`,
      );
    }
  }

  async deleteCollection(ctx: RequestContext, params: ListParams, options: DeleteOptions): Promise<ApiObject[]> {
    const list = await this.list(ctx, { ...params, limit: undefined, continue: undefined });
    const out: ApiObject[] = [];
    // Bounded concurrency, as upstream's DeleteCollection workers.
    const queue = [...list.items];
    const worker = async (): Promise<void> => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const nsCtx = { ...ctx, namespace: (o.metadata?.namespace as string | undefined) ?? ctx.namespace };
        try {
          const r = await this.delete(nsCtx, o.metadata!.name as string, options);
          out.push(r.object);
        } catch (e) {
          if (e instanceof StatusError && e.code === 404) continue;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
    return out;
  }

  groupKind(): { group: string; kind: string } {
    return { group: this.info.group, kind: this.info.kind };
  }

  /** Storage error → API Status, in one place. */
  translate(e: unknown, name: string): StatusError {
    if (e instanceof StatusError) return e;
    if (isStorageError(e)) {
      switch (e.code) {
        case 'KeyNotFound':
          return newNotFound(this.gr, name);
        case 'KeyExists':
          return newAlreadyExists(this.gr, name);
        case 'ResourceVersionConflicts':
        case 'InvalidObj':
          return newConflict(this.gr, name, e.message);
        case 'Expired':
          return newResourceExpired(e.message);
        case 'InvalidContinue':
          return newBadRequest(e.message);
        case 'TooLargeResourceVersion':
          return new StatusError(504, 'Timeout', `Too large resource version: ${e.message}`, {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
            retryAfterSeconds: 1,
          });
        case 'Unreachable':
          return newServiceUnavailable(e.message);
        case 'InvalidError':
          return newBadRequest(e.message);
      }
    }
    if (e instanceof Error && e.name === 'AbortError') return newTimeout('request was cancelled');
    return newInternalError(e);
  }
}
