// A set of field paths as a tree (upstream fieldpath.Set): at each level, the path elements that
// are members of the set, and the children under which longer paths continue. A path element can
// be both (`".": {}` in FieldsV1). Levels are keyed by the serialized element, so set algebra is
// linear; order is imposed only when iterating or serializing.

import { comparePathElements, serializePathElement, type Path, type PathElement } from './path.js';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

function byElement<T extends { pe: PathElement }>(a: T, b: T): number {
  return comparePathElements(a.pe, b.pe);
}

export class FieldSet {
  /** Path elements that are members at this level, by serialized form. */
  readonly members = new Map<string, PathElement>();
  /** Subsets under a path element, by serialized form. */
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]!);
    const last = path[path.length - 1]!;
    s.members.set(serializePathElement(last), last);
  }

  /**
   * Inserts a path whose elements' serialized forms are already known (`keys[i]` is
   * serializePathElement(`path[i]`)); only the first `length` elements are used.
   */
  insertKeyed(path: Path, keys: readonly string[], length: number = path.length): void {
    if (length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < length - 1; i++) s = s.descendKeyed(path[i]!, keys[i]!);
    const key = keys[length - 1]!;
    s.members.set(key, path[length - 1]!);
  }

  /** The subset under `pe`, created if absent. */
  descend(pe: PathElement): FieldSet {
    return this.descendKeyed(pe, serializePathElement(pe));
  }

  /** {@link descend} with the element's serialized form already known. */
  descendKeyed(pe: PathElement, key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(key, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      s = s.children.get(serializePathElement(path[i]!))?.set;
      if (!s) return false;
    }
    return s.members.has(serializePathElement(path[path.length - 1]!));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  /** The subset under `pe` (empty when there is none). Do not mutate the result. */
  withPrefix(pe: PathElement): FieldSet {
    return this.withPrefixKey(serializePathElement(pe));
  }

  /** {@link withPrefix} by the element's serialized form. Do not mutate the result. */
  withPrefixKey(key: string): FieldSet {
    return this.children.get(key)?.set ?? EMPTY;
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  /** Number of paths in the set. */
  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.copy() });
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.children.set(k, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const r = c.set.intersection(o.set);
      if (!r.empty()) out.children.set(k, { pe: c.pe, set: r });
    }
    return out;
  }

  /** Paths of this set not in `other` (a member of `other` does not remove this set's longer paths). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) {
        out.children.set(k, c);
        continue;
      }
      const d = c.set.difference(o.set);
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes every longer path under it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      if (!o) {
        out.children.set(k, c);
        continue;
      }
      const d = c.set.recursiveDifference(o.set);
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.size !== other.members.size) return false;
    for (const k of this.members.keys()) if (!other.members.has(k)) return false;
    // Empty children count as absent on either side.
    let mine = 0;
    for (const [k, c] of this.children) {
      if (c.set.empty()) continue;
      mine++;
      const o = other.children.get(k);
      if (!o || !c.set.equals(o.set)) return false;
    }
    let theirs = 0;
    for (const c of other.children.values()) if (!c.set.empty()) theirs++;
    return mine === theirs;
  }

  /** Members of this level in upstream order. */
  sortedMembers(): PathElement[] {
    return [...this.members.values()].sort(comparePathElements);
  }

  /** Non-empty children of this level in upstream order. */
  sortedChildren(): Child[] {
    return [...this.children.values()].filter((c) => !c.set.empty()).sort(byElement);
  }

  /** Every path, as upstream iterates: this level's members first, then each child's paths. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      for (const pe of s.sortedMembers()) out.push([...prefix, pe]);
      for (const c of s.sortedChildren()) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }
}

const EMPTY = new FieldSet();
