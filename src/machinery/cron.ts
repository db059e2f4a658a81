// The cron schedules of CronJobs, as robfig/cron v3's ParseStandard reads them and its
// SpecSchedule.Next walks them (what upstream's controller uses): five fields (minute hour
// day-of-month month day-of-week) with `*`, `?`, ranges, steps, lists and JAN–DEC / SUN–SAT
// names; @yearly @annually @monthly @weekly @daily @midnight @hourly; `@every <duration>`;
// an optional TZ=/CRON_TZ= prefix (the controller builds one from spec.timeZone). Day-of-month
// and day-of-week are ORed unless one of them is `*`/`?`. Times are walked in real instants
// of the zone, so across DST a skipped wall time does not run and a repeated one runs twice,
// as in Go.

export class CronParseError extends Error {
  readonly code = 'CronParseError';
  constructor(message: string) {
    super(message);
    this.name = 'CronParseError';
  }
}

export interface Schedule {
  /** The first activation strictly after `afterMs` (ms since the epoch); undefined if none within five years. */
  next(afterMs: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** Which values of a field match; `star` when written as `*`/`?` (without a step > 1). */
interface Field {
  bits: bigint;
  star: boolean;
}

const bit = (i: number): bigint => 1n << BigInt(i);
const hasBit = (f: Field, i: number): boolean => (f.bits & bit(i)) !== 0n;

function atoi(s: string): number {
  // Go's strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?\d+$/.test(s)) throw new CronParseError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function nonNegative(s: string): number {
  const n = atoi(s);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

function valueOf(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named ?? nonNegative(s);
}

function parseRange(expr: string, b: Bounds, f: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = valueOf(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = valueOf(lowAndHigh[1]!, b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = nonNegative(rangeAndStep[1]!);
    if (single) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) f.bits |= bit(i);
  if (star) f.star = true;
}

function parseField(text: string, b: Bounds): Field {
  const f: Field = { bits: 0n, star: false };
  for (const part of text.split(',')) parseRange(part, b, f);
  return f;
}

function all(b: Bounds): Field {
  let bits = 0n;
  for (let i = b.min; i <= b.max; i++) bits |= bit(i);
  return { bits, star: true };
}

const one = (v: number): Field => ({ bits: bit(v), star: false });

// ---- time zones through Intl ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(tz, f);
  }
  return f;
}

/** Whether the runtime knows the IANA zone (Go's time.LoadLocation succeeding; "" is UTC there). */
export function isValidTimeZone(tz: string): boolean {
  if (tz === '' || tz === 'UTC' || tz === 'Local') return true;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in a zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** A zone: wall fields of instants and the offset in effect, cached per quarter hour. */
export class Zone {
  private readonly offsets = new Map<number, number>();
  constructor(readonly name: string) {}

  /** Offset from UTC in ms at the instant. */
  offsetAt(ms: number): number {
    if (this.name === 'UTC') return 0;
    const slot = Math.floor(ms / 900_000);
    let off = this.offsets.get(slot);
    if (off === undefined) {
      const w = this.fieldsUncached(slot * 900_000);
      off = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - slot * 900_000;
      if (this.offsets.size > 10_000) this.offsets.clear();
      this.offsets.set(slot, off);
    }
    return off;
  }

  fields(ms: number): WallTime {
    const d = new Date(ms + this.offsetAt(ms));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
  }

  private fieldsUncached(ms: number): WallTime {
    const p: Record<string, string> = {};
    for (const part of formatter(this.name).formatToParts(new Date(ms))) p[part.type] = part.value;
    return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second), weekday: WEEKDAYS[p.weekday!] ?? 0 };
  }

  /**
   * Go's time.Date: the instant of a wall time (fields may overflow and are normalised). In a
   * gap or an overlap Go takes the offset in effect just before the transition; this does the same.
   */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const local = Date.UTC(year, month - 1, day, hour, minute, second);
    const off1 = this.offsetAt(local);
    const utc = local - off1;
    const off2 = this.offsetAt(utc);
    return off1 === off2 ? utc : local - off2;
  }
}

const zones = new Map<string, Zone>();
export function zoneOf(name: string): Zone {
  const n = name === '' ? 'UTC' : name;
  let z = zones.get(n);
  if (!z) zones.set(n, (z = new Zone(n)));
  return z;
}

/** The zone of this process (what kube-controller-manager uses without spec.timeZone). */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

