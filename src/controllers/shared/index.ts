export type { Controller, ControllerContext, ControllerFactory, SyncResult } from './types.js';
export { WorkerPool } from './workers.js';
export type { SyncFunc, WorkerPoolOptions } from './workers.js';
