// Labels and annotations the kubelet puts on sandboxes and containers (upstream
// kuberuntime/labels.go): labels identify the pod and container (and are what listings filter
// on); annotations carry what killing a container needs when the pod object is gone
// (grace periods, the preStop handler) and what the status needs (hash, restart count,
// termination message settings).
import type { Container, ContainerPort, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

export const POD_DELETION_GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.deletionGracePeriod';
export const POD_TERMINATION_GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const CONTAINER_PRESTOP_HANDLER_ANNOTATION = 'io.kubernetes.container.preStopHandler';
export const CONTAINER_PORTS_ANNOTATION = 'io.kubernetes.container.ports';

/** The pod's own labels plus the three identifying ones (upstream newPodLabels). */
export function newPodLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
  };
}

/** The pod's annotations, passed to the runtime as they are (upstream newPodAnnotations). */
export function newPodAnnotations(pod: Pod): Record<string, string> {
  return { ...(pod.metadata?.annotations ?? {}) };
}

export function newContainerLabels(container: Container, pod: Pod): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
  };
}

export function newContainerAnnotations(container: Container, pod: Pod, restartCount: number, hash: string): Record<string, string> {
  const a: Record<string, string> = {
    [CONTAINER_HASH_ANNOTATION]: hash,
    [CONTAINER_RESTART_COUNT_ANNOTATION]: String(restartCount),
    [CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION]: container.terminationMessagePath ?? '',
    [CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION]: container.terminationMessagePolicy ?? '',
  };
  if (pod.metadata?.deletionGracePeriodSeconds != null) a[POD_DELETION_GRACE_PERIOD_ANNOTATION] = String(pod.metadata.deletionGracePeriodSeconds);
  if (pod.spec?.terminationGracePeriodSeconds != null) a[POD_TERMINATION_GRACE_PERIOD_ANNOTATION] = String(pod.spec.terminationGracePeriodSeconds);
  if (container.lifecycle?.preStop) a[CONTAINER_PRESTOP_HANDLER_ANNOTATION] = JSON.stringify(container.lifecycle.preStop);
  if (container.ports?.length) a[CONTAINER_PORTS_ANNOTATION] = JSON.stringify(container.ports);
  return a;
}

export interface LabeledContainerInfo {
  podName: string;
  podNamespace: string;
  podUID: string;
  containerName: string;
}

export function getContainerInfoFromLabels(labels: Record<string, string> | undefined): LabeledContainerInfo {
  return {
    podName: labels?.[POD_NAME_LABEL] ?? '',
    podNamespace: labels?.[POD_NAMESPACE_LABEL] ?? '',
    podUID: labels?.[POD_UID_LABEL] ?? '',
    containerName: labels?.[CONTAINER_NAME_LABEL] ?? '',
  };
}

export interface AnnotatedContainerInfo {
  hash: string;
  restartCount: number;
  podDeletionGracePeriod?: number;
  podTerminationGracePeriod?: number;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  preStopHandler?: LifecycleHandler;
  containerPorts?: ContainerPort[];
}

export function getContainerInfoFromAnnotations(annotations: Record<string, string> | undefined): AnnotatedContainerInfo {
  const a = annotations ?? {};
  const int = (k: string): number | undefined => {
    const v = a[k];
    if (v === undefined || v === '') return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  };
  const json = <T>(k: string): T | undefined => {
    const v = a[k];
    if (!v) return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      return undefined;
    }
  };
  return {
    hash: a[CONTAINER_HASH_ANNOTATION] ?? '',
    restartCount: int(CONTAINER_RESTART_COUNT_ANNOTATION) ?? 0,
    podDeletionGracePeriod: int(POD_DELETION_GRACE_PERIOD_ANNOTATION),
    podTerminationGracePeriod: int(POD_TERMINATION_GRACE_PERIOD_ANNOTATION),
    terminationMessagePath: a[CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION] ?? '',
    terminationMessagePolicy: a[CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION] ?? '',
    preStopHandler: json<LifecycleHandler>(CONTAINER_PRESTOP_HANDLER_ANNOTATION),
    containerPorts: json<ContainerPort[]>(CONTAINER_PORTS_ANNOTATION),
  };
}
