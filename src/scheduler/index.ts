// The scheduler component: the Scheduler plus what tests and benchmarks build on.

export { Scheduler, DEFAULT_SCHEDULER_NAME } from './scheduler.js';
export type { SchedulerOptions, SchedulerMetrics } from './scheduler.js';
export { FitError, NoNodesAvailableError, Status, fitErrorMessage } from './framework/status.js';
export type { QueueStats } from './queue/scheduling-queue.js';
