// The pod-template-hash (upstream controller.ComputeHash + rand.SafeEncodeString): FNV-1a 32-bit
// over the template, then over the collision count when there is one, printed in decimal and
// re-spelled in an alphabet without vowels so it never forms words and is a valid label value.
// Upstream hashes Go's spew dump of the struct; we hash a canonical JSON form of the template
// (keys sorted, empty values dropped), so equal templates always give equal hashes.

/** Upstream's SafeEncodeString alphabet: no vowels, no 0/1/3 (look like letters). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const FNV_OFFSET_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/** FNV-1a 32-bit, continuing from `hash` (start with FNV_OFFSET_32). */
export function fnv1a(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME_32) >>> 0;
  }
  return h >>> 0;
}

/**
 * The value with object keys sorted and null, empty arrays and empty objects removed — the
 * JSON counterpart of apimachinery's semantic equality, where nil and empty maps and slices
 * are equal.
 */
export function canonicalize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(canonicalize).map((x) => (x === undefined ? null : x));
    return out.length ? out : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonicalize((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null) return undefined;
  return v;
}

/** FNV-1a 32-bit of a string's UTF-8 bytes (Go's hash/fnv New32a). */
export function fnv32a(s: string): number {
  return fnv1a(FNV_OFFSET_32, new TextEncoder().encode(s));
}

/** Canonical JSON text of a value (see canonicalize). */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(canonicalize(v) ?? null);
}

/** rand.SafeEncodeString: every character mapped by its code into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** controller.ComputeHash: the pod-template-hash of a template for a given collision count. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a(FNV_OFFSET_32, new TextEncoder().encode(canonicalJSON(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    // Upstream writes an 8-byte buffer of which only the first 4 hold the little-endian count.
    const buf = new Uint8Array(8);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(h, buf);
  }
  return safeEncodeString(String(h));
}
