// Simulated nodes (DESIGN.md §6): nodes that register, heartbeat and run pods without containers.

export { SimulatedNodes, simulatedNodeNames, LEASE_NAMESPACE, LEASE_DURATION_SECONDS } from './simulated-nodes.js';
export type { SimulatedNodesOptions, SimulatedInformers } from './simulated-nodes.js';
export type { SimulatedNodeSpec } from './node-status.js';
export { ANNOTATION_SIMULATED, ANNOTATION_HEARTBEAT, LABEL_SIMULATED, DEFAULT_CAPACITY } from './node-status.js';
export { ANNOTATION_DURATION, ANNOTATION_EXIT_CODE, ANNOTATION_READY_AFTER, computeQOSClass } from './pod-status.js';
