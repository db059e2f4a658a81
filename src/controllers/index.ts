// Controllers: the manager, its registry, and the controller contract.
export { ControllerManager, ControllerManagerError, CONTROLLERS, enabledControllers } from './manager.js';
export type { ControllerManagerOptions, ControllerManagerState } from './manager.js';
export type { Controller, ControllerContext, ControllerFactory, SyncResult } from './shared/types.js';
