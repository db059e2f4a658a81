// Upstream hostPath's type checks (pkg/volume/hostpath checkType), shared by hostPath volumes
// and hostPath/local PersistentVolumes.

import { open, mkdir, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import type { MountedVolume } from '../container/runtime.js';

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Upstream checkType, with its messages. An empty type checks nothing. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  if (!type) return;
  const st = await statOrUndefined(path);
  const fail = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!st.isDirectory()) throw fail('a directory');
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw fail('a directory');
      return;
    case 'FileOrCreate':
      if (!st) {
        const fh = await open(path, constants.O_RDONLY | constants.O_CREAT, 0o644);
        await fh.close();
        return;
      }
      if (!st.isFile()) throw fail('a file');
      return;
    case 'File':
      if (!st?.isFile()) throw fail('a file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw fail('a socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw fail('a character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw fail('a block device');
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}

/** Upstream ValidatePathNoBacksteps. */
export function validateHostPath(path: string): void {
  if (path.split('/').includes('..')) throw new Error(`invalid HostPath \`${path}\`: must not contain '..'`);
}

export async function setUpHostPath(path: string, type: string | undefined, readOnly: boolean): Promise<MountedVolume> {
  validateHostPath(path);
  await checkHostPathType(path, type);
  return { hostPath: path, readOnly };
}
