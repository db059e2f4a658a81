// projected (upstream pkg/volume/projected): ConfigMap, Secret, downward API and service account
// token sources merged into one directory on a tmpfs (when the kubelet can mount). This is the
// `kube-api-access-*` volume the ServiceAccount admission plugin adds to every pod.

import type { Volume } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../../../container/runtime.js';
import type { Payload } from '../../atomic-writer.js';
import { collectDownwardAPI, DEFAULT_MODE, getConfigMap, getSecret, makeConfigMapPayload, makeSecretPayload } from '../../payload.js';
import { writeProjection } from '../../projection.js';
import { aggregate, type SetUpContext, type VolumePlugin } from '../../types.js';
import { fsGroupOf, setUpSensitiveDir } from '../../wrapped-dir.js';

export const NAME = 'kubernetes.io/projected';

/** The API default of serviceAccountToken.expirationSeconds (one hour). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

async function collectData(ctx: SetUpContext): Promise<Payload> {
  const src = ctx.volume.projected!;
  const defaultMode = src.defaultMode ?? DEFAULT_MODE;
  const namespace = ctx.pod.metadata?.namespace ?? '';
  const payload: Payload = new Map();
  const errors: Error[] = [];
  const merge = (p: Payload) => {
    for (const [k, v] of p) payload.set(k, v);
  };
  for (const source of src.sources ?? []) {
    try {
      if (source.configMap) {
        const optional = source.configMap.optional === true;
        const cm = await getConfigMap(ctx.host.client, namespace, source.configMap.name ?? '', optional);
        merge(makeConfigMapPayload(source.configMap.items, cm, defaultMode, optional));
      } else if (source.secret) {
        const optional = source.secret.optional === true;
        const secret = await getSecret(ctx.host.client, namespace, source.secret.name ?? '', optional);
        merge(makeSecretPayload(source.secret.items, secret, defaultMode, optional));
      } else if (source.downwardAPI) {
        merge(await collectDownwardAPI(source.downwardAPI.items, ctx.pod, ctx.host, defaultMode));
      } else if (source.serviceAccountToken) {
        const tp = source.serviceAccountToken;
        // With an fsGroup the ownership pass makes the token 0640; without, defaultMode.
        const mode = fsGroupOf(ctx.pod) !== undefined ? 0o600 : defaultMode;
        const tr = await ctx.host.tokens.getServiceAccountToken(namespace, ctx.pod.spec?.serviceAccountName ?? '', {
          audiences: tp.audience ? [tp.audience] : [],
          expirationSeconds: tp.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: ctx.pod.metadata?.name ?? '', uid: ctx.pod.metadata?.uid ?? '' },
        });
        payload.set(tp.path, { data: Buffer.from(tr.status?.token ?? '', 'utf8'), mode });
      } else if ((source as { clusterTrustBundle?: unknown }).clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by this kubelet');
      }
    } catch (e) {
      errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  const err = aggregate(errors);
  if (err) throw err;
  return payload;
}

export function create(): VolumePlugin {
  return {
    name: NAME,
    requiresRemount: true,
    canSupport: (v: Volume) => v.projected !== undefined,
    async setUp(ctx: SetUpContext): Promise<MountedVolume> {
      const payload = await collectData(ctx);
      await setUpSensitiveDir(ctx);
      await writeProjection(ctx, payload);
      return { hostPath: ctx.dir, readOnly: true };
    },
  };
}
