// batch/v1: Job and CronJob.

import type { GroupVersionKinds } from '../../scheme.js';
import { setDefaultsCronJob, validateCronJob, validateCronJobUpdate } from './cronjob.js';
import { setDefaultsJob, validateJob, validateJobStatusUpdate, validateJobUpdate } from './job.js';

export * from './cronjob.js';
export * from './job.js';

export const kinds: GroupVersionKinds = {
  Job: {
    defaults: setDefaultsJob,
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    validateStatusUpdate: validateJobStatusUpdate,
  },
  CronJob: {
    defaults: setDefaultsCronJob,
    validate: validateCronJob,
    validateUpdate: validateCronJobUpdate,
  },
};
