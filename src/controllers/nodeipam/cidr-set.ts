// The pod CIDR pool of one cluster CIDR (upstream pkg/controller/nodeipam/ipam/cidrset): the
// cluster range cut into subnets of the node mask size, one bit each, handed out round-robin
// from the last allocation so a released range is not reused at once.

export class CIDRSetError extends Error {
  constructor(
    readonly code: 'CIDRRangeFull' | 'InvalidCIDR' | 'OutOfRange',
    message: string,
  ) {
    super(message);
    this.name = 'CIDRSetError';
  }
}

/** Upstream refuses more than 2^16 subnets per cluster CIDR (clusterSubnetMaxDiff). */
const MAX_SUBNET_BITS = 16;

export interface ParsedCIDR {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** Parses an IPv4 CIDR, masking host bits (net.ParseCIDR's network). */
export function parseIPv4CIDR(cidr: string): ParsedCIDR {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new CIDRSetError('InvalidCIDR', `invalid CIDR address: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new CIDRSetError('InvalidCIDR', `invalid CIDR address: ${cidr}`);
  const ip = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function formatIPv4CIDR(base: number, prefix: number): string {
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}

export class CIDRSet {
  readonly cluster: ParsedCIDR;
  readonly nodeMaskSize: number;
  readonly maxCIDRs: number;
  private readonly bits: Uint32Array;
  private used = 0;
  private nextCandidate = 0;

  constructor(clusterCIDR: string, nodeMaskSize: number) {
    this.cluster = parseIPv4CIDR(clusterCIDR);
    if (nodeMaskSize < this.cluster.prefix || nodeMaskSize > 32) {
      throw new CIDRSetError('InvalidCIDR', `node CIDR mask size ${nodeMaskSize} must be between the cluster CIDR's (${this.cluster.prefix}) and 32`);
    }
    const diff = nodeMaskSize - this.cluster.prefix;
    if (diff > MAX_SUBNET_BITS) {
      throw new CIDRSetError('InvalidCIDR', `a cluster CIDR /${this.cluster.prefix} with node mask /${nodeMaskSize} gives more than 2^${MAX_SUBNET_BITS} subnets`);
    }
    this.nodeMaskSize = nodeMaskSize;
    this.maxCIDRs = 2 ** diff;
    this.bits = new Uint32Array(Math.ceil(this.maxCIDRs / 32));
  }

  get allocatedCount(): number {
    return this.used;
  }

  cidrAt(index: number): string {
    return formatIPv4CIDR((this.cluster.base + index * 2 ** (32 - this.nodeMaskSize)) >>> 0, this.nodeMaskSize);
  }

  isSet(index: number): boolean {
    return (this.bits[index >>> 5]! & (1 << (index & 31))) !== 0;
  }

  private set(index: number): void {
    if (this.isSet(index)) return;
    this.bits[index >>> 5]! |= 1 << (index & 31);
    this.used++;
  }

  private clear(index: number): void {
    if (!this.isSet(index)) return;
    this.bits[index >>> 5]! &= ~(1 << (index & 31));
    this.used--;
  }

  /** The next free subnet, as its index; throws CIDRRangeFull when none is left. */
  allocateNext(): number {
    if (this.used >= this.maxCIDRs) throw new CIDRSetError('CIDRRangeFull', 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
    for (let n = 0; n < this.maxCIDRs; n++) {
      const i = (this.nextCandidate + n) % this.maxCIDRs;
      // Skip whole full words quickly.
      if ((i & 31) === 0 && this.bits[i >>> 5] === 0xffffffff && i + 32 <= this.maxCIDRs) {
        n += 31;
        continue;
      }
      if (!this.isSet(i)) {
        this.set(i);
        this.nextCandidate = (i + 1) % this.maxCIDRs;
        return i;
      }
    }
    throw new CIDRSetError('CIDRRangeFull', 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
  }

  /**
   * The subnet indices a CIDR covers (any size: a larger one covers several subnets, a smaller
   * one the subnet it lies in); throws OutOfRange when it does not overlap the cluster CIDR.
   */
  indicesOf(cidr: string): { begin: number; end: number } {
    const c = parseIPv4CIDR(cidr);
    const clusterEnd = this.cluster.base + 2 ** (32 - this.cluster.prefix) - 1;
    const cEnd = c.base + 2 ** (32 - c.prefix) - 1;
    if (cEnd < this.cluster.base || c.base > clusterEnd) {
      throw new CIDRSetError('OutOfRange', `cidr ${cidr} is out the range of cluster cidr ${formatIPv4CIDR(this.cluster.base, this.cluster.prefix)}`);
    }
    const size = 2 ** (32 - this.nodeMaskSize);
    const from = Math.max(c.base, this.cluster.base);
    const to = Math.min(cEnd, clusterEnd);
    return { begin: Math.floor((from - this.cluster.base) / size), end: Math.floor((to - this.cluster.base) / size) };
  }

  /** Marks the subnets a CIDR covers as used. */
  occupy(cidr: string): void {
    const { begin, end } = this.indicesOf(cidr);
    for (let i = begin; i <= end; i++) this.set(i);
  }

  /** Marks the subnets a CIDR covers as free. */
  release(cidr: string): void {
    const { begin, end } = this.indicesOf(cidr);
    for (let i = begin; i <= end; i++) this.clear(i);
  }

  releaseIndex(index: number): void {
    this.clear(index);
  }

  /** Whether two CIDRs overlap (the service-range filter's test). */
  static overlaps(a: string, b: string): boolean {
    const x = parseIPv4CIDR(a);
    const y = parseIPv4CIDR(b);
    const xEnd = x.base + 2 ** (32 - x.prefix) - 1;
    const yEnd = y.base + 2 ** (32 - y.prefix) - 1;
    return x.base <= yEnd && y.base <= xEnd;
  }
}
