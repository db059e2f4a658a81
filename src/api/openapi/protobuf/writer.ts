// A small protobuf (proto3) encoder: messages are built as trees of fields, then sized and
// written into one buffer in a single pass, so nested length prefixes cost no copying.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

type Part =
  | { readonly no: number; readonly kind: 'bytes'; readonly text: string; readonly len: number }
  | { readonly no: number; readonly kind: 'varint'; readonly value: number | bigint }
  | { readonly no: number; readonly kind: 'double'; readonly value: number }
  | { readonly no: number; readonly kind: 'message'; readonly value: ProtoMessage }
  | { readonly no: number; readonly kind: 'raw'; readonly value: Uint8Array };

/**
 * One protobuf message under construction. Callers append fields in field-number order (the
 * order Go's marshaller writes them). The scalar setters follow proto3 rules: a field that holds
 * its zero value ('' / false / 0) is not written, unless `force` says it is a member of a oneof
 * (oneof members are written whenever they are set). A message field is written whenever given,
 * even when empty.
 */
export class ProtoMessage {
  private readonly parts: Part[] = [];
  private size = -1;

  string(no: number, value: string | undefined, force = false): this {
    if (value === undefined || (value === '' && !force)) return this;
    this.parts.push({ no, kind: 'bytes', text: value, len: Buffer.byteLength(value, 'utf8') });
    this.size = -1;
    return this;
  }

  /** A `repeated string` field: one entry per element, empty strings included. */
  strings(no: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.string(no, v, true);
    return this;
  }

  bool(no: number, value: boolean | undefined, force = false): this {
    if (value === undefined || (!value && !force)) return this;
    this.parts.push({ no, kind: 'varint', value: value ? 1 : 0 });
    this.size = -1;
    return this;
  }

  /** An `int64` field; the value is truncated to an integer. */
  int64(no: number, value: number | undefined): this {
    if (value === undefined || !Number.isFinite(value)) return this;
    const n = Math.trunc(value);
    if (n === 0) return this;
    // Negative int64 values are varints of their 64-bit two's complement.
    this.parts.push({ no, kind: 'varint', value: n < 0 ? BigInt.asUintN(64, BigInt(n)) : n });
    this.size = -1;
    return this;
  }

  double(no: number, value: number | undefined): this {
    if (value === undefined || Object.is(value, 0)) return this;
    this.parts.push({ no, kind: 'double', value });
    this.size = -1;
    return this;
  }

  message(no: number, value: ProtoMessage | undefined): this {
    if (value === undefined) return this;
    this.parts.push({ no, kind: 'message', value });
    this.size = -1;
    return this;
  }

  /** A message field whose content is already encoded (see {@link ProtoMessage.encode}). */
  encoded(no: number, value: Uint8Array): this {
    this.parts.push({ no, kind: 'raw', value });
    this.size = -1;
    return this;
  }

  messages(no: number, values: readonly ProtoMessage[] | undefined): this {
    for (const v of values ?? []) this.message(no, v);
    return this;
  }

  /** The encoded length of this message's fields (without its own tag and length prefix). */
  byteLength(): number {
    if (this.size >= 0) return this.size;
    let n = 0;
    for (const p of this.parts) {
      n += varintLength(p.no * 8);
      switch (p.kind) {
        case 'bytes':
          n += varintLength(p.len) + p.len;
          break;
        case 'varint':
          n += varintLength(p.value);
          break;
        case 'double':
          n += 8;
          break;
        case 'raw':
          n += varintLength(p.value.length) + p.value.length;
          break;
        case 'message': {
          const len = p.value.byteLength();
          n += varintLength(len) + len;
          break;
        }
      }
    }
    this.size = n;
    return n;
  }

  /** The wire bytes of this message. */
  encode(): Buffer {
    const buf = Buffer.allocUnsafe(this.byteLength());
    const end = this.writeTo(buf, 0);
    if (end !== buf.length) throw new Error(`protobuf encoder wrote ${end} bytes, expected ${buf.length}`);
    return buf;
  }

  private writeTo(buf: Buffer, start: number): number {
    let pos = start;
    for (const p of this.parts) {
      switch (p.kind) {
        case 'bytes':
          pos = writeVarint(buf, pos, p.no * 8 + WIRE_LEN);
          pos = writeVarint(buf, pos, p.len);
          pos += buf.write(p.text, pos, p.len, 'utf8');
          break;
        case 'varint':
          pos = writeVarint(buf, pos, p.no * 8 + WIRE_VARINT);
          pos = writeVarint(buf, pos, p.value);
          break;
        case 'double':
          pos = writeVarint(buf, pos, p.no * 8 + WIRE_FIXED64);
          buf.writeDoubleLE(p.value, pos);
          pos += 8;
          break;
        case 'raw':
          pos = writeVarint(buf, pos, p.no * 8 + WIRE_LEN);
          pos = writeVarint(buf, pos, p.value.length);
          buf.set(p.value, pos);
          pos += p.value.length;
          break;
        case 'message':
          pos = writeVarint(buf, pos, p.no * 8 + WIRE_LEN);
          pos = writeVarint(buf, pos, p.value.byteLength());
          pos = p.value.writeTo(buf, pos);
          break;
      }
    }
    return pos;
  }
}

function varintLength(value: number | bigint): number {
  if (typeof value === 'bigint') {
    let n = 1;
    for (let v = value >> 7n; v > 0n; v >>= 7n) n++;
    return n;
  }
  let n = 1;
  // Division rather than shifts: values may exceed 32 bits (up to 2^53).
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) n++;
  return n;
}

function writeVarint(buf: Buffer, start: number, value: number | bigint): number {
  let pos = start;
  if (typeof value === 'bigint') {
    let v = value;
    while (v >= 0x80n) {
      buf[pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[pos++] = Number(v);
    return pos;
  }
  let v = value;
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}
