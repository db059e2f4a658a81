// JSON forms of the apimachinery value types, as their Go MarshalJSON methods write them.
import { ProtobufDecodeError } from './errors.js';

// Go's time.Time.MarshalJSON refuses years outside [0, 9999].
const MIN_SECONDS = -62167219200; // 0000-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** metav1.Time: RFC 3339 in UTC, whole seconds (`2024-01-02T03:04:05Z`). */
export function formatTime(seconds: number): string {
  return formatUtc(seconds, undefined);
}

/** metav1.MicroTime: RFC 3339 in UTC with six fractional digits. */
export function formatMicroTime(seconds: number, nanos: number): string {
  // time.Unix normalises nanos outside [0, 1e9) into the seconds.
  const carry = Math.floor(nanos / 1e9);
  const s = seconds + carry;
  const ns = nanos - carry * 1e9;
  return formatUtc(s, Math.floor(ns / 1000));
}

function formatUtc(seconds: number, micros: number | undefined): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ProtobufDecodeError('InvalidValue', 'Time.MarshalJSON: year outside of range [0,9999]');
  }
  const d = new Date(seconds * 1000);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micros === undefined ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

/** Go's fmtFrac: the fraction of v / 10^prec without trailing zeros; returns [text, v / 10^prec]. */
function frac(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let printed = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [printed ? `.${digits}` : '', v];
}

/** time.Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
export function formatDuration(nanoseconds: bigint): string {
  const neg = nanoseconds < 0n;
  let u = neg ? -nanoseconds : nanoseconds;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let unit: string;
    let prec: number;
    if (u < 1000n) [unit, prec] = ['ns', 0];
    else if (u < 1_000_000n) [unit, prec] = ['µs', 3];
    else [unit, prec] = ['ms', 6];
    const [f, whole] = frac(u, prec);
    out = `${whole}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Parses raw JSON bytes of a RawExtension / FieldsV1 / apiextensions JSON value. */
export function parseRawJson(buf: Buffer, start: number, end: number, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8', start, end));
  } catch (err) {
    throw new ProtobufDecodeError('InvalidValue', `${what}: the raw value is not JSON: ${(err as Error).message}`, { cause: err });
  }
}
