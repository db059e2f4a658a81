// apps/v1beta2 (removed upstream in 1.16): the same shape and defaults as apps/v1, so
// conversion only changes apiVersion.

import type { ApiObject, GroupVersionKinds } from '../../scheme.js';
import { legacyKind } from '../legacy.js';
import { setDefaultsDaemonSet, setDefaultsDeployment, setDefaultsReplicaSet, setDefaultsStatefulSet } from '../v1/defaults.js';

const GV = 'apps/v1beta2';
const as = (f: (o: never) => void) => f as (o: ApiObject) => void;

export const kinds: GroupVersionKinds = {
  Deployment: legacyKind({ apiVersion: GV, kind: 'Deployment', defaults: as(setDefaultsDeployment) }),
  ReplicaSet: legacyKind({ apiVersion: GV, kind: 'ReplicaSet', defaults: as(setDefaultsReplicaSet) }),
  DaemonSet: legacyKind({ apiVersion: GV, kind: 'DaemonSet', defaults: as(setDefaultsDaemonSet) }),
  StatefulSet: legacyKind({ apiVersion: GV, kind: 'StatefulSet', defaults: as(setDefaultsStatefulSet), nameValidation: 'dns1123-label' }),
  ControllerRevision: legacyKind({ apiVersion: GV, kind: 'ControllerRevision' }),
};
