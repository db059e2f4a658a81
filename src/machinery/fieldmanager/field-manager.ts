// Server-side apply and managed-fields tracking for the API server's write paths (upstream
// managedfields/internal FieldManager with its default decorators: version check, last-applied
// annotation upgrade and sync for kubectl, skip-non-applied / before-first-apply, the cap of ten
// update managers, manager identifiers, operation times, and stripping of identity metadata).

import { newBadRequest, StatusError } from '../errors.js';
import { ApplyConflictError } from './conflict.js';
import {
  buildManagerIdentifier,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  formatTime,
  ManagedFieldsError,
  type Managed,
  type ManagedFieldsEntry,
} from './managed-fields.js';
import type { Path } from './path.js';
import { isPlainObject, type ApplySchema } from './schema.js';
import { FieldSet } from './set.js';
import { compareTyped, deepEqual, toFieldSet, validateValue, ValueValidationError } from './typed.js';
import { Conflicts, updaterApply, updaterUpdate, type Conflict, type ManagedFields } from './updater.js';

type JSONObject = Record<string, unknown>;

export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager that owns an object's fields from before its first apply. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';
/** The bucket the oldest update managers are merged into beyond the cap. */
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';
export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
/** Upstream FieldManagerMaxLength (bytes). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** The manager kubectl's server-side apply uses; its client-side-apply fields are upgraded. */
const KUBECTL_MANAGER = 'kubectl';
/** The manager name that collects an update's changes before they are given to the real one. */
const CURRENT_OPERATION = 'current-operation';

/** Fields never owned by anyone: identity and bookkeeping metadata (upstream stripmeta.go). */
const STRIP_SET = FieldSet.of(
  [{ f: 'apiVersion' }],
  [{ f: 'kind' }],
  [{ f: 'metadata' }],
  [{ f: 'metadata' }, { f: 'name' }],
  [{ f: 'metadata' }, { f: 'namespace' }],
  [{ f: 'metadata' }, { f: 'creationTimestamp' }],
  [{ f: 'metadata' }, { f: 'selfLink' }],
  [{ f: 'metadata' }, { f: 'uid' }],
  [{ f: 'metadata' }, { f: 'clusterName' }],
  [{ f: 'metadata' }, { f: 'generation' }],
  [{ f: 'metadata' }, { f: 'managedFields' }],
  [{ f: 'metadata' }, { f: 'resourceVersion' }],
);

export interface FieldManagerOptions {
  /** The field manager (already defaulted with {@link managerOrUserAgent}). */
  manager: string;
  /** The request's group/version (`apps/v1`, `v1`): the version the fields are recorded in. */
  apiVersion: string;
  /** The subresource written (`status`, `scale`); absent for the main resource. */
  subresource?: string;
  now: Date;
  /** The schema of the kind in `apiVersion`. */
  schema: ApplySchema;
  /**
   * Fields this endpoint resets (upstream strategy GetResetFields): never owned by the operation
   * and never taken from other managers (e.g. `status` on the main resource).
   */
  ignoredFields?: FieldSet;
}

export interface UpdateOptions extends FieldManagerOptions {
  operation?: 'Update';
}

export interface ApplyOptions extends FieldManagerOptions {
  force: boolean;
  /** The kind served; when given, an applied configuration of another kind is refused as upstream. */
  kind?: string;
}

export interface ApplyResult<T> {
  /** The merged object with metadata.managedFields set. */
  object: T;
  /** Whether applying changed anything besides managedFields. */
  changed: boolean;
}

function metadataOf(obj: unknown): JSONObject | undefined {
  if (!isPlainObject(obj)) return undefined;
  const m = obj['metadata'];
  return isPlainObject(m) ? m : undefined;
}

/** A copy of the object without metadata.managedFields (the object itself is not changed). */
export function stripManagedFields<T extends object>(obj: T): T {
  const meta = metadataOf(obj);
  if (!meta || !('managedFields' in meta)) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest } as T;
}

function withManagedFields<T extends object>(obj: T, entries: ManagedFieldsEntry[] | undefined): T {
  const base = stripManagedFields(obj) as JSONObject;
  if (!entries) return base as T;
  const meta = metadataOf(base) ?? {};
  return { ...base, metadata: { ...meta, managedFields: entries } } as T;
}

