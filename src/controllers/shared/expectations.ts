// Expectations (upstream pkg/controller/controller_utils.go ControllerExpectations): after a
// controller asks for N creations or deletions it waits for its informer to observe them
// before syncing that owner again, so a stale cache never makes it create twice. Expectations
// expire after five minutes so a lost watch event cannot wedge an owner forever.

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when nothing is outstanding for `key` (or what was expected has expired). */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  /** Replaces what is expected for `key`. */
  expect(key: string, add: number, del: number): void {
    this.items.set(key, { add, del, at: this.now() });
  }

  expectCreations(key: string, n: number): void {
    this.expect(key, n, 0);
  }

  expectDeletions(key: string, n: number): void {
    this.expect(key, 0, n);
  }

  /** One expected creation was seen (or will never happen because the create failed). */
  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  /** One expected deletion was seen (or will never happen). */
  deletionObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.del--;
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}
