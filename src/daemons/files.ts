// Files the daemons write into the data dir: whole or not at all.

import { mkdir, writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `text` to a temporary file beside `path` and renames it into place. */
export async function atomicWrite(path: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}
