// The cron schedule language CronJobs use: the standard 5-field form with ranges, steps, lists,
// month and weekday names, `?`, the @yearly/@monthly/@weekly/@daily/@hourly descriptors,
// `@every <duration>` and an optional `TZ=`/`CRON_TZ=` prefix (robfig/cron v3 ParseStandard,
// which upstream uses; error texts match it). The CronJob controller uses `next()`.

export interface CronSchedule {
  /** The first activation strictly after `after`, in `timeZone` (IANA name; default: this process's zone, as kube-controller-manager does). Undefined if none within five years. */
  next(after: Date, timeZone?: string): Date | undefined;
}

export class CronParseError extends Error {
  readonly code = 'CronParseError';
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A parsed field: which values match, and whether it was `*`/`?` (matters for day-of-month vs weekday). */
interface FieldSet {
  bits: boolean[];
  star: boolean;
}

function parseNonNegInt(expr: string): number {
  // Go's strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseNonNegInt(expr);
}

function parseRange(expr: string, b: Bounds, into: FieldSet): void {
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
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNonNegInt(rangeAndStep[1]!);
    if (single) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) into.bits[i] = true;
  if (star) into.star = true;
}

function parseField(field: string, b: Bounds): FieldSet {
  const set: FieldSet = { bits: new Array<boolean>(b.max + 1).fill(false), star: false };
  for (const part of field.split(',')) parseRange(part, b, set);
  return set;
}

function all(b: Bounds, star = true): FieldSet {
  const bits = new Array<boolean>(b.max + 1).fill(false);
  for (let i = b.min; i <= b.max; i++) bits[i] = true;
  return { bits, star };
}

function only(b: Bounds, v: number): FieldSet {
  const bits = new Array<boolean>(b.max + 1).fill(false);
  bits[v] = true;
  return { bits, star: false };
}

// ---- time-zone arithmetic on wall-clock times (a Date in UTC used as a field container) ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Whether `tz` names a time zone this runtime knows (Go's time.LoadLocation succeeding). */
export function isKnownTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at instant `ms` in `tz`, as milliseconds of a UTC date with the same fields. */
function wallOf(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + (ms % 1000 + 1000) % 1000;
}

/** The instant whose wall-clock time in `tz` is `wall` (for a DST gap, a time just after it). */
function instantOf(wall: number, tz: string): number {
  let guess = wall - (wallOf(wall, tz) - wall);
  const off2 = wallOf(guess, tz) - guess;
  guess = wall - off2;
  return guess;
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const MAX_SEARCH_MS = 5 * 366 * 24 * 3600 * 1000;

class SpecSchedule implements CronSchedule {
  constructor(
    private readonly minute: FieldSet,
    private readonly hour: FieldSet,
    private readonly dom: FieldSet,
    private readonly month: FieldSet,
    private readonly dow: FieldSet,
    private readonly zone: string | undefined,
  ) {}

  private dayMatches(d: Date): boolean {
    const domMatch = this.dom.bits[d.getUTCDate()] === true;
    const dowMatch = this.dow.bits[d.getUTCDay()] === true;
    // robfig: if either field is a wildcard the day must match both, else either.
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(after: Date, timeZone?: string): Date | undefined {
    const tz = this.zone ?? timeZone ?? localZone();
    const startWall = wallOf(after.getTime(), tz);
    // The next whole minute strictly after `after`.
    const t = new Date(Math.floor(startWall / 60000) * 60000 + 60000);
    const limit = startWall + MAX_SEARCH_MS;
    while (t.getTime() <= limit) {
      if (!this.month.bits[t.getUTCMonth() + 1]) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!this.dayMatches(t)) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!this.hour.bits[t.getUTCHours()]) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        continue;
      }
      if (!this.minute.bits[t.getUTCMinutes()]) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        continue;
      }
      const instant = instantOf(t.getTime(), tz);
      if (instant > after.getTime()) return new Date(instant);
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    }
    return undefined;
  }
}

class EverySchedule implements CronSchedule {
  constructor(private readonly delayMs: number) {}
  next(after: Date): Date {
    // robfig: the delay is counted from the start of the current second.
    return new Date(Math.floor(after.getTime() / 1000) * 1000 + this.delayMs);
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go's time.ParseDuration, to milliseconds. */
function parseGoDuration(s: string): number {
  const orig = s;
  if (s === '0') return 0;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '') throw new CronParseError(`failed to parse duration ${orig}: time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/;
  while (s) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') throw new CronParseError(`failed to parse duration ${orig}: time: invalid duration ${JSON.stringify(orig)}`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/**
 * Parses a CronJob schedule. Throws CronParseError with robfig/cron's message (upstream puts
 * it in `spec.schedule: Invalid value: "…": <message>`).
 */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.search(/\s/);
    const eq = spec.indexOf('=');
    const name = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    if (!isKnownTimeZone(name) || name === '') throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, zone);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  return new SpecSchedule(
    parseField(fields[0]!, MINUTES),
    parseField(fields[1]!, HOURS),
    parseField(fields[2]!, DOM),
    parseField(fields[3]!, MONTHS),
    parseField(fields[4]!, DOW),
    zone,
  );
}

function parseDescriptor(d: string, zone: string | undefined): CronSchedule {
  const star = (b: Bounds) => all(b);
  switch (d) {
    case '@yearly':
    case '@annually':
      return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), only(DOM, 1), only(MONTHS, 1), star(DOW), zone);
    case '@monthly':
      return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), only(DOM, 1), star(MONTHS), star(DOW), zone);
    case '@weekly':
      return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), star(DOM), star(MONTHS), only(DOW, 0), zone);
    case '@daily':
    case '@midnight':
      return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), star(DOM), star(MONTHS), star(DOW), zone);
    case '@hourly':
      return new SpecSchedule(only(MINUTES, 0), star(HOURS), star(DOM), star(MONTHS), star(DOW), zone);
  }
  if (d.startsWith('@every ')) {
    const ms = parseGoDuration(d.slice('@every '.length));
    // robfig: anything under a second runs every second; sub-second parts are dropped.
    return new EverySchedule(ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000);
  }
  throw new CronParseError(`unrecognized descriptor: ${d}`);
}
