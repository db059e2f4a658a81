// Field errors, as k8s.io/apimachinery/pkg/util/validation/field: a path into the object and a
// typed error whose text matches upstream so kubectl users see the same messages.

import { type StatusCause, type CauseType, newInvalid, type StatusError } from './errors.js';

/** A path such as `spec.template.spec.containers[0].image`. Immutable. */
export class Path {
  private constructor(
    private readonly parent: Path | undefined,
    private readonly name: string,
    private readonly index: string | undefined,
  ) {}

  static root(name: string, ...more: string[]): Path {
    let p = new Path(undefined, name, undefined);
    for (const m of more) p = p.child(m);
    return p;
  }

  child(name: string, ...more: string[]): Path {
    let p: Path = new Path(this, name, undefined);
    for (const m of more) p = p.child(m);
    return p;
  }

  /** `containers[0]` */
  at(i: number): Path {
    return new Path(this, '', String(i));
  }

  /** `labels[app]` */
  key(k: string): Path {
    return new Path(this, '', k);
  }

  toString(): string {
    const parts: Path[] = [];
    for (let p: Path | undefined = this; p; p = p.parent) parts.push(p);
    let s = '';
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]!;
      if (p.index !== undefined) s += `[${p.index}]`;
      else s += s ? `.${p.name}` : p.name;
    }
    return s;
  }
}

export type ErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<ErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Values omitted from the message (upstream's omitValue). */
export const OMIT = Symbol('omitValue');

export class FieldError {
  constructor(
    readonly type: ErrorType,
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {}

  /** Upstream ErrorBody(): `Invalid value: "x": detail`. */
  body(): string {
    let s: string;
    switch (this.type) {
      case 'FieldValueRequired':
      case 'FieldValueForbidden':
      case 'FieldValueTooLong':
      case 'InternalError':
        s = typeText[this.type];
        break;
      default:
        if (this.value === OMIT) s = typeText[this.type];
        else s = `${typeText[this.type]}: ${formatValue(this.value)}`;
    }
    if (this.detail) s += `: ${this.detail}`;
    return s;
  }

  /** Upstream Error(): `field: body`. */
  toString(): string {
    return this.field ? `${this.field}: ${this.body()}` : this.body();
  }

  toCause(): StatusCause {
    return { reason: this.type as CauseType, message: this.body(), field: this.field };
  }
}

/** Go's %v/%q/%#v as upstream applies them to field values. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  return JSON.stringify(v);
}

const p = (path: Path | string): string => (typeof path === 'string' ? path : path.toString());

export const required = (path: Path | string, detail = ''): FieldError => new FieldError('FieldValueRequired', p(path), '', detail);
export const invalid = (path: Path | string, value: unknown, detail: string): FieldError =>
  new FieldError('FieldValueInvalid', p(path), value, detail);
export const forbidden = (path: Path | string, detail: string): FieldError => new FieldError('FieldValueForbidden', p(path), '', detail);
export const duplicate = (path: Path | string, value: unknown): FieldError => new FieldError('FieldValueDuplicate', p(path), value, '');
export const notFound = (path: Path | string, value: unknown): FieldError => new FieldError('FieldValueNotFound', p(path), value, '');
export const internalError = (path: Path | string, err: Error): FieldError => new FieldError('InternalError', p(path), undefined, err.message);

/** `Unsupported value: "X": supported values: "A", "B"` */
export function notSupported(path: Path | string, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return new FieldError('FieldValueNotSupported', p(path), value, detail);
}

/** `Too long: may not be more than 63 bytes` (upstream 1.32 wording). */
export function tooLong(path: Path | string, value: unknown, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return new FieldError('FieldValueTooLong', p(path), value, detail);
}

/** `Too many: 5: must have at most 4 items` */
export function tooMany(path: Path | string, actual: number, max: number): FieldError {
  return new FieldError('FieldValueTooMany', p(path), actual, `must have at most ${max} items`);
}

export type ErrorList = FieldError[];

/** The 422 Invalid StatusError for a list of field errors. */
export function toInvalidError(groupKind: { group: string; kind: string }, name: string, errs: ErrorList): StatusError {
  return newInvalid(groupKind, name, errs.map((e) => e.toCause()));
}
