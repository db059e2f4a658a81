// An ordered string-keyed map for the watch cache: a sorted list of chunks (each a sorted run
// of at most `maxChunk` keys with their values). Lookup and insert/delete cost a binary search
// over the chunks plus a splice inside one chunk (O(log n + maxChunk)), and a chunk split or
// merge now and then (one splice of the chunk list); iteration in key order from any key is a
// plain walk over arrays, as fast as over one sorted array.

interface Chunk<V> {
  keys: string[];
  values: V[];
}

/** First index in the sorted array whose element is >= key. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;

  constructor(private readonly maxChunk = 512) {
    if (maxChunk < 4) throw new Error('SortedMap chunks hold at least 4 keys');
  }

  /**
   * Builds the map in O(n) from entries sorted by key. Entries in another order (a database
   * collating by UTF-8 bytes differs from JavaScript's UTF-16 order above U+FFFF) are sorted
   * first; of duplicate keys the last wins.
   */
  static fromSorted<V>(keys: readonly string[], values: readonly V[], maxChunk = 512): SortedMap<V> {
    const m = new SortedMap<V>(maxChunk);
    for (let i = 1; i < keys.length; i++) {
      if (!(keys[i - 1]! < keys[i]!)) {
        for (let j = 0; j < keys.length; j++) m.set(keys[j]!, values[j]!);
        return m;
      }
    }
    const fill = Math.max(1, maxChunk >>> 1);
    for (let i = 0; i < keys.length; i += fill) {
      m.chunks.push({ keys: keys.slice(i, i + fill), values: values.slice(i, i + fill) });
    }
    m.count = keys.length;
    return m;
  }

  get size(): number {
    return this.count;
  }

  /** Index of the chunk that holds `key` or would receive it: the last whose first key <= key. */
  private chunkFor(key: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunks[mid]!.keys[0]! <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : lo - 1;
  }

  get(key: string): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunks[this.chunkFor(key)]!;
    const i = lowerBound(c.keys, key);
    return c.keys[i] === key ? c.values[i] : undefined;
  }

  has(key: string): boolean {
    if (this.count === 0) return false;
    const c = this.chunks[this.chunkFor(key)]!;
    return c.keys[lowerBound(c.keys, key)] === key;
  }

  /** Inserts or replaces; true when the key is new. */
  set(key: string, value: V): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], values: [value] });
      this.count = 1;
      return true;
    }
    const ci = this.chunkFor(key);
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    if (c.keys[i] === key) {
      c.values[i] = value;
      return false;
    }
    c.keys.splice(i, 0, key);
    c.values.splice(i, 0, value);
    this.count++;
    if (c.keys.length > this.maxChunk) {
      const half = c.keys.length >>> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), values: c.values.splice(half) });
    }
    return true;
  }

  /** Removes the key; true when it was there. */
  delete(key: string): boolean {
    if (this.count === 0) return false;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    if (c.keys[i] !== key) return false;
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) {
      this.chunks.splice(ci, 1);
    } else if (c.keys.length < this.maxChunk >>> 2) {
      // Merge a small chunk into a neighbour so the chunk list stays about n / (maxChunk / 2).
      const ni = ci + 1 < this.chunks.length ? ci + 1 : ci - 1;
      const n = this.chunks[ni];
      if (n && n.keys.length + c.keys.length <= this.maxChunk) {
        const [first, second] = ni > ci ? [c, n] : [n, c];
        first.keys.push(...second.keys);
        first.values.push(...second.values);
        this.chunks.splice(Math.max(ci, ni), 1);
      }
    }
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }

  /**
   * Calls `fn` for each entry with from <= key < to (to undefined = no bound), in key order,
   * until it returns false. The map must not be modified meanwhile.
   */
  forEachInRange(from: string, to: string | undefined, fn: (key: string, value: V) => boolean | void): void {
    if (this.count === 0) return;
    const chunks = this.chunks;
    let ci = this.chunkFor(from);
    let i = lowerBound(chunks[ci]!.keys, from);
    for (; ci < chunks.length; ci++, i = 0) {
      const { keys, values } = chunks[ci]!;
      for (; i < keys.length; i++) {
        const k = keys[i]!;
        if (to !== undefined && k >= to) return;
        if (fn(k, values[i]!) === false) return;
      }
    }
  }

  /** Number of keys with from <= key < to (to undefined = no bound), without visiting them. */
  countInRange(from: string, to: string | undefined): number {
    return (to === undefined ? this.count : this.rank(to)) - this.rank(from);
  }

  /** Number of keys < key: whole chunks are counted by size (O(n / maxChunk) additions). */
  private rank(key: string): number {
    if (this.count === 0) return 0;
    const ci = this.chunkFor(key);
    let n = 0;
    for (let j = 0; j < ci; j++) n += this.chunks[j]!.keys.length;
    return n + lowerBound(this.chunks[ci]!.keys, key);
  }

  /** Every key in order (tests, diagnostics). */
  keys(): string[] {
    const out: string[] = [];
    for (const c of this.chunks) for (const k of c.keys) out.push(k);
    return out;
  }
}
