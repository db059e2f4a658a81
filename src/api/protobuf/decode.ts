// Decodes `application/vnd.kubernetes.protobuf` bodies (what client-go's typed clients, and so
// kubectl, send for create/update) into the JSON object a JSON client would have sent: the
// object as Go's encoding/json marshals the decoded Go struct, except that values Go would
// write as `null` (nil slices, maps and pointers, zero metav1.Time) are left out, since a
// JSON decoder treats null and absent alike.
//
// Wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the magic `k8s\x00`, then
// a runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
// 4: contentType} whose raw is the object's own message, laid out as fields.json says.
import { ProtobufDecodeError } from './errors.js';
import { formatDuration, formatMicroTime, formatTime, parseRawJson } from './format.js';
import { Reader, WIRE_BYTES, WIRE_END_GROUP, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './reader.js';
import { kindType, typeInfo } from './table.js';
import type { Scalar, Shape, TypeInfo } from './table.js';

export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The magic that starts every Kubernetes protobuf body: `k8s\x00`. */
export const PROTOBUF_MAGIC: Readonly<Buffer> = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Whether a Content-Type header names the Kubernetes protobuf encoding (parameters ignored). */
export function isKubernetesProtobuf(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === KUBERNETES_PROTOBUF;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * Decodes a Kubernetes protobuf body into its JSON object (with apiVersion and kind).
 * `expected` fills an empty apiVersion or kind on the wire, as upstream's decoder defaults
 * them from the target type. Throws ProtobufDecodeError (answer 400 with its message).
 */
export function decodeKubernetesProtobuf(body: Buffer, expected?: GroupVersionKind): Record<string, unknown> {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw new ProtobufDecodeError('BadMagic', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const envelope = decodeUnknown(body, PROTOBUF_MAGIC.length, body.length);
  let { apiVersion, kind } = envelope;
  if (expected) {
    if (!apiVersion) apiVersion = expected.group ? `${expected.group}/${expected.version}` : expected.version;
    if (!kind) kind = expected.kind;
  }
  if (!kind) throw new ProtobufDecodeError('UnknownKind', "Object 'Kind' is missing in protobuf body");
  if (!apiVersion) throw new ProtobufDecodeError('UnknownKind', "Object 'apiVersion' is missing in protobuf body");
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const typeName = kindType(group, version, kind);
  const t = typeName === undefined ? undefined : typeInfo(typeName);
  if (t === undefined || t.k !== 'struct') {
    throw new ProtobufDecodeError('UnknownKind', `no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/apimachinery/pkg/runtime/scheme.go:100"`);
  }
  const [rs, re] = envelope.raw ?? [0, 0];
  const obj = decodeStruct(t, envelope.raw ? body : EMPTY, rs, re, 0);
  return { apiVersion, kind, ...obj };
}

const EMPTY = Buffer.alloc(0);
/** Deeper nesting than any API object needs; stops a hostile body from exhausting the stack. */
const MAX_DEPTH = 500;

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: [number, number] | undefined;
}

function decodeUnknown(buf: Buffer, start: number, end: number): Envelope {
  const out: Envelope = { apiVersion: '', kind: '', raw: undefined };
  eachField(buf, start, end, 'Unknown', (num, wire, r) => {
    if (num === 1) {
      const [s, e] = expectBytes(r, wire, 'TypeMeta');
      eachField(buf, s, e, 'TypeMeta', (n, w, rr) => {
        if (n === 1) out.apiVersion = readString(rr, w, 'APIVersion');
        else if (n === 2) out.kind = readString(rr, w, 'Kind');
        else return false;
        return true;
      });
    } else if (num === 2) out.raw = expectBytes(r, wire, 'Raw');
    else if (num === 3) readString(r, wire, 'ContentEncoding');
    else if (num === 4) readString(r, wire, 'ContentType');
    else return false;
    return true;
  });
  return out;
}

/**
 * Walks the fields of one message. `onField` returns false for a field it does not know, which
 * is then skipped (unknown fields are ignored, as gogo-generated Unmarshal does).
 */
function eachField(buf: Buffer, start: number, end: number, typeName: string, onField: (num: number, wire: number, r: Reader) => boolean): void {
  const r = new Reader(buf, start, end);
  while (!r.done()) {
    const tag = r.uvarint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === WIRE_END_GROUP) throw new ProtobufDecodeError('BadWireType', `proto: ${shortName(typeName)}: wiretype end group for non-group`);
    if (num <= 0) throw new ProtobufDecodeError('Malformed', `proto: ${shortName(typeName)}: illegal tag ${num} (wire type ${wire})`);
    if (!onField(num, wire, r)) r.skip(wire);
  }
}

function shortName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

function wrongWire(wire: number, field: string): ProtobufDecodeError {
  return new ProtobufDecodeError('BadWireType', `proto: wrong wireType = ${wire} for field ${field}`);
}

function expectBytes(r: Reader, wire: number, field: string): [number, number] {
  if (wire !== WIRE_BYTES) throw wrongWire(wire, field);
  return r.bytes();
}

function readString(r: Reader, wire: number, field: string): string {
  if (wire !== WIRE_BYTES) throw wrongWire(wire, field);
  return r.string();
}

const SCALAR_WIRE: Readonly<Record<Scalar, number>> = {
  string: WIRE_BYTES,
  bytes: WIRE_BYTES,
  bool: WIRE_VARINT,
  int32: WIRE_VARINT,
  int64: WIRE_VARINT,
  uint32: WIRE_VARINT,
  uint64: WIRE_VARINT,
  float64: WIRE_FIXED64,
  float32: WIRE_FIXED32,
};

/** Reads one scalar in its JSON form ([]byte → base64, as encoding/json writes it). */
function readScalar(r: Reader, s: Scalar): string | number | boolean {
  switch (s) {
    case 'string':
      return r.string();
    case 'bytes': {
      const [a, b] = r.bytes();
      return r.buf.toString('base64', a, b);
    }
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint32':
      return r.uint32();
    case 'uint64':
      return r.uint64();
    case 'float64':
    case 'float32': {
      const v = s === 'float64' ? r.fixed64Double() : r.fixed32Float();
      if (!Number.isFinite(v)) throw new ProtobufDecodeError('InvalidValue', `json: unsupported value: ${v}`);
      return v;
    }
  }
}

/** The Go zero value in JSON form; undefined where Go would write null (nil []byte). */
function zeroScalar(s: Scalar): string | number | boolean | undefined {
  switch (s) {
    case 'string':
      return '';
    case 'bytes':
      return undefined;
    case 'bool':
      return false;
    default:
      return 0;
  }
}

type Window = [number, number];

/** Decoded state of one field before it is turned into JSON. */
type FieldState = string | number | boolean | Window[] | unknown[] | Map<string, unknown>;

function decodeStruct(t: Extract<TypeInfo, { k: 'struct' }>, buf: Buffer, start: number, end: number, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError('TooDeep', `protobuf: messages nested deeper than ${MAX_DEPTH}`);
  const state: (FieldState | undefined)[] = new Array<FieldState | undefined>(t.fields.length);
  eachField(buf, start, end, t.name, (num, wire, r) => {
    const i = t.byNumber.get(num);
    if (i === undefined) return false;
    const f = t.fields[i]!;
    const name = f.json || shortName(refName(f.shape));
    const base = f.shape.k === 'ptr' ? f.shape.elem : f.shape;
    switch (base.k) {
      case 'scalar':
        if (wire !== SCALAR_WIRE[base.s]) throw wrongWire(wire, name);
        state[i] = readScalar(r, base.s);
        return true;
      case 'ref': {
        const w = expectBytes(r, wire, name);
        const prev = state[i] as Window[] | undefined;
        if (prev) prev.push(w);
        else state[i] = [w];
        return true;
      }
      case 'list': {
        let arr = state[i] as unknown[] | undefined;
        if (!arr) state[i] = arr = [];
        readListElement(r, wire, base.elem, name, arr, depth);
        return true;
      }
      case 'map': {
        let m = state[i] as Map<string, unknown> | undefined;
        if (!m) state[i] = m = new Map();
        const [s, e] = expectBytes(r, wire, name);
        readMapEntry(buf, s, e, base, m, depth);
        return true;
      }
      case 'ptr':
        throw new ProtobufDecodeError('InvalidValue', `protobuf: unsupported field shape for ${name}`);
    }
  });

  const out: Record<string, unknown> = {};
  for (let i = 0; i < t.fields.length; i++) {
    const f = t.fields[i]!;
    const st = state[i];
    if (f.inline) {
      const inner = refValue(refName(f.shape), buf, st as Window[] | undefined, depth);
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) Object.assign(out, inner);
      continue;
    }
    const v = fieldValue(f.shape, f.omitempty, buf, st, depth);
    if (v !== undefined) out[f.json] = v;
  }
  return out;
}

