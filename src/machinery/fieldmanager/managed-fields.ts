// metadata.managedFields on the wire and in memory (upstream managedfields/internal
// managedfields.go): entries keyed by a manager identifier (the entry's manager, operation,
// subresource and, for updates, apiVersion, as JSON), their field sets and times.

import { decodeFieldsV1, encodeFieldsV1, type FieldsV1 } from './fieldsv1.js';
import type { FieldSet } from './set.js';
import type { ManagedFields } from './updater.js';

/** The metav1.ManagedFieldsEntry wire object. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  /** RFC 3339, seconds, UTC. */
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** Managers' field sets and the times of their last change, by manager identifier. */
export interface Managed {
  readonly fields: ManagedFields;
  readonly times: Map<string, string | undefined>;
}

/** managedFields that cannot be decoded. */
export class ManagedFieldsError extends Error {
  readonly code = 'INVALID_MANAGED_FIELDS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManagedFieldsError';
  }
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** The last second formatted (writes come many per second). */
let lastSecond = NaN;
let lastFormatted = '';

/** metav1.Time's wire form: RFC 3339 in UTC with whole seconds. */
export function formatTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastFormatted = d.toISOString().replace(/\.\d+Z$/, 'Z');
    lastSecond = second;
  }
  return lastFormatted;
}

/**
 * Identifiers by their parts and parts by identifier: a cluster has few managers, and every write
 * needs both for each entry. Bounded; a flood of distinct managers only resets them.
 */
const identifiers = new Map<string, string>();
const identifierParts = new Map<string, Readonly<ManagedFieldsEntry> | undefined>();
const IDENTIFIER_CACHE_MAX = 1024;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= IDENTIFIER_CACHE_MAX) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * The identifier upstream keys managers by: the entry without fields, time and fieldsType, and
 * without apiVersion for appliers (so an applier is one entry whatever version it applies in).
 */
export function buildManagerIdentifier(e: { manager?: string; operation?: string; apiVersion?: string; subresource?: string }): string {
  const apiVersion = e.operation !== 'Apply' ? e.apiVersion : undefined;
  // Length-prefixed parts: unambiguous whatever characters a (stored) manager name holds.
  const key = [e.manager, e.operation, apiVersion, e.subresource].map((p = '') => `${p.length}:${p}`).join('');
  const known = identifiers.get(key);
  if (known !== undefined) return known;
  const id: Record<string, string> = {};
  if (e.manager) id['manager'] = e.manager;
  if (e.operation) id['operation'] = e.operation;
  if (apiVersion) id['apiVersion'] = apiVersion;
  if (e.subresource) id['subresource'] = e.subresource;
  return remember(identifiers, key, JSON.stringify(id));
}

/** The parts of an identifier (manager, operation, apiVersion, subresource); shared, read-only. */
export function parseManagerIdentifier(id: string): Readonly<ManagedFieldsEntry> | undefined {
  if (identifierParts.has(id)) return identifierParts.get(id);
  let parts: Readonly<ManagedFieldsEntry> | undefined;
  try {
    const v: unknown = JSON.parse(id);
    parts = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.freeze(v as ManagedFieldsEntry) : undefined;
  } catch {
    parts = undefined;
  }
  return remember(identifierParts, id, parts);
}

const CANONICAL_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `t` is already what formatTime writes for the instant it names (no field overflows). */
function isCanonicalTime(t: string): boolean {
  if (!CANONICAL_TIME_RE.test(t)) return false;
  const num = (at: number, digits: number): number => {
    let n = 0;
    for (let i = at; i < at + digits; i++) n = n * 10 + t.charCodeAt(i) - 48;
    return n;
  };
  const [year, month, day] = [num(0, 4), num(5, 2), num(8, 2)];
  if (month < 1 || month > 12 || day < 1 || num(11, 2) > 23 || num(14, 2) > 59 || num(17, 2) > 59) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0);
}

function normalizeTime(t: unknown): string | undefined {
  if (typeof t !== 'string' || t === '') return undefined;
  // Entries this server wrote (nearly all) are canonical already: no Date round trip for them.
  if (isCanonicalTime(t)) return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : formatTime(new Date(ms));
}

/**
 * The FieldsV1 that a set was decoded from, for sets decoded from a stored object's entries:
 * every stored entry was written by encodeManagedFields, so its FieldsV1 is the set's canonical
 * encoding and a set that comes out of a write unchanged is not encoded again. Those FieldsV1
 * objects are the stored (frozen, shared) ones, which encoded entries then share.
 */
const storedEncodings = new WeakMap<FieldSet, FieldsV1>();

/**
 * Decodes metadata.managedFields (upstream DecodeManagedFields); throws ManagedFieldsError.
 * `stored`: the entries are a stored object's (see storedEncodings), not a request's.
 */
export function decodeManagedFields(entries: unknown, stored = false): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManagedFieldsError(`managed fields entry ${i} must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    if (!e.fieldsType) throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = buildManagerIdentifier(e);
    let set;
    try {
      set = decodeFieldsV1(e.fieldsV1 ?? {});
    } catch (cause) {
      throw new ManagedFieldsError(`error decoding versioned set from managed fields entry ${i}: ${(cause as Error).message}`, { cause });
    }
    if (stored && e.fieldsV1) storedEncodings.set(set, e.fieldsV1);
    managed.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    managed.times.set(id, normalizeTime(e.time));
  });
  return managed;
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream order: operation (Apply before Update), time, manager, apiVersion, subresource. */
export function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  return (
    cmp(p.operation ?? '', q.operation ?? '') ||
    seconds(p.time) - seconds(q.time) ||
    cmp(p.manager ?? '', q.manager ?? '') ||
    cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
    cmp(p.subresource ?? '', q.subresource ?? '')
  );
}

/** Encodes managers as metadata.managedFields, sorted; undefined when there are none. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const parts = parseManagerIdentifier(id) ?? {};
    const e: ManagedFieldsEntry = {};
    // Key order as the Go struct marshals: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource.
    if (parts.manager) e.manager = parts.manager;
    e.operation = vs.applied ? 'Apply' : (parts.operation ?? 'Update');
    e.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) e.time = time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = storedEncodings.get(vs.set) ?? encodeFieldsV1(vs.set);
    if (parts.subresource) e.subresource = parts.subresource;
    out.push(e);
  }
  return out.sort(compareEntries);
}
