// secret (upstream pkg/volume/secret): the Secret's keys as files on a tmpfs (when the kubelet
// can mount), refreshed on every pod sync through the atomic writer.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import { getSecret, makeSecretPayload } from '../../payload.js';
import { writeProjection } from '../../projection.js';
import type { SetUpContext, VolumePlugin } from '../../types.js';
import { setUpSensitiveDir } from '../../wrapped-dir.js';

export const NAME = 'kubernetes.io/secret';

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: true,
    canSupport: (v: Volume) => v.secret !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const src = ctx.volume.secret!;
      const optional = src.optional === true;
      const secret = await getSecret(ctx.host.client, ctx.pod.metadata?.namespace ?? '', src.secretName ?? '', optional);
      const payload = makeSecretPayload(src.items, secret, src.defaultMode, optional);
      await setUpSensitiveDir(ctx);
      await writeProjection(ctx, payload);
      return { hostPath: ctx.dir, readOnly: true };
    },
  };
}
