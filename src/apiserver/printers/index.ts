// Table printers for every built-in kind, keyed by the `group/Kind` of the storage version
// (upstream pkg/printers/internalversion AddHandlers), and the default printer for the rest.

import type { Printer, PrinterMap } from './types.js';
import { col } from './columns.js';
import { parseTime } from './format.js';
import { podPrinter, podTemplatePrinter } from './pod.js';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  replicationControllerPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.js';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './apps.js';
import { cronJobPrinter, jobPrinter } from './batch.js';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.js';
import { csiDriverPrinter, csiNodePrinter, csiStorageCapacityPrinter, storageClassPrinter, volumeAttachmentPrinter } from './storage.js';
import {
  certificateSigningRequestPrinter,
  clusterRoleBindingPrinter,
  horizontalPodAutoscalerPrinter,
  leasePrinter,
  mutatingWebhookConfigurationPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  roleBindingPrinter,
  runtimeClassPrinter,
  validatingAdmissionPolicyBindingPrinter,
  validatingAdmissionPolicyPrinter,
  validatingWebhookConfigurationPrinter,
} from './other.js';

export type { Printer, PrinterMap, TableColumnDefinition, TableRowCondition } from './types.js';
export { humanDuration, shortHumanDuration } from '../../machinery/duration.js';
export { formatLabelSelector, formatLabels, translateTimestampSince } from './format.js';
export { podSummary } from './pod.js';

/** metav1.Time in RFC 3339 at second precision, UTC, as Go's time.RFC3339 prints it. */
function rfc3339(ts: string | undefined): string {
  const t = parseTime(ts);
  return t === undefined ? '0001-01-01T00:00:00Z' : `${new Date(t).toISOString().slice(0, 19)}Z`;
}

/**
 * What upstream's default table convertor (apiserver rest.NewDefaultTableConvertor) shows for
 * kinds without a printer: NAME and CREATED AT (a date, not an age).
 */
export const defaultPrinter: Printer<{ metadata?: { name?: string; creationTimestamp?: string } }> = {
  columns: [
    col('Name', 'string', 'meta/v1/ObjectMeta.name', { format: 'name' }),
    col('Created At', 'date', 'meta/v1/ObjectMeta.creationTimestamp'),
  ],
  cells: (obj) => [obj.metadata?.name ?? '', rfc3339(obj.metadata?.creationTimestamp)],
};

export const printers: PrinterMap = {
  // core/v1
  '/Binding': defaultPrinter,
  '/ConfigMap': configMapPrinter,
  '/Endpoints': endpointsPrinter,
  '/Event': eventPrinter,
  '/LimitRange': defaultPrinter,
  '/Namespace': namespacePrinter,
  '/Node': nodePrinter,
  '/PersistentVolume': persistentVolumePrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/Pod': podPrinter,
  '/PodTemplate': podTemplatePrinter,
  '/ReplicationController': replicationControllerPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  '/Secret': secretPrinter,
  '/Service': servicePrinter,
  '/ServiceAccount': serviceAccountPrinter,
  // admissionregistration.k8s.io/v1
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': mutatingWebhookConfigurationPrinter,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validatingAdmissionPolicyPrinter,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validatingAdmissionPolicyBindingPrinter,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': validatingWebhookConfigurationPrinter,
  // apiextensions.k8s.io/v1: CRDs use the default table convertor upstream.
  'apiextensions.k8s.io/CustomResourceDefinition': defaultPrinter,
  // apps/v1
  'apps/ControllerRevision': controllerRevisionPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/StatefulSet': statefulSetPrinter,
  // autoscaling/v2
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerPrinter,
  // batch/v1
  'batch/CronJob': cronJobPrinter,
  'batch/Job': jobPrinter,
  // certificates.k8s.io/v1
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequestPrinter,
  // coordination.k8s.io/v1
  'coordination.k8s.io/Lease': leasePrinter,
  // discovery.k8s.io/v1
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  // networking.k8s.io/v1
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter,
  // node.k8s.io/v1
  'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  // policy/v1
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  // rbac.authorization.k8s.io/v1: roles use the default table convertor upstream.
  'rbac.authorization.k8s.io/ClusterRole': defaultPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingPrinter,
  'rbac.authorization.k8s.io/Role': defaultPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  // scheduling.k8s.io/v1
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  // storage.k8s.io/v1
  'storage.k8s.io/CSIDriver': csiDriverPrinter,
  'storage.k8s.io/CSINode': csiNodePrinter,
  'storage.k8s.io/CSIStorageCapacity': csiStorageCapacityPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'storage.k8s.io/VolumeAttachment': volumeAttachmentPrinter,
};

/** The printer of a stored group/kind, or the default one. */
export function printerFor(group: string, kind: string): Printer {
  return printers[`${group}/${kind}`] ?? defaultPrinter;
}
