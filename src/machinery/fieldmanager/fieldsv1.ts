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
  const children = s.sortedChildren();
  if (includeSelf && (s.members.size > 0 || children.length > 0)) out['.'] = {};
  // Members and children interleave in element order; an element that is both is written once,
  // with "." among its children.
  const entries = new Map<string, { pe: PathElement; child: FieldSet | undefined }>();
  for (const [key, pe] of s.members) entries.set(key, { pe, child: undefined });
  for (const c of children) entries.set(serializePathElement(c.pe), { pe: c.pe, child: c.set });
  const sorted = [...entries].sort((a, b) => comparePathElements(a[1].pe, b[1].pe));
  for (const [key, e] of sorted) out[key] = e.child ? emit(e.child, s.members.has(key)) : {};
  return out;
}

/** Decodes a FieldsV1 object (parsed JSON) into a set; throws FieldPathError on malformed input. */
export function decodeFieldsV1(fields: unknown): FieldSet {
  if (fields === undefined || fields === null) return new FieldSet();
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new FieldPathError('FieldsV1 must be a JSON object');
  const { children } = read(fields as Record<string, unknown>);
  return children ?? new FieldSet();
}

function read(obj: Record<string, unknown>): { children: FieldSet | undefined; isMember: boolean } {
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(obj)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = deserializePathElement(key);
    if (pe === undefined) continue; // unknown element types are dropped, as upstream does
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldPathError(`parsing key as path element: value of ${key} must be an object`);
    }
    const sub = read(value as Record<string, unknown>);
    if (sub.isMember) {
      children ??= new FieldSet();
      children.insert([pe]);
    }
    if (sub.children) {
      children ??= new FieldSet();
      const target = children.descend(pe);
      for (const [k, m] of sub.children.members) target.members.set(k, m);
      for (const [k, c] of sub.children.children) target.children.set(k, c);
    }
  }
  if (!children) isMember = true;
  return { children, isMember };
}
