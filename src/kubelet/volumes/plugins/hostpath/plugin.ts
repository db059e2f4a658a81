// hostPath (upstream pkg/volume/hostpath): the node's own path, checked (or created) by `type`.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { SetUpContext, VolumePlugin } from '../../types.js';
import { setUpHostPath } from '../../host-path.js';

export const NAME = 'kubernetes.io/host-path';

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: false,
    canSupport: (v: Volume) => v.hostPath !== undefined,
    setUp: (ctx: SetUpContext) => setUpHostPath(ctx.volume.hostPath!.path, ctx.volume.hostPath!.type, false),
  };
}