/**
 * The manager of a request: `fieldManager` when given, else the User-Agent's prefix before the
 * first `/` with non-printable characters dropped, at most 128 bytes (upstream prefixFromUserAgent).
 */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = userAgent ?? '';
  let manager = managersByUserAgent.get(ua);
  if (manager === undefined) {
    manager = managerFromUserAgent(ua);
    // A cache of the few clients a cluster has; a flood of distinct user agents only resets it.
    if (managersByUserAgent.size >= 256) managersByUserAgent.clear();
    managersByUserAgent.set(ua, manager);
  }
  return manager;
}

const managersByUserAgent = new Map<string, string>();

function managerFromUserAgent(userAgent: string): string {
  const prefix = userAgent.split('/')[0] ?? '';
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Builds a field set from paths of field names (for reset fields): `fieldSetOf(['status'])`. */
export function fieldSetOf(...paths: readonly (readonly string[])[]): FieldSet {
  return FieldSet.of(...paths.map((p): Path => p.map((f) => ({ f }))));
}

function cloneManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

function stripFields(fields: ManagedFields, manager: string): void {
  const vs = fields.get(manager);
  if (!vs) return;
  const set = vs.set.difference(STRIP_SET);
  if (set.empty()) fields.delete(manager);
  else fields.set(manager, { ...vs, set });
}

/** Upstream capManagersManager: merges the oldest update entries into per-version buckets. */
function capUpdateManagers(managed: Managed, max: number): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  const secs = (id: string): number => {
    const t = managed.times.get(id);
    const ms = t ? Date.parse(t) : NaN;
    return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
  };
  updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = managed.fields.get(id)!;
    const time = managed.times.get(id);
    const bucket = buildManagerIdentifier({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      const s = managed.fields.get(first)!;
      managed.fields.delete(first);
      managed.fields.set(bucket, s);
    }
    managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
    managed.fields.delete(id);
    length--;
    managed.times.set(bucket, time);
  }
}

/**
 * One update operation through the decorators below skip-non-applied: records what changed from
 * `live` to `next` for `manager` (time set only when it took fields), then caps update managers.
 */
function runUpdate(live: unknown, next: unknown, managed: Managed, manager: string, opts: FieldManagerOptions): void {
  const id = buildManagerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const before = managed.fields.get(id)?.set;
  updaterUpdate(live, next, opts.apiVersion, managed.fields, CURRENT_OPERATION, { schema: opts.schema, ignored: opts.ignoredFields });
  stripFields(managed.fields, CURRENT_OPERATION);
  const vs = managed.fields.get(CURRENT_OPERATION);
  if (vs) {
    managed.fields.delete(CURRENT_OPERATION);
    const previous = managed.fields.get(id);
    const set = previous ? vs.set.union(previous.set) : vs.set;
    // The manager changed only fields it owned (a Lease renewal): its set stays the same object.
    managed.fields.set(id, { set: before?.equals(set) ? before : set, apiVersion: vs.apiVersion, applied: vs.applied });
    managed.times.set(id, formatTime(opts.now));
  }
  capUpdateManagers(managed, DEFAULT_MAX_UPDATE_MANAGERS);
}

function isResetManagedFields(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  if (mf.length === 0) return true;
  return mf.length === 1 && isPlainObject(mf[0]) && Object.values(mf[0]).every((v) => v === undefined || v === '' || v === null);
}

/** A stored object's managedFields, or none when they cannot be decoded. */
function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries, true);
  } catch {
    return emptyManaged();
  }
}

/** Upstream decodeLiveOrNew: the request's managedFields when it sets some, else the live object's. */
function decodeLiveOrNew(old: unknown, next: unknown, ignoreNew: boolean): Managed {
  const liveEntries = metadataOf(old)?.['managedFields'];
  if (ignoreNew) return decodeOrEmpty(liveEntries);
  const newEntries = metadataOf(next)?.['managedFields'];
  if (isResetManagedFields(newEntries)) return emptyManaged();
  // A client that sends back the entries it read (most do): the stored ones, the same content.
  if (liveEntries !== undefined && deepEqual(newEntries, liveEntries)) return decodeOrEmpty(liveEntries);
  try {
    const m = decodeManagedFields(newEntries);
    if (m.fields.size > 0) return m;
  } catch {
    // fall through to the live object's, so clients that mangle managedFields cannot drop them
  }
  return decodeOrEmpty(liveEntries);
}

