// Label selectors, as k8s.io/apimachinery/pkg/labels: the string syntax (`app=web,tier in (a,b),!x`),
// matching, canonical printing, conversion from metav1.LabelSelector and its API validation.

import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { type ErrorList, FieldError, Path, forbidden, invalid, notSupported, required } from './field.js';
import { isQualifiedName, isValidLabelValue, validateLabelName, validateLabels } from './validation.js';

/** selection.Operator values as they appear in requirements. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export type Labels = Readonly<Record<string, string>>;

/** Thrown for a selector that cannot be parsed or built; `message` is upstream's error text. */
export class SelectorParseError extends Error {
  readonly code = 'ERR_LABEL_SELECTOR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelectorParseError';
  }
}

const validRequirementOperators: readonly string[] = ['=', '==', 'in', '!=', 'notin', 'exists', '!', 'gt', 'lt'];

/** One `key op values` term. Values are kept in the order given; printing sorts them. */
export class Requirement {
  private constructor(
    readonly key: string,
    readonly operator: Operator,
    readonly values: readonly string[],
  ) {}

  /** Upstream NewRequirement: validates key, operator and values (all problems, aggregated). */
  static create(key: string, operator: Operator, values: readonly string[], path?: Path): Requirement {
    const errs: FieldError[] = [];
    const keyErr = labelKeyError(key, path ? path.child('key') : Path.root('key'));
    if (keyErr) errs.push(keyErr);
    const valuePath = path ? path.child('values') : Path.root('values');
    switch (operator) {
      case 'in':
      case 'notin':
        if (values.length === 0) errs.push(invalid(valuePath, [...values], "for 'in', 'notin' operators, values set can't be empty"));
        break;
      case '=':
      case '==':
      case '!=':
        if (values.length !== 1) errs.push(invalid(valuePath, [...values], 'exact-match compatibility requires one single value'));
        break;
      case 'exists':
      case '!':
        if (values.length !== 0) errs.push(invalid(valuePath, [...values], 'values set must be empty for exists and does not exist'));
        break;
      case 'gt':
      case 'lt':
        if (values.length !== 1) errs.push(invalid(valuePath, [...values], "for 'Gt', 'Lt' operators, exactly one value is required"));
        values.forEach((v, i) => {
          if (parseInt64(v) === undefined) errs.push(invalid(valuePath.at(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        });
        break;
      default:
        errs.push(notSupported(path ? path.child('operator') : Path.root('operator'), operator, validRequirementOperators));
    }
    values.forEach((v, i) => {
      const msgs = isValidLabelValue(v);
      if (msgs.length) errs.push(invalid(valuePath.at(i).key(key), v, msgs.join('; ')));
    });
    if (errs.length) throw new SelectorParseError(aggregate(errs.map((e) => e.toString())));
    return new Requirement(key, operator, [...values]);
  }

  /** Built without validation (upstream SelectorFromValidatedSet). */
  static unchecked(key: string, operator: Operator, values: readonly string[]): Requirement {
    return new Requirement(key, operator, [...values]);
  }

  matches(ls: Labels): boolean {
    const has = Object.prototype.hasOwnProperty.call(ls, this.key);
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return has && this.values.includes(ls[this.key]!);
      case 'notin':
      case '!=':
        return !has || !this.values.includes(ls[this.key]!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || this.values.length !== 1) return false;
        const lv = parseInt64(ls[this.key]!);
        const rv = parseInt64(this.values[0]!);
        if (lv === undefined || rv === undefined) return false;
        return this.operator === 'gt' ? lv > rv : lv < rv;
      }
      default:
        return false;
    }
  }

  /** Canonical text: `!k`, `k`, `k=v`, `k in (a,b)` with values sorted. */
  toString(): string {
    let s = this.operator === '!' ? `!${this.key}` : this.key;
    switch (this.operator) {
      case 'exists':
      case '!':
        return s;
      case '=':
      case '==':
      case '!=':
        s += this.operator;
        break;
      case 'in':
      case 'notin':
        s += ` ${this.operator} `;
        break;
      case 'gt':
        s += '>';
        break;
      case 'lt':
        s += '<';
        break;
    }
    const vals = this.values.length === 1 ? this.values[0]! : [...this.values].sort().join(',');
    return this.operator === 'in' || this.operator === 'notin' ? `${s}(${vals})` : s + vals;
  }

  /** metav1.LabelSelectorRequirement form, for `=`/`in`/`notin`/exists/`!`. */
  toLabelSelectorRequirement(): LabelSelectorRequirement | undefined {
    switch (this.operator) {
      case '=':
      case '==':
      case 'in':
        return { key: this.key, operator: 'In', values: [...this.values] };
      case '!=':
      case 'notin':
        return { key: this.key, operator: 'NotIn', values: [...this.values] };
      case 'exists':
        return { key: this.key, operator: 'Exists' };
      case '!':
        return { key: this.key, operator: 'DoesNotExist' };
      default:
        return undefined;
    }
  }
}

/** A conjunction of requirements, or Nothing (matches no object). */
export interface Selector {
  matches(labels: Labels | undefined | null): boolean;
  /** True when it selects everything. */
  empty(): boolean;
  /** Canonical text, requirements sorted by key. Nothing prints as ''. */
  toString(): string;
  requirements(): readonly Requirement[];
  /** A new selector with more requirements. */
  add(...rs: Requirement[]): Selector;
  /** The value `label` must equal when some requirement is `label=v` or `label in (v)`. */
  requiresExactMatch(label: string): string | undefined;
}

class InternalSelector implements Selector {
  constructor(private readonly reqs: readonly Requirement[]) {}

