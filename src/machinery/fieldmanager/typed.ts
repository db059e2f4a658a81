// Schema-aware operations on JSON values (upstream structured-merge-diff typed package): the set
// of fields a value sets, the comparison of two values, the merge of an applied configuration
// into an object, and the removal of a set of fields. `undefined` means "absent" throughout;
// `null` is a present value.

import { atomOf, childSchema, isNamedField, isPlainObject, type ApplySchema, type Atom } from './schema.js';
import { comparePathElements, pathElementString, serializePathElement, type KeyField, type Path, type PathElement } from './path.js';
import { FieldSet } from './set.js';

type ListAtom = Extract<Atom, { k: 'list' }>;
type MapAtom = Extract<Atom, { k: 'map' }>;
type JSONMap = Record<string, unknown>;

/** A value that does not fit its schema (duplicate or missing list keys, bad set elements). */
export class ValueValidationError extends Error {
  readonly code = 'INVALID_TYPED_VALUE';
  readonly errors: readonly { path: string; message: string }[];
  constructor(errors: readonly { path: string; message: string }[]) {
    const one = (e: { path: string; message: string }): string => (e.path ? `${e.path}: ${e.message}` : e.message);
    // Upstream ValidationErrors.Error().
    super(errors.length === 1 ? one(errors[0]!) : ['errors:', ...errors.map((e) => '  ' + one(e))].join('\n'));
    this.name = 'ValueValidationError';
    this.errors = errors;
  }
}

function goQuotedList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/** The path element of a list item; a string is an error message. */
export function listItemElement(atom: ListAtom, item: unknown): PathElement | string {
  const keys = atom.keys;
  if (keys && keys.length > 0) {
    if (item === null || item === undefined) return 'associative list with keys may not have a null element';
    if (!isPlainObject(item)) return 'associative list with keys may not have non-map elements';
    const elem = atom.schema.elements();
    const k: KeyField[] = [];
    for (const name of keys) {
      if (Object.prototype.hasOwnProperty.call(item, name)) k.push({ name, value: item[name] });
      else {
        const def = elem?.fieldDefault?.(name);
        if (def !== undefined && def !== null) k.push({ name, value: def });
      }
    }
    if (k.length === 0) {
      return `associative list with keys has an element that omits all key fields ${goQuotedList(keys)} (and doesn't have default values for any key fields)`;
    }
    k.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { k };
  }
  if (isPlainObject(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null || item === undefined) return "associative list without keys has an element that's an explicit null";
  return { v: item };
}

function elementSchemaOf(atom: ListAtom): ApplySchema {
  return atom.schema.elements() ?? atom.schema;
}

function mapOf(v: unknown): JSONMap | undefined {
  return isPlainObject(v) ? v : undefined;
}

function listOf(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function isEmptyObject(v: JSONMap): boolean {
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return false;
  return true;
}

function isEmptyMap(v: unknown): boolean {
  return v === undefined || v === null || (isPlainObject(v) && Object.keys(v).length === 0);
}

function isEmptyList(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** Deep equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as JSONMap);
  const kb = Object.keys(b as JSONMap);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as JSONMap)[k], (b as JSONMap)[k])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Validation (upstream TypedValue validation of the applied configuration).

/** Checks associative-list items of a value against the schema; throws ValueValidationError. */
export function validateValue(value: unknown, schema: ApplySchema): void {
  const errors: { path: string; message: string }[] = [];
  const walk = (v: unknown, s: ApplySchema, path: string): void => {
    const atom = atomOf(s, v);
    if (atom.k === 'map') {
      const m = mapOf(v);
      if (!m) return;
      for (const [k, x] of Object.entries(m)) walk(x, childSchema(atom, k), `${path}.${k}`);
    } else if (atom.k === 'list') {
      const l = listOf(v);
      if (!l) return;
      const seen = new Set<string>();
      const elem = elementSchemaOf(atom);
      for (let i = 0; i < l.length; i++) {
        const pe = listItemElement(atom, l[i]);
        if (typeof pe === 'string') {
          errors.push({ path, message: `element ${i}: ${pe}` });
          continue;
        }
        const key = serializePathElement(pe);
        if (seen.has(key)) {
          errors.push({ path, message: `duplicate entries for key ${pathElementString(pe)}` });
          continue;
        }
        seen.add(key);
        walk(l[i], elem, path + pathElementString(pe));
      }
    }
  };
  walk(value, schema, '');
  if (errors.length > 0) throw new ValueValidationError(errors);
}

