// extensions/v1beta1 (removed upstream in 1.16/1.22, used by the seeds' manifests): workloads
// converted to apps/v1 and Ingress converted to networking.k8s.io/v1, with the defaults this
// version had (pkg/apis/extensions/v1beta1/defaults.go as of 1.15).

import type { ApiObject, GroupVersionKinds } from '../../scheme.js';
import {
  MAX_INT32,
  daemonSetFromHub,
  daemonSetToHub,
  defaultSelectorAndLabelsFromTemplate,
  defaultTemplate,
  deploymentFromHub,
  deploymentToHub,
  legacyKind,
} from '../../apps/legacy.js';
import { setDefaultsDaemonSet, setDefaultsDeployment, setDefaultsReplicaSet } from '../../apps/v1/defaults.js';
import { ingressKind } from './ingress.js';

const GV = 'extensions/v1beta1';
const hub = (f: (o: never) => void) => f as (o: ApiObject) => void;

export function setDefaultsDeployment_extensionsV1beta1(obj: ApiObject): void {
  defaultSelectorAndLabelsFromTemplate(obj);
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 1;
  }
  // MaxInt32 means "no deadline" and "keep every old ReplicaSet", as unset did in this version.
  spec.progressDeadlineSeconds ??= MAX_INT32;
  spec.revisionHistoryLimit ??= MAX_INT32;
  defaultTemplate(obj);
}

export function setDefaultsReplicaSet_extensionsV1beta1(obj: ApiObject): void {
  defaultSelectorAndLabelsFromTemplate(obj);
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  defaultTemplate(obj);
}

export function setDefaultsDaemonSet_extensionsV1beta1(obj: ApiObject): void {
  defaultSelectorAndLabelsFromTemplate(obj);
  const spec = (obj.spec ??= {});
  const us = (spec.updateStrategy ??= {});
  // The one beta default that differs most: DaemonSets updated only on delete.
  us.type ??= 'OnDelete';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(obj);
}

export const kinds: GroupVersionKinds = {
  Deployment: legacyKind({
    apiVersion: GV,
    kind: 'Deployment',
    defaults: setDefaultsDeployment_extensionsV1beta1,
    hubDefaults: hub(setDefaultsDeployment),
    toHub: deploymentToHub,
    fromHub: deploymentFromHub,
  }),
  ReplicaSet: legacyKind({
    apiVersion: GV,
    kind: 'ReplicaSet',
    defaults: setDefaultsReplicaSet_extensionsV1beta1,
    hubDefaults: hub(setDefaultsReplicaSet),
  }),
  DaemonSet: legacyKind({
    apiVersion: GV,
    kind: 'DaemonSet',
    defaults: setDefaultsDaemonSet_extensionsV1beta1,
    hubDefaults: hub(setDefaultsDaemonSet),
    toHub: daemonSetToHub,
    fromHub: daemonSetFromHub,
  }),
  Ingress: ingressKind,
};
