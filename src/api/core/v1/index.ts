// The core (legacy, group "") v1 kinds: defaults, validation and name rules per kind, and the
// PodSpec helpers that apps and batch reuse.

import type {
  Binding,
  ConfigMap,
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodTemplate,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';
import * as d from './defaults.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './validation/config.js';
import { validateNamespace, validateNamespaceStatusUpdate, validateNode, validateNodeUpdate } from './validation/cluster.js';
import { validateEndpoints, validateEvent } from './validation/endpoints.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './validation/pod.js';
import { validateLimitRange, validateResourceQuota, validateResourceQuotaStatusUpdate, validateResourceQuotaUpdate } from './validation/policy.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './validation/service.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate,
  validatePersistentVolumeUpdate,
} from './validation/storage.js';
import { validateBinding, validatePodTemplate, validateReplicationController, validateReplicationControllerStatus } from './validation/workloads.js';

export {
  defaultPullPolicy,
  setDefaultsContainer,
  setDefaultsPod,
  setDefaultsPodSpec,
  setDefaultsPodTemplateSpec,
  setDefaultsPersistentVolumeClaimSpec,
  setDefaultsVolume,
} from './defaults.js';
export {
  type PodSpecOptions,
  type PodValidationOptions,
  labelSelectorMatches,
  validateAffinity,
  validateEnv,
  validateNodeSelector,
  validatePodSpec,
  validatePodTemplateSpec,
  validatePodTemplateSpecForRC,
  validatePodTemplateSpecForReplicaSet,
  validatePortNumOrName,
  validateResourceRequirements,
  validateTolerations,
  validatePodEphemeralContainersUpdate,
} from './validation/pod.js';
export { validatePersistentVolumeClaimSpec, validateTemplateObjectMeta, validateVolumes } from './validation/volumes.js';
export { normalizeClusterIPs, isHeadlessService, externallyAccessible } from './validation/service.js';
export { validateNamespaceFinalizeUpdate, validateFinalizerName } from './validation/cluster.js';
export { validateReplicationControllerStatus } from './validation/workloads.js';
export { validateImmutableField, semanticEqual } from './validation/common.js';

const pod: KindHandlers<Pod> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsPod,
  validate: validatePod,
  validateUpdate: validatePodUpdate,
  validateStatusUpdate: validatePodStatusUpdate,
};

const service: KindHandlers<Service> = {
  nameValidation: 'dns1035-label',
  defaults: d.setDefaultsService,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  validateStatusUpdate: validateServiceStatusUpdate,
};

const endpoints: KindHandlers<Endpoints> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsEndpoints,
  validate: validateEndpoints,
  validateUpdate: (e) => validateEndpoints(e),
};

const node: KindHandlers<Node> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsNode,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  validateStatusUpdate: validateNodeUpdate,
};

const configMap: KindHandlers<ConfigMap> = {
  nameValidation: 'dns1123-subdomain',
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};

const secret: KindHandlers<Secret> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
};

const serviceAccount: KindHandlers<ServiceAccount> = {
  nameValidation: 'dns1123-subdomain',
};

const event: KindHandlers<Event> = {
  nameValidation: 'dns1123-subdomain',
  validate: validateEvent,
  validateUpdate: (e) => validateEvent(e),
};

const replicationController: KindHandlers<ReplicationController> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsReplicationController,
  validate: validateReplicationController,
  validateUpdate: (rc) => validateReplicationController(rc),
  validateStatusUpdate: (rc) => validateReplicationControllerStatus(rc.status),
};

const resourceQuota: KindHandlers<ResourceQuota> = {
  nameValidation: 'dns1123-subdomain',
  validate: validateResourceQuota,
  validateUpdate: validateResourceQuotaUpdate,
  validateStatusUpdate: validateResourceQuotaStatusUpdate,
};

const limitRange: KindHandlers<LimitRange> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsLimitRange,
  validate: validateLimitRange,
  validateUpdate: (lr) => validateLimitRange(lr),
};

const persistentVolume: KindHandlers<PersistentVolume> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsPersistentVolume,
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  validateStatusUpdate: validatePersistentVolumeStatusUpdate,
};

const persistentVolumeClaim: KindHandlers<PersistentVolumeClaim> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsPersistentVolumeClaim,
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
  validateStatusUpdate: validatePersistentVolumeClaimStatusUpdate,
};

const podTemplate: KindHandlers<PodTemplate> = {
  nameValidation: 'dns1123-subdomain',
  defaults: d.setDefaultsPodTemplate,
  validate: validatePodTemplate,
  validateUpdate: (pt) => validatePodTemplate(pt),
};

const namespace: KindHandlers<Namespace> = {
  nameValidation: 'dns1123-label',
  defaults: d.setDefaultsNamespace,
  validate: validateNamespace,
  // Upstream ValidateNamespaceUpdate checks metadata only; spec.finalizers change through /finalize.
  validateUpdate: () => [],
  validateStatusUpdate: validateNamespaceStatusUpdate,
};

const binding: KindHandlers<Binding> = {
  nameValidation: 'dns1123-subdomain',
  validate: validateBinding,
};

export const kinds: GroupVersionKinds = {
  Binding: binding,
  ConfigMap: configMap,
  Endpoints: endpoints,
  Event: event,
  LimitRange: limitRange,
  Namespace: namespace,
  Node: node,
  PersistentVolume: persistentVolume,
  PersistentVolumeClaim: persistentVolumeClaim,
  Pod: pod,
  PodTemplate: podTemplate,
  ReplicationController: replicationController,
  ResourceQuota: resourceQuota,
  Secret: secret,
  Service: service,
  ServiceAccount: serviceAccount,
};