// ---------------------------------------------------------------------------------------------
// ToFieldSet

/** The fields a value sets (upstream TypedValue.ToFieldSet). */
export function toFieldSet(value: unknown, schema: ApplySchema): FieldSet {
  const set = new FieldSet();
  const path: PathElement[] = [];
  const keys: string[] = [];
  // nodes[d]: the subset under path[0..d) once something was inserted below it (created lazily,
  // so no empty subsets are left behind).
  const nodes: (FieldSet | undefined)[] = [set];
  const nodeAt = (d: number): FieldSet => {
    let n = nodes[d];
    if (n === undefined) {
      n = nodeAt(d - 1).descendKeyed(path[d - 1]!, keys[d - 1]!);
      nodes[d] = n;
    }
    return n;
  };
  const insert = (): void => {
    const d = path.length;
    if (d > 0) nodeAt(d - 1).members.set(keys[d - 1]!, path[d - 1]!);
  };
  const push = (pe: PathElement, key: string): void => {
    path.push(pe);
    keys.push(key);
    nodes[path.length] = undefined;
  };
  const pop = (): void => {
    nodes[path.length] = undefined;
    path.pop();
    keys.pop();
  };
  const visit = (v: unknown, s: ApplySchema): void => {
    const atom = atomOf(s, v);
    if (atom.k === 'leaf') {
      insert();
      return;
    }
    if (atom.k === 'list') {
      const l = listOf(v);
      if (!l) return;
      const pes: (PathElement | undefined)[] = new Array(l.length);
      const itemKeys: (string | undefined)[] = new Array(l.length);
      const seen = new Set<string>();
      let duplicates: Set<string> | undefined;
      for (let i = 0; i < l.length; i++) {
        const pe = listItemElement(atom, l[i]);
        if (typeof pe === 'string') continue;
        const key = serializePathElement(pe);
        pes[i] = pe;
        itemKeys[i] = key;
        if (seen.has(key)) {
          duplicates ??= new Set<string>();
          if (!duplicates.has(key)) {
            duplicates.add(key);
            push(pe, key);
            insert();
            pop();
          }
        } else seen.add(key);
      }
      const elem = elementSchemaOf(atom);
      for (let i = 0; i < l.length; i++) {
        const pe = pes[i];
        const key = itemKeys[i];
        if (!pe || key === undefined || duplicates?.has(key)) continue;
        push(pe, key);
        visit(l[i], elem);
        insert();
        pop();
      }
      return;
    }
    const m = mapOf(v);
    if (!m) return;
    for (const key in m) {
      if (!Object.prototype.hasOwnProperty.call(m, key)) continue;
      const child = m[key];
      push({ f: key }, 'f:' + key);
      visit(child, childSchema(atom, key));
      if (child === null || (isPlainObject(child) && isEmptyObject(child))) insert();
      else if (!(atom.struct && isNamedField(atom.schema, key))) insert();
      pop();
    }
  };
  visit(value, schema);
  return set;
}

// ---------------------------------------------------------------------------------------------
// Compare

/** What changed from lhs to rhs; no field is in more than one of the three sets. */
export interface Comparison {
  removed: FieldSet;
  modified: FieldSet;
  added: FieldSet;
}

export function isSame(c: Comparison): boolean {
  return c.removed.empty() && c.modified.empty() && c.added.empty();
}

/** Removes every field under a path of `ignored` from the comparison (upstream ExcludeFields). */
export function excludeFields(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored || ignored.empty()) return c;
  return {
    removed: c.removed.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    added: c.added.recursiveDifference(ignored),
  };
}

