// The schema facts server-side apply needs, as a small interface so that machinery knows nothing
// of API types (implemented over the OpenAPI definitions by api/openapi/apply-schema.ts). It is
// the shape of structured-merge-diff's schema atoms: a scalar, a struct or map (granular or
// atomic), a list (atomic or associative, with keys or as a set of scalars), or an untyped value.

/**
 * How one position of an object is merged and tracked.
 *
 * - `scalar`: a leaf (strings, numbers, booleans, and the untyped scalars int-or-string,
 *   Quantity, Time).
 * - `struct`: an object with declared fields ({@link field} answers only for them; undeclared
 *   fields are treated as {@link DEDUCED}).
 * - `map`: an object whose every key has the schema {@link elements}.
 * - `list`: an array of {@link elements}.
 * - `deduced`: free-form JSON whose shape comes from the value: objects are granular maps of
 *   deduced values, arrays are atomic (upstream `__untyped_deduced_`).
 * - `untyped`: free-form JSON owned as a whole (upstream `__untyped_atomic_`, e.g. RawExtension).
 */
export interface ApplySchema {
  readonly kind: 'scalar' | 'struct' | 'map' | 'list' | 'deduced' | 'untyped';
  /** Structs and maps: `atomic` owns and replaces the value as a whole (x-kubernetes-map-type). */
  readonly mapType?: 'atomic' | 'granular';
  /**
   * Lists: `atomic` owns and replaces the list as a whole; `set` is a set of scalars (`v:`);
   * `map` is an associative list keyed by {@link listMapKeys} (`k:`).
   */
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  /** A struct's declared field; undefined when the struct does not declare it. */
  field(name: string): ApplySchema | undefined;
  /** A list's elements or a map's values. */
  elements(): ApplySchema | undefined;
  /**
   * A struct's default for a field, used as the value of a list-map key an element omits
   * (upstream: the key field's OpenAPI `default`, e.g. ContainerPort.protocol = TCP).
   */
  fieldDefault?(name: string): unknown;
}

class FreeForm implements ApplySchema {
  constructor(readonly kind: 'deduced' | 'untyped') {}
  field(): ApplySchema | undefined {
    return undefined;
  }
  elements(): ApplySchema {
    return this;
  }
}

/** Free-form JSON, granular where it is an object (upstream `__untyped_deduced_`). */
export const DEDUCED: ApplySchema = new FreeForm('deduced');
/** Free-form JSON owned as a whole (upstream `__untyped_atomic_`). */
export const UNTYPED: ApplySchema = new FreeForm('untyped');

/** What a value at a position is treated as: a leaf, a granular map, or a non-atomic list. */
export type Atom =
  | { k: 'leaf' }
  | { k: 'map'; schema: ApplySchema; struct: boolean }
  | { k: 'list'; schema: ApplySchema; keys: readonly string[] | undefined };

const LEAF: Atom = { k: 'leaf' };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves the schema against a value as upstream's deduceAtom does. `undefined` and `null` take
 * the schema's own kind; a value of the wrong JSON type for a map or list is a leaf.
 */
export function atomOf(schema: ApplySchema, value: unknown): Atom {
  switch (schema.kind) {
    case 'scalar':
    case 'untyped':
      return LEAF;
    case 'struct':
    case 'map':
      if (value !== undefined && value !== null && !isPlainObject(value)) return LEAF;
      if (schema.mapType === 'atomic') return LEAF;
      return { k: 'map', schema, struct: schema.kind === 'struct' };
    case 'list':
      if (value !== undefined && value !== null && !Array.isArray(value)) return LEAF;
      if (schema.listType === undefined || schema.listType === 'atomic') return LEAF;
      return { k: 'list', schema, keys: schema.listType === 'map' ? (schema.listMapKeys ?? []) : undefined };
    case 'deduced':
      if (value === undefined || value === null || isPlainObject(value)) return { k: 'map', schema, struct: false };
      return LEAF;
  }
}

/** The schema of a map's key or a struct's field (undeclared struct fields are deduced). */
export function childSchema(atom: { schema: ApplySchema; struct: boolean }, key: string): ApplySchema {
  if (atom.struct) return atom.schema.field(key) ?? DEDUCED;
  return atom.schema.elements() ?? DEDUCED;
}

/** Whether a struct declares the field (upstream "named fields"). */
export function isNamedField(schema: ApplySchema | undefined, key: string): boolean {
  return schema !== undefined && schema.kind === 'struct' && schema.field(key) !== undefined;
}
