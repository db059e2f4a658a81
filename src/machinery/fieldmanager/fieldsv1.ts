// The FieldsV1 wire form of a field set (upstream fieldpath.Set ToJSON/FromJSON): a JSON object
// whose keys are serialized path elements in upstream order; an element that is a member of the
// set and also has children carries `".": {}` among its children.

import { comparePathElements, deserializePathElement, FieldPathError, serializePathElement, type PathElement } from './path.js';
import { FieldSet } from './set.js';

export type FieldsV1 = { [key: string]: FieldsV1 };

/** Encodes a set; keys are inserted in upstream order so JSON.stringify writes them so. */
export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  return emit(set, false);
}

function emit(s: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  // Members and children interleave in element order; an element that is both is written once,
  // with "." among its children. A child with no paths is not written (its encoding is `{}`).
  const entries: { key: string; pe: PathElement; value: FieldsV1 }[] = [];
  let written: Set<string> | undefined;
  for (const [key, c] of s.children) {
    const value = emit(c.set, s.members.has(key));
    if (!hasKeys(value)) continue;
    (written ??= new Set()).add(key);
    entries.push({ key, pe: c.pe, value });
  }
  const children = written?.size ?? 0;
  for (const [key, pe] of s.members) if (!written?.has(key)) entries.push({ key, pe, value: {} });
  if (includeSelf && (s.members.size > 0 || children > 0)) out['.'] = {};
  if (entries.length > 1) entries.sort((a, b) => comparePathElements(a.pe, b.pe));
  for (const e of entries) out[e.key] = e.value;
  return out;
}

function hasKeys(o: FieldsV1): boolean {
  for (const _ in o) return true;
  return false;
}

/** Decodes a FieldsV1 object (parsed JSON) into a set; throws FieldPathError on malformed input. */
export function decodeFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  if (fields === undefined || fields === null) return set;
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new FieldPathError('FieldsV1 must be a JSON object');
  readInto(fields as Record<string, unknown>, set);
  return set;
}

/**
 * Parsed non-field keys (`k:`, `v:`, `i:`) with their canonical serialized form, so that the
 * managedFields of every write do not re-parse the same keys; bounded, cleared when full.
 */
const parsedKeys = new Map<string, { pe: PathElement; key: string } | undefined>();
const PARSED_KEYS_MAX = 10_000;

function parseKey(raw: string): { pe: PathElement; key: string } | undefined {
  if (raw.length >= 2 && raw[0] === 'f' && raw[1] === ':') return { pe: { f: raw.slice(2) }, key: raw };
  if (parsedKeys.has(raw)) return parsedKeys.get(raw);
  const pe = deserializePathElement(raw);
  const parsed = pe === undefined ? undefined : { pe, key: serializePathElement(pe) };
  if (parsedKeys.size >= PARSED_KEYS_MAX) parsedKeys.clear();
  parsedKeys.set(raw, parsed);
  return parsed;
}

/** Reads one FieldsV1 level into `target`; returns whether the level marks its element a member. */
function readInto(obj: Record<string, unknown>, target: FieldSet): boolean {
  let isMember = false;
  let any = false;
  for (const raw in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, raw)) continue;
    if (raw === '.') {
      isMember = true;
      continue;
    }
    const parsed = parseKey(raw);
    if (parsed === undefined) continue; // unknown element types are dropped, as upstream does
    const value = obj[raw];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldPathError(`parsing key as path element: value of ${raw} must be an object`);
    }
    const { pe, key } = parsed;
    const sub = new FieldSet();
    if (readInto(value as Record<string, unknown>, sub)) {
      any = true;
      target.members.set(key, pe);
    }
    if (sub.members.size > 0 || sub.children.size > 0) {
      any = true;
      const existing = target.children.get(key);
      if (existing === undefined) target.children.set(key, { pe, set: sub });
      else {
        for (const [k, m] of sub.members) existing.set.members.set(k, m);
        for (const [k, c] of sub.children) existing.set.children.set(k, c);
      }
    }
  }
  return isMember || !any;
}
