// Field selectors, as k8s.io/apimachinery/pkg/fields: `metadata.name=x,status.phase!=Running`
// with `\` escaping of `\`, `,` and `=` in values. The registry checks each requirement's field
// against what the resource supports.

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  field: string;
  /** `=` for both `=` and `==` (upstream selection.Equals), `!=` for NotEquals. */
  operator: FieldOperator;
  value: string;
}

export type Fields = Readonly<Record<string, string>>;

/** Thrown for an unparseable field selector; `message` is upstream's error text. */
export class FieldSelectorParseError extends Error {
  readonly code = 'ERR_FIELD_SELECTOR';
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorParseError';
  }
}

export interface FieldSelector {
  /** Missing fields read as '' (upstream fields.Set.Get). */
  matches(fields: Fields): boolean;
  /** True when it selects everything. */
  empty(): boolean;
  /** Canonical text: terms sorted, values escaped. */
  toString(): string;
  requirements(): readonly FieldRequirement[];
  /** The value `field` must equal when a `field=value` term is present. */
  requiresExactMatch(field: string): string | undefined;
}

class AndSelector implements FieldSelector {
  constructor(private readonly terms: readonly FieldRequirement[]) {}

  matches(fields: Fields): boolean {
    for (const t of this.terms) {
      const v = Object.prototype.hasOwnProperty.call(fields, t.field) ? fields[t.field]! : '';
      if (t.operator === '=' ? v !== t.value : v === t.value) return false;
    }
    return true;
  }
  empty(): boolean {
    return this.terms.length === 0;
  }
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeValue(t.value)}`).join(',');
  }
  requirements(): readonly FieldRequirement[] {
    return this.terms;
  }
  requiresExactMatch(field: string): string | undefined {
    for (const t of this.terms) if (t.field === field && t.operator === '=') return t.value;
    return undefined;
  }
}

const EVERYTHING: FieldSelector = new AndSelector([]);
export const everythingFields = (): FieldSelector => EVERYTHING;

/** fields.ParseSelector. The empty string selects everything. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const terms: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorParseError(`invalid selector: '${selector}'; can't understand '${part}'`);
    terms.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: unescapeValue(t.rhs) });
  }
  return new AndSelector(terms);
}

/** fields.SelectorFromSet: `k=v` for each entry, sorted as the text would be. */
export function fieldSelectorFromSet(set: Fields): FieldSelector {
  const terms = Object.keys(set)
    .sort()
    .map((k): FieldRequirement => ({ field: k, operator: '=', value: set[k]! }));
  return new AndSelector(terms);
}

/** fields.OneTermEqualSelector / OneTermNotEqualSelector */
export function oneTermSelector(field: string, operator: FieldOperator, value: string): FieldSelector {
  return new AndSelector([{ field, operator, value }]);
}

/** Splits on commas not preceded by a backslash escape. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term; `!=` and `==` win over `=` at the same position. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.EscapeValue */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` only; bare `,` or `=` are errors. */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go formats the rune with %v: its code point number.
    else if (c === ',' || c === '=') throw new FieldSelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}
