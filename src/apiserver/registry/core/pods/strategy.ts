// Pod strategy (upstream pkg/registry/core/pod/strategy.go): status starts Pending with a QoS
// class; pods bound to a node are deleted gracefully (the kubelet finishes the delete).

import { computeQOSClass } from '../../../../api/core/v1/qos.js';
import type { Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../../../util/mutable.js';
type Pod = DeepMutable<WirePod>;
import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

export const POD_SELECTABLE_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.podIPs',
  'status.nominatedNodeName',
] as const;

export function podStrategyOverrides(): Partial<Strategy> {
  return {
    tracksGeneration: false,
    selectableFields: POD_SELECTABLE_FIELDS,
    prepareForCreate(_ctx, obj: ApiObject) {
      const pod = obj as Pod;
      pod.status = { phase: 'Pending', qosClass: computeQOSClass(pod) };
    },
    prepareForUpdate(_ctx, obj: ApiObject, old: ApiObject) {
      obj.status = old.status;
    },
    fieldSet(obj: ApiObject) {
      const pod = obj as Pod;
      return {
        'spec.nodeName': pod.spec?.nodeName ?? '',
        'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
        'spec.schedulerName': pod.spec?.schedulerName ?? '',
        'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
        'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
        'status.phase': pod.status?.phase ?? '',
        'status.podIP': pod.status?.podIP ?? '',
        'status.podIPs': pod.status?.podIPs?.map((p) => p.ip).join(',') ?? '',
        'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
      };
    },
    gracefulDelete(obj: ApiObject, requested: number | undefined) {
      const pod = obj as Pod;
      // Unscheduled and terminated pods go at once (upstream CheckGracefulDelete).
      if (!pod.spec?.nodeName) return undefined;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
      const grace = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      return { graceSeconds: Math.max(0, grace) };
    },
  };
}
