// Strategic merge patch (`application/strategic-merge-patch+json`), with the semantics of upstream
// k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch: maps merge recursively and
// `null` deletes a key; lists follow the field's patch strategy (merge by key, union of
// primitives, or replace); the directives `$patch`, `$retainKeys`, `$setElementOrder/<field>`
// and `$deleteFromPrimitiveList/<field>` are honoured. The schema facts come from a small lookup
// interface so that this layer knows nothing of API types.

import { goTypeName, goValueString, StrategicMergePatchError } from './errors.js';

/**
 * Schema facts strategic merge patch needs about one field (or the whole object). Implemented
 * over the OpenAPI definitions by api/openapi; a `shape` of `any` (free-form JSON, or a value
 * with no schema) merges like JSON merge patch, with the directives still honoured.
 */
export interface PatchSchema {
  readonly shape: 'struct' | 'map' | 'list' | 'scalar' | 'any';
  /** The Go type name that upstream's messages print for a struct (`Deployment`, `PodSpec`). */
  readonly typeName: string;
  /** The field's `patchStrategy` split on commas: `merge`, `replace`, `retainKeys`. */
  readonly patchStrategies: readonly string[];
  readonly patchMergeKey: string | undefined;
  /** A struct's field (undefined if the struct has none of that name), or a map's values. */
  field(name: string): PatchSchema | undefined;
  /** A list's items (or a map's values). */
  elements(): PatchSchema | undefined;
}

type JSONMap = Record<string, unknown>;

const DIRECTIVE_MARKER = '$patch';
const DELETE_DIRECTIVE = 'delete';
const REPLACE_DIRECTIVE = 'replace';
const MERGE_DIRECTIVE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/**
 * Applies a strategic merge patch to an object. Neither argument is modified. `schema` describes
 * the object in the version the patch is written against; `undefined` merges without schema
 * facts (every list replaced), as for a value of shape `any`.
 *
 * Throws StrategicMergePatchError (see strategicMergePatchStatus for the HTTP answer).
 */
export function strategicMergePatch(original: JSONMap, patch: JSONMap, schema: PatchSchema | undefined): JSONMap {
  // The algorithm, like upstream's, works in place on both documents.
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

// ------------------------------------------------------------------------------ value kinds

type ValueKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    default:
      return 'boolean';
  }
}

function isMap(v: unknown): v is JSONMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): StrategicMergePatchError {
  return new StrategicMergePatchError('PatchFailed', message);
}

