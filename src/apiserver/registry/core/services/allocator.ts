// Cluster IP and node port allocation for Services (upstream pkg/registry/core/service/
// ipallocator and portallocator): a set of used values over a range, rebuilt from the stored
// Services on first use, with upstream's error texts.

export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new AllocationError(`invalid IP ${ip}`);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** IPv4 range allocator; the network and broadcast addresses are never handed out. */
export class IPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (!ip || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new AllocationError(`invalid service CIDR ${cidr}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.base = (ipToInt(ip) & mask) >>> 0;
    this.size = 2 ** (32 - prefix);
  }

  /** The n-th address of the range (1 = the `kubernetes` service's address). */
  nth(n: number): string {
    return intToIp(this.base + n);
  }

  contains(ip: string): boolean {
    let n: number;
    try {
      n = ipToInt(ip);
    } catch {
      return false;
    }
    return n > this.base && n < this.base + this.size - 1;
  }

  has(ip: string): boolean {
    return this.used.has(ipToInt(ip));
  }

  allocate(ip: string, dryRun = false): void {
    if (!this.contains(ip)) {
      throw new AllocationError(`failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
    }
    const n = ipToInt(ip);
    if (this.used.has(n)) throw new AllocationError(`failed to allocate IP ${ip}: provided IP is already allocated`);
    if (!dryRun) this.used.add(n);
  }

  /** A free address, chosen at random as upstream does (to spread over the range). */
  allocateNext(dryRun = false): string {
    const free = this.size - 2 - this.used.size;
    if (free <= 0) throw new AllocationError('failed to allocate a serviceIP: range is full');
    let offset = 1 + Math.floor(Math.random() * (this.size - 2));
    for (let i = 0; i < this.size; i++) {
      const n = this.base + offset;
      if (!this.used.has(n)) {
        if (!dryRun) this.used.add(n);
        return intToIp(n);
      }
      offset = offset + 1 >= this.size - 1 ? 1 : offset + 1;
    }
    throw new AllocationError('failed to allocate a serviceIP: range is full');
  }

  release(ip: string): void {
    try {
      this.used.delete(ipToInt(ip));
    } catch {
      // not an address of ours
    }
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();
  constructor(
    readonly min = 30000,
    readonly max = 32767,
  ) {}

  allocate(port: number, dryRun = false): void {
    if (port < this.min || port > this.max) {
      throw new AllocationError(`provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}`);
    }
    if (this.used.has(port)) throw new AllocationError('provided port is already allocated');
    if (!dryRun) this.used.add(port);
  }

  allocateNext(dryRun = false): number {
    const span = this.max - this.min + 1;
    if (this.used.size >= span) throw new AllocationError('range is full');
    let p = this.min + Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      if (!this.used.has(p)) {
        if (!dryRun) this.used.add(p);
        return p;
      }
      p = p === this.max ? this.min : p + 1;
    }
    throw new AllocationError('range is full');
  }

  has(port: number): boolean {
    return this.used.has(port);
  }

  release(port: number): void {
    this.used.delete(port);
  }
}