function refName(shape: Shape): string {
  const base = shape.k === 'ptr' ? shape.elem : shape;
  if (base.k !== 'ref') throw new ProtobufDecodeError('InvalidValue', 'protobuf: inline field is not a struct');
  return base.name;
}

/** The JSON value of a struct field, or undefined to leave it out (Go: omitted or null). */
function fieldValue(shape: Shape, omitempty: boolean, buf: Buffer, st: FieldState | undefined, depth: number): unknown {
  switch (shape.k) {
    case 'ptr': {
      // A set pointer is written even when it points at a zero value (`replicas: 0`).
      if (st === undefined) return undefined;
      const v = fieldValue(shape.elem, false, buf, st, depth);
      return v === null ? undefined : v;
    }
    case 'scalar': {
      const v = st === undefined ? zeroScalar(shape.s) : (st as string | number | boolean);
      if (v === undefined) return undefined;
      if (omitempty && (v === '' || v === 0 || v === false)) return undefined;
      return v;
    }
    case 'list':
      return st === undefined || (st as unknown[]).length === 0 ? undefined : st;
    case 'map': {
      const m = st as Map<string, unknown> | undefined;
      if (m === undefined || m.size === 0) return undefined;
      // encoding/json writes map keys sorted.
      const out: Record<string, unknown> = {};
      for (const k of [...m.keys()].sort()) out[k] = m.get(k);
      return out;
    }
    case 'ref': {
      const v = refValue(shape.name, buf, st as Window[] | undefined, depth);
      if (v === null) return undefined;
      if (Array.isArray(v) && v.length === 0 && typeInfo(shape.name)?.k === 'wrapper') return undefined;
      return v;
    }
  }
}

