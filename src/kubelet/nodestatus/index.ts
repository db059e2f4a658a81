export { NodeStatusManager, ANNOTATION_CONTROLLER_MANAGED_ATTACH_DETACH, DEFAULT_KUBELET_VERSION, RUNTIME_SYNC_THRESHOLD_MS, type NodeStatusManagerOptions, type NodeStatusManagerState, type NodeStatusRuntime } from './manager.js';
export { NodeLease, LEASE_DURATION_SECONDS, LEASE_NAMESPACE, microTime } from './lease.js';
export { goArch, goOS, prettyName, readMachineInfo, type MachineInfo, type MachinePaths } from './machine.js';
export { allocatableOf, capacityOf, nodeStatusChanged, setNodeStatus, type StatusInputs } from './setters.js';