/**
 * Records a create, update or non-apply patch in metadata.managedFields (upstream
 * FieldManager.UpdateNoErrors). `old` is the stored object (undefined on create); `next` is the
 * object about to be stored, before the strategy's PrepareForCreate/PrepareForUpdate. Returns a
 * copy of `next` with managedFields set (or removed when nothing is tracked: upstream does not
 * start tracking on an update of an object that has no managedFields). Requests may set
 * managedFields themselves; `managedFields: []` resets them. On a subresource, the request's
 * managedFields are ignored.
 */
export function updateManagedFields<T extends object>(old: object | undefined, next: T, opts: UpdateOptions): T {
  const isCreate = old === undefined || !metadataOf(old)?.['uid'];
  const managed = decodeLiveOrNew(old, next, opts.subresource !== undefined && opts.subresource !== '');
  const newObj = stripManagedFields(next);
  if (managed.fields.size === 0 && !isCreate) return newObj;
  runUpdate(old === undefined ? {} : stripManagedFields(old), newObj, managed, opts.manager, opts);
  return withManagedFields(newObj, encodeManagedFields(managed));
}

/**
 * A deep copy of a JSON value (what structuredClone gives for plain objects and arrays, without
 * its serialization round trip); other objects are copied with structuredClone.
 */
function copyJSON(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyJSON(v[i]);
    return out;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return structuredClone(v);
  const out: JSONObject = {};
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) out[k] = copyJSON((v as JSONObject)[k]);
  return out;
}

function splitGroupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const { group, version } = splitGroupVersion(typeof apiVersion === 'string' ? apiVersion : '');
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/** Go's encoding/json of a map: sorted keys, HTML-escaped, with json.Encoder's trailing newline. */
function encodeLastApplied(obj: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (!isPlainObject(v)) return v;
    const out: JSONObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  };
  const json = JSON.stringify(sortKeys(obj)).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return json + '\n';
}