/** JSON of a message field given its windows (several occurrences merge, as proto concatenation does). */
function refValue(name: string, buf: Buffer, windows: Window[] | undefined, depth: number): unknown {
  if (windows === undefined) return messageValue(name, EMPTY, 0, 0, depth);
  if (windows.length === 1) return messageValue(name, buf, windows[0]![0], windows[0]![1], depth);
  const joined = Buffer.concat(windows.map(([s, e]) => buf.subarray(s, e)));
  return messageValue(name, joined, 0, joined.length, depth);
}

function readListElement(r: Reader, wire: number, elem: Shape, name: string, arr: unknown[], depth: number): void {
  if (elem.k === 'scalar') {
    const want = SCALAR_WIRE[elem.s];
    if (wire === WIRE_BYTES && want !== WIRE_BYTES) {
      // packed
      const [s, e] = r.bytes();
      const sub = new Reader(r.buf, s, e);
      while (!sub.done()) arr.push(readScalar(sub, elem.s));
      return;
    }
    if (wire !== want) throw wrongWire(wire, name);
    arr.push(readScalar(r, elem.s));
    return;
  }
  const target = elem.k === 'ptr' ? elem.elem : elem;
  if (target.k !== 'ref') throw new ProtobufDecodeError('InvalidValue', `protobuf: unsupported list element for ${name}`);
  const [s, e] = expectBytes(r, wire, name);
  arr.push(messageValue(target.name, r.buf, s, e, depth + 1));
}

function readMapEntry(buf: Buffer, start: number, end: number, shape: Extract<Shape, { k: 'map' }>, m: Map<string, unknown>, depth: number): void {
  let key: unknown;
  let value: unknown;
  let valueWindows: Window[] | undefined;
  const valueShape = shape.value.k === 'ptr' ? shape.value.elem : shape.value;
  eachField(buf, start, end, 'MapEntry', (num, wire, r) => {
    if (num === 1) {
      if (shape.key.k !== 'scalar') throw new ProtobufDecodeError('InvalidValue', 'protobuf: unsupported map key');
      if (wire !== SCALAR_WIRE[shape.key.s]) throw wrongWire(wire, 'key');
      key = readScalar(r, shape.key.s);
    } else if (num === 2) {
      if (valueShape.k === 'scalar') {
        if (wire !== SCALAR_WIRE[valueShape.s]) throw wrongWire(wire, 'value');
        value = readScalar(r, valueShape.s);
      } else if (valueShape.k === 'ref') {
        (valueWindows ??= []).push(expectBytes(r, wire, 'value'));
      } else throw new ProtobufDecodeError('InvalidValue', 'protobuf: unsupported map value');
    } else return false;
    return true;
  });
  if (valueShape.k === 'ref') value = refValue(valueShape.name, buf, valueWindows, depth + 1);
  else if (value === undefined && valueShape.k === 'scalar') value = valueShape.s === 'bytes' ? '' : zeroScalar(valueShape.s);
  if (key === undefined && shape.key.k === 'scalar') key = zeroScalar(shape.key.s);
  m.set(String(key), value);
}

