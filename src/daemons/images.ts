// `k8ts images import FILE…`: loads OCI-layout or docker-archive tarballs into the node's image
// store. With the node's containerd running (a server or agent on this data dir) the images are
// imported at once through it; the tarballs are also kept in `<data-dir>/agent/images/`, which
// the agent imports at every start, so they survive a reset of the store.
import { copyFile, mkdir, open, rename, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { instancePaths } from '../kubelet/containerd/config.js';
import { imagesDir, importImages } from '../kubelet/images/import.js';

export class ImagesError extends Error {
  readonly code = 'ImagesError';
}

export interface ImportReport {
  /** Image names containerd reported, per file (empty while containerd is not running). */
  imported: { file: string; images: string[] }[];
  /** Where the tarballs were kept for import at start. */
  kept: string[];
  /** False when no containerd of this data dir was running: the images load at the next start. */
  live: boolean;
}

/** The private containerd instance of the agent on `dataDir`. */
export function agentContainerdDir(dataDir: string): string {
  return join(dataDir, 'agent', 'containerd');
}

export async function importImageFiles(dataDir: string, files: readonly string[]): Promise<ImportReport> {
  if (!files.length) throw new ImagesError('no files given');
  for (const f of files) await checkTarball(f);
  const dir = imagesDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const kept: string[] = [];
  for (const f of files) {
    const dest = join(dir, basename(f).endsWith('.tar') ? basename(f) : `${basename(f)}.tar`);
    if (dest !== f) {
      const tmp = `${dest}.tmp-${process.pid}`;
      await copyFile(f, tmp);
      await rename(tmp, dest);
    }
    kept.push(dest);
  }
  const socket = instancePaths(agentContainerdDir(dataDir)).socket;
  if (!(await answers(socket))) return { imported: [], kept, live: false };
  const imported = await importImages(kept, { address: socket });
  return { imported, kept, live: true };
}

/** A readable file that starts like a tar archive (the `ustar` magic at offset 257). */
async function checkTarball(file: string): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new ImagesError(`${file}: no such file`);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(262);
    const { bytesRead } = await fh.read(buf, 0, 262, 0);
    if (bytesRead < 262 || buf.subarray(257, 262).toString('latin1') !== 'ustar') {
      throw new ImagesError(`${file}: not a tar archive (expected an OCI image layout or docker-archive tarball)`);
    }
  } finally {
    await fh.close();
  }
}

/** True when something accepts connections on the unix socket. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
