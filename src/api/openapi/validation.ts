// Schema-driven checks of request bodies, as upstream's decoder makes them: unknown fields
// (fieldValidation=Strict/Warn), duplicate fields, and values of the wrong JSON type (which Go's
// decoder rejects with 400 BadRequest whatever the validation level).

import { definitionNameFor } from './definitions.js';
import { goTypeOf, isPlainObject, shapeOf } from './shape.js';
import type { Schema } from './types.js';

/** Thrown when asked about a kind that has no schema. */
export class UnknownKindError extends Error {
  readonly code = 'OPENAPI_UNKNOWN_KIND';
  constructor(group: string, version: string, kind: string) {
    super(`no OpenAPI schema for ${group ? `${group}/` : ''}${version}, Kind=${kind}`);
    this.name = 'UnknownKindError';
  }
}

/** Root schemas by definition name: one object each, so shapeOf remembers their shapes. */
const rootSchemas = new Map<string, Schema>();

function rootSchema(group: string, version: string, kind: string): Schema {
  const name = definitionNameFor(group, version, kind);
  if (name === undefined) throw new UnknownKindError(group, version, kind);
  let schema = rootSchemas.get(name);
  // As a reference, so the root's Go type name (`Pod`) is known to the error messages.
  if (schema === undefined) rootSchemas.set(name, (schema = { $ref: `#/definitions/${name}` }));
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Unknown fields

/**
 * Paths of fields in `obj` that the kind's schema does not know, in document order and in
 * upstream's format: dotted field names with `[i]` list indices (`spec.containers[0].imagePullPolice`).
 * Map keys (labels, data, …) are free; IntOrString, Quantity and Time are scalars; raw
 * extensions and `x-kubernetes-preserve-unknown-fields` accept anything.
 */
export function findUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  return findUnknownFieldsInSchema(rootSchema(group, version, kind), obj);
}

