// downwardAPI (upstream pkg/volume/downwardapi): the pod's own fields and its containers'
// resources as files; labels and annotations are rewritten when they change.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import { collectDownwardAPI } from '../../payload.js';
import { writeProjection } from '../../projection.js';
import type { SetUpContext, VolumePlugin } from '../../types.js';
import { setUpDiskDir } from '../../wrapped-dir.js';

export const NAME = 'kubernetes.io/downward-api';

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: true,
    canSupport: (v: Volume) => v.downwardAPI !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const src = ctx.volume.downwardAPI!;
      const payload = await collectDownwardAPI(src.items, ctx.pod, ctx.host, src.defaultMode);
      await setUpDiskDir(ctx);
      await writeProjection(ctx, payload);
      return { hostPath: ctx.dir, readOnly: true };
    },
  };
}