class SpecSchedule implements Schedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly zone: Zone,
  ) {}

  private dayMatches(w: WallTime): boolean {
    const domMatch = hasBit(this.dom, w.day);
    const dowMatch = hasBit(this.dow, w.weekday);
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  /** robfig's SpecSchedule.Next, step by step: month, day, hour, minute, second (always 0). */
  next(afterMs: number): number | undefined {
    const z = this.zone;
    // The upcoming whole second.
    let t = Math.floor(afterMs / 1000) * 1000 + 1000;
    let added = false;
    const yearLimit = z.fields(t).year + 5;
    for (let guard = 0; guard < 100_000; guard++) {
      let w = z.fields(t);
      if (w.year > yearLimit) return undefined;
      let wrapped = false;
      while (!hasBit(this.month, w.month)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, 1, 0, 0, 0);
          w = z.fields(t);
        }
        t = z.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = z.fields(t);
        if (w.month === 1) {
          wrapped = true;
          break;
        }
      }
      if (wrapped) continue;
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day, 0, 0, 0);
          w = z.fields(t);
        }
        t = z.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = z.fields(t);
        // Where midnight does not exist the day may start at 1:00 (or the previous 23:00).
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = z.fields(t);
        }
        if (w.day === 1) {
          wrapped = true;
          break;
        }
      }
      if (wrapped) continue;
      while (!hasBit(this.hour, w.hour)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day, w.hour, 0, 0);
        }
        t += 3_600_000;
        w = z.fields(t);
        if (w.hour === 0) {
          wrapped = true;
          break;
        }
      }
      if (wrapped) continue;
      while (!hasBit(this.minute, w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = z.fields(t);
        if (w.minute === 0) {
          wrapped = true;
          break;
        }
      }
      if (wrapped) continue;
      // Seconds: only 0 matches in the standard form.
      while (w.second !== 0) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = z.fields(t);
        if (w.second === 0) {
          wrapped = true;
          break;
        }
      }
      if (wrapped) continue;
      return t;
    }
    return undefined;
  }
}

/** `@every <duration>`: a fixed delay counted from the start of the current second. */
class ConstantDelaySchedule implements Schedule {
  constructor(readonly delayMs: number) {}
  next(afterMs: number): number {
    return Math.floor(afterMs / 1000) * 1000 + this.delayMs;
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms. */
function parseDuration(s: string): number {
  const bad = (): CronParseError => new CronParseError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let totalMs = 0;
  const re = /^(\d*(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw bad();
    totalMs += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * totalMs;
}

/**
 * Parses a schedule (robfig ParseStandard). `defaultZone` applies without a TZ=/CRON_TZ=
 * prefix. Throws CronParseError with robfig's message.
 */
export function parseSchedule(spec: string, defaultZone: string = localZoneName()): Schedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let zone = zoneOf(defaultZone);
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const i = rest.search(/\s/);
    const eq = rest.indexOf('=');
    const name = i < 0 ? rest.slice(eq + 1) : rest.slice(eq + 1, i);
    if (!isValidTimeZone(name)) throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = zoneOf(name);
    rest = i < 0 ? '' : rest.slice(i).trim();
  }
  if (rest.startsWith('@')) return parseDescriptor(rest, zone);
  const fields = rest.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule(parseField(fields[0]!, MINUTES), parseField(fields[1]!, HOURS), parseField(fields[2]!, DOM), parseField(fields[3]!, MONTHS), parseField(fields[4]!, DOW), zone);
}

function parseDescriptor(d: string, zone: Zone): Schedule {
  switch (d) {
    case '@yearly':
    case '@annually':
      return new SpecSchedule(one(0), one(0), one(1), one(1), all(DOW), zone);
    case '@monthly':
      return new SpecSchedule(one(0), one(0), one(1), all(MONTHS), all(DOW), zone);
    case '@weekly':
      return new SpecSchedule(one(0), one(0), all(DOM), all(MONTHS), one(0), zone);
    case '@daily':
    case '@midnight':
      return new SpecSchedule(one(0), one(0), all(DOM), all(MONTHS), all(DOW), zone);
    case '@hourly':
      return new SpecSchedule(one(0), all(HOURS), all(DOM), all(MONTHS), all(DOW), zone);
  }
  if (d.startsWith('@every ')) {
    const ms = parseDuration(d.slice('@every '.length));
    // robfig: under a second means every second; sub-second parts are dropped.
    return new ConstantDelaySchedule(ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000);
  }
  throw new CronParseError(`unrecognized descriptor: ${d}`);
}

/** RFC 3339 in the zone, as Go formats it (`Z` for UTC, else `±hh:mm`). */
export function formatRFC3339(ms: number, zoneName: string): string {
  const z = zoneOf(zoneName);
  const off = z.offsetAt(ms);
  const w = z.fields(ms);
  const p = (n: number, l = 2): string => String(n).padStart(l, '0');
  const base = `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
  if (off === 0) return `${base}Z`;
  const a = Math.abs(off) / 60_000;
  return `${base}${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}
