// Pod addresses of one simulated node, from its spec.podCIDR (host-local IPAM's behaviour: the
// network address and the first host address, the bridge gateway, are never handed out).

/** IPv4 text → 32-bit unsigned number, or undefined when malformed. */
export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Allocates addresses of one IPv4 CIDR: next-fit, so a freed address is reused last. */
export class PodIPAllocator {
  readonly cidr: string;
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private cursor: number;

  private constructor(cidr: string, first: number, last: number) {
    this.cidr = cidr;
    this.first = first;
    this.last = last;
    this.cursor = first;
  }

  /** An allocator for `cidr` (`10.42.3.0/24`), or undefined when it is not an IPv4 CIDR. */
  static forCIDR(cidr: string): PodIPAllocator | undefined {
    const [addr, bits] = cidr.split('/');
    const base = parseIPv4(addr ?? '');
    const prefix = Number(bits);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    const network = prefix === 0 ? 0 : base - (base % size);
    // Skip the network address, the gateway (.1) and the broadcast address when there is room.
    if (size >= 8) return new PodIPAllocator(cidr, network + 2, network + size - 2);
    return new PodIPAllocator(cidr, network, network + size - 1);
  }

  /** The next free address, or undefined when the range is full. */
  allocate(): string | undefined {
    const span = this.last - this.first + 1;
    if (this.used.size >= span) return undefined;
    for (let i = 0; i < span; i++) {
      const n = this.cursor;
      this.cursor = n >= this.last ? this.first : n + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return formatIPv4(n);
      }
    }
    return undefined;
  }

  /** Marks an address as taken (a pod that already reports it); false when outside the range or taken. */
  claim(ip: string): boolean {
    const n = parseIPv4(ip);
    if (n === undefined || n < this.first || n > this.last || this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n !== undefined) this.used.delete(n);
  }

  get allocated(): number {
    return this.used.size;
  }
}