function badArgType(expected: 'map' | 'list', actual: unknown): StrategicMergePatchError {
  return fail(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`);
}

function noMergeKey(m: JSONMap, mergeKey: string): StrategicMergePatchError {
  return fail(`map: ${goValueString(m)} does not contain declared merge key: ${mergeKey}`);
}

// --------------------------------------------------------------------------- schema lookup

interface FieldMeta {
  /** The field's own schema (for a list: the list, not its items). */
  schema: PatchSchema | undefined;
  strategies: readonly string[];
  mergeKey: string;
}

/** The facts of a struct's field; unknown fields of a struct fail as upstream's reflection lookup. */
function lookupField(schema: PatchSchema | undefined, key: string): FieldMeta {
  if (schema === undefined || schema.shape === 'any' || schema.shape === 'scalar') return { schema: undefined, strategies: [], mergeKey: '' };
  const sub = schema.field(key);
  if (sub === undefined) {
    if (schema.shape === 'struct') throw fail(`unable to find api field in struct ${schema.typeName} for the json field "${key}"`);
    return { schema: undefined, strategies: [], mergeKey: '' };
  }
  return { schema: sub, strategies: sub.patchStrategies, mergeKey: sub.patchMergeKey ?? '' };
}

/** The facts of a list field, with the schema of its items. */
function lookupSliceField(schema: PatchSchema | undefined, key: string): FieldMeta {
  const meta = lookupField(schema, key);
  if (meta.schema === undefined || meta.schema.shape === 'any') return { ...meta, schema: undefined };
  // Upstream names the parent's kind here, not the field's.
  if (meta.schema.shape !== 'list') throw fail(`expected slice or array type, but got: ${schema === undefined ? 'struct' : goKindName(schema)}`);
  return { ...meta, schema: meta.schema.elements() };
}

function goKindName(s: PatchSchema): string {
  return s.shape === 'scalar' ? 'string' : s.shape;
}

/** Splits `merge,retainKeys`-style strategies into the retainKeys flag and the other strategy. */
function otherStrategy(strategies: readonly string[]): string {
  const list = strategies.filter((s) => s !== '');
  switch (list.length) {
    case 0:
      return '';
    case 1:
      return list[0] === RETAIN_KEYS_STRATEGY ? '' : list[0]!;
    case 2:
      if (list[0] === RETAIN_KEYS_STRATEGY) return list[1]!;
      if (list[1] === RETAIN_KEYS_STRATEGY) return list[0]!;
      break;
  }
  throw fail(`unexpected patch strategy: [${list.join(' ')}]`);
}

// ------------------------------------------------------------------------------------ maps

function mergeMap(original: JSONMap | undefined, patch: JSONMap, schema: PatchSchema | undefined): JSONMap {
  if (Object.hasOwn(patch, DIRECTIVE_MARKER)) return mapDirective(patch[DIRECTIVE_MARKER], patch);
  const out = original ?? {};

  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      isDeleteList = true;
    }

    // null deletes the key; a null for an absent key is dropped.
    if (patchV === null) {
      delete out[key];
      continue;
    }

    if (!Object.hasOwn(out, key) || kindOf(out[key]) !== kindOf(patchV)) {
      // Absent, or of another type: the patch value replaces, without its nulls and directives.
      if (!isDeleteList) setCleaned(out, key, patchV);
      continue;
    }

    const current = out[key];
    if (isMap(current)) {
      const meta = lookupField(schema, key);
      const strategy = otherStrategy(meta.strategies);
      put(out, key, strategy === REPLACE_DIRECTIVE ? patchV : mergeMap(current, patchV as JSONMap, meta.schema));
    } else if (Array.isArray(current)) {
      const meta = lookupSliceField(schema, key);
      const strategy = otherStrategy(meta.strategies);
      // Deletion lists apply whatever the field's strategy.
      put(out, key, strategy === MERGE_DIRECTIVE || isDeleteList ? mergeSlice(current, patchV as unknown[], meta.schema, meta.mergeKey, isDeleteList) : patchV);
    } else {
      setCleaned(out, key, patchV);
    }
  }
  return out;
}

function setCleaned(out: JSONMap, key: string, patchV: unknown): void {
  discardNulls(patchV);
  const [v, keep] = removeDirectives(patchV);
  if (keep) put(out, key, v);
  else delete out[key];
}

/** Sets a key as an own property, even `__proto__` (a plain assignment would set the prototype). */
function put(o: JSONMap, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
  else o[key] = v;
}

/** `$patch` in a map: `replace` takes the patch as it is, `delete` empties the map. */
function mapDirective(directive: unknown, patch: JSONMap): JSONMap {
  if (directive === REPLACE_DIRECTIVE) {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw fail(`unknown patch type: ${goValueString(directive)} in map: ${goValueString(patch)}`);
}

/** `$retainKeys`: drops the original's keys that the list does not name. */
function applyRetainKeys(original: JSONMap, patch: JSONMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(list)) throw StrategicMergePatchError.sentinel('BadPatchFormatForRetainKeys');
  const retain = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    // Every field the patch sets must be retained.
    if (!retain.has(k)) throw StrategicMergePatchError.sentinel('BadPatchFormatForRetainKeys');
  }
  for (const k of Object.keys(original)) if (!retain.has(k)) delete original[k];
}

/** `$deleteFromPrimitiveList/finalizers` → `finalizers`. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw StrategicMergePatchError.sentinel(prefix === SET_ELEMENT_ORDER_PREFIX ? 'BadPatchFormatForSetElementOrderList' : 'BadPatchFormatForPrimitiveList');
  }
  return s.slice(slash + 1);
}

/** Drops null values from maps at any depth (a null for an absent key means nothing). */
function discardNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) discardNulls(x);
  } else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
}

/** Removes maps carrying `$patch` (and list items that are such maps); the flag says whether to keep the value at all. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [y, keep] = removeDirectives(x);
      if (keep) out.push(y);
    }
    return [out, true];
  }
  if (isMap(v)) {
    if (Object.hasOwn(v, DIRECTIVE_MARKER)) return [undefined, false];
    for (const [k, x] of Object.entries(v)) {
      const [y, keep] = removeDirectives(x);
      if (keep) v[k] = y;
      else delete v[k];
    }
    return [v, true];
  }
  return [v, true];
}

// --------------------------------------------------------------------- $setElementOrder

/**
 * Merges each list that has a `$setElementOrder/<field>` and orders the result: the order list
 * first, then the live list's order for items only the server has (upstream's
 * preserve-order-in-strategic-merge-patch design). Processed lists are removed from the patch.
 */
function mergeOrderedLists(original: JSONMap, patch: JSONMap, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('list', order);
    const field = extractKey(key, SET_ELEMENT_ORDER_PREFIX);

    const foundOriginal = Object.hasOwn(original, field);
    const foundPatch = Object.hasOwn(patch, field);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      const v = original[field];
      if (!Array.isArray(v)) throw badArgType('list', v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[field];
      if (!Array.isArray(v)) throw badArgType('list', v);
      patchList = v;
    }
    const meta = lookupSliceField(schema, field);
    const strategy = otherStrategy(meta.strategies);
    validateOrderList(patchList, order, meta.mergeKey);

    let merged: unknown[];
    let live = originalList;
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch && strategy === MERGE_DIRECTIVE) ({ merged, live } = mergeSliceWithLiveView(originalList, patchList, meta.schema, meta.mergeKey, false));
    else if (foundOriginal && foundPatch) merged = patchList;
    else continue;

    // Empty lists have no element type to order by (upstream fails there; nothing to order).
    if (originalList.length + patchList.length > 0) {
      const itemKind = sliceElementKind(originalList, patchList);
      const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
      merged = normalizeElementOrder(inOrder, serverOnly, order, live, meta.mergeKey, itemKind);
    }
    put(original, field, merged);
    delete patch[field];
  }
}

/** The patch list's items (deletions aside) must appear in the order list, in the same relative order. */
function validateOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') items = extractToDelete(patchList)[0];
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && Object.hasOwn(items[p] as JSONMap, DIRECTIVE_MARKER)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw fail(`The order in patch list:\n${goValueString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goValueString(order)}\n`);
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isMap(left)) throw badArgType('map', left);
  if (!isMap(right)) throw badArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Splits a patch list into ordinary items and `$patch: delete` items. */
function extractToDelete(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map', v);
    if (v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE) del.push(v);
    else keep.push(v);
  }
  return [keep, del];
}

// ----------------------------------------------------------------------------------- lists

/** The one kind every item of the lists has; lists of lists are refused. */
function sliceElementKind(...lists: unknown[][]): ValueKind {
  let kind: ValueKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'list') throw StrategicMergePatchError.sentinel('NoListOfLists');
        kind = k;
      } else if (k !== kind) {
        throw fail(`list element types are not identical: ${goValueString(lists)}`);
      }
    }
  }
  if (kind === undefined) throw fail('no elements in any of the given slices');
  return kind;
}

function mergeSlice(original: unknown[], patch: unknown[], itemSchema: PatchSchema | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  return mergeSliceWithLiveView(original, patch, itemSchema, mergeKey, isDeleteList).merged;
}

/**
 * Merges two lists. Besides the result, returns `live`: what the live list's first positions
 * hold afterwards in upstream's implementation, which edits the live list in place (deleted
 * items shift left, appended items fill the freed places) and then orders `$setElementOrder`
 * lists by it. Reproducing that keeps the order of kubectl apply's results identical.
 */
function mergeSliceWithLiveView(
  original: unknown[],
  patch: unknown[],
  itemSchema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): { merged: unknown[]; live: unknown[] } {
  if (original.length === 0 && patch.length === 0) return { merged: original, live: original };
  const kind = sliceElementKind(original, patch);

  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set(patch);
      return { merged: original.filter((v) => !del.has(v)), live: original };
    }
    // Lists of primitives with the merge strategy are unions.
    const merged = dedupe([...original, ...patch]);
    const [inPatch, serverOnly] = partition(merged, patch, '');
    return { merged: normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind), live: original };
  }

  if (mergeKey === '') throw fail(`cannot merge lists without merge key for ${itemSchema === undefined || itemSchema.shape === 'struct' ? 'struct' : goKindName(itemSchema)}`);
  const { kept, plain, replace } = applySpecialElements(original, patch, mergeKey);
  // `$patch: replace`: the list becomes the patch's other items.
  const base = replace ? plain : kept;
  const patchItems = replace ? [] : plain;
  const merged = mergeByKey(base, patchItems, mergeKey, itemSchema);
  const live = replace ? kept : merged.slice(0, original.length);

  // Patch items in the patch's order, server-only items in the live order, interleaved.
  const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey);
  return { merged: normalizeElementOrder(inPatch, serverOnly, patchItems, base, mergeKey, kind), live };
}

function dedupe(list: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const v of list) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

/**
 * Handles list items with `$patch`: `delete` removes every live item with that key, `replace`
 * makes the list the patch's other items; `merge` is refused, as upstream.
 */
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string): { kept: unknown[]; plain: unknown[]; replace: boolean } {
  const plain: unknown[] = [];
  const deleted = new Set<unknown>();
  let replace = false;
  for (const v of patch) {
    const item = v as JSONMap;
    if (!Object.hasOwn(item, DIRECTIVE_MARKER)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE_MARKER];
    if (directive === DELETE_DIRECTIVE) {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      deleted.add(item[mergeKey]);
    } else if (directive === REPLACE_DIRECTIVE) {
      replace = true;
    } else if (directive === MERGE_DIRECTIVE) {
      throw fail('merging lists cannot yet be specified in the patch');
    } else {
      throw fail(`unknown patch type: ${goValueString(directive)} in map: ${goValueString(item)}`);
    }
  }
  const kept = deleted.size === 0 ? original : original.filter((v) => !(isMap(v) && Object.hasOwn(v, mergeKey) && deleted.has(v[mergeKey])));
  return { kept, plain, replace };
}

/** Merges each patch item into the first live item with the same key, or appends it. */
function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, itemSchema: PatchSchema | undefined): unknown[] {
  const out = original.slice();
  const byKey = new Map<unknown, number>();
  const indexOf = (i: number): void => {
    const v = out[i];
    if (isMap(v) && Object.hasOwn(v, mergeKey) && !byKey.has(v[mergeKey])) byKey.set(v[mergeKey], i);
  };
  for (let i = 0; i < out.length; i++) indexOf(i);
  for (const v of patch) {
    const item = v as JSONMap;
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = byKey.get(item[mergeKey]);
    if (at !== undefined) {
      out[at] = mergeMap(out[at] as JSONMap, item, itemSchema);
    } else {
      // New items are appended as given (upstream keeps their nulls and directives too).
      out.push(item);
      indexOf(out.length - 1);
    }
  }
  return out;
}

/** The value a list item is identified by: its merge key's value, or the item itself. */
function identity(v: unknown, mergeKey: string): unknown {
  if (mergeKey === '') return v;
  return isMap(v) ? v[mergeKey] : undefined;
}

/** Splits items into those present in `by` (by identity) and the rest. */
function partition(items: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  if (mergeKey !== '') {
    for (const v of items) {
      if (!isMap(v)) throw badArgType('map', v);
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
    if (items.length > 0) {
      by.forEach((v, i) => {
        if (!isMap(v)) throw fail(`value for key ${i} is not a map`);
      });
    }
  }
  const present = new Set<unknown>();
  for (const v of by) present.add(identity(v, mergeKey));
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of items) (present.has(identity(v, mergeKey)) ? inBy : rest).push(v);
  return [inBy, rest];
}

/** First position of each identity in a list. */
function positions(list: unknown[], mergeKey: string, kind: ValueKind): Map<unknown, number> {
  const at = new Map<unknown, number>();
  list.forEach((v, i) => {
    const id = kind === 'map' ? (isMap(v) ? v[mergeKey] : undefined) : v;
    if (!at.has(id)) at.set(id, i);
  });
  return at;
}

/**
 * Orders `patch` items by `patchOrder` and `serverOnly` items by `serverOrder`, then interleaves
 * them: a server-only item goes before the next patch item when the live list had it before
 * that item; otherwise the patch item goes first.
 */
function normalizeElementOrder(patch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: ValueKind): unknown[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const live = positions(serverOrder, mergeKey, kind);
  const id = (v: unknown): unknown => (kind === 'map' ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < sortedServer.length || j < sortedPatch.length) {
    if (i >= sortedServer.length) out.push(sortedPatch[j++]);
    else if (j >= sortedPatch.length) out.push(sortedServer[i++]);
    else {
      const li = live.get(id(sortedServer[i]));
      const ri = live.get(id(sortedPatch[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(sortedServer[i++]);
      else out.push(sortedPatch[j++]);
    }
  }
  return out;
}

/** Stable sort of `toSort` by positions in `order`; `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ValueKind): unknown[] {
  let items = toSort;
  let deleted: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const v of list) {
        if (!isMap(v)) throw badArgType('map', v);
        if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      }
    }
    [items, deleted] = extractToDelete(toSort);
  }
  const at = positions(order, mergeKey, kind);
  const id = (v: unknown): unknown => (kind === 'map' ? (v as JSONMap)[mergeKey] : v);
  // Array.prototype.sort is stable; items missing from `order` keep their relative place.
  const sorted = items
    .map((v, n) => ({ v, n, p: at.get(id(v)) }))
    .sort((a, b) => (a.p !== undefined && b.p !== undefined ? a.p - b.p : a.n - b.n))
    .map((x) => x.v);
  return deleted.length ? [...sorted, ...deleted] : sorted;
}
