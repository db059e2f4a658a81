// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): `100m`, `1Gi`, `1e3`. Values are
// exact (BigInt nanounits: upstream rounds every parsed value up to 1n), printing follows
// upstream's canonical form and keeps the format family of the input.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

export const ErrFormatWrongMessage = `quantities must match the regular expression '${splitREString}'`;
export const ErrNumericMessage = 'unable to parse numeric part of quantity';
export const ErrSuffixMessage = "unable to parse quantity's suffix";

export type QuantityErrorCode = 'ERR_QUANTITY_FORMAT' | 'ERR_QUANTITY_NUMERIC' | 'ERR_QUANTITY_SUFFIX';

/** A string that is not a quantity. `message` is upstream's (ErrFormatWrong, ErrNumeric, ErrSuffix). */
export class QuantityParseError extends Error {
  constructor(
    readonly code: QuantityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

const NANO = 1_000_000_000n;
const MAX_INT64 = 9223372036854775807n;
/** Beyond this decimal exponent no real quantity exists; refusing it keeps BigInt sizes bounded. */
const MAX_ABS_EXPONENT = 1024;

const decSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binSuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decSuffixByExp = new Map<number, string>(Object.entries(decSuffixes).map(([s, e]) => [e, s]));
const binSuffixByPow = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Division rounding away from zero (inf.RoundUp). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  private constructor(
    /** The value in units of 10^-9. */
    private readonly nanos: bigint,
    readonly format: QuantityFormat,
    /** The input text when upstream keeps it (already canonical); see parse. */
    private readonly s?: string,
  ) {}

  /** resource.ParseQuantity. Throws QuantityParseError. */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityParseError('ERR_QUANTITY_FORMAT', ErrFormatWrongMessage);
    if (str === '0') return new Quantity(0n, 'DecimalSI', str);

    const parts = parseQuantityString(str);
    const suf = interpretSuffix(parts.suffix);
    if (!suf) throw new QuantityParseError('ERR_QUANTITY_SUFFIX', ErrSuffixMessage);
    let format = suf.format;
    const { num, denom, positive } = parts;
    if (!/^[0-9]*$/.test(num + denom)) throw new QuantityParseError('ERR_QUANTITY_NUMERIC', ErrNumericMessage);
    if (Math.abs(suf.exponent) > MAX_ABS_EXPONENT) throw new QuantityParseError('ERR_QUANTITY_NUMERIC', ErrNumericMessage);

    const shifted = num + denom;
    const digits = BigInt(shifted === '' ? '0' : shifted);

    // Exact value, rounded up (in magnitude) to 1n.
    let mag: bigint;
    if (suf.base === 10) {
      const e = suf.exponent - denom.length + 9;
      mag = e >= 0 ? digits * pow10(e) : divAwayFromZero(digits, pow10(-e));
    } else {
      const e = 9 - denom.length;
      const v = digits << BigInt(suf.exponent);
      mag = e >= 0 ? v * pow10(e) : divAwayFromZero(v, pow10(-e));
    }
    if (format === 'BinarySI' && mag > MAX_INT64 * NANO) mag = MAX_INT64 * NANO;
    if (format === 'BinarySI' && mag > 0n && mag < NANO) format = 'DecimalSI';
    const nanos = positive ? mag : -mag;

    // Upstream's fast path keeps the input text when it is already in canonical form.
    let keep = false;
    if (suf.format === 'BinarySI') {
      const precision = 15 - num.length - Math.trunc((suf.exponent * 3) / 10) - 1;
      if (denom.length === 0 && precision >= 0 && (digits << BigInt(suf.exponent)) <= MAX_INT64) keep = (digits & 7n) !== 0n;
    } else {
      const precision = 18 - (num.length + denom.length);
      const scale = suf.exponent - denom.length;
      if (precision >= 0 && scale >= -9) keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
    }
    return new Quantity(nanos, format, keep ? str : undefined);
  }

  /** Parse, or undefined when malformed. */
  static tryParse(str: string): Quantity | undefined {
    try {
      return Quantity.parse(str);
    } catch (e) {
      if (e instanceof QuantityParseError) return undefined;
      throw e;
    }
  }

  /** A wire value: JSON string or number (upstream UnmarshalJSON accepts both). Throws QuantityParseError. */
  static fromJSON(v: unknown): Quantity {
    if (typeof v === 'number' && Number.isFinite(v)) return Quantity.parse(String(v));
    if (typeof v === 'string') return Quantity.parse(v.trim());
    throw new QuantityParseError('ERR_QUANTITY_FORMAT', ErrFormatWrongMessage);
  }

