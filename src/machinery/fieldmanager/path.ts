// Field paths as structured-merge-diff writes them: a path element is a field name (`f:`), the
// key fields of an associative-list element (`k:`), the value of a set element (`v:`) or an
// index (`i:`). Elements have a total order (fields < keys < values < indexes) that fixes the
// order of FieldsV1 and of conflict lists, and a human form (`.spec.containers[name="nginx"]`).

export type PathElement =
  | { readonly f: string }
  | { readonly k: readonly KeyField[] }
  | { readonly v: unknown }
  | { readonly i: number };

/** One key field of an associative-list element; a key's fields are sorted by name. */
export interface KeyField {
  readonly name: string;
  readonly value: unknown;
}

export type Path = readonly PathElement[];

export class FieldPathError extends Error {
  readonly code = 'INVALID_FIELD_PATH';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldPathError';
  }
}

function cmpString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (typeof v === 'object' && v !== null) return 4;
  return 5; // null
}

/** Upstream value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return cmpString(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 4: {
      // Maps compare as their sorted key/value lists.
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort();
      const ky = Object.keys(y).sort();
      for (let i = 0; i < kx.length && i < ky.length; i++) {
        const c = cmpString(kx[i]!, ky[i]!) || compareValues(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length === ky.length ? 0 : kx.length < ky.length ? -1 : 1;
    }
    default:
      return 0;
  }
}

export function compareKeys(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = cmpString(a[i]!.name, b[i]!.name) || compareValues(a[i]!.value, b[i]!.value);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function kindRank(pe: PathElement): number {
  if ('f' in pe) return 0;
  if ('k' in pe) return 1;
  if ('v' in pe) return 2;
  return 3;
}

/** Upstream PathElement.Compare. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('f' in a) return cmpString(a.f, (b as { f: string }).f);
  if ('k' in a) return compareKeys(a.k, (b as { k: readonly KeyField[] }).k);
  if ('v' in a) return compareValues(a.v, (b as { v: unknown }).v);
  const x = a.i;
  const y = (b as { i: number }).i;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped; object keys as given. */
export function goJSON(v: unknown): string {
  const s = JSON.stringify(v === undefined ? null : v);
  return GO_ESCAPED.test(s) ? s.replace(GO_ESCAPED_ALL, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : s;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;

/** The serialized form used as a FieldsV1 key: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`. */
export function serializePathElement(pe: PathElement): string {
  if ('f' in pe) return `f:${pe.f}`;
  if ('k' in pe) {
    let out = 'k:{';
    for (let i = 0; i < pe.k.length; i++) {
      const kf = pe.k[i]!;
      if (i > 0) out += ',';
      out += goJSON(kf.name) + ':' + goJSON(kf.value);
    }
    return out + '}';
  }
  if ('v' in pe) return `v:${goJSON(pe.v)}`;
  return `i:${pe.i}`;
}

/** Parses a FieldsV1 key; undefined for an unknown element type (upstream ignores those). */
export function deserializePathElement(s: string): PathElement | undefined {
  if (s.length < 2) throw new FieldPathError('key must be 2 characters long:');
  if (s[1] !== ':') throw new FieldPathError(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { f: body };
    case 'v':
      return { v: parseJSON(body) };
    case 'k': {
      const obj = parseJSON(body);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new FieldPathError(`invalid key element: ${s}`);
      const k = Object.entries(obj as Record<string, unknown>)
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => cmpString(a.name, b.name));
      return { k };
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body)) throw new FieldPathError(`invalid index: ${s}`);
      return { i: Number(body) };
    }
    default:
      return undefined;
  }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new FieldPathError(`invalid JSON in path element: ${text}`, { cause });
  }
}

/** Go's strconv.Quote for the human form of paths. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0xfffd || /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) out += ch;
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** Upstream value.ToString, used in the human form of keys and set values. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}=${valueToString(x)}`)
    .join('');
}

export function pathElementString(pe: PathElement): string {
  if ('f' in pe) return `.${pe.f}`;
  if ('k' in pe) return `[${pe.k.map((kf) => `${kf.name}=${valueToString(kf.value)}`).join(',')}]`;
  if ('v' in pe) return `[=${valueToString(pe.v)}]`;
  return `[${pe.i}]`;
}

/** `.spec.template.spec.containers[name="nginx"].image`, as conflict messages print paths. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join('');
}
