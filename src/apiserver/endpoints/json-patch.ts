// JSON patch, RFC 6902, with error texts in the style of the json-patch library upstream uses
// (evanphx/json-patch), which the API server passes to clients.

export class JSONPatchError extends Error {
  readonly code = 'JSONPatchError';
  constructor(message: string) {
    super(message);
    this.name = 'JSONPatchError';
  }
}

export interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string, op: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JSONPatchError(`error in ${op} for path: '${path}': invalid JSON pointer`);
  return path.slice(1).split('/').map(unescape);
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** The parent container of the pointer's last token, and that token. */
function locate(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (Array.isArray(cur)) {
      const idx = arrayIndex(t, cur.length - 1, op, path);
      cur = cur[idx];
    } else if (isContainer(cur) && Object.prototype.hasOwnProperty.call(cur, t)) {
      cur = (cur as Record<string, unknown>)[t];
    } else {
      throw new JSONPatchError(`error in ${op} for path: '${path}': missing value`);
    }
  }
  if (!isContainer(cur)) throw new JSONPatchError(`error in ${op} for path: '${path}': missing value`);
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function arrayIndex(token: string, max: number, op: string, path: string): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JSONPatchError(`error in ${op} for path: '${path}': Unable to access invalid index: ${token}: invalid index referenced`);
  const n = Number(token);
  if (n > max) throw new JSONPatchError(`error in ${op} for path: '${path}': Unable to access invalid index: ${n}: invalid index referenced`);
  return n;
}

function get(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path, op);
  if (tokens.length === 0) return doc;
  const { parent, key } = locate(doc, tokens, op, path);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length - 1, op, path)];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new JSONPatchError(`error in ${op} for path: '${path}': missing value`);
  return parent[key];
}

function add(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path, op);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : arrayIndex(key, parent.length, op, path);
    parent.splice(idx, 0, value);
  } else parent[key] = value;
  return doc;
}

function remove(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path, op);
  if (tokens.length === 0) throw new JSONPatchError(`error in ${op} for path: '${path}': Unable to remove the whole document`);
  const { parent, key } = locate(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1, op, path), 1);
  else {
    if (!Object.prototype.hasOwnProperty.call(parent, key)) {
      throw new JSONPatchError(`error in ${op} for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`);
    }
    delete parent[key];
  }
  return doc;
}

function replace(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path, 'replace');
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, 'replace', path);
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length - 1, 'replace', path)] = value;
  else {
    if (!Object.prototype.hasOwnProperty.call(parent, key)) {
      throw new JSONPatchError(`error in replace for path: '${path}': Unable to replace nonexistent key: ${key}: missing value`);
    }
    parent[key] = value;
  }
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Applies `ops` to a copy of `doc`. Throws JSONPatchError on the first failing operation. */
export function applyJSONPatch(doc: unknown, ops: readonly Operation[]): unknown {
  let out: unknown = structuredClone(doc);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        if (!('value' in o)) throw new JSONPatchError(`error in add for path: '${o.path}': missing value`);
        out = add(out, o.path, structuredClone(o.value));
        break;
      case 'remove':
        out = remove(out, o.path);
        break;
      case 'replace':
        if (!('value' in o)) throw new JSONPatchError(`error in replace for path: '${o.path}': missing value`);
        out = replace(out, o.path, structuredClone(o.value));
        break;
      case 'move': {
        if (typeof o.from !== 'string') throw new JSONPatchError(`error in move for path: '${o.path}': missing from`);
        const v = get(out, o.from, 'move');
        out = remove(out, o.from, 'move');
        out = add(out, o.path, v, 'move');
        break;
      }
      case 'copy': {
        if (typeof o.from !== 'string') throw new JSONPatchError(`error in copy for path: '${o.path}': missing from`);
        out = add(out, o.path, structuredClone(get(out, o.from, 'copy')), 'copy');
        break;
      }
      case 'test': {
        let actual: unknown;
        try {
          actual = get(out, o.path, 'test');
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, o.value)) throw new JSONPatchError(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw new JSONPatchError(`Unexpected kind: ${o.op}`);
    }
  }
  return out;
}
