// configMap (upstream pkg/volume/configmap): the ConfigMap's keys as files, refreshed on every
// pod sync through the atomic writer.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import { getConfigMap, makeConfigMapPayload } from '../../payload.js';
import { writeProjection } from '../../projection.js';
import type { SetUpContext, VolumePlugin } from '../../types.js';
import { setUpDiskDir } from '../../wrapped-dir.js';

export const NAME = 'kubernetes.io/configmap';

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: true,
    canSupport: (v: Volume) => v.configMap !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const src = ctx.volume.configMap!;
      const optional = src.optional === true;
      // Fetched before the directory exists, as upstream does: a missing ConfigMap leaves nothing behind.
      const cm = await getConfigMap(ctx.host.client, ctx.pod.metadata?.namespace ?? '', src.name ?? '', optional);
      const payload = makeConfigMapPayload(src.items, cm, src.defaultMode, optional);
      await setUpDiskDir(ctx);
      await writeProjection(ctx, payload);
      return { hostPath: ctx.dir, readOnly: true };
    },
  };
}
