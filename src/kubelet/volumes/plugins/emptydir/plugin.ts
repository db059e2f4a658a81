// emptyDir (upstream pkg/volume/emptydir): a directory in the pod's directory that lives as long
// as the pod; `medium: Memory` puts it on a tmpfs sized by sizeLimit, the pod's memory limit or
// the node's allocatable memory, whichever is least.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import type { SetUpContext, VolumePlugin } from '../../types.js';
import { fsGroupOf, setUpDiskDir, setUpMemoryDir, setVolumeOwnership } from '../../wrapped-dir.js';

export const NAME = 'kubernetes.io/empty-dir';

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: false,
    canSupport: (v: Volume) => v.emptyDir !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const src = ctx.volume.emptyDir!;
      const medium = src.medium ?? '';
      if (medium === 'Memory') await setUpMemoryDir(ctx, src.sizeLimit);
      else if (medium === '') await setUpDiskDir(ctx);
      else throw new Error(`unknown storage medium "${medium}"`);
      await setVolumeOwnership(ctx.dir, fsGroupOf(ctx.pod), false);
      return { hostPath: ctx.dir, readOnly: false };
    },
  };
}
