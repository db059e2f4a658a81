// Patch metadata over the schema: for each field, how strategic merge patch and server-side
// apply treat it (merge key, patch strategy, list type, map type). Field-level facts live on the
// property schema; type-level facts (e.g. LabelSelector's `x-kubernetes-map-type: atomic`) on
// the referenced definition; field-level facts win.

import { definitionFor, dereference } from './definitions.js';
import { shapeOf } from './shape.js';
import type { Schema } from './types.js';

export type PatchShape = 'struct' | 'map' | 'list' | 'scalar' | 'any';

export interface PatchMeta {
  /** The field's schema with references followed (the definition for struct fields). */
  readonly schema: Schema;
  readonly shape: PatchShape;
  /** `x-kubernetes-patch-strategy` split on commas: `['merge']`, `['merge', 'retainKeys']`, `['replace']`, or empty. */
  readonly patchStrategies: readonly string[];
  readonly patchMergeKey: string | undefined;
  /** Server-side apply list semantics; lists without one are atomic. */
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  readonly listMapKeys: readonly string[] | undefined;
  /** Server-side apply map/struct semantics; `atomic` replaces the whole value. */
  readonly mapType: 'atomic' | 'granular' | undefined;
  /** A struct's field, or the value meta of any key of a map; undefined when not in the schema. */
  field(name: string): PatchMeta | undefined;
  /** The elements of a list (or the values of a map). */
  elements(): PatchMeta | undefined;
  /** Walks field names (list elements are stepped over implicitly, as strategic merge does). */
  lookup(path: readonly string[]): PatchMeta | undefined;
}

class SchemaPatchMeta implements PatchMeta {
  readonly schema: Schema;
  readonly shape: PatchShape;
  readonly patchStrategies: readonly string[];
  readonly patchMergeKey: string | undefined;
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  readonly listMapKeys: readonly string[] | undefined;
  readonly mapType: 'atomic' | 'granular' | undefined;
  private readonly fieldSchema: Schema;

  constructor(fieldSchema: Schema) {
    this.fieldSchema = fieldSchema;
    const target = dereference(fieldSchema).schema;
    this.schema = target;
    const pick = <K extends keyof Schema>(k: K): Schema[K] => fieldSchema[k] ?? target[k];
    const strategy = pick('x-kubernetes-patch-strategy');
    this.patchStrategies = strategy ? strategy.split(',').map((x) => x.trim()).filter(Boolean) : [];
    this.patchMergeKey = pick('x-kubernetes-patch-merge-key');
    this.listType = pick('x-kubernetes-list-type');
    this.listMapKeys = pick('x-kubernetes-list-map-keys');
    this.mapType = pick('x-kubernetes-map-type');
    const shape = shapeOf(fieldSchema);
    this.shape = shape.k === 'struct' || shape.k === 'map' || shape.k === 'list' || shape.k === 'any' ? shape.k : 'scalar';
  }

  field(name: string): PatchMeta | undefined {
    const shape = shapeOf(this.fieldSchema);
    if (shape.k === 'struct') {
      const p = shape.props[name];
      return p === undefined ? undefined : new SchemaPatchMeta(p);
    }
    if (shape.k === 'map') return new SchemaPatchMeta(shape.values);
    if (shape.k === 'list') return this.elements()?.field(name);
    return undefined;
  }

  elements(): PatchMeta | undefined {
    const shape = shapeOf(this.fieldSchema);
    if (shape.k === 'list') return new SchemaPatchMeta(shape.items);
    if (shape.k === 'map') return new SchemaPatchMeta(shape.values);
    return undefined;
  }

  lookup(path: readonly string[]): PatchMeta | undefined {
    let m: PatchMeta | undefined = this;
    for (const name of path) {
      m = m.field(name);
      if (!m) return undefined;
    }
    return m;
  }
}

/** Patch metadata for a whole object of a kind, or undefined if the kind has no schema. */
export function patchMetaFor(group: string, version: string, kind: string): PatchMeta | undefined {
  const s = definitionFor(group, version, kind);
  return s === undefined ? undefined : new SchemaPatchMeta(s);
}

/** Patch metadata over any schema (e.g. a custom resource's). */
export function patchMetaForSchema(schema: Schema): PatchMeta {
  return new SchemaPatchMeta(schema);
}