  /** NewQuantity(value, format) */
  static fromInt(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format);
  }

  /** NewMilliQuantity(milli, format) */
  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  /** NewScaledQuantity(value, scale): value × 10^scale, DecimalSI; scales below -9 round up to 1n. */
  static fromScaled(value: number | bigint, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    const v = BigInt(value);
    const e = scale + 9;
    return new Quantity(e >= 0 ? v * pow10(e) : divAwayFromZero(v, pow10(-e)), format);
  }

  /** The exact value in units of 10^-9. */
  nanoValue(): bigint {
    return this.nanos;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  cmp(y: Quantity): -1 | 0 | 1 {
    return this.nanos < y.nanos ? -1 : this.nanos > y.nanos ? 1 : 0;
  }

  equals(y: Quantity): boolean {
    return this.nanos === y.nanos;
  }

  /** Add: a zero receiver takes the other's format (as upstream). */
  add(y: Quantity): Quantity {
    return new Quantity(this.nanos + y.nanos, this.nanos === 0n ? y.format : this.format);
  }

  sub(y: Quantity): Quantity {
    return new Quantity(this.nanos - y.nanos, this.nanos === 0n ? y.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** Mul(int64) */
  mul(n: number | bigint): Quantity {
    return new Quantity(this.nanos * BigInt(n), this.format);
  }

  /** ScaledValue(scale) as BigInt: the value in units of 10^scale, rounded away from zero. */
  scaledValueBig(scale: number): bigint {
    const e = scale + 9;
    return e >= 0 ? divAwayFromZero(this.nanos, pow10(e)) : this.nanos * pow10(-e);
  }

  /** Value(): whole units, rounded away from zero. */
  value(): number {
    return Number(this.scaledValueBig(0));
  }

  /** MilliValue(): thousandths, rounded away from zero. */
  milliValue(): number {
    return Number(this.scaledValueBig(-3));
  }

  scaledValue(scale: number): number {
    return Number(this.scaledValueBig(scale));
  }

  asApproximateFloat64(): number {
    return Number(this.nanos) / 1e9;
  }

  /** The same value with the cached text dropped and another format. */
  withFormat(format: QuantityFormat): Quantity {
    return new Quantity(this.nanos, format);
  }

  /** String(): the kept input text, or CanonicalizeBytes. */
  toString(): string {
    return this.s ?? this.canonical();
  }

  toJSON(): string {
    return this.toString();
  }

  /** CanonicalizeBytes */
  private canonical(): string {
    if (this.nanos === 0n) return '0';
    const neg = this.nanos < 0n;
    let m = abs(this.nanos);
    let format = this.format;
    if (format === 'BinarySI') {
      // Values within ±1024, or not whole, print as decimal to avoid rounding.
      if (m < 1024n * NANO || m % NANO !== 0n) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let v = m / NANO;
      let p = 0;
      while (p < binSuffixByPow.length - 1 && v >= 1024n && v % 1024n === 0n) {
        v /= 1024n;
        p++;
      }
      return `${neg ? '-' : ''}${v}${binSuffixByPow[p]}`;
    }
    // Move factors of ten into the exponent, then down to a multiple of three.
    let e = -9;
    while (m % 10n === 0n) {
      m /= 10n;
      e++;
    }
    while (e % 3 !== 0) {
      m *= 10n;
      e--;
    }
    let suffix: string;
    if (format === 'DecimalExponent') {
      suffix = e === 0 ? '' : `e${e}`;
    } else {
      if (e > 18) {
        // No SI suffix beyond exa: keep the digits under E.
        m *= pow10(e - 18);
        e = 18;
      }
      suffix = decSuffixByExp.get(e)!;
    }
    return `${neg ? '-' : ''}${m}${suffix}`;
  }
}

/** resource.MustParse: for constants in code; throws on a bad literal. */
export function mustParse(s: string): Quantity {
  return Quantity.parse(s);
}

interface QuantityParts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Upstream parseQuantityString: sign, digits, optional fraction, suffix (letters, then signed digits). */
function parseQuantityString(str: string): QuantityParts {
  let positive = true;
  let pos = 0;
  const end = str.length;
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;

  // leading zeros
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };

  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, num, denom: '', suffix: '' };
  pos = i;
  if (num.length === 0) num = '0';

  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, num, denom, suffix: '' };
    pos = i;
  }

  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityParseError('ERR_QUANTITY_FORMAT', ErrFormatWrongMessage);
}

function interpretSuffix(s: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const d = decSuffixes[s];
  if (d !== undefined && Object.prototype.hasOwnProperty.call(decSuffixes, s)) return { base: 10, exponent: d, format: 'DecimalSI' };
  const b = binSuffixes[s];
  if (b !== undefined && Object.prototype.hasOwnProperty.call(binSuffixes, s)) return { base: 2, exponent: b, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'E' || s[0] === 'e')) {
    const rest = s.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const n = BigInt(rest);
    if (n > MAX_INT64 || n < -MAX_INT64 - 1n) return undefined;
    // Huge exponents are refused by the caller as numeric errors.
    const e = n > 100000n ? 100000 : n < -100000n ? -100000 : Number(n);
    return { base: 10, exponent: e, format: 'DecimalExponent' };
  }
  return undefined;
}
