// persistentVolumeClaim: the claim's bound PersistentVolume, resolved as upstream's desired-state
// populator does (claim bound, volumeName set, PV's claimRef pointing back), then set up by its
// source. This node supports hostPath PVs (what the local-path provisioner makes) and `local`
// PVs, both used in place on the node's disk.

import { stat } from 'node:fs/promises';
import type { PersistentVolume, PersistentVolumeClaim, Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import type { KubeObject } from '../../../../client/rest/resource.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES } from '../../../../client/resources.js';
import { setUpHostPath } from '../../host-path.js';
import { SetUpError, VolumeProcessError, type SetUpContext, type VolumePlugin } from '../../types.js';

export const NAME = 'kubernetes.io/persistent-claim';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Upstream getPVCExtractPV + getPVSpec; throws the cause without the `error processing PVC` prefix. */
async function resolve(ctx: SetUpContext, namespace: string, claimName: string): Promise<PersistentVolume> {
  let pvc: PersistentVolumeClaim;
  try {
    pvc = await ctx.host.client.resource<PersistentVolumeClaim & KubeObject>(PERSISTENTVOLUMECLAIMS).get(claimName, { namespace });
  } catch (e) {
    throw new Error(`failed to fetch PVC from API server: ${message(e)}`, { cause: e });
  }
  if (pvc.metadata?.deletionTimestamp) throw new Error('PVC is being deleted');
  if (pvc.status?.phase !== 'Bound') throw new Error('PVC is not bound');
  const pvName = pvc.spec?.volumeName ?? '';
  if (!pvName) throw new Error('PVC has empty pvc.Spec.VolumeName');
  let pv: PersistentVolume;
  try {
    pv = await ctx.host.client.resource<PersistentVolume & KubeObject>(PERSISTENTVOLUMES).get(pvName);
  } catch (e) {
    throw new Error(`failed to fetch PV ${pvName} from API server: ${message(e)}`, { cause: e });
  }
  const ref = pv.spec?.claimRef;
  if (!ref) throw new Error(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== pvc.metadata?.uid) {
    throw new Error(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID (${ref.uid ?? ''}) does not point to claim.UID (${pvc.metadata?.uid ?? ''})`);
  }
  return pv;
}

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: false,
    canSupport: (v: Volume) => v.persistentVolumeClaim !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const src = ctx.volume.persistentVolumeClaim!;
      const namespace = ctx.pod.metadata?.namespace ?? '';
      let pv: PersistentVolume;
      try {
        pv = await resolve(ctx, namespace, src.claimName);
      } catch (e) {
        throw new VolumeProcessError(`error processing PVC ${namespace}/${src.claimName}: ${message(e)}`, { cause: e });
      }
      const pvName = pv.metadata?.name ?? '';
      const readOnly = src.readOnly === true;
      if (pv.spec?.volumeMode === 'Block') throw new VolumeProcessError(`error processing PVC ${namespace}/${src.claimName}: block volume mode is not supported by this kubelet`);
      if (pv.spec?.hostPath) {
        try {
          return await setUpHostPath(pv.spec.hostPath.path, pv.spec.hostPath.type, readOnly);
        } catch (e) {
          throw new SetUpError(pvName, message(e), { cause: e });
        }
      }
      if (pv.spec?.local) {
        const path = pv.spec.local.path;
        try {
          await stat(path);
        } catch (e) {
          throw new SetUpError(pvName, (e as NodeJS.ErrnoException).code === 'ENOENT' ? `path "${path}" does not exist` : message(e), { cause: e });
        }
        return { hostPath: path, readOnly };
      }
      throw new VolumeProcessError(`failed to get Plugin from volumeSpec for volume "${pvName}" err=no volume plugin matched`);
    },
  };
}
