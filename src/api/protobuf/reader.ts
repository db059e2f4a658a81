// Protobuf wire primitives over a Buffer window. Error messages follow gogo-generated code
// (`unexpected EOF`, `proto: integer overflow`, …).
import { ProtobufDecodeError } from './errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

function eof(): ProtobufDecodeError {
  return new ProtobufDecodeError('Truncated', 'unexpected EOF');
}

export class Reader {
  pos: number;
  /** Low and high 32 bits of the last varint read by `varint64`. */
  lo = 0;
  hi = 0;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint into `lo`/`hi` (unsigned 32-bit halves). */
  varint64(): void {
    let lo = 0;
    let hi = 0;
    const { buf, end } = this;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 64) throw new ProtobufDecodeError('Malformed', 'proto: integer overflow');
      if (this.pos >= end) throw eof();
      const b = buf[this.pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A varint that must fit a non-negative safe number (tags, lengths). */
  uvarint(): number {
    this.varint64();
    if (this.hi >= 0x200000) throw new ProtobufDecodeError('Malformed', 'proto: integer overflow');
    return this.hi * TWO_32 + this.lo;
  }

  int32(): number {
    this.varint64();
    return this.lo | 0;
  }

  uint32(): number {
    this.varint64();
    return this.lo;
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  int64(): number {
    this.varint64();
    return toInt64(this.lo, this.hi);
  }

  uint64(): number {
    this.varint64();
    if (this.hi >= 0x200000) throw overflow(`${(BigInt(this.hi) << 32n) | BigInt(this.lo)}`);
    return this.hi * TWO_32 + this.lo;
  }

  fixed64Double(): number {
    if (this.pos + 8 > this.end) throw eof();
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  fixed32Float(): number {
    if (this.pos + 4 > this.end) throw eof();
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field: returns its [start, end) window and moves past it. */
  bytes(): [number, number] {
    const len = this.uvarint();
    const start = this.pos;
    if (len > this.end - start) throw eof();
    this.pos = start + len;
    return [start, this.pos];
  }

  string(): string {
    const [s, e] = this.bytes();
    return this.buf.toString('utf8', s, e);
  }

  /** Skips a field of the given wire type (groups are skipped as a whole, as gogo's skip does). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw eof();
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.bytes();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw eof();
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
        for (;;) {
          if (this.done()) throw eof();
          const tag = this.uvarint();
          const w = tag & 7;
          if (w === WIRE_END_GROUP) return;
          this.skip(w);
        }
      case WIRE_END_GROUP:
        throw new ProtobufDecodeError('Malformed', 'proto: unexpected end of group');
      default:
        throw new ProtobufDecodeError('BadWireType', `proto: illegal wireType ${wire}`);
    }
  }
}

function overflow(digits: string): ProtobufDecodeError {
  return new ProtobufDecodeError('IntegerOverflow', `integer ${digits} is outside the range a JSON number can carry exactly`);
}

/** Two's-complement int64 from unsigned halves; throws beyond ±(2^53-1). */
export function toInt64(lo: number, hi: number): number {
  if (hi & 0x80000000) {
    // negative: -(~x + 1)
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    if (nhi >= 0x200000) throw overflow(`-${(BigInt(nhi) << 32n) | BigInt(nlo)}`);
    const v = nhi * TWO_32 + nlo;
    return v === 0 ? 0 : -v;
  }
  if (hi >= 0x200000) throw overflow(`${(BigInt(hi) << 32n) | BigInt(lo)}`);
  return hi * TWO_32 + lo;
}