function lastAppliedOf(obj: unknown): string | undefined {
  const ann = metadataOf(obj)?.['annotations'];
  if (!isPlainObject(ann)) return undefined;
  const v = ann[LAST_APPLIED_CONFIG_ANNOTATION];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The applied configuration as kubectl's last-applied annotation holds it (without that annotation). */
function buildLastApplied(applied: JSONObject): string {
  const copy = structuredClone(applied);
  const ann = metadataOf(copy)?.['annotations'];
  if (isPlainObject(ann)) delete ann[LAST_APPLIED_CONFIG_ANNOTATION];
  return encodeLastApplied(copy);
}

function setLastApplied(obj: JSONObject, value: string): JSONObject {
  const meta = metadataOf(obj) ?? {};
  const ann = isPlainObject(meta['annotations']) ? meta['annotations'] : {};
  return { ...obj, metadata: { ...meta, annotations: { ...ann, [LAST_APPLIED_CONFIG_ANNOTATION]: value } } };
}

/**
 * Conflicts kubectl may override when upgrading from client-side apply: the fields of the
 * last-applied annotation whose values the live object still has (upstream lastAppliedManager).
 */
function allowedConflictsFromLastApplied(live: unknown, opts: ApplyOptions): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (text === undefined) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last) || last['apiVersion'] !== opts.apiVersion) return undefined;
  try {
    const set = toFieldSet(last, opts.schema);
    const c = compareTyped(last, live, opts.schema);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/** `ns/name; apps/v1, Kind=Deployment`, as upstream names objects in field manager errors. */
function objectGVKNN(obj: JSONObject): string {
  const meta = metadataOf(obj);
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${str(meta?.['namespace'])}/${str(meta?.['name'])}; ${gvkString(obj['apiVersion'], obj['kind'])}`;
}

/** Upstream returns these as plain errors, which the API server answers as 500 with reason Unknown. */
function unknownError(message: string, cause: unknown): StatusError {
  return new StatusError(500, 'Unknown', message, undefined, { cause });
}

function rethrow(err: unknown, applied: JSONObject): never {
  if (err instanceof Conflicts) throw new ApplyConflictError(err.conflicts);
  if (err instanceof StatusError) throw err;
  if (err instanceof ValueValidationError) throw unknownError(`failed to merge config (${objectGVKNN(applied)}): ${err.message}`, err);
  throw err;
}

/**
 * Server-side apply (`application/apply-patch+yaml`; upstream FieldManager.Apply): merges the
 * applied configuration into `current` (undefined when the object does not exist yet: the
 * result is then the object to create) with structured-merge-diff semantics, records the
 * manager's Apply entry, and returns the object with metadata.managedFields set.
 *
 * Throws ApplyConflictError (409) on conflicts without `force`, and StatusError 400 for an
 * applied configuration of another apiVersion/kind or one that sets managedFields, and 500
 * (reason Unknown) when the applied configuration does not fit the schema (e.g. duplicate list
 * keys) or the live managedFields cannot be decoded, as upstream.
 */
export function applyPatch<T extends object>(current: T | undefined, applied: object, opts: ApplyOptions): ApplyResult<T> {
  if (!isPlainObject(applied)) throw newBadRequest('the applied configuration must be an object');
  if (opts.kind !== undefined && (applied['apiVersion'] !== opts.apiVersion || applied['kind'] !== opts.kind)) {
    throw newBadRequest(`invalid object type: ${gvkString(applied['apiVersion'], applied['kind'])}`);
  }
  if (applied['apiVersion'] !== opts.apiVersion) {
    const { group, version } = splitGroupVersion(typeof applied['apiVersion'] === 'string' ? applied['apiVersion'] : '');
    throw newBadRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${group ? `${group}/${version}` : version}, expected: ${opts.apiVersion}`,
    );
  }
  const appliedMF = metadataOf(applied)?.['managedFields'];
  if (appliedMF !== undefined && appliedMF !== null) throw newBadRequest('metadata.managedFields must be nil');

  try {
    validateValue(applied, opts.schema);
  } catch (err) {
    if (err instanceof ValueValidationError) throw unknownError(`failed to create typed patch object (${objectGVKNN(applied)}): ${err.message}`, err);
    throw err;
  }

  let managed: Managed;
  try {
    managed = decodeManagedFields(metadataOf(current)?.['managedFields']);
  } catch (err) {
    if (err instanceof ManagedFieldsError) throw unknownError(`failed to decode managed fields: ${err.message}`, err);
    throw err;
  }
  const live: JSONObject = current === undefined ? {} : (stripManagedFields(current) as JSONObject);
  const id = buildManagerIdentifier({ manager: opts.manager || 'unknown', operation: 'Apply', subresource: opts.subresource });

  const attempt = (force: boolean): { object: unknown; managed: Managed } => {
    const m = cloneManaged(managed);
    // Skip-non-applied: an object nobody tracked yet is owned by before-first-apply first.
    if (m.fields.size === 0) runUpdate({}, live, m, BEFORE_FIRST_APPLY_MANAGER, opts);
    const res = updaterApply(live, applied, opts.apiVersion, m.fields, id, force, { schema: opts.schema, ignored: opts.ignoredFields });
    stripFields(m.fields, id);
    if (res.object !== undefined) m.times.set(id, formatTime(opts.now));
    return { object: res.object ?? live, managed: m };
  };

  let result: { object: unknown; managed: Managed };
  try {
    result = attempt(opts.force);
  } catch (err) {
    if (!(err instanceof Conflicts) || opts.manager !== KUBECTL_MANAGER) rethrow(err, applied);
    // kubectl upgrading from client-side apply: conflicts on fields it last applied are its own.
    const allowed = allowedConflictsFromLastApplied(live, opts);
    if (!allowed) throw new ApplyConflictError(err.conflicts);
    const remaining: Conflict[] = err.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
    try {
      result = attempt(true);
    } catch (err2) {
      rethrow(err2, applied);
    }
  }

  let object = copyJSON(result.object) as JSONObject;
  // Keep kubectl's client-side apply annotation in step with what it applies server-side.
  if (opts.manager === KUBECTL_MANAGER && lastAppliedOf(object) !== undefined) {
    object = setLastApplied(object, buildLastApplied(applied));
  }
  const changed = !deepEqual(object, live);
  return { object: withManagedFields(object, encodeManagedFields(result.managed)) as T, changed };
}
