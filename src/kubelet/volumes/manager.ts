// The kubelet's volume manager: sets a pod's volumes up under `<podsDir>/<uid>/volumes/
// kubernetes.io~<plugin>/<name>` before its containers start, refreshes ConfigMap, Secret,
// downward API and projected contents on every later sync, and tears everything down (tmpfs
// mounts first) when the pod is gone. Upstream splits this into a desired/actual state and a
// reconciler; driven by the pod workers' syncs, one call per sync does the same work.

import { readdir, realpath, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import type { MountedVolume, VolumeManager as VolumeManagerContract } from '../container/runtime.js';
import { SystemMounter, type Mounter } from './mounter.js';
import { PLUGINS } from './plugins/index.js';
import { TokenManager } from './token-manager.js';
import { SetUpError, VolumeProcessError, type VolumeHost, type VolumePlugin } from './types.js';

export interface VolumeManagerOptions {
  client: Interface;
  /** The kubelet's `<root>/pods`. */
  podsDir: string;
  nodeName: string;
  logger: Logger;
  now?: () => number;
  /**
   * tmpfs mounts and the mount table; default the real one when running as root. `false`: no
   * mounts (memory emptyDirs fail, Secret and projected volumes go on disk).
   */
  mount?: Mounter | false;
  /** Where mount points are read when there is no mounter (default /proc/self/mountinfo). */
  mountInfoPath?: string;
  /**
   * Called when refreshing an already mounted volume fails (a ConfigMap deleted after the pod
   * started): upstream records a Warning FailedMount event with `message` and the pod runs on.
   */
  onRemountError?: (pod: Pod, volumeName: string, message: string) => void;
  /** Replaces the built-in volume types (tests). */
  plugins?: readonly VolumePlugin[];
  /** Token refresh jitter source, [0, 1) (tests). */
  random?: () => number;
}

export interface MountFailure {
  volume: string;
  /** The FailedMount event message. */
  message: string;
}

/** Volumes that could not be set up; each failure's message is a FailedMount event text. */
export class VolumeMountError extends Error {
  readonly code = 'FailedMount';
  readonly reason = 'FailedMount';
  constructor(readonly failures: readonly MountFailure[]) {
    super(failures[0]?.message ?? 'volume set-up failed');
    this.name = 'VolumeMountError';
  }
}

/** Upstream's escapeQualifiedName: `kubernetes.io/configmap` → `kubernetes.io~configmap`. */
export function escapeQualifiedName(name: string): string {
  return name.replaceAll('/', '~');
}

const NODE_ALLOCATABLE_TTL_MS = 10_000;

/** Go's `%v` of a []string. */
const goList = (xs: readonly string[]): string => `[${xs.join(' ')}]`;

export class VolumeManager implements VolumeManagerContract {
  readonly tokens: TokenManager;
  private readonly plugins: readonly VolumePlugin[];
  private readonly mounter: Mounter | undefined;
  private readonly mountTable: Mounter | SystemMounter;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Volumes set up in this process, by pod UID then volume name. */
  private readonly pods = new Map<string, Map<string, MountedVolume>>();
  private readonly locks = new Map<string, Promise<void>>();
  private allocatable: { at: number; value: Record<string, string> | undefined } | undefined;
  private readonly host: VolumeHost;

  constructor(private readonly opts: VolumeManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger.child({ component: 'volumemanager' });
    this.mounter = opts.mount === false ? undefined : (opts.mount ?? (process.getuid?.() === 0 ? new SystemMounter() : undefined));
    this.mountTable = this.mounter ?? new SystemMounter(opts.mountInfoPath);
    this.plugins = opts.plugins ?? Object.values(PLUGINS).map((create) => create());
    this.tokens = new TokenManager({ client: opts.client, logger: this.logger, now: this.now, random: opts.random });
    this.host = {
      client: opts.client,
      logger: this.logger,
      nodeName: opts.nodeName,
      mounter: this.mounter,
      tokens: this.tokens,
      now: () => this.now(),
      nodeAllocatable: () => this.nodeAllocatable(),
      isMountPoint: (p) => this.isMountPoint(p),
    };
  }

  /** `<podsDir>/<uid>/volumes/<escaped plugin name>/<volume name>`. */
  volumeDir(podUID: string, pluginName: string, volumeName: string): string {
    return posix.join(this.opts.podsDir, podUID, 'volumes', escapeQualifiedName(pluginName), volumeName);
  }

  mountPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid;
    if (!uid) return Promise.reject(new Error('pod has no uid'));
    return this.serialize(uid, () => this.mount(uid, pod));
  }

  cleanupPod(podUID: string): Promise<void> {
    return this.serialize(podUID, () => this.cleanup(podUID));
  }

  async podsOnDisk(): Promise<string[]> {
    try {
      const entries = await readdir(this.opts.podsDir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  private async mount(uid: string, pod: Pod): Promise<Map<string, MountedVolume>> {
    let state = this.pods.get(uid);
    if (!state) this.pods.set(uid, (state = new Map()));
    const mounted = state;
    const volumes = pod.spec?.volumes ?? [];
    type Outcome = { ok: MountedVolume } | { setUp: string; specName: string } | { process: string };
    const outcomes = await Promise.all(
      volumes.map(async (volume): Promise<Outcome> => {
        const plugin = this.plugins.find((p) => p.canSupport(volume));
        if (!plugin) return { process: `failed to get Plugin from volumeSpec for volume "${volume.name}" err=no volume plugin matched` };
        const existing = mounted.get(volume.name);
        if (existing && !plugin.requiresRemount) return { ok: existing };
        const dir = this.volumeDir(uid, plugin.name, volume.name);
        try {
          const m = await plugin.setUp({ pod, volume, dir, host: this.host, first: !existing });
          mounted.set(volume.name, m);
          return { ok: m };
        } catch (e) {
          if (e instanceof VolumeProcessError) return { process: e.message };
          const message = e instanceof Error ? e.message : String(e);
          const specName = e instanceof SetUpError ? e.specName : volume.name;
          if (existing) {
            // Already mounted: the old contents stay and the pod runs on (upstream remount).
            const text = `MountVolume.SetUp failed for volume "${specName}" : ${message}`;
            this.logger.warn({ pod: podRef(pod), volume: volume.name, err: message }, 'volume refresh failed');
            this.opts.onRemountError?.(pod, volume.name, text);
            return { ok: existing };
          }
          return { setUp: message, specName };
        }
      }),
    );
    const failures: MountFailure[] = [];
    const failedToProcess = volumes.filter((_, i) => 'process' in outcomes[i]!).map((v) => v.name);
    const unmounted = volumes
      .filter((v) => !mounted.has(v.name))
      .map((v) => v.name)
      .sort();
    outcomes.forEach((o, i) => {
      const volume = volumes[i]!.name;
      if ('setUp' in o) failures.push({ volume, message: `MountVolume.SetUp failed for volume "${o.specName}" : ${o.setUp}` });
      else if ('process' in o) {
        failures.push({
          volume,
          message: `Unable to attach or mount volumes: unmounted volumes=${goList(unmounted)}, unattached volumes=[], failed to process volumes=${goList(failedToProcess)}: ${o.process}`,
        });
      }
    });
    if (failures.length) throw new VolumeMountError(failures);
    const out = new Map<string, MountedVolume>();
    for (const v of volumes) out.set(v.name, mounted.get(v.name)!);
    return out;
  }

  private async cleanup(uid: string): Promise<void> {
    const podDir = posix.join(this.opts.podsDir, uid);
    let real: string;
    try {
      real = await realpath(podDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.forget(uid);
      return;
    }
    const under = (mps: string[]) => mps.filter((m) => m === real || m.startsWith(`${real}/`));
    const mounts = under(await this.mountTable.mountPoints());
    if (mounts.length && this.mounter) {
      // Newest first, so nested mounts go before their parents.
      for (const m of mounts.reverse()) {
        try {
          await this.mounter.unmount(m);
        } catch (e) {
          this.logger.warn({ podUID: uid, path: m, err: e instanceof Error ? e.message : String(e) }, 'unmount failed');
        }
      }
    }
    const left = under(await this.mountTable.mountPoints());
    // Never delete through a mount: that would delete what is mounted.
    if (left.length) throw new Error(`cannot remove pod directory ${podDir}: still mounted: ${left.join(', ')}`);
    await rm(podDir, { recursive: true, force: true });
    this.forget(uid);
  }

  private forget(uid: string): void {
    this.pods.delete(uid);
    this.tokens.deleteServiceAccountToken(uid);
  }

  private async isMountPoint(path: string): Promise<boolean> {
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      return false;
    }
    return (await this.mountTable.mountPoints()).includes(real);
  }

  private async nodeAllocatable(): Promise<Record<string, string> | undefined> {
    const now = this.now();
    if (this.allocatable && now - this.allocatable.at < NODE_ALLOCATABLE_TTL_MS) return this.allocatable.value;
    let value: Record<string, string> | undefined;
    try {
      const node = await this.opts.client.resource<Node & KubeObject>(NODES).get(this.opts.nodeName);
      const alloc = node.status?.allocatable ?? node.status?.capacity;
      value = alloc ? Object.fromEntries(Object.entries(alloc).map(([k, v]) => [k, String(v)])) : undefined;
    } catch (e) {
      this.logger.warn({ node: this.opts.nodeName, err: e instanceof Error ? e.message : String(e) }, 'cannot read node allocatable');
    }
    this.allocatable = { at: now, value };
    return value;
  }

  /** Runs `fn` after every earlier call for the same pod has finished. */
  private serialize<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return next;
  }
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
