// The API scheme: every served group/version's kinds joined into one lookup, plus the
// resource catalogue. The registry finds a kind's defaults, validation and conversion here.

import type { GroupVersionKinds, KindHandlers } from './scheme.js';
import { kinds as coreV1 } from './core/v1/index.js';
import { kinds as appsV1 } from './apps/v1/index.js';
import { kinds as appsV1beta1 } from './apps/v1beta1/index.js';
import { kinds as appsV1beta2 } from './apps/v1beta2/index.js';
import { kinds as extensionsV1beta1 } from './extensions/v1beta1/index.js';
import { kinds as batchV1 } from './batch/v1/index.js';
import { kinds as autoscalingV1 } from './autoscaling/v1/index.js';
import { kinds as autoscalingV2 } from './autoscaling/v2/index.js';
import { kinds as policyV1 } from './policy/v1/index.js';
import { kinds as eventsV1 } from './events/v1/index.js';
import { kinds as rbacV1 } from './rbac/v1/index.js';
import { kinds as rbacV1beta1 } from './rbac/v1beta1/index.js';
import { kinds as networkingV1 } from './networking/v1/index.js';
import { kinds as discoveryV1 } from './discovery/v1/index.js';
import { kinds as coordinationV1 } from './coordination/v1/index.js';
import { kinds as storageV1 } from './storage/v1/index.js';
import { kinds as schedulingV1 } from './scheduling/v1/index.js';
import { kinds as nodeV1 } from './node/v1/index.js';
import { kinds as certificatesV1 } from './certificates/v1/index.js';
import { kinds as admissionregistrationV1 } from './admissionregistration/v1/index.js';
import { kinds as apiextensionsV1 } from './apiextensions/v1/index.js';

export * from './scheme.js';
export * from './catalogue.js';

/** group/version → that version's kinds. The core group is ''. */
const GROUP_VERSIONS: ReadonlyArray<readonly [group: string, version: string, kinds: GroupVersionKinds]> = [
  ['', 'v1', coreV1],
  ['apps', 'v1', appsV1],
  ['apps', 'v1beta1', appsV1beta1],
  ['apps', 'v1beta2', appsV1beta2],
  ['extensions', 'v1beta1', extensionsV1beta1],
  ['batch', 'v1', batchV1],
  ['autoscaling', 'v1', autoscalingV1],
  ['autoscaling', 'v2', autoscalingV2],
  ['policy', 'v1', policyV1],
  ['events.k8s.io', 'v1', eventsV1],
  ['rbac.authorization.k8s.io', 'v1', rbacV1],
  ['rbac.authorization.k8s.io', 'v1beta1', rbacV1beta1],
  ['networking.k8s.io', 'v1', networkingV1],
  ['discovery.k8s.io', 'v1', discoveryV1],
  ['coordination.k8s.io', 'v1', coordinationV1],
  ['storage.k8s.io', 'v1', storageV1],
  ['scheduling.k8s.io', 'v1', schedulingV1],
  ['node.k8s.io', 'v1', nodeV1],
  ['certificates.k8s.io', 'v1', certificatesV1],
  ['admissionregistration.k8s.io', 'v1', admissionregistrationV1],
  ['apiextensions.k8s.io', 'v1', apiextensionsV1],
];

const byGroupVersion = new Map<string, GroupVersionKinds>(GROUP_VERSIONS.map(([g, v, k]) => [`${g}/${v}`, k]));

/** The handlers of one kind at one group/version, or undefined when that kind is not served there. */
export function kindHandlers(group: string, version: string, kind: string): KindHandlers | undefined {
  const kinds = byGroupVersion.get(`${group}/${version}`);
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}
