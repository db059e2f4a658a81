// The small interface every volume type fills (upstream volume.VolumePlugin + Mounter, folded
// into one call), and the host services the manager gives plugins.

import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { Logger } from '../../logging/index.js';
import type { MountedVolume } from '../container/runtime.js';
import type { Mounter } from './mounter.js';
import type { TokenManager } from './token-manager.js';

export interface VolumeHost {
  readonly client: Interface;
  readonly logger: Logger;
  readonly nodeName: string;
  /** Undefined when the kubelet cannot mount (not root and no mounter given). */
  readonly mounter: Mounter | undefined;
  readonly tokens: TokenManager;
  now(): number;
  /** The node's `status.allocatable` (cached briefly); undefined when it cannot be read. */
  nodeAllocatable(): Promise<Record<string, string> | undefined>;
  /** Whether `path` is a mount point now. */
  isMountPoint(path: string): Promise<boolean>;
}

export interface SetUpContext {
  pod: Pod;
  volume: Volume;
  /** `<podsDir>/<uid>/volumes/<plugin name with / as ~>/<volume name>`; not created yet. */
  dir: string;
  host: VolumeHost;
  /** True on the first set-up of this volume in this process (false on refreshes). */
  first: boolean;
}

/** One volume type (a folder under plugins/ and one line in plugins/index.ts). */
export interface VolumePlugin {
  /** Upstream's plugin name, e.g. `kubernetes.io/configmap`; names the volume's directory. */
  readonly name: string;
  /** Whether later syncs call setUp again to refresh contents (upstream RequiresRemount). */
  readonly requiresRemount: boolean;
  canSupport(volume: Volume): boolean;
  /**
   * Sets the volume up (or refreshes it) and returns where it is on the host. Throws a
   * plain Error whose message is the cause (the manager adds upstream's FailedMount prefix),
   * or a VolumeProcessError when the volume could not even be resolved (PVC lookups).
   */
  setUp(ctx: SetUpContext): Promise<MountedVolume>;
}

/** A failure to resolve the volume (upstream's desired-state populator errors). */
export class VolumeProcessError extends Error {
  readonly code = 'VolumeProcessError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VolumeProcessError';
  }
}

/** A set-up failure of a volume known by another name (a PVC's PersistentVolume). */
export class SetUpError extends Error {
  readonly code = 'SetUpError';
  constructor(
    /** The name upstream's message uses (the PV's name for claims). */
    readonly specName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SetUpError';
  }
}

/** Upstream utilerrors.NewAggregate's message: one error as is, several as `[a, b]`. */
export function aggregate(errors: readonly Error[]): Error | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return new Error(`[${errors.map((e) => e.message).join(', ')}]`);
}
