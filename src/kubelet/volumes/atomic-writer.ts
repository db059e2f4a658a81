// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): the files of a ConfigMap, Secret,
// downward API or projected volume live in a hidden timestamped directory; `..data` is a symlink
// to it and every user-visible top-level entry is a symlink through `..data`. An update writes a
// complete new timestamped directory and swaps `..data` with one rename, so a reader that follows
// `..data` sees either the old set of files or the new one, never a mixture.

import { randomInt } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';

const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;
export const DATA_DIR_NAME = '..data';
export const NEW_DATA_DIR_NAME = '..data_tmp';

export interface FileProjection {
  data: Uint8Array;
  /** Permission bits (0o644…). */
  mode: number;
}

/** Path → contents. Paths are relative, `/`-separated, and may not start with `..`. */
export type Payload = Map<string, FileProjection>;

export class InvalidPayloadError extends Error {
  readonly code = 'InvalidPayload';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

/** Upstream validatePath: the same rules and messages. */
export function validatePath(p: string): void {
  if (p === '') throw new InvalidPayloadError(`invalid path: must not be empty: ""`);
  if (p.startsWith('/')) throw new InvalidPayloadError(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH_LENGTH) throw new InvalidPayloadError(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new InvalidPayloadError(`invalid path: must not contain '..': ${p}`);
    if (Buffer.byteLength(item) > MAX_FILE_NAME_LENGTH) throw new InvalidPayloadError(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) throw new InvalidPayloadError(`invalid path: must not start with '..': ${p}`);
}

/** Go's filepath.Clean for a relative path. */
function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function isNotExist(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** `..2006_01_02_15_04_05.` in UTC, the prefix of upstream's timestamped directories. */
export function timestampPrefix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${p(d.getUTCFullYear(), 4)}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

export interface AtomicWriterOptions {
  now?: () => number;
}

export class AtomicWriter {
  private readonly now: () => number;

  /** `targetDir` must exist. */
  constructor(
    readonly targetDir: string,
    opts: AtomicWriterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Projects `payload` into the target directory (upstream Write, steps in its order). Returns
   * false when the files on disk already match and nothing was written. `setPerms` runs on the
   * new timestamped directory before it becomes visible (fsGroup ownership).
   */
  async write(payload: Payload, setPerms?: (tsDir: string) => Promise<void>): Promise<boolean> {
    // (1) validate and clean.
    const clean: Payload = new Map();
    for (const [p, f] of payload) {
      validatePath(p);
      clean.set(cleanPath(p), f);
    }
    // (2) the current timestamped directory.
    const dataDirPath = posix.join(this.targetDir, DATA_DIR_NAME);
    let oldTsDir = '';
    try {
      oldTsDir = await readlink(dataDirPath);
    } catch (e) {
      if (!isNotExist(e)) throw e;
    }
    const oldTsPath = posix.join(this.targetDir, oldTsDir);
    let toRemove = new Set<string>();
    if (oldTsDir) {
      // (3) paths of the old version that the payload no longer has; (4) skip when nothing changed.
      toRemove = await this.pathsToRemove(clean, oldTsPath);
      if (toRemove.size === 0 && !(await shouldWritePayload(clean, oldTsPath))) {
        // Entries may still be missing after a crash between steps: make sure they are there.
        await this.createUserVisibleFiles(clean);
        return false;
      }
    }
    // (5) a new timestamped directory, (6) the payload in it.
    const tsDir = await this.newTimestampDir();
    const tsDirName = posix.basename(tsDir);
    try {
      await writePayloadToDir(clean, tsDir);
      if (setPerms) await setPerms(tsDir);
    } catch (e) {
      await rm(tsDir, { recursive: true, force: true });
      throw e;
    }
    // (7) user-visible symlinks for new top-level entries (they dangle until the swap).
    await this.createUserVisibleFiles(clean);
    // (8) + (9) point ..data at the new directory with one atomic rename.
    const newDataDirPath = posix.join(this.targetDir, NEW_DATA_DIR_NAME);
    try {
      await rm(newDataDirPath, { force: true });
      await symlink(tsDirName, newDataDirPath);
      await rename(newDataDirPath, dataDirPath);
    } catch (e) {
      await rm(newDataDirPath, { force: true });
      await rm(tsDir, { recursive: true, force: true });
      throw e;
    }
    // (10) drop user-visible entries that are gone, (11) and the old directory.
    await this.removeUserVisiblePaths(toRemove);
    if (oldTsDir) await rm(oldTsPath, { recursive: true, force: true });
    return true;
  }

  private async pathsToRemove(payload: Payload, oldTsPath: string): Promise<Set<string>> {
    const existing: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isNotExist(e)) return;
        throw e;
      }
      for (const ent of entries) {
        const r = rel ? `${rel}/${ent.name}` : ent.name;
        existing.push(r);
        if (ent.isDirectory()) await walk(posix.join(dir, ent.name), r);
      }
    };
    await walk(oldTsPath, '');
    // Every prefix of a new path stays (a non-empty directory is never removed).
    const keep = new Set<string>();
    for (const p of payload.keys()) {
      for (let sub = p; sub !== '' && sub !== '.'; sub = posix.dirname(sub) === '.' ? '' : posix.dirname(sub)) keep.add(sub);
    }
    return new Set(existing.filter((p) => !keep.has(p)));
  }

  private async newTimestampDir(): Promise<string> {
    const prefix = timestampPrefix(this.now());
    for (;;) {
      // Go's os.MkdirTemp appends a random decimal number.
      const dir = posix.join(this.targetDir, `${prefix}${randomInt(0, 2 ** 32 - 1)}`);
      try {
        await mkdir(dir, { mode: 0o755 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      // 0755 whatever the umask, so group and other can traverse it.
      await chmod(dir, 0o755);
      return dir;
    }
  }

  private async createUserVisibleFiles(payload: Payload): Promise<void> {
    const tops = new Set<string>();
    for (const p of payload.keys()) tops.add(p.split('/')[0]!);
    for (const name of tops) {
      const visible = posix.join(this.targetDir, name);
      try {
        await readlink(visible);
      } catch (e) {
        if (!isNotExist(e)) continue; // present but not a symlink: leave it, as upstream does
        await symlink(posix.join(DATA_DIR_NAME, name), visible);
      }
    }
  }

  private async removeUserVisiblePaths(paths: Set<string>): Promise<void> {
    let last: unknown;
    for (const p of paths) {
      // Only top-level entries are user-visible symlinks.
      if (p.includes('/')) continue;
      try {
        await unlink(posix.join(this.targetDir, p));
      } catch (e) {
        if (!isNotExist(e)) last = e;
      }
    }
    if (last) throw last;
  }
}

async function shouldWritePayload(payload: Payload, oldTsPath: string): Promise<boolean> {
  for (const [p, f] of payload) {
    const full = posix.join(oldTsPath, p);
    let onDisk: Buffer;
    try {
      await lstat(full);
      onDisk = await readFile(full);
    } catch (e) {
      if (isNotExist(e)) return true;
      throw e;
    }
    if (Buffer.compare(onDisk, f.data) !== 0) return true;
  }
  return false;
}

async function writePayloadToDir(payload: Payload, dir: string): Promise<void> {
  for (const [p, f] of payload) {
    const full = posix.join(dir, p);
    await mkdir(posix.dirname(full), { recursive: true });
    await writeFile(full, f.data, { mode: f.mode });
    // The umask applies on create; the mode asked for is the mode on disk.
    await chmod(full, f.mode);
  }
}
