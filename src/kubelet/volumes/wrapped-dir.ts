// Directory set-up shared by emptyDir and the volumes upstream builds on an emptyDir wrapper
// (ConfigMap and downward API on disk, Secret and projected on tmpfs), and the fsGroup
// ownership pass (upstream volume.SetVolumeOwnership).

import { chmod, lchown, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../machinery/quantity.js';
import type { SetUpContext } from './types.js';

/** Upstream emptyDir's directory mode: everyone may write (the container's user is unknown). */
const EMPTY_DIR_PERM = 0o777;

/** The pod's memory limit when every container declares one (upstream ResourceConfigForPod). */
function podMemoryLimit(pod: Pod): Quantity | undefined {
  const lim = (c: { resources?: { limits?: Record<string, unknown> } }): Quantity | undefined => {
    const v = c.resources?.limits?.memory;
    return v === undefined ? undefined : Quantity.parse(String(v));
  };
  let sum = Quantity.parse('0');
  for (const c of pod.spec?.containers ?? []) {
    const q = lim(c);
    if (!q) return undefined;
    sum = sum.add(q);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const q = lim(c);
    if (!q) return undefined;
    if (q.cmp(sum) > 0) sum = q;
  }
  const overhead = pod.spec?.overhead?.memory;
  if (overhead !== undefined) sum = sum.add(Quantity.parse(String(overhead)));
  return sum;
}

/**
 * Upstream calculateEmptyDirMemorySize (SizeMemoryBackedVolumes): the node's allocatable
 * memory, lowered to the pod's memory limit, lowered to the volume's sizeLimit.
 */
export async function memoryVolumeSize(ctx: SetUpContext, sizeLimit: string | number | undefined): Promise<Quantity | undefined> {
  const allocatable = (await ctx.host.nodeAllocatable())?.memory;
  let size = allocatable === undefined ? undefined : Quantity.parse(allocatable);
  const podLimit = podMemoryLimit(ctx.pod);
  if (podLimit && podLimit.sign() > 0 && (!size || podLimit.cmp(size) <= 0)) size = podLimit;
  if (sizeLimit !== undefined) {
    const v = Quantity.parse(String(sizeLimit));
    if (v.sign() > 0 && (!size || v.cmp(size) <= 0)) size = v;
  }
  return size;
}

async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: EMPTY_DIR_PERM });
  const st = await stat(dir);
  if ((st.mode & 0o777) !== EMPTY_DIR_PERM) await chmod(dir, EMPTY_DIR_PERM);
}

/** The volume directory on the node's disk. */
export async function setUpDiskDir(ctx: SetUpContext): Promise<void> {
  await ensureDir(ctx.dir);
}

/**
 * The volume directory on a tmpfs of upstream's size (`size=<bytes>` when known); mounted
 * once, later calls find it mounted. Throws when the kubelet has no mounter.
 */
export async function setUpMemoryDir(ctx: SetUpContext, sizeLimit?: string | number): Promise<void> {
  const mounter = ctx.host.mounter;
  if (!mounter) throw new Error(`cannot mount tmpfs at ${ctx.dir}: the kubelet is not running as root`);
  await mkdir(ctx.dir, { recursive: true, mode: 0o750 });
  if (!(await ctx.host.isMountPoint(ctx.dir))) {
    const size = await memoryVolumeSize(ctx, sizeLimit);
    const options = size && size.sign() > 0 ? [`size=${size.value()}`] : [];
    await mounter.mountTmpfs(ctx.dir, options);
  }
  const st = await stat(ctx.dir);
  if ((st.mode & 0o777) !== EMPTY_DIR_PERM) await chmod(ctx.dir, EMPTY_DIR_PERM);
}

/** Secret and projected volumes: tmpfs when the kubelet can mount, the disk otherwise. */
export async function setUpSensitiveDir(ctx: SetUpContext): Promise<void> {
  if (ctx.host.mounter) await setUpMemoryDir(ctx);
  else await setUpDiskDir(ctx);
}

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

/**
 * Upstream SetVolumeOwnership: everything under `dir` goes to group `fsGroup`, group-readable
 * (and group-writable unless `readOnly`); directories get setgid and group search. Symlinks are
 * re-owned but not followed.
 */
export async function setVolumeOwnership(dir: string, fsGroup: number | undefined, readOnly: boolean): Promise<void> {
  if (fsGroup === undefined) return;
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p);
    await lchown(p, -1, fsGroup);
    if (st.isSymbolicLink()) return;
    let mask = readOnly ? RO_MASK : RW_MASK;
    if (st.isDirectory()) mask |= SETGID | EXEC_MASK;
    const mode = st.mode & 0o7777;
    if ((mode | mask) !== mode) await chmod(p, mode | mask);
    if (st.isDirectory()) for (const name of await readdir(p)) await visit(posix.join(p, name));
  };
  await visit(dir);
}

export function fsGroupOf(pod: Pod): number | undefined {
  return pod.spec?.securityContext?.fsGroup ?? undefined;
}
