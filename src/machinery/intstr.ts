// IntOrString helpers (k8s.io/apimachinery/pkg/util/intstr and the apps validation that uses
// them): `maxSurge: 25%` or `maxSurge: 1`.

import { type ErrorList, type Path, invalid } from './field.js';
import { IsNegativeErrorMsg, isValidPercent } from './validation.js';

/** The wire form: a JSON number or a string. */
export type IntOrString = number | string;

export function isIntOrString(v: unknown): v is IntOrString {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string';
}

/** Thrown by getScaledValueFromIntOrPercent; `message` is upstream's. */
export class IntOrStringError extends Error {
  readonly code = 'ERR_INT_OR_STRING';
  constructor(message: string) {
    super(message);
    this.name = 'IntOrStringError';
  }
}

/** strconv.Atoi: optional sign and decimal digits within int64. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return Number(v);
}

function atoiError(s: string): string {
  const syntax = !/^[+-]?[0-9]+$/.test(s);
  return `strconv.Atoi: parsing ${JSON.stringify(s)}: ${syntax ? 'invalid syntax' : 'value out of range'}`;
}

/**
 * GetScaledValueFromIntOrPercent: an int as is, `N%` as N% of total rounded up or down.
 * Throws IntOrStringError worded as upstream for undefined, non-percent strings and bad numbers.
 */
export function getScaledValueFromIntOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new IntOrStringError('nil value for IntOrString');
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v !== 'string') throw new IntOrStringError('invalid value for IntOrString: invalid type: neither int nor percentage');
  if (!v.endsWith('%')) throw new IntOrStringError('invalid value for IntOrString: invalid type: string is not a percentage');
  const s = v.slice(0, -1);
  const n = atoi(s);
  if (n === undefined) throw new IntOrStringError(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: ${atoiError(s)}`);
  const scaled = (n * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** intstr.IntOrString.IntValue(): a string parses as an int, 0 when it does not. */
export function intValue(v: IntOrString | undefined | null): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') return atoi(v) ?? 0;
  return 0;
}

/** intstr.IntOrString.String() */
export function intOrStringText(v: IntOrString): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : v;
}

/** apps getPercentValue: the number of a valid `N%` string. */
export function getPercentValue(v: IntOrString | undefined | null): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length) return undefined;
  return atoi(v.slice(0, -1)) ?? 0;
}

/** apps getIntOrPercentValue: N for `N%`, else the int value. */
export function getIntOrPercentValue(v: IntOrString | undefined | null): number {
  return getPercentValue(v) ?? intValue(v);
}

/**
 * Go's %#v of an intstr.IntOrString value, which is how upstream prints one in
 * `Invalid value: …` (the struct has no value-receiver String method).
 */
export function goIntOrString(v: IntOrString): string {
  return typeof v === 'number'
    ? `intstr.IntOrString{Type:0, IntVal:${Math.trunc(v)}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;
}

/** apps ValidatePositiveIntOrPercent: a valid `N%` string or a non-negative int. */
export function validatePositiveIntOrPercent(v: IntOrString, path: Path): ErrorList {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, IsNegativeErrorMsg)] : [];
  return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** apps IsNotMoreThan100Percent */
export function isNotMoreThan100Percent(v: IntOrString, path: Path): ErrorList {
  const p = getPercentValue(v);
  if (p === undefined || p <= 100) return [];
  return [invalid(path, intOrStringText(v), 'must not be greater than 100%')];
}
