// Small helpers shared by the workload APIs (apps, batch, extensions): Go-style value text in
// field errors, semantic deep equality, int-or-percent checks as upstream apps validation does them.

import { FieldError, type ErrorList, type Path } from '../../../machinery/field.js';

/**
 * A field error whose value is printed verbatim. Upstream prints some values with Go's `%#v`
 * or `String()` (maps, IntOrString), which no JSON rendering reproduces.
 */
class RawValueFieldError extends FieldError {
  constructor(field: string, private readonly raw: string, detail: string) {
    super('FieldValueInvalid', field, raw, detail);
  }
  override body(): string {
    return `Invalid value: ${this.raw}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** `Invalid value: <raw>: detail` with the value text given exactly. */
export function invalidRaw(path: Path | string, raw: string, detail: string): FieldError {
  return new RawValueFieldError(String(path), raw, detail);
}

/** Go's `%#v` of a map[string]string: `map[string]string{"a":"b", "c":"d"}` (keys sorted), nil → `map[string]string(nil)`. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

/** IntOrString's String(): ints as digits, strings as they are. */
export function intOrStringText(v: number | string | undefined): string {
  return v === undefined ? '0' : String(v);
}

/** Deep structural equality of JSON values; absent, undefined and null are the same (Go's semantic equality of nil). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(ao)) if (!deepEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!(k in ao) && !deepEqual(undefined, bo[k])) return false;
  return true;
}

/** A JSON deep copy. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

const PERCENT = /^[0-9]+%$/;
// RegexError's text, double space included.
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** Upstream apps ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: number | string | undefined, path: Path): ErrorList {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    return PERCENT.test(v) ? [] : [invalidRaw(path, v, PERCENT_MSG)];
  }
  if (typeof v === 'number') return v < 0 ? [invalidRaw(path, String(v), 'must be greater than or equal to 0')] : [];
  return [invalidRaw(path, JSON.stringify(v), "must be an integer or percentage (e.g '5%')")];
}

/** The number in `25%` or `3`; an unparseable string counts as 0 (Go's IntValue of a non-numeric string). */
export function intOrPercentValue(v: number | string | undefined): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (PERCENT.test(v)) return Number(v.slice(0, -1));
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** Upstream IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(v: number | string | undefined, path: Path): ErrorList {
  if (typeof v !== 'string' || !PERCENT.test(v)) return [];
  return Number(v.slice(0, -1)) <= 100 ? [] : [invalidRaw(path, v, 'must not be greater than 100%')];
}

/** Upstream ValidateNonnegativeField, for int fields that may be absent (absent = 0). */
export function nonNegative(v: number | undefined | null, path: Path): ErrorList {
  if (typeof v !== 'number' || v >= 0) return [];
  return [invalidRaw(path, String(v), 'must be greater than or equal to 0')];
}

/** Upstream IsDecremented for optional counters such as status.collisionCount. */
export function isDecremented(update: number | undefined, old: number | undefined): boolean {
  if (update === undefined && old !== undefined) return true;
  if (update === undefined || old === undefined) return false;
  return update < old;
}
