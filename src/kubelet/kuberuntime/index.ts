// The kubelet's runtime manager over CRI (upstream pkg/kubelet/kuberuntime).
export { KubeGenericRuntimeManager, MINIMUM_GRACE_PERIOD_SECONDS, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, findNextInitContainerToRun, runningPodFromStatus } from './manager.js';
export type { HookRunner, KubeGenericRuntimeManagerOptions, PodActions } from './manager.js';
export { hashContainer, getStableKey, formatPod, podLogsDirectory, getPodQOS, type QOSClass } from './helpers.js';
export * from './labels.js';
