// A mount table in memory for tests of the volume manager without root.

import type { Mounter } from '../mounter.js';

export class FakeMounter implements Mounter {
  /** Current mount points with their options, in mount order. */
  readonly mounts: { target: string; options: readonly string[] }[] = [];
  /** Every call, as `mount <target> <options>` / `umount <target>`. */
  readonly calls: string[] = [];
  /** Targets whose unmount fails. */
  readonly failUnmount = new Set<string>();

  async mountTmpfs(target: string, options: readonly string[]): Promise<void> {
    this.calls.push(`mount ${target} ${options.join(',')}`);
    this.mounts.push({ target, options });
  }

  async unmount(target: string): Promise<void> {
    this.calls.push(`umount ${target}`);
    if (this.failUnmount.has(target)) throw new Error(`umount: ${target}: target is busy.`);
    const i = this.mounts.findLastIndex((m) => m.target === target);
    if (i < 0) throw new Error(`umount: ${target}: not mounted.`);
    this.mounts.splice(i, 1);
  }

  async mountPoints(): Promise<string[]> {
    return this.mounts.map((m) => m.target);
  }
}
