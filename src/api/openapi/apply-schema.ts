// Server-side apply's view of the generated definitions (machinery/fieldmanager's ApplySchema),
// converted as upstream kube-openapi schemaconv does: lists are atomic unless
// x-kubernetes-list-type says otherwise, or, lacking one, a `merge` patch strategy makes them
// associative (keyed by the patch merge key, or a set without one); x-kubernetes-map-type on
// the field wins over the referenced type's; RawExtension is untyped and owned as a whole;
// free-form JSON is deduced from the value.

import type { ApplySchema } from '../../machinery/fieldmanager/index.js';
import { DEDUCED, UNTYPED } from '../../machinery/fieldmanager/index.js';
import { definitionFor, dereference } from './definitions.js';
import { shapeOf } from './shape.js';
import type { Schema } from './types.js';

const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

/**
 * Defaults of list-map key fields that upstream's OpenAPI carries (`+default=`) and the
 * generated definitions here do not; an element omitting the key takes this value.
 */
const KEY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

function listSemantics(s: Schema): { listType: 'atomic' | 'set' | 'map'; keys?: readonly string[] } {
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') return { listType: 'set' };
  if (listType === 'map') return { listType: 'map', keys: s['x-kubernetes-list-map-keys'] ?? [] };
  if (listType === 'atomic') return { listType: 'atomic' };
  const strategy = s['x-kubernetes-patch-strategy'];
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = s['x-kubernetes-patch-merge-key'];
    return key ? { listType: 'map', keys: [key] } : { listType: 'set' };
  }
  return { listType: 'atomic' };
}

class OpenAPIApplySchema implements ApplySchema {
  readonly kind: ApplySchema['kind'];
  readonly mapType?: 'atomic' | 'granular';
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  private readonly fieldSchema: Schema;
  private readonly definition: string | undefined;
  private readonly fields = new Map<string, ApplySchema | undefined>();
  private elementSchema: ApplySchema | undefined | null = null;

  constructor(fieldSchema: Schema) {
    this.fieldSchema = fieldSchema;
    const { schema: target, name } = dereference(fieldSchema);
    this.definition = name;
    const shape = shapeOf(fieldSchema);
    switch (shape.k) {
      case 'struct':
      case 'map':
        this.kind = shape.k;
        this.mapType = fieldSchema['x-kubernetes-map-type'] ?? target['x-kubernetes-map-type'] ?? 'granular';
        break;
      case 'list': {
        this.kind = 'list';
        const l = listSemantics(fieldSchema);
        this.listType = l.listType;
        if (l.keys) this.listMapKeys = l.keys;
        break;
      }
      case 'any':
        this.kind = 'deduced';
        break;
      default:
        this.kind = 'scalar';
    }
  }

  field(name: string): ApplySchema | undefined {
    if (this.kind !== 'struct') return undefined;
    const known = this.fields.get(name);
    if (known !== undefined || this.fields.has(name)) return known;
    const shape = shapeOf(this.fieldSchema);
    const p = shape.k === 'struct' ? shape.props[name] : undefined;
    const f = p === undefined ? undefined : schemaOf(p);
    this.fields.set(name, f);
    return f;
  }

  elements(): ApplySchema | undefined {
    if (this.elementSchema !== null) return this.elementSchema;
    const shape = shapeOf(this.fieldSchema);
    let e: ApplySchema | undefined;
    if (shape.k === 'list') e = schemaOf(shape.items);
    else if (shape.k === 'map') e = schemaOf(shape.values);
    else if (shape.k === 'struct' && dereference(this.fieldSchema).schema['x-kubernetes-preserve-unknown-fields']) e = DEDUCED;
    this.elementSchema = e;
    return e;
  }

  fieldDefault(name: string): unknown {
    const fromTable = this.definition === undefined ? undefined : KEY_DEFAULTS[this.definition]?.[name];
    if (fromTable !== undefined) return fromTable;
    const shape = shapeOf(this.fieldSchema);
    return shape.k === 'struct' ? dereference(shape.props[name] ?? {}).schema.default : undefined;
  }
}

// One adapter per schema object, so repeated applies of a kind walk cached nodes.
const cache = new WeakMap<Schema, ApplySchema>();

function schemaOf(s: Schema): ApplySchema {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
  if (ref !== undefined && dereference(s).name === RAW_EXTENSION) return UNTYPED;
  let a = cache.get(s);
  if (!a) {
    a = new OpenAPIApplySchema(s);
    cache.set(s, a);
  }
  return a;
}

/** The apply schema of a built-in kind in one version; undefined if the kind has no definition. */
export function applySchemaFor(group: string, version: string, kind: string): ApplySchema | undefined {
  const s = definitionFor(group, version, kind);
  return s === undefined ? undefined : schemaOf(s);
}

/** The apply schema over any schema (e.g. a custom resource's structural schema). */
export function applySchemaForSchema(schema: Schema): ApplySchema {
  return schemaOf(schema);
}
