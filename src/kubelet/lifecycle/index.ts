// Container lifecycle hooks (upstream pkg/kubelet/lifecycle).
export { HookRunner, formatPod, type HookRunnerOptions } from './handlers.js';
