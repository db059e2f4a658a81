// Host inspection helpers for the runtime integration test (root only).
import { execFile } from 'node:child_process';
import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The cgroup v1 hierarchies (and the unified one) mounted under /sys/fs/cgroup. */
async function hierarchies(): Promise<string[]> {
  try {
    return (await readdir('/sys/fs/cgroup')).map((d) => join('/sys/fs/cgroup', d));
  } catch {
    return [];
  }
}

/** Directories named `parent` (e.g. /k8ts-test-abc) that exist in any hierarchy. */
export async function cgroupsPresent(parent: string): Promise<string[]> {
  const out: string[] = [];
  for (const h of await hierarchies()) {
    const d = join(h, parent);
    if (await stat(d).then((s) => s.isDirectory(), () => false)) out.push(d);
  }
  return out;
}

/** rmdir every cgroup under `parent`, children first. */
export async function removeCgroups(parent: string): Promise<void> {
  for (const d of await cgroupsPresent(parent)) await rmTree(d);
}

async function rmTree(dir: string): Promise<void> {
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await rmTree(join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}

export async function linkExists(name: string): Promise<boolean> {
  return execFileAsync('ip', ['link', 'show', name]).then(() => true, () => false);
}

export async function pathExists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
