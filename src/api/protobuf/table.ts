// The protobuf fact table (fields.json, written by scripts/extract-proto-fields.mjs from the
// upstream Go struct tags), compiled on first use into field lookups by number.
import raw from './fields.json' with { type: 'json' };

export type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'float32' | 'float64' | 'bytes';

/** A Go type as it appears on the wire. */
export type Shape =
  | { readonly k: 'scalar'; readonly s: Scalar }
  | { readonly k: 'ptr'; readonly elem: Shape }
  | { readonly k: 'list'; readonly elem: Shape }
  | { readonly k: 'map'; readonly key: Shape; readonly value: Shape }
  /** A struct, a named-slice wrapper message or a special type, by package-qualified name. */
  | { readonly k: 'ref'; readonly name: string };

export interface Field {
  /** JSON name; '' for inline fields. */
  readonly json: string;
  readonly number: number;
  readonly shape: Shape;
  readonly omitempty: boolean;
  /** Embedded struct: a nested message on the wire, its fields promoted into the parent in JSON. */
  readonly inline: boolean;
}

export type TypeInfo =
  | { readonly k: 'struct'; readonly name: string; readonly fields: readonly Field[]; readonly byNumber: ReadonlyMap<number, number> }
  /** `type ExtraValue []string`: a message {1: repeated items} that is a JSON array. */
  | { readonly k: 'wrapper'; readonly name: string; readonly elem: Shape }
  /** Hand-decoded: Time, MicroTime, Duration, FieldsV1, Quantity, IntOrString, RawExtension, JSON. */
  | { readonly k: 'special'; readonly name: string };

type RawField = [string, number, string] | [string, number, string, string];

interface RawTable {
  special: string[];
  kinds: Record<string, string[]>;
  types: Record<string, RawField[] | string>;
}

const TABLE = raw as unknown as RawTable;
const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'float32', 'float64', 'bytes']);
const SPECIAL = new Set(TABLE.special);

const shapeCache = new Map<string, Shape>();

/** Parses a shape string of the table (`*int32`, `[]core/v1.Container`, `map[string]bytes`). */
export function parseShape(s: string): Shape {
  const cached = shapeCache.get(s);
  if (cached) return cached;
  let out: Shape;
  if (s.startsWith('*')) out = { k: 'ptr', elem: parseShape(s.slice(1)) };
  else if (s.startsWith('[]')) out = { k: 'list', elem: parseShape(s.slice(2)) };
  else if (s.startsWith('map[')) {
    const close = s.indexOf(']');
    out = { k: 'map', key: parseShape(s.slice(4, close)), value: parseShape(s.slice(close + 1)) };
  } else if (SCALARS.has(s)) out = { k: 'scalar', s: s as Scalar };
  else if (s in TABLE.types || SPECIAL.has(s)) out = { k: 'ref', name: s };
  else throw new Error(`protobuf table: unknown type ${s}`);
  shapeCache.set(s, out);
  return out;
}

const typeCache = new Map<string, TypeInfo>();

/** The compiled type of a package-qualified name (`core/v1.ConfigMap`), or undefined. */
export function typeInfo(name: string): TypeInfo | undefined {
  const cached = typeCache.get(name);
  if (cached) return cached;
  let out: TypeInfo;
  if (SPECIAL.has(name)) out = { k: 'special', name };
  else {
    const t = TABLE.types[name];
    if (t === undefined) return undefined;
    if (typeof t === 'string') {
      const list = parseShape(t);
      if (list.k !== 'list') throw new Error(`protobuf table: wrapper ${name} is not a slice`);
      out = { k: 'wrapper', name, elem: list.elem };
    } else {
      const fields = t.map(([json, number, shape, flags = '']): Field => ({
        json,
        number,
        shape: parseShape(shape),
        omitempty: flags.includes('o'),
        inline: flags.includes('i'),
      }));
      out = { k: 'struct', name, fields, byNumber: new Map(fields.map((f, i) => [f.number, i])) };
    }
  }
  typeCache.set(name, out);
  return out;
}

/** API group → package key of the table. */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  '': 'core',
  apps: 'apps',
  extensions: 'extensions',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  'rbac.authorization.k8s.io': 'rbac',
  'networking.k8s.io': 'networking',
  'discovery.k8s.io': 'discovery',
  'coordination.k8s.io': 'coordination',
  'events.k8s.io': 'events',
  'storage.k8s.io': 'storage',
  'scheduling.k8s.io': 'scheduling',
  'node.k8s.io': 'node',
  'certificates.k8s.io': 'certificates',
  'admissionregistration.k8s.io': 'admissionregistration',
  'apiextensions.k8s.io': 'apiextensions',
  'authentication.k8s.io': 'authentication',
  'authorization.k8s.io': 'authorization',
  'meta.k8s.io': 'meta',
};

/**
 * The table type of a kind at a group/version, as the scheme registers it: the group's own
 * kinds, then the meta/v1 kinds every group/version carries (DeleteOptions, Status, …).
 */
export function kindType(group: string, version: string, kind: string): string | undefined {
  const pkg = GROUP_PACKAGES[group];
  if (pkg === undefined) return undefined;
  const key = `${pkg}/${version}`;
  if (TABLE.kinds[key]?.includes(kind)) return `${key}.${kind}`;
  if (TABLE.kinds['meta/v1']?.includes(kind)) return `meta/v1.${kind}`;
  return undefined;
}

