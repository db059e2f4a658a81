// The YAML text gnostic stores in `Any.yaml` for vendor extensions, defaults, enums and
// examples: block style, as yaml.v3 marshals a node with its styles cleared. Readers (kubectl's
// kube-openapi `VendorExtensionToMap`) only unmarshal it, so what matters is that it parses back
// to the same value; strings are quoted whenever a plain scalar could mean anything else.

const PLAIN = /^[A-Za-z_/][\w./-]*$/;
// YAML 1.1 words that a plain scalar would turn into booleans or null (yaml.v2 readers).
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
// JSON leaves these unescaped; YAML double-quoted scalars must not carry them raw.
const UNPRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

function quote(s: string): string {
  if (PLAIN.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The inline text of a scalar or an empty collection; undefined for a non-empty collection. */
function inline(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
      return Object.keys(value).length === 0 ? '{}' : undefined;
    default:
      return 'null';
  }
}

function block(value: object, indent: string): string {
  let out = '';
  const nested = `${indent}  `;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const s = inline(item);
      if (s !== undefined) out += `${indent}- ${s}\n`;
      // A collection item: its first line carries the dash in place of the indentation.
      else out += `${indent}- ${block(item as object, nested).slice(nested.length)}`;
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const s = inline(v);
    out += s !== undefined ? `${indent}${quote(k)}: ${s}\n` : `${indent}${quote(k)}:\n${block(v as object, nested)}`;
  }
  return out;
}

/** A JSON value as YAML text ending in a newline. */
export function toYAMLText(value: unknown): string {
  const s = inline(value);
  return s !== undefined ? `${s}\n` : block(value as object, '');
}
