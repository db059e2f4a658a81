// Strategic merge patch's view of the generated definitions (machinery/patch's PatchSchema):
// patch strategy and merge key per field, and the Go type names upstream's errors print.

import type { PatchSchema } from '../../machinery/patch/index.js';
import { definitionFor, definitionNameFor } from './definitions.js';
import { patchMetaForSchema, type PatchMeta } from './patch-meta.js';
import { shapeOf, shortName } from './shape.js';
import type { Schema } from './types.js';

class StrategicSchema implements PatchSchema {
  readonly shape: PatchSchema['shape'];
  readonly typeName: string;
  readonly patchStrategies: readonly string[];
  readonly patchMergeKey: string | undefined;
  private readonly fieldSchema: Schema;

  constructor(fieldSchema: Schema, typeName?: string) {
    const meta: PatchMeta = patchMetaForSchema(fieldSchema);
    this.fieldSchema = fieldSchema;
    this.shape = meta.shape;
    this.patchStrategies = meta.patchStrategies;
    this.patchMergeKey = meta.patchMergeKey;
    const s = shapeOf(fieldSchema);
    this.typeName = typeName ?? (s.k === 'struct' ? s.name : s.k);
  }

  field(name: string): PatchSchema | undefined {
    const s = shapeOf(this.fieldSchema);
    if (s.k === 'struct') {
      const p = s.props[name];
      return p === undefined ? undefined : new StrategicSchema(p);
    }
    if (s.k === 'map') return new StrategicSchema(s.values);
    if (s.k === 'list') return this.elements()?.field(name);
    return undefined;
  }

  elements(): PatchSchema | undefined {
    const s = shapeOf(this.fieldSchema);
    if (s.k === 'list') return new StrategicSchema(s.items);
    if (s.k === 'map') return new StrategicSchema(s.values);
    return undefined;
  }
}

/** The strategic merge patch schema of a built-in kind in one version; undefined if the kind has no definition (custom resources). */
export function strategicSchemaFor(group: string, version: string, kind: string): PatchSchema | undefined {
  const s = definitionFor(group, version, kind);
  const name = definitionNameFor(group, version, kind);
  return s === undefined ? undefined : new StrategicSchema(s, name === undefined ? kind : shortName(name));
}

/** The strategic merge patch schema over any schema. */
export function strategicSchemaForSchema(schema: Schema): PatchSchema {
  return new StrategicSchema(schema);
}
