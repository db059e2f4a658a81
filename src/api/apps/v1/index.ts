// apps/v1: the storage ("hub") version of every apps workload.

import type { GroupVersionKinds } from '../../scheme.js';
import {
  setDefaultsDaemonSet,
  setDefaultsDeployment,
  setDefaultsReplicaSet,
  setDefaultsStatefulSet,
} from './defaults.js';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDaemonSetStatusUpdate,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from './validation.js';

export * from './defaults.js';
export * from './validation.js';

export const kinds: GroupVersionKinds = {
  Deployment: {
    defaults: setDefaultsDeployment,
    validate: validateDeployment,
    validateUpdate: validateDeploymentUpdate,
    validateStatusUpdate: validateDeploymentStatusUpdate,
  },
  ReplicaSet: {
    defaults: setDefaultsReplicaSet,
    validate: validateReplicaSet,
    validateUpdate: validateReplicaSetUpdate,
    validateStatusUpdate: validateReplicaSetStatusUpdate,
  },
  DaemonSet: {
    defaults: setDefaultsDaemonSet,
    validate: validateDaemonSet,
    validateUpdate: validateDaemonSetUpdate,
    validateStatusUpdate: validateDaemonSetStatusUpdate,
  },
  StatefulSet: {
    // Pods are named `<statefulset>-<ordinal>`, so the name must be a DNS label.
    nameValidation: 'dns1123-label',
    defaults: setDefaultsStatefulSet,
    validate: validateStatefulSet,
    validateUpdate: validateStatefulSetUpdate,
    validateStatusUpdate: validateStatefulSetStatusUpdate,
  },
  ControllerRevision: {
    validate: validateControllerRevision,
    validateUpdate: validateControllerRevisionUpdate,
  },
};
