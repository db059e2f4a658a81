// Writing a projected file set into a volume directory with the atomic writer, then the fsGroup
// ownership pass when anything changed.

import type { Payload } from './atomic-writer.js';
import { AtomicWriter } from './atomic-writer.js';
import type { SetUpContext } from './types.js';
import { fsGroupOf, setVolumeOwnership } from './wrapped-dir.js';

/** Writes `payload` into `ctx.dir` (which exists); true when the files changed. */
export async function writeProjection(ctx: SetUpContext, payload: Payload): Promise<boolean> {
  const writer = new AtomicWriter(ctx.dir, { now: () => ctx.host.now() });
  const written = await writer.write(payload);
  if (written || ctx.first) await setVolumeOwnership(ctx.dir, fsGroupOf(ctx.pod), true);
  if (written) ctx.host.logger.debug({ pod: `${ctx.pod.metadata?.namespace ?? ''}/${ctx.pod.metadata?.name ?? ''}`, volume: ctx.volume.name }, 'volume contents updated');
  return written;
}
