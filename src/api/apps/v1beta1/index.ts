// apps/v1beta1 (removed upstream in 1.16, used by the seeds' manifests): converted to apps/v1,
// with this version's defaults (pkg/apis/apps/v1beta1/defaults.go).

import type { ApiObject, GroupVersionKinds } from '../../scheme.js';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { defaultSelectorAndLabelsFromTemplate, defaultTemplate, deploymentFromHub, deploymentToHub, legacyKind } from '../legacy.js';
import { setDefaultsClaimTemplate, setDefaultsDeployment, setDefaultsStatefulSet } from '../v1/defaults.js';

const GV = 'apps/v1beta1';
const hub = (f: (o: never) => void) => f as (o: ApiObject) => void;

export function setDefaultsDeployment_appsV1beta1(obj: ApiObject): void {
  defaultSelectorAndLabelsFromTemplate(obj);
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 2;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(obj);
}

export function setDefaultsStatefulSet_appsV1beta1(obj: ApiObject): void {
  const spec = (obj.spec ??= {});
  spec.podManagementPolicy ??= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'OnDelete';
  defaultSelectorAndLabelsFromTemplate(obj);
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  defaultTemplate(obj);
  for (const pvc of (spec.volumeClaimTemplates ?? []) as PersistentVolumeClaim[]) setDefaultsClaimTemplate(pvc);
}

export const kinds: GroupVersionKinds = {
  Deployment: legacyKind({
    apiVersion: GV,
    kind: 'Deployment',
    defaults: setDefaultsDeployment_appsV1beta1,
    hubDefaults: hub(setDefaultsDeployment),
    toHub: deploymentToHub,
    fromHub: deploymentFromHub,
  }),
  StatefulSet: legacyKind({
    apiVersion: GV,
    kind: 'StatefulSet',
    nameValidation: 'dns1123-label',
    defaults: setDefaultsStatefulSet_appsV1beta1,
    hubDefaults: hub(setDefaultsStatefulSet),
  }),
  ControllerRevision: legacyKind({ apiVersion: GV, kind: 'ControllerRevision' }),
};
