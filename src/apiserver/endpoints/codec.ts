// Content negotiation and body decoding: which representation a client asked for (JSON, YAML,
// a meta.k8s.io Table, PartialObjectMetadata) and how to read a request body.

import { parseDocument } from 'yaml';
import { StatusError, newBadRequest, newNotAcceptable, newUnsupportedMediaType } from '../../machinery/errors.js';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export type Output =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  const out: MediaType[] = [];
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    out.push({ type: type.toLowerCase(), params: p });
  }
  // q-values: stable sort by q descending (absent = 1).
  return out
    .map((m, i) => ({ m, i, q: m.params.q === undefined ? 1 : Number(m.params.q) }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .filter((x) => x.q > 0)
    .map((x) => x.m);
}

const JSONISH = new Set(['application/json', 'application/*', '*/*']);

/** Picks the response representation from an Accept header, as upstream's negotiation does. */
export function negotiateOutput(accept: string | undefined, allowTransforms: boolean): Output {
  const types = parseMediaTypes(accept);
  if (types.length === 0) return { kind: 'json' };
  for (const t of types) {
    if (t.params.as) {
      if (!allowTransforms) continue;
      const g = t.params.g;
      const v = t.params.v;
      if (t.type !== 'application/json' || g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
      if (t.params.as === 'Table') return { kind: 'table', version: v };
      if (t.params.as === 'PartialObjectMetadata') return { kind: 'partial', version: v, list: false };
      if (t.params.as === 'PartialObjectMetadataList') return { kind: 'partial', version: v, list: true };
      continue;
    }
    if (JSONISH.has(t.type)) return { kind: 'json' };
    if (t.type === 'application/yaml') return { kind: 'yaml' };
  }
  throw newNotAcceptable(`only the following media types are accepted: application/json, application/yaml`);
}

export type BodyType = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

const BODY_TYPES: Record<string, BodyType> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'application/vnd.kubernetes.protobuf': 'protobuf',
  'application/json-patch+json': 'json-patch',
  'application/merge-patch+json': 'merge-patch',
  'application/strategic-merge-patch+json': 'strategic-merge-patch',
  'application/apply-patch+yaml': 'apply-patch',
};

export function bodyTypeOf(contentType: string | undefined, allowed: readonly BodyType[]): BodyType {
  const t = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const bt = BODY_TYPES[t];
  if (!bt || !allowed.includes(bt)) {
    const accepted = Object.entries(BODY_TYPES)
      .filter(([, v]) => allowed.includes(v))
      .map(([k]) => k);
    throw newUnsupportedMediaType(accepted);
  }
  return bt;
}

/** Deepest nesting a request body may have; real objects stay far below (CRD schemas ~100). */
export const MAX_NESTING_DEPTH = 1000;

/**
 * Whether JSON (or flow-style YAML) text nests deeper than MAX_NESTING_DEPTH. Each level opens
 * with a bracket of its own, so only a longer text can: most bodies are not scanned at all.
 */
export function nestsTooDeep(text: string): boolean {
  return text.length > MAX_NESTING_DEPTH && nestingDepth(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH;
}

/** Bracket nesting depth of JSON (or flow-style YAML) text, ignoring brackets inside strings. */
export function nestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let quote = 0; // the code of the open string's quote character, 0 outside strings
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92 /* backslash */ && quote === 34) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 34 /* " */) quote = 34;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return max;
}

/**
 * Whether JSON text may hold a duplicate object key, decided without building paths or sets:
 * JSON.parse keeps one entry per key, so the text has duplicates exactly when it names more keys
 * (strings followed by ':') than the parsed value holds. `parsed` must be JSON.parse(text),
 * unmodified.
 */
export function mayHaveDuplicateKeys(text: string, parsed: unknown): boolean {
  let tokens = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) !== 34 /* " */) continue;
    // The string's end: the next quote not escaped by an odd run of backslashes.
    let j = i + 1;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q < 0) return true;
      let bs = 0;
      for (let k = q - 1; k > i && text.charCodeAt(k) === 92; k--) bs++;
      j = q;
      if (bs % 2 === 0) break;
      j = q + 1;
    }
    let k = j + 1;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      k++;
    }
    if (text.charCodeAt(k) === 58 /* : */) tokens++;
    i = j;
  }
  return tokens !== countKeys(parsed);
}

function countKeys(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += countKeys(x);
    return n;
  }
  for (const k of Object.keys(v)) n += 1 + countKeys((v as Record<string, unknown>)[k]);
  return n;
}

/** Parses JSON or YAML into a plain value. Errors are 400s worded as upstream's decoder. */
export function parseBody(text: string, type: 'json' | 'yaml'): unknown {
  if (nestsTooDeep(text)) {
    throw newBadRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  }
  if (type === 'json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw newBadRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) throw newBadRequest(`error converting YAML to JSON: yaml: ${doc.errors[0]!.message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
    // A self-referencing alias builds a cycle, which JSON (and upstream's YAML→JSON step) cannot express.
    JSON.stringify(value);
  } catch (e) {
    throw newBadRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { StatusError };
