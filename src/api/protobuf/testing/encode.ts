// A test-only encoder: JSON object → Kubernetes protobuf body, written the way gogo-generated
// Marshal writes it (fields in number order, non-pointer fields even when zero, repeated scalars
// unpacked, map entries sorted by key), from the same fact table the decoder reads.
import { PROTOBUF_MAGIC } from '../decode.js';
import { kindType, typeInfo } from '../table.js';
import type { Scalar, Shape, TypeInfo } from '../table.js';

function varint(v: bigint): Buffer {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

function tag(num: number, wire: number): Buffer {
  return varint(BigInt(num * 8 + wire));
}

function lenDelim(num: number, body: Buffer): Buffer {
  return Buffer.concat([tag(num, 2), varint(BigInt(body.length)), body]);
}

function scalarField(num: number, s: Scalar, v: unknown): Buffer {
  switch (s) {
    case 'string':
      return lenDelim(num, Buffer.from(String(v ?? ''), 'utf8'));
    case 'bytes':
      return lenDelim(num, Buffer.from(String(v ?? ''), 'base64'));
    case 'bool':
      return Buffer.concat([tag(num, 0), varint(v ? 1n : 0n)]);
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      return Buffer.concat([tag(num, 0), varint(BigInt((v as number | undefined) ?? 0))]);
    case 'float64': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE((v as number | undefined) ?? 0);
      return Buffer.concat([tag(num, 1), b]);
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeFloatLE((v as number | undefined) ?? 0);
      return Buffer.concat([tag(num, 5), b]);
    }
  }
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Parses a Go duration string (`1h2m3.5s`, `-1.5ms`) into nanoseconds. */
export function parseGoDuration(s: string): bigint {
  const neg = s.startsWith('-');
  const body = s.replace(/^[-+]/, '');
  if (body === '0') return 0n;
  let total = 0n;
  const re = /([0-9]+)(?:\.([0-9]+))?(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    const unit = UNITS[m[3]!]!;
    total += BigInt(m[1]!) * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    pos = re.lastIndex;
  }
  if (pos !== body.length || body === '') throw new Error(`bad duration ${s}`);
  return neg ? -total : total;
}

function specialMessage(name: string, v: unknown): Buffer {
  switch (name) {
    case 'meta/v1.Time':
      if (v === undefined || v === null) return Buffer.alloc(0);
      // Timestamp{seconds, nanos}: both written, nanos always 0 (time_proto.go drops them).
      return Buffer.concat([scalarField(1, 'int64', Math.floor(Date.parse(String(v)) / 1000)), scalarField(2, 'int32', 0)]);
    case 'meta/v1.MicroTime': {
      if (v === undefined || v === null) return Buffer.alloc(0);
      const str = String(v);
      const ms = Date.parse(str);
      const frac = /\.([0-9]+)Z$/.exec(str)?.[1] ?? '';
      const nanos = Number(frac.padEnd(9, '0').slice(0, 9));
      return Buffer.concat([scalarField(1, 'int64', Math.floor(ms / 1000)), scalarField(2, 'int32', nanos)]);
    }
    case 'meta/v1.Duration':
      return Buffer.concat([tag(1, 0), varint(parseGoDuration(String(v ?? '0s')))]);
    case 'resource.Quantity':
      return scalarField(1, 'string', v ?? '0');
    case 'intstr.IntOrString':
      return typeof v === 'string'
        ? Buffer.concat([scalarField(1, 'int64', 1), scalarField(2, 'int32', 0), scalarField(3, 'string', v)])
        : Buffer.concat([scalarField(1, 'int64', 0), scalarField(2, 'int32', v ?? 0), scalarField(3, 'string', '')]);
    case 'runtime.RawExtension':
    case 'meta/v1.FieldsV1':
    case 'apiextensions/v1.JSON':
      if (v === undefined || v === null) return Buffer.alloc(0);
      return lenDelim(1, Buffer.from(JSON.stringify(v), 'utf8'));
    default:
      throw new Error(`no encoder for ${name}`);
  }
}

/** The Go struct value behind a custom-JSON type's JSON form. */
function customStruct(name: string, v: unknown): Record<string, unknown> | undefined {
  switch (name) {
    case 'apiextensions/v1.JSONSchemaPropsOrBool':
      return typeof v === 'boolean' ? { Allows: v } : { Allows: true, Schema: v };
    case 'apiextensions/v1.JSONSchemaPropsOrArray':
      return Array.isArray(v) ? { JSONSchemas: v } : v === null || v === undefined ? {} : { Schema: v };
    case 'apiextensions/v1.JSONSchemaPropsOrStringArray':
      return Array.isArray(v) ? { Property: v } : v === null || v === undefined ? {} : { Schema: v };
    default:
      return undefined;
  }
}

function message(name: string, v: unknown): Buffer {
  const t = typeInfo(name);
  if (!t) throw new Error(`no type ${name}`);
  if (t.k === 'special') return specialMessage(name, v);
  if (t.k === 'wrapper') return Buffer.concat(((v as unknown[] | undefined) ?? []).map((x) => element(1, t.elem, x)));
  return struct(t, customStruct(name, v) ?? ((v ?? {}) as Record<string, unknown>));
}

function element(num: number, shape: Shape, v: unknown): Buffer {
  const base = shape.k === 'ptr' ? shape.elem : shape;
  if (base.k === 'scalar') return scalarField(num, base.s, v);
  if (base.k === 'ref') return lenDelim(num, message(base.name, v));
  throw new Error(`unsupported element shape ${base.k}`);
}

function struct(t: Extract<TypeInfo, { k: 'struct' }>, obj: Record<string, unknown>): Buffer {
  const parts: Buffer[] = [];
  for (const f of [...t.fields].sort((a, b) => a.number - b.number)) {
    if (f.inline) {
      parts.push(lenDelim(f.number, message((f.shape as { name: string }).name, obj)));
      continue;
    }
    const v = obj[f.json];
    const s = f.shape;
    if (s.k === 'ptr') {
      if (v !== undefined && v !== null) parts.push(element(f.number, s.elem, v));
    } else if (s.k === 'scalar') {
      if (s.s !== 'bytes' || v !== undefined) parts.push(scalarField(f.number, s.s, v));
    } else if (s.k === 'list') {
      for (const x of (v as unknown[] | undefined) ?? []) parts.push(element(f.number, s.elem, x));
    } else if (s.k === 'map') {
      const m = (v ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(m).sort()) {
        parts.push(lenDelim(f.number, Buffer.concat([element(1, s.key, k), element(2, s.value, m[k])])));
      }
    } else {
      const ti = typeInfo(s.name);
      // A named slice is a slice in Go: nil writes nothing.
      if (ti?.k === 'wrapper' && (v === undefined || v === null)) continue;
      parts.push(lenDelim(f.number, message(s.name, v)));
    }
  }
  return Buffer.concat(parts);
}

/** The protobuf message of one object (no envelope), typed by its apiVersion/kind. */
export function encodeObject(obj: Record<string, unknown>): Buffer {
  const apiVersion = String(obj['apiVersion'] ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const name = kindType(group!, version!, String(obj['kind'] ?? ''));
  if (!name) throw new Error(`no type for ${apiVersion} ${String(obj['kind'])}`);
  return message(name, obj);
}

/** A full body as client-go sends it: magic + runtime.Unknown{typeMeta, raw, "", ""}. */
export function encodeKubernetesProtobuf(obj: Record<string, unknown>): Buffer {
  const typeMeta = Buffer.concat([scalarField(1, 'string', obj['apiVersion']), scalarField(2, 'string', obj['kind'])]);
  const unknown = Buffer.concat([lenDelim(1, typeMeta), lenDelim(2, encodeObject(obj)), scalarField(3, 'string', ''), scalarField(4, 'string', '')]);
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}

/** Raw protobuf helpers for hand-built test bodies. */
export const wire = { varint, tag, lenDelim, scalarField };