/** {@link findUnknownFields} against any schema (e.g. a custom resource's). */
export function findUnknownFieldsInSchema(schema: Schema, obj: unknown): string[] {
  const out: string[] = [];
  unknownIn(obj, schema, [], out);
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * A path kept as its segments (field names, and `[i]` for list items) while walking: most
 * objects have no unknown field, so the string is only built for one that does.
 */
function pathString(segments: readonly string[]): string {
  let out = '';
  for (const s of segments) out = s.charCodeAt(0) === 0x5b /* [ */ ? out + s : join(out, s);
  return out;
}

function unknownIn(value: unknown, schema: Schema, path: string[], out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const shape = shapeOf(schema);
  switch (shape.k) {
    case 'struct':
      if (!isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        const prop = shape.props[key];
        path.push(key);
        if (prop === undefined) out.push(pathString(path));
        else unknownIn(value[key], prop, path, out);
        path.pop();
      }
      return;
    case 'map':
      if (!isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        path.push(key);
        unknownIn(value[key], shape.values, path, out);
        path.pop();
      }
      return;
    case 'list':
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        path.push(`[${i}]`);
        unknownIn(value[i], shape.items, path, out);
        path.pop();
      }
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Type errors

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// Upstream resource.ErrFormatWrong; the accepted grammar is resource.ParseQuantity's.
const QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

class TypeMismatch {
  constructor(readonly message: string) {}
}

/**
 * The first value in `obj` whose JSON type does not fit the kind's schema, worded as Go's JSON
 * decoder words it in upstream's 400 responses:
 * `json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container`.
 * Undefined when every value fits. Unknown fields are not looked at (see findUnknownFields).
 *
 * Approximations: numbers are judged by value (`1.0` passes as an integer, Go would reject the
 * literal); Time strings are checked against RFC 3339 with a simplified parse-error message;
 * base64 errors name the first bad byte, not Go's exact offset after padding.
 */
export function findTypeErrors(group: string, version: string, kind: string, obj: unknown): string | undefined {
  return findTypeErrorsInSchema(rootSchema(group, version, kind), obj);
}

/** {@link findTypeErrors} against any schema. */
export function findTypeErrorsInSchema(schema: Schema, obj: unknown): string | undefined {
  const shape = shapeOf(schema);
  if (shape.k !== 'struct') return undefined;
  if (!isPlainObject(obj)) return `json: cannot unmarshal ${jsonKind(obj)} into Go value of type ${goTypeOf(schema)}`;
  try {
    structFields(obj, shape.props, shape.name, '');
    return undefined;
  } catch (e) {
    if (e instanceof TypeMismatch) return e.message;
    throw e;
  }
}

function structFields(obj: Record<string, unknown>, props: Record<string, Schema>, structName: string, path: string): void {
  for (const key of Object.keys(obj)) {
    const prop = props[key];
    if (prop !== undefined) checkValue(obj[key], prop, structName, path, key);
  }
}

/** Go's message for a value of the wrong JSON type in a field (`path` + `key`, no indices) of `structName`. */
function mismatch(what: string, schema: Schema, structName: string, path: string, key: string): TypeMismatch {
  return new TypeMismatch(`json: cannot unmarshal ${what} into Go struct field ${structName}.${join(path, key)} of type ${goTypeOf(schema)}`);
}

/**
 * Checks one value decoded into field `key` of struct `structName` at Go error path `path` (no
 * indices); the joined path is only built for a value that does not fit, or one that is a struct.
 */
function checkValue(value: unknown, schema: Schema, structName: string, path: string, key: string): void {
  if (value === null || value === undefined) return;
  const shape = shapeOf(schema);
  switch (shape.k) {
    case 'any':
      return;
    case 'struct':
      if (!isPlainObject(value)) throw mismatch(jsonKind(value), schema, structName, path, key);
      structFields(value, shape.props, shape.name, join(path, key));
      return;
    case 'map':
      if (!isPlainObject(value)) throw mismatch(jsonKind(value), schema, structName, path, key);
      for (const v of Object.values(value)) checkValue(v, shape.values, structName, path, key);
      return;
    case 'list':
      if (!Array.isArray(value)) throw mismatch(jsonKind(value), schema, structName, path, key);
      for (const v of value as unknown[]) checkValue(v, shape.items, structName, path, key);
      return;
    case 'string':
      if (typeof value !== 'string') throw mismatch(jsonKind(value), schema, structName, path, key);
      if (shape.format === 'byte') checkBase64(value);
      return;
    case 'integer':
      if (typeof value !== 'number') throw mismatch(jsonKind(value), schema, structName, path, key);
      if (!isIntegerOf(value, shape.format === 'int64' ? 'int64' : 'int32')) throw mismatch(`number ${String(value)}`, schema, structName, path, key);
      return;
    case 'number':
      if (typeof value !== 'number') throw mismatch(jsonKind(value), schema, structName, path, key);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(jsonKind(value), schema, structName, path, key);
      return;
    case 'intOrString':
      // intstr.IntOrString.UnmarshalJSON: a quoted string, else an int32.
      if (typeof value === 'string') return;
      if (typeof value !== 'number') throw new TypeMismatch(`json: cannot unmarshal ${jsonKind(value)} into Go value of type int32`);
      if (!isIntegerOf(value, 'int32')) throw new TypeMismatch(`json: cannot unmarshal number ${String(value)} into Go value of type int32`);
      return;
    case 'quantity':
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || !QUANTITY_RE.test(value.trim())) {
        throw new TypeMismatch(QUANTITY_MESSAGE);
      }
      return;
    case 'time': {
      // metav1.Time.UnmarshalJSON: a JSON string in RFC 3339 (MicroTime: with microseconds).
      if (typeof value !== 'string') throw new TypeMismatch(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
      if (!RFC3339_RE.test(value)) {
        const layout = shape.micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
        throw new TypeMismatch(`parsing time ${JSON.stringify(value)} as "${layout}": cannot parse ${JSON.stringify(value)} as "2006"`);
      }
      return;
    }
  }
}

/** Whether `n` is a whole number that fits Go's `type`. */
function isIntegerOf(n: number, type: 'int32' | 'int64'): boolean {
  if (!Number.isInteger(n)) return false;
  return type === 'int32' ? n >= INT32_MIN && n <= INT32_MAX : n >= -(2 ** 63) && n < 2 ** 63;
}

function checkBase64(s: string): void {
  if (s.length % 4 === 0 && BASE64_RE.test(s)) return;
  let i = 0;
  while (i < s.length && /[A-Za-z0-9+/]/.test(s[i]!)) i++;
  // Go's base64 reports the offset of the first byte it cannot use; a short final quantum is
  // reported at the end of the input.
  throw new TypeMismatch(`illegal base64 data at input byte ${i < s.length ? i : s.length}`);
}

// ---------------------------------------------------------------------------------------------
// Duplicate fields

/**
 * Paths of keys that occur more than once in the same JSON object of `jsonText`, in upstream's
 * format (`metadata.name`, `spec.containers[0].image`), each reported once, in document order.
 * One pass over the text without building values. Malformed JSON yields what was found before
 * the error (the parser reports the syntax error itself).
 */
export function findDuplicateFields(jsonText: string): string[] {
  interface Frame {
    array: boolean;
    path: string;
    keys: Set<string> | undefined;
    key: string;
    index: number;
  }
  const out: string[] = [];
  const reported = new Set<string>();
  const stack: Frame[] = [];
  let expectKey = false;
  const n = jsonText.length;
  let i = 0;
  const childPath = (f: Frame): string => (f.array ? `${f.path}[${f.index}]` : join(f.path, f.key));
  while (i < n) {
    const c = jsonText.charCodeAt(i);
    switch (c) {
      case 0x22: {
        // string: find the closing quote that is not escaped
        let j = i + 1;
        for (;;) {
          const q = jsonText.indexOf('"', j);
          if (q < 0) return out;
          let bs = 0;
          for (let k = q - 1; k > i && jsonText.charCodeAt(k) === 0x5c; k--) bs++;
          if (bs % 2 === 0) {
            j = q;
            break;
          }
          j = q + 1;
        }
        const top = stack[stack.length - 1];
        if (expectKey && top && !top.array) {
          const raw = jsonText.slice(i + 1, j);
          let key = raw;
          if (raw.includes('\\')) {
            try {
              key = JSON.parse(`"${raw}"`) as string;
            } catch {
              return out;
            }
          }
          top.key = key;
          const keys = (top.keys ??= new Set());
          if (keys.has(key)) {
            const p = join(top.path, key);
            if (!reported.has(p)) {
              reported.add(p);
              out.push(p);
            }
          } else {
            keys.add(key);
          }
          expectKey = false;
        }
        i = j + 1;
        continue;
      }
      case 0x7b: {
        // {
        const top = stack[stack.length - 1];
        stack.push({ array: false, path: top ? childPath(top) : '', keys: undefined, key: '', index: 0 });
        expectKey = true;
        break;
      }
      case 0x5b: {
        // [
        const top = stack[stack.length - 1];
        stack.push({ array: true, path: top ? childPath(top) : '', keys: undefined, key: '', index: 0 });
        expectKey = false;
        break;
      }
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        expectKey = false;
        break;
      case 0x2c: {
        // ,
        const top = stack[stack.length - 1];
        if (top?.array) top.index++;
        else expectKey = true;
        break;
      }
      default:
        break;
    }
    i++;
  }
  return out;
}
