// What a schema means for decoding: a struct of known fields, a map, a list, a scalar, or
// anything. Shared by field validation and patch metadata.

import { dereference } from './definitions.js';
import type { Schema } from './types.js';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

/**
 * Types whose Go decoding accepts any JSON (raw extensions, free-form JSON, managed-field sets,
 * and the JSONSchemaPropsOr* unions, which upstream decodes with custom unmarshallers).
 */
const ANY_DEFINITIONS = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

export type Shape =
  | { k: 'any' }
  | { k: 'struct'; name: string; definition: string | undefined; props: Record<string, Schema> }
  | { k: 'map'; values: Schema }
  | { k: 'list'; items: Schema }
  | { k: 'string'; format: string | undefined }
  | { k: 'integer'; format: string | undefined }
  | { k: 'number' }
  | { k: 'boolean' }
  | { k: 'intOrString' }
  | { k: 'quantity' }
  | { k: 'time'; micro: boolean };

/** Short Go type name of a definition: `io.k8s.api.core.v1.PodSpec` → `PodSpec`. */
export function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}

/** Shapes already worked out, per schema object (definitions are loaded once and never change). */
const shapes = new WeakMap<Schema, Shape>();

/** What `schema` decodes as; the same Shape object for the same schema object. */
export function shapeOf(schema: Schema): Shape {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = computeShape(schema);
    shapes.set(schema, Object.freeze(shape));
  }
  return shape;
}

function computeShape(schema: Schema): Shape {
  const { schema: s, name } = dereference(schema);
  if (name !== undefined) {
    if (name === QUANTITY) return { k: 'quantity' };
    if (name === INT_OR_STRING) return { k: 'intOrString' };
    if (name === TIME || name === MICRO_TIME) return { k: 'time', micro: name === MICRO_TIME };
    if (ANY_DEFINITIONS.has(name)) return { k: 'any' };
  }
  if (s['x-kubernetes-int-or-string']) return { k: 'intOrString' };
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && typeof s.additionalProperties !== 'object') return { k: 'any' };
  if (s.properties) return { k: 'struct', name: name === undefined ? 'Object' : shortName(name), definition: name, props: s.properties };
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return { k: 'map', values: s.additionalProperties };
  switch (s.type) {
    case 'array':
      return s.items ? { k: 'list', items: s.items } : { k: 'any' };
    case 'string':
      return { k: 'string', format: s.format };
    case 'integer':
      return { k: 'integer', format: s.format };
    case 'number':
      return { k: 'number' };
    case 'boolean':
      return { k: 'boolean' };
    default:
      return { k: 'any' };
  }
}

/** The Go type upstream would name in a decoding error: `[]v1.Container`, `map[string]string`, `int32`. */
export function goTypeOf(schema: Schema): string {
  const { schema: s, name } = dereference(schema);
  if (name !== undefined) {
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goTypeOf(s.additionalProperties)}`;
  switch (s.type) {
    case 'array':
      return s.items ? `[]${goTypeOf(s.items)}` : '[]interface {}';
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return s.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'interface {}';
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
