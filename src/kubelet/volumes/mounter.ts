// The mount table as the volume manager sees it: tmpfs mounts for memory-backed volumes and
// the list of mount points (from /proc/self/mountinfo) so a pod's mounts are found and undone
// before its directory is removed. An interface so unit tests run without root.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface Mounter {
  /** `mount -t tmpfs -o <options> tmpfs <target>`; the target directory exists. */
  mountTmpfs(target: string, options: readonly string[]): Promise<void>;
  /** `umount <target>`. */
  unmount(target: string): Promise<void>;
  /** Absolute paths of every current mount point, in mount order. */
  mountPoints(): Promise<string[]>;
}

export class MountError extends Error {
  readonly code = 'MountError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MountError';
  }
}

/** One line of /proc/self/mountinfo (proc(5)). */
export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** The kernel escapes space, tab, newline and backslash in paths as `\ooo`. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 5 || sep < 0) continue;
    out.push({ mountPoint: unescapeOctal(fields[4]!), fsType: fields[sep + 1] ?? '', source: unescapeOctal(fields[sep + 2] ?? '') });
  }
  return out;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new MountError(`${file} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`, { cause: err }));
      else resolve();
    });
  });
}

/** The real mount table (needs root). */
export class SystemMounter implements Mounter {
  constructor(private readonly mountInfoPath = '/proc/self/mountinfo') {}

  mountTmpfs(target: string, options: readonly string[]): Promise<void> {
    const args = ['-t', 'tmpfs'];
    if (options.length) args.push('-o', options.join(','));
    args.push('tmpfs', target);
    return run('mount', args);
  }

  unmount(target: string): Promise<void> {
    return run('umount', [target]);
  }

  async mountPoints(): Promise<string[]> {
    return parseMountInfo(await readFile(this.mountInfoPath, 'utf8')).map((m) => m.mountPoint);
  }
}