/** JSON of one message of the named type: an object, an array (wrapper), a special value or null. */
function messageValue(name: string, buf: Buffer, start: number, end: number, depth: number): unknown {
  const t = typeInfo(name);
  if (t === undefined) throw new ProtobufDecodeError('UnknownKind', `protobuf: no type ${name}`);
  switch (t.k) {
    case 'struct': {
      const obj = decodeStruct(t, buf, start, end, depth + 1);
      const custom = CUSTOM_JSON[name];
      return custom ? custom(obj) : obj;
    }
    case 'wrapper': {
      const arr: unknown[] = [];
      eachField(buf, start, end, name, (num, wire, r) => {
        if (num !== 1) return false;
        readListElement(r, wire, t.elem, 'Items', arr, depth);
        return true;
      });
      return arr;
    }
    case 'special':
      return specialValue(name, buf, start, end);
  }
}

/** Types whose MarshalJSON reshapes the struct (apiextensions-apiserver marshal.go). */
const CUSTOM_JSON: Readonly<Record<string, (o: Record<string, unknown>) => unknown>> = {
  'apiextensions/v1.JSONSchemaPropsOrBool': (o) => o['Schema'] ?? o['Allows'] === true,
  'apiextensions/v1.JSONSchemaPropsOrArray': (o) => o['JSONSchemas'] ?? o['Schema'] ?? null,
  'apiextensions/v1.JSONSchemaPropsOrStringArray': (o) => o['Property'] ?? o['Schema'] ?? null,
};

// resource.Quantity's accepted form (apimachinery resource.splitREString).
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

function specialValue(name: string, buf: Buffer, start: number, end: number): unknown {
  switch (name) {
    case 'meta/v1.Time':
    case 'meta/v1.MicroTime': {
      // An empty message is the zero time, which marshals as null.
      if (start === end) return null;
      let seconds = 0;
      let nanos = 0;
      eachField(buf, start, end, 'Timestamp', (num, wire, r) => {
        if (num === 1) {
          if (wire !== WIRE_VARINT) throw wrongWire(wire, 'Seconds');
          seconds = r.int64();
        } else if (num === 2) {
          if (wire !== WIRE_VARINT) throw wrongWire(wire, 'Nanos');
          nanos = r.int32();
        } else return false;
        return true;
      });
      // Time keeps whole seconds only (time_proto.go); MicroTime truncates to microseconds.
      return name === 'meta/v1.Time' ? formatTime(seconds) : formatMicroTime(seconds, nanos);
    }
    case 'meta/v1.Duration': {
      let ns = 0n;
      eachField(buf, start, end, 'Duration', (num, wire, r) => {
        if (num !== 1) return false;
        if (wire !== WIRE_VARINT) throw wrongWire(wire, 'Duration');
        r.varint64();
        ns = BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(r.lo));
        return true;
      });
      return formatDuration(ns);
    }
    case 'resource.Quantity': {
      let s: string | undefined;
      eachField(buf, start, end, 'Quantity', (num, wire, r) => {
        if (num !== 1) return false;
        s = readString(r, wire, 'String_');
        return true;
      });
      if (s === undefined) return '0';
      if (!QUANTITY_RE.test(s)) {
        throw new ProtobufDecodeError('InvalidValue', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
      }
      return s;
    }
    case 'intstr.IntOrString': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      eachField(buf, start, end, 'IntOrString', (num, wire, r) => {
        if (num === 1) {
          if (wire !== WIRE_VARINT) throw wrongWire(wire, 'Type');
          type = r.int64();
        } else if (num === 2) {
          if (wire !== WIRE_VARINT) throw wrongWire(wire, 'IntVal');
          intVal = r.int32();
        } else if (num === 3) strVal = readString(r, wire, 'StrVal');
        else return false;
        return true;
      });
      if (type === 0) return intVal;
      if (type === 1) return strVal;
      throw new ProtobufDecodeError('InvalidValue', 'impossible IntOrString.Type');
    }
    case 'runtime.RawExtension':
    case 'meta/v1.FieldsV1':
    case 'apiextensions/v1.JSON': {
      let raw: Window | undefined;
      eachField(buf, start, end, shortName(name), (num, wire, r) => {
        if (num !== 1) return false;
        raw = expectBytes(r, wire, 'Raw');
        return true;
      });
      if (raw === undefined) return null;
      // apiextensions JSON writes null for empty raw; the others hand empty raw to encoding/json, which fails.
      if (raw[0] === raw[1] && name === 'apiextensions/v1.JSON') return null;
      return parseRawJson(buf, raw[0], raw[1], shortName(name));
    }
    default:
      throw new ProtobufDecodeError('InvalidValue', `protobuf: no decoder for ${name}`);
  }
}
