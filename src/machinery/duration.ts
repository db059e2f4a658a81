// Human durations for the AGE columns (k8s.io/apimachinery/pkg/util/duration) and Go
// time.Duration text (`1m30s`) as metav1.Duration carries it on the wire.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** ShortHumanDuration: one unit (`5s`, `10m`, `3h`, `45d`, `3y`). */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  // Up to two seconds into the future counts as now (clock skew between machines).
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}

/** HumanDuration: two or three significant figures (`2m30s`, `3h5m`, `2d5h`, `3y30d`). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

// ---- Go time.Duration (nanoseconds, int64) ----

/** Thrown by parseGoDuration; `message` is Go's. */
export class DurationParseError extends Error {
  readonly code = 'ERR_DURATION';
  constructor(message: string) {
    super(message);
    this.name = 'DurationParseError';
  }
}

const NS_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5 micro sign
  'μs': 1000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_U = 1n << 63n;

/** time.ParseDuration: `300ms`, `-1.5h`, `2h45m`. Returns nanoseconds. */
export function parseGoDuration(orig: string): bigint {
  const invalidDur = (): DurationParseError => new DurationParseError(`time: invalid duration ${JSON.stringify(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalidDur();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalidDur();
    let i = 0;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    const pre = i > 0;
    const intPart = s.slice(0, i);
    let v = pre ? BigInt(intPart) : 0n;
    if (v > MAX_U) throw invalidDur();
    s = s.slice(i);
    let frac = '';
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      frac = s.slice(0, j);
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalidDur();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k]! >= '0' && s[k]! <= '9')) k++;
    if (k === 0) throw new DurationParseError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = NS_UNITS[u];
    if (unit === undefined || !Object.prototype.hasOwnProperty.call(NS_UNITS, u)) {
      throw new DurationParseError(`time: unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(orig)}`);
    }
    if (v > MAX_U / unit) throw invalidDur();
    v *= unit;
    if (frac !== '') {
      // Go's leadingFraction (digits until int64 overflow, with their power of ten) and its
      // float64 product, which is nanosecond-accurate for fractions of hours.
      let x = 0n;
      let scale = 1;
      for (const c of frac) {
        if (x > (MAX_U - 1n) / 10n) break;
        const y = x * 10n + BigInt(c.charCodeAt(0) - 48);
        if (y > MAX_U) break;
        x = y;
        scale *= 10;
      }
      if (x > 0n) {
        v += BigInt(Math.trunc(Number(x) * (Number(unit) / scale)));
        if (v > MAX_U) throw invalidDur();
      }
    }
    d += v;
    if (d > MAX_U) throw invalidDur();
  }
  if (neg) return -d;
  if (d > MAX_U - 1n) throw invalidDur();
  return d;
}

/** time.Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
export function formatGoDuration(ns: bigint | number): string {
  let u = typeof ns === 'bigint' ? ns : BigInt(Math.trunc(ns));
  const neg = u < 0n;
  if (neg) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${frac(u, 3)}µs`;
    else out = `${frac(u, 6)}ms`;
  } else {
    const secNs = u % 60_000_000_000n;
    let rest = u / 60_000_000_000n;
    out = `${frac(secNs, 9)}s`;
    if (rest > 0n) {
      out = `${rest % 60n}m${out}`;
      rest /= 60n;
      if (rest > 0n) out = `${rest}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** v / 10^prec with the fraction's trailing zeros (and a bare point) dropped. */
function frac(v: bigint, prec: number): string {
  const d = 10n ** BigInt(prec);
  const whole = v / d;
  const f = (v % d).toString().padStart(prec, '0').replace(/0+$/, '');
  return f ? `${whole}.${f}` : `${whole}`;
}

/** Milliseconds of a Go duration string (metav1.Duration), for timers. */
export function goDurationToMs(s: string): number {
  return Number(parseGoDuration(s) / 1_000_000n);
}
