export type { Controller, ControllerConfig, ControllerContext, ControllerFactory, SyncResult } from './types.js';
export { DEFAULT_CONTROLLER_CONFIG } from './types.js';
export { WorkerPool } from './workers.js';
export type { SyncFunc, WorkerPoolOptions } from './workers.js';
export * from './podutil.js';
export * from './controller-ref.js';
export * from './expectations.js';
export * from './pod-control.js';