/** Upstream TypedValue.Compare (lhs: before, rhs: after). */
export function compareTyped(lhs: unknown, rhs: unknown, schema: ApplySchema): Comparison {
  const c: Comparison = { removed: new FieldSet(), modified: new FieldSet(), added: new FieldSet() };
  const path: PathElement[] = [];
  const keys: string[] = [];

  const leaf = (l: unknown, r: unknown): void => {
    if (l === undefined) c.added.insertKeyed(path, keys);
    else if (r === undefined) c.removed.insertKeyed(path, keys);
    else if (!deepEqual(l, r)) c.modified.insertKeyed(path, keys);
  };

  const item = (l: unknown, r: unknown, s: ApplySchema): void => {
    // An unchanged subtree (most of an update: the spec under a status write, a Lease's metadata)
    // has nothing to record; deepEqual is cheaper than walking it with the schema.
    if (typeof l === 'object' && l !== null && r !== undefined && deepEqual(l, r)) return;
    const al = atomOf(s, l);
    const ar = atomOf(s, r);
    // Only free-form values can resolve differently on the two sides: compare them as leaves.
    const atom = l === undefined ? ar : r === undefined || al.k === ar.k ? (r === undefined ? al : ar) : undefined;
    let inLeaf = false;
    if (!atom || atom.k === 'leaf') {
      leaf(l, r);
      inLeaf = true;
    } else if (atom.k === 'list') {
      const ll = listOf(l);
      const rl = listOf(r);
      if (isEmptyList(ll) && isEmptyList(rl)) {
        leaf(l, r);
        inLeaf = true;
      } else list(atom, ll, rl);
    } else {
      const lm = mapOf(l);
      const rm = mapOf(r);
      if (isEmptyMap(lm) && isEmptyMap(rm)) {
        leaf(l, r);
        inLeaf = true;
      } else map(atom, lm, rm);
    }
    if (!inLeaf) {
      if (l === undefined) c.added.insertKeyed(path, keys);
      else if (r === undefined) c.removed.insertKeyed(path, keys);
    }
  };

  const map = (atom: MapAtom, l: JSONMap | undefined, r: JSONMap | undefined): void => {
    if (l) for (const key in l) if (Object.prototype.hasOwnProperty.call(l, key)) field(atom, l, r, key);
    if (r) for (const key in r) if (Object.prototype.hasOwnProperty.call(r, key) && !(l && Object.prototype.hasOwnProperty.call(l, key))) field(atom, l, r, key);
  };

  const field = (atom: MapAtom, l: JSONMap | undefined, r: JSONMap | undefined, key: string): void => {
    path.push({ f: key });
    keys.push('f:' + key);
    item(l?.[key], r?.[key], childSchema(atom, key));
    path.pop();
    keys.pop();
  };

  const list = (atom: ListAtom, l: unknown[] | undefined, r: unknown[] | undefined): void => {
    const order: PathElement[] = [];
    const orderKeys: string[] = [];
    const lValues = new Map<string, unknown[]>();
    const rValues = new Map<string, unknown[]>();
    for (const [src, values, other] of [
      [l, lValues, undefined],
      [r, rValues, lValues],
    ] as const) {
      for (const x of src ?? []) {
        const pe = listItemElement(atom, x);
        if (typeof pe === 'string') continue;
        const key = serializePathElement(pe);
        const got = values.get(key);
        if (got) got.push(x);
        else {
          values.set(key, [x]);
          if (!other?.has(key)) {
            order.push(pe);
            orderKeys.push(key);
          }
        }
      }
    }
    const elem = elementSchemaOf(atom);
    for (let i = 0; i < order.length; i++) {
      const pe = order[i]!;
      const key = orderKeys[i]!;
      const ls = lValues.get(key) ?? [];
      const rs = rValues.get(key) ?? [];
      path.push(pe);
      keys.push(key);
      if (ls.length <= 1 && rs.length <= 1) item(ls[0], rs[0], elem);
      else if (ls.length >= 2 && rs.length >= 2) {
        // Duplicates before and after: compared as if atomic.
        if (!deepEqual(ls, rs)) c.modified.insertKeyed(path, keys);
      } else if (ls.length >= 2) {
        if (rs.length !== 0) item(undefined, rs[0], elem);
        c.removed.insertKeyed(path, keys);
      } else {
        if (ls.length !== 0) item(ls[0], undefined, elem);
        c.added.insertKeyed(path, keys);
      }
      path.pop();
      keys.pop();
    }
  };

  item(lhs, rhs, schema);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Merge

/**
 * Merges rhs (the applied configuration) into lhs (the live object), upstream TypedValue.Merge:
 * leaves and atomic values take rhs, granular maps merge key by key, associative lists merge
 * item by item (rhs order for rhs items, lhs-only items kept in place). Returns undefined only
 * when both are undefined. Throws ValueValidationError on duplicate keys in rhs.
 */
export function mergeTyped(lhs: unknown, rhs: unknown, schema: ApplySchema): unknown {
  const errors: { path: string; message: string }[] = [];
  const path: PathElement[] = [];
  const here = (): string => path.map(pathElementString).join('');

  const item = (l: unknown, r: unknown, s: ApplySchema): unknown => {
    const al = atomOf(s, l);
    const ar = atomOf(s, r);
    const atom = l === undefined ? ar : r === undefined ? al : al.k === ar.k ? ar : undefined;
    if (!atom || atom.k === 'leaf') return r !== undefined ? r : l;
    if (atom.k === 'list') {
      const ll = listOf(l);
      const rl = listOf(r);
      if (isEmptyList(ll) && isEmptyList(rl)) return r !== undefined ? r : l;
      return list(atom, ll, rl);
    }
    const lm = mapOf(l);
    const rm = mapOf(r);
    if (isEmptyMap(lm) && isEmptyMap(rm)) return r !== undefined ? r : l;
    return map(atom, lm, rm);
  };

  const map = (atom: MapAtom, l: JSONMap | undefined, r: JSONMap | undefined): unknown => {
    const out: JSONMap = {};
    const keys = [...Object.keys(l ?? {})];
    for (const k of Object.keys(r ?? {})) if (!l || !Object.prototype.hasOwnProperty.call(l, k)) keys.push(k);
    for (const key of keys) {
      path.push({ f: key });
      const v = item(l?.[key], r?.[key], childSchema(atom, key));
      path.pop();
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };

  const index = (atom: ListAtom, l: unknown[] | undefined, allowDuplicates: boolean) => {
    const pes: PathElement[] = [];
    const keys: string[] = [];
    const observed = new Map<string, unknown>();
    const positions: number[] = [];
    (l ?? []).forEach((x, i) => {
      const pe = listItemElement(atom, x);
      if (typeof pe === 'string') {
        errors.push({ path: here(), message: `element ${i}: ${pe}` });
        return;
      }
      const key = serializePathElement(pe);
      if (observed.has(key)) {
        if (!allowDuplicates) {
          errors.push({ path: here(), message: `duplicate entries for key ${pathElementString(pe)}` });
          return;
        }
        // Duplicated items are not merged with the applied value.
        observed.set(key, null);
      } else observed.set(key, x);
      pes.push(pe);
      keys.push(key);
      positions.push(i);
    });
    return { pes, keys, observed, positions };
  };

  const list = (atom: ListAtom, l: unknown[] | undefined, r: unknown[] | undefined): unknown => {
    const rhs = index(atom, r, false);
    const lhs = index(atom, l, true);
    const elem = elementSchemaOf(atom);
    const out: unknown[] = [];
    const mergeItem = (pe: PathElement, lc: unknown, rc: unknown): void => {
      path.push(pe);
      const v = item(lc, rc, elem);
      path.pop();
      if (v !== undefined) out.push(v);
    };
    const shared = rhs.keys.filter((k) => lhs.observed.has(k));
    let sharedAt = 0;
    let nextShared: string | undefined = shared[sharedAt++];
    const merged = new Set<string>();
    let li = 0;
    let ri = 0;
    while (li < lhs.keys.length || ri < rhs.keys.length) {
      if (li < lhs.keys.length && ri < rhs.keys.length) {
        const key = lhs.keys[li]!;
        if (key === rhs.keys[ri]) {
          merged.add(key);
          mergeItem(lhs.pes[li]!, lhs.observed.get(key), rhs.observed.get(key));
          li++;
          ri++;
          nextShared = shared[sharedAt++];
          continue;
        }
        if (rhs.observed.has(key) && nextShared !== undefined && nextShared !== key) {
          li++; // a shared item that comes later in rhs order
          continue;
        }
      }
      if (li < lhs.keys.length) {
        const key = lhs.keys[li]!;
        if (!rhs.observed.has(key)) {
          mergeItem(lhs.pes[li]!, l![lhs.positions[li]!], undefined);
          li++;
          continue;
        } else if (merged.has(key)) li++;
      }
      if (ri < rhs.keys.length) {
        const key = rhs.keys[ri]!;
        merged.add(key);
        mergeItem(rhs.pes[ri]!, lhs.observed.has(key) ? lhs.observed.get(key) : undefined, rhs.observed.get(key));
        ri++;
        if (nextShared === key) nextShared = shared[sharedAt++];
      }
    }
    return out.length > 0 ? out : undefined;
  };

  const result = item(lhs, rhs, schema);
  if (errors.length > 0) throw new ValueValidationError(errors);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Remove

/**
 * The value without the fields of `toRemove` (upstream TypedValue.RemoveItems). A member removes
 * the whole value at its path; maps and lists left empty by a removal disappear (upstream leaves
 * a null that typed decoding drops).
 */
export function removeItems(value: unknown, toRemove: FieldSet, schema: ApplySchema): unknown {
  const walk = (v: unknown, remove: FieldSet, s: ApplySchema): unknown => {
    const atom = atomOf(s, v);
    if (atom.k === 'leaf') return v;
    if (atom.k === 'list') {
      const l = listOf(v);
      if (!l || l.length === 0) return undefined;
      const elem = elementSchemaOf(atom);
      const out: unknown[] = [];
      for (const x of l) {
        const pe = listItemElement(atom, x);
        if (typeof pe === 'string') {
          out.push(x);
          continue;
        }
        const key = serializePathElement(pe);
        if (remove.members.has(key)) continue;
        const sub = remove.withPrefixKey(key);
        const y = sub.empty() ? x : walk(x, sub, elem);
        if (y !== undefined) out.push(y);
      }
      return out.length > 0 ? out : undefined;
    }
    const m = mapOf(v);
    if (!m || Object.keys(m).length === 0) return undefined;
    const out: JSONMap = {};
    for (const [k, x] of Object.entries(m)) {
      const key = 'f:' + k;
      if (remove.members.has(key)) continue;
      const sub = remove.withPrefixKey(key);
      const y = sub.empty() ? x : walk(x, sub, childSchema(atom, k));
      if (y !== undefined) out[k] = y;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (toRemove.empty()) return value;
  return walk(value, toRemove, schema) ?? (isPlainObject(value) ? {} : undefined);
}

// ---------------------------------------------------------------------------------------------
// EnsureNamedFieldsAreMembers

/**
 * The set plus, as members, every declared struct field under which the set has paths (so that
 * removing the set removes e.g. `.spec` as a whole when nothing else holds it), as upstream.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: ApplySchema | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  for (const [k, c] of set.children) {
    let sub: ApplySchema | undefined;
    const pe = c.pe;
    if ('f' in pe && schema) {
      if (schema.kind === 'struct') {
        const f = schema.field(pe.f);
        if (f) out.members.set(k, pe);
        sub = f;
      } else if (schema.kind === 'map' || schema.kind === 'deduced') sub = schema.elements();
    } else if ('k' in pe && schema?.kind === 'list') sub = schema.elements();
    out.children.set(k, { pe, set: ensureNamedFieldsAreMembers(c.set, sub) });
  }
  return out;
}

/** Paths sorted in upstream set order (for stable test output and messages). */
export function sortPaths(paths: Path[]): Path[] {
  return paths.sort((a, b) => {
    for (let i = 0; i < a.length && i < b.length; i++) {
      const c = comparePathElements(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  });
}