  matches(labels: Labels | undefined | null): boolean {
    const ls = labels ?? {};
    for (const r of this.reqs) if (!r.matches(ls)) return false;
    return true;
  }
  empty(): boolean {
    return this.reqs.length === 0;
  }
  toString(): string {
    return this.reqs.map((r) => r.toString()).join(',');
  }
  requirements(): readonly Requirement[] {
    return this.reqs;
  }
  add(...rs: Requirement[]): Selector {
    return new InternalSelector(sortByKey([...this.reqs, ...rs]));
  }
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }
}

class NothingSelector implements Selector {
  matches(): boolean {
    return false;
  }
  empty(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
  requirements(): readonly Requirement[] {
    return [];
  }
  add(): Selector {
    return this;
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
}

const EVERYTHING: Selector = new InternalSelector([]);
const NOTHING: Selector = new NothingSelector();

export const everything = (): Selector => EVERYTHING;
export const nothing = (): Selector => NOTHING;

function sortByKey(rs: Requirement[]): Requirement[] {
  // Array.prototype.sort is stable, so equal keys keep their written order.
  return rs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** SelectorFromSet: `k=v` for every entry, without validation (as upstream). */
export function selectorFromSet(set: Labels | undefined | null): Selector {
  if (!set) return EVERYTHING;
  const keys = Object.keys(set);
  if (keys.length === 0) return EVERYTHING;
  return new InternalSelector(sortByKey(keys.map((k) => Requirement.unchecked(k, '=', [set[k]!]))));
}

/** ValidatedSelectorFromSet: as selectorFromSet, but throws SelectorParseError on an invalid key or value. */
export function validatedSelectorFromSet(set: Labels | undefined | null): Selector {
  if (!set) return EVERYTHING;
  const keys = Object.keys(set);
  if (keys.length === 0) return EVERYTHING;
  return new InternalSelector(sortByKey(keys.map((k) => Requirement.create(k, '=', [set[k]!]))));
}

/**
 * LabelSelectorAsSelector: undefined/null selects nothing, `{}` everything; matchLabels become
 * `k=v` and matchExpressions In/NotIn/Exists/DoesNotExist. Throws SelectorParseError.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return NOTHING;
  const ml = ls.matchLabels ?? {};
  const me = ls.matchExpressions ?? [];
  const mlKeys = Object.keys(ml);
  if (mlKeys.length + me.length === 0) return EVERYTHING;
  const reqs: Requirement[] = [];
  for (const k of mlKeys) reqs.push(Requirement.create(k, '=', [ml[k]!]));
  for (const expr of me) {
    let op: Operator;
    switch (expr.operator) {
      case 'In':
        op = 'in';
        break;
      case 'NotIn':
        op = 'notin';
        break;
      case 'Exists':
        op = 'exists';
        break;
      case 'DoesNotExist':
        op = '!';
        break;
      default:
        throw new SelectorParseError(`${JSON.stringify(expr.operator ?? '')} is not a valid label selector operator`);
    }
    reqs.push(Requirement.create(expr.key, op, expr.values ?? []));
  }
  return new InternalSelector(sortByKey(reqs));
}

/** FormatLabelSelector: the SELECTOR column text; `<none>` when empty or nil, `<error>` when invalid. */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch {
    return '<error>';
  }
  return s.length ? s : '<none>';
}

/** labels.Set.String(): `k=v` pairs sorted by key, comma-joined. */
export function labelsToString(ls: Labels | undefined | null): string {
  if (!ls) return '';
  return Object.keys(ls)
    .sort()
    .map((k) => `${k}=${ls[k]}`)
    .join(',');
}

/** labels.FormatLabels: the LABELS column of `--show-labels`; `<none>` when there are none. */
export function formatLabels(ls: Labels | undefined | null): string {
  const s = labelsToString(ls);
  return s.length ? s : '<none>';
}

/** labels.Conflicts: some key present in both with different values. */
export function labelsConflict(a: Labels, b: Labels): boolean {
  const [small, big] = Object.keys(a).length <= Object.keys(b).length ? [a, b] : [b, a];
  for (const k of Object.keys(small)) {
    if (Object.prototype.hasOwnProperty.call(big, k) && big[k] !== small[k]) return true;
  }
  return false;
}

/** metav1.ParseToLabelSelector: selector text → LabelSelector (matchExpressions only, as upstream). */
export function parseToLabelSelector(s: string): LabelSelector {
  const sel = parseSelector(s);
  const out: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  for (const r of sel.requirements()) {
    const lsr = r.toLabelSelectorRequirement();
    if (!lsr) throw new SelectorParseError(`invalid selector operator`);
    out.matchExpressions!.push(lsr);
  }
  return out;
}

// ---- the string syntax: lexer and parser as upstream labels/selector.go ----

type Token =
  | 'error'
  | 'eos'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

const string2token: Record<string, Token> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean =>
  ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Item {
  tok: Token;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    // Go's lexer reads bytes and treats a NUL byte as the end of the input.
    if (pos >= s.length || s[pos] === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecialSymbol(s[pos]!)) {
      let buffer = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecialSymbol(s[pos]!)) {
        buffer += s[pos];
        const t = string2token[buffer];
        if (t) last = { tok: t, lit: buffer };
        else if (last) break;
        pos++;
      }
      if (!last) {
        items.push({ tok: 'error', lit: `error expected: keyword found '${buffer}'` });
        items.push({ tok: 'eos', lit: '' });
        return items;
      }
      items.push(last);
      continue;
    }
    const start = pos;
    while (pos < s.length && s[pos] !== '\0' && !isSpecialSymbol(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
    const word = s.slice(start, pos);
    const kw = string2token[word];
    items.push({ tok: kw === 'in' || kw === 'notIn' ? kw : 'identifier', lit: word });
  }
}

class Parser {
  private pos = 0;
  constructor(
    private readonly items: Item[],
    private readonly path: Path | undefined,
  ) {}

  /** In the Values context `in`/`notin` are plain identifiers. */
  private lookahead(values: boolean): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)]!;
    if (values && (it.tok === 'in' || it.tok === 'notIn')) return { tok: 'identifier', lit: it.lit };
    return it;
  }

  private consume(values: boolean): Item {
    const it = this.lookahead(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case 'identifier':
        case 'doesNotExist': {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`, { cause: e });
          }
          reqs.push(r);
          const t = this.consume(true);
          if (t.tok === 'eos') return reqs;
          if (t.tok === 'comma') {
            const t2 = this.lookahead(true);
            if (t2.tok !== 'identifier' && t2.tok !== 'doesNotExist') {
              throw new SelectorParseError(`found '${t2.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
        case 'eos':
          return reqs;
        default:
          throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return Requirement.create(key, operator, [], this.path);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    // upstream passes values through a sorted set
    return Requirement.create(key, op, [...values].sort(), this.path);
  }

  private parseKeyAndInferOperator(): { key: string; operator: Operator | undefined } {
    let operator: Operator | undefined;
    let it = this.consume(true);
    if (it.tok === 'doesNotExist') {
      operator = '!';
      it = this.consume(true);
    }
    if (it.tok !== 'identifier') throw new Error(`found '${it.lit}', expected: identifier`);
    const keyErr = labelKeyError(it.lit, this.path);
    if (keyErr) throw new Error(keyErr.toString());
    const t = this.lookahead(true).tok;
    if ((t === 'eos' || t === 'comma') && operator !== '!') operator = 'exists';
    return { key: it.lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      case 'notIn':
        return 'notin';
      case 'notEquals':
        return '!=';
      default:
        throw new Error(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): Set<string> {
    const { tok, lit } = this.consume(true);
    if (tok !== 'openPar') throw new Error(`found '${lit}' expected: '('`);
    const la = this.lookahead(true);
    switch (la.tok) {
      case 'identifier':
      case 'comma': {
        const s = this.parseIdentifiersList();
        if (this.consume(true).tok !== 'closedPar') throw new Error(`found '${la.lit}', expected: ')'`);
        return s;
      }
      case 'closedPar':
        this.consume(true);
        return new Set(['']);
      default:
        throw new Error(`found '${la.lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      switch (tok) {
        case 'identifier': {
          s.add(lit);
          const t2 = this.lookahead(true);
          if (t2.tok === 'comma') continue;
          if (t2.tok === 'closedPar') return s;
          throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
        }
        case 'comma': {
          if (s.size === 0) s.add(''); // "(,"
          const t2 = this.lookahead(true).tok;
          if (t2 === 'closedPar') {
            s.add(''); // ",)"
            return s;
          }
          if (t2 === 'comma') {
            this.consume(true);
            s.add(''); // ",,"
          }
          break;
        }
        default:
          throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const t = this.lookahead(true).tok;
    if (t === 'eos' || t === 'comma') return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === 'identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * labels.Parse: the selector text of `-l` and `?labelSelector=`. Throws SelectorParseError with
 * upstream's message. The empty string selects everything.
 */
export function parseSelector(s: string, path?: Path): Selector {
  const reqs = new Parser(lex(s), path).parse();
  return new InternalSelector(sortByKey(reqs));
}

/** Text of a field error whose path is Go's nil *field.Path (`<nil>`). */
function labelKeyError(key: string, path: Path | undefined): FieldError | undefined {
  const msgs = isQualifiedName(key);
  if (!msgs.length) return undefined;
  return new FieldError('FieldValueInvalid', path ? path.toString() : '<nil>', key, msgs.join('; '));
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several as `[a, b]` without repeats. */
function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}

/** strconv.ParseInt(s, 10, 64) */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

// ---- API validation of metav1.LabelSelector ----

export interface LabelSelectorValidationOptions {
  /** Skip label-value syntax checks in matchExpressions values (for objects stored before the check). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** metav1validation.ValidateLabelSelector */
export function validateLabelSelector(
  ls: LabelSelector | undefined | null,
  path: Path,
  opts: LabelSelectorValidationOptions = {},
): ErrorList {
  const errs: ErrorList = [];
  if (!ls) return errs;
  errs.push(...validateLabels(ls.matchLabels, path.child('matchLabels')));
  (ls.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, path.child('matchExpressions').at(i), opts));
  });
  return errs;
}

/** metav1validation.ValidateLabelSelectorRequirement */
export function validateLabelSelectorRequirement(
  sr: LabelSelectorRequirement,
  path: Path,
  opts: LabelSelectorValidationOptions = {},
): ErrorList {
  const errs: ErrorList = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), sr.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key ?? '', path.child('key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(path.child('values').at(i), v, m));
    });
  }
  return errs;
}
