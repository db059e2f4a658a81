// Loading image tarballs into containerd without a registry, and the default images k8ts builds.
//
// Import goes through `ctr` (shipped with containerd): `ctr --address SOCK -n k8s.io images
// import FILE` reads OCI image-layout and docker-archive tarballs, names the images from their
// `io.containerd.image.name` annotation (OCI) or RepoTags (docker), and unpacks them for the
// default snapshotter (overlayfs), after which the CRI image service lists them.
import { execFile } from 'node:child_process';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDefaultImages } from './busybox.js';

const execFileAsync = promisify(execFile);

/** The containerd namespace the CRI plugin uses. */
export const CRI_NAMESPACE = 'k8s.io';

export interface ImportOptions {
  /** containerd's gRPC socket path (not a URL). */
  address: string;
  namespace?: string;
  ctrPath?: string;
  signal?: AbortSignal;
  /** Per-file time limit (ms); 5 min unless given. */
  timeoutMs?: number;
}

export interface ImportResult {
  file: string;
  /** Image names ctr reported (`unpacking docker.io/library/busybox:latest (sha256:…)…done`). */
  images: string[];
}

export class ImageImportError extends Error {
  readonly code = 'ImageImportFailed';
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`importing ${file}: ${message}`, options);
  }
}

/** Imports each tarball in order; stops at the first failure. */
export async function importImages(files: readonly string[], opts: ImportOptions): Promise<ImportResult[]> {
  const out: ImportResult[] = [];
  for (const file of files) {
    const args = ['--address', opts.address, '--namespace', opts.namespace ?? CRI_NAMESPACE, 'images', 'import', '--no-unpack=false', file];
    try {
      const { stdout } = await execFileAsync(opts.ctrPath ?? 'ctr', args, {
        signal: opts.signal,
        timeout: opts.timeoutMs ?? 5 * 60_000,
        maxBuffer: 4 << 20,
      });
      out.push({ file, images: parseImported(stdout) });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new ImageImportError(file, stderr || (err as Error).message, { cause: err });
    }
  }
  return out;
}

/** Names from ctr's progress lines: `unpacking NAME (sha256:…)...done`. */
export function parseImported(stdout: string): string[] {
  const names: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^unpacking (\S+) \(sha256:[0-9a-f]+\)/.exec(line.trim());
    if (m) names.push(m[1]);
  }
  return names;
}

/** Where the agent keeps image tarballs it imports at start. */
export function imagesDir(dataDir: string): string {
  return join(dataDir, 'agent', 'images');
}

export const BUSYBOX_TARBALL = 'busybox.tar';
export const PAUSE_TARBALL = 'pause.tar';

/**
 * Writes `busybox.tar` and `pause.tar` into `<dataDir>/agent/images/` unless both exist
 * (atomically: a temp file renamed into place). Returns the two paths.
 */
export async function ensureDefaultImages(dataDir: string, busybox?: string): Promise<string[]> {
  const dir = imagesDir(dataDir);
  const files = [join(dir, BUSYBOX_TARBALL), join(dir, PAUSE_TARBALL)];
  const present = await Promise.all(files.map((f) => stat(f).then((s) => s.isFile() && s.size > 0, () => false)));
  if (present.every(Boolean)) return files;
  await mkdir(dir, { recursive: true });
  const built = await buildDefaultImages(busybox);
  const bodies = [built.busybox.tarball, built.pause.tarball];
  for (let i = 0; i < files.length; i++) {
    const tmp = `${files[i]}.tmp-${process.pid}`;
    await writeFile(tmp, bodies[i]);
    await rename(tmp, files[i]);
  }
  return files;
}
