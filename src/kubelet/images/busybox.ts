// The images k8ts builds from Debian's busybox-static: `busybox` (every applet the binary
// offers, linked to /bin/busybox) and the pause image (the same layer; the entrypoint is a shell
// loop that sleeps and exits 0 on SIGTERM/SIGINT — as PID 1 of its pid namespace a process only
// receives the signals it handles, so the trap is what makes it stop cleanly).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { buildOCIImage, layerTar, type BuiltImage, type LayerEntry } from './oci-layout.js';

const execFileAsync = promisify(execFile);

export const BUSYBOX_PATH = '/bin/busybox';
export const BUSYBOX_PACKAGE = 'busybox-static';
export const BUSYBOX_IMAGE_NAMES = ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.35'];
/** Upstream kubelet 1.32's default sandbox image name; the image itself is k8ts's own. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Applets the seeds and tests use (tar for `kubectl cp`); building fails if the binary lacks one. */
export const REQUIRED_APPLETS = [
  'awk', 'cat', 'date', 'echo', 'env', 'false', 'grep', 'head', 'hostname', 'httpd', 'id', 'ls', 'mkdir', 'nc',
  'nslookup', 'ps', 'rm', 'sed', 'sh', 'sleep', 'tail', 'tar', 'test', 'top', 'touch', 'true', 'wget',
];

export class MissingBusyboxError extends Error {
  readonly code = 'MissingDependency';
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(`${path} not found: install the Debian package ${BUSYBOX_PACKAGE} (apt-get install ${BUSYBOX_PACKAGE})`, options);
  }
}

/** The applet paths (`bin/sh`, `usr/bin/awk`, …) from `busybox --list-full`. */
export async function busyboxApplets(busybox = BUSYBOX_PATH): Promise<string[]> {
  const { stdout } = await execFileAsync(busybox, ['--list-full'], { maxBuffer: 1 << 20 });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('..'));
}

/** The root file system: bin/busybox, applet symlinks, etc/passwd and etc/group, empty dirs. */
export function busyboxRootfs(binary: Buffer, appletPaths: readonly string[]): LayerEntry[] {
  const names = new Set(appletPaths.map((p) => p.slice(p.lastIndexOf('/') + 1)));
  const missing = REQUIRED_APPLETS.filter((a) => !names.has(a));
  if (missing.length) throw new Error(`busybox lacks required applets: ${missing.join(', ')}`);
  const entries: LayerEntry[] = [];
  const dirs = new Map<string, number>([
    ['bin', 0o755], ['sbin', 0o755], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['etc', 0o755],
    ['dev', 0o755], ['proc', 0o555], ['sys', 0o555], ['root', 0o700], ['tmp', 0o1777], ['var', 0o755], ['var/www', 0o755],
    ['home', 0o755],
  ]);
  for (const [path, mode] of dirs) entries.push({ type: 'directory', path, mode });
  entries.push({ type: 'file', path: 'bin/busybox', mode: 0o755, content: binary });
  const seen = new Set(['bin/busybox']);
  for (const applet of appletPaths) {
    if (seen.has(applet)) continue;
    const dir = applet.includes('/') ? applet.slice(0, applet.lastIndexOf('/')) : '';
    if (!dirs.has(dir)) continue; // only the standard bin directories
    seen.add(applet);
    entries.push({ type: 'symlink', path: applet, target: '/bin/busybox' });
  }
  entries.push({ type: 'file', path: 'etc/passwd', mode: 0o644, content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n') });
  entries.push({ type: 'file', path: 'etc/group', mode: 0o644, content: Buffer.from('root:x:0:\nnobody:x:65534:\n') });
  return entries;
}

export interface BuiltDefaultImages {
  busybox: BuiltImage;
  pause: BuiltImage;
}

/** Builds both images from the busybox binary (one shared layer). */
export async function buildDefaultImages(busybox = BUSYBOX_PATH): Promise<BuiltDefaultImages> {
  let binary: Buffer;
  try {
    binary = await readFile(busybox);
  } catch (err) {
    throw new MissingBusyboxError(busybox, { cause: err });
  }
  const entries = busyboxRootfs(binary, await busyboxApplets(busybox));
  const layer = await layerTar(entries);
  const busyboxImage = await buildOCIImage({ names: BUSYBOX_IMAGE_NAMES, layer: entries, config: { Env: [PATH_ENV], Cmd: ['sh'] } }, layer);
  const pause = await buildOCIImage({
    names: [PAUSE_IMAGE],
    layer: entries,
    config: {
      Env: [PATH_ENV],
      Entrypoint: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
      WorkingDir: '/',
      Labels: { 'io.k8ts.image': 'pause' },
    },
  }, layer);
  return { busybox: busyboxImage, pause };
}
