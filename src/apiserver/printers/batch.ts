// batch/v1 kinds: upstream printJob (with the STATUS column) and printCronJob.

import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Printer } from './types.js';
import { AGE, CONTAINERS, IMAGES, NAME, col, wide } from './columns.js';
import { age, boolPtr, formatLabelSelector, layoutContainerCells, name, parseTime, translateTimestampSince } from './format.js';
import { humanDuration } from '../../machinery/duration.js';


/** Upstream hasJobCondition: the first condition of the type decides. */
function hasJobCondition(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** STATUS precedence: Complete, Failed, Terminating, Suspended, FailureTarget, else Running. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (hasJobCondition(conditions, 'Complete')) return 'Complete';
  if (hasJobCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(conditions, 'Suspended')) return 'Suspended';
  if (hasJobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer<Job> = {
  columns: [
    NAME,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'batch/v1/JobStatus.succeeded'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'batch/v1/JobSpec.selector'),
  ],
  cells(obj, now) {
    const succeeded = obj.status?.succeeded ?? 0;
    let completions: string;
    if (obj.spec?.completions !== undefined && obj.spec.completions !== null) {
      completions = `${succeeded}/${obj.spec.completions}`;
    } else {
      const parallelism = obj.spec?.parallelism ?? 0;
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(obj.status?.startTime);
    const end = parseTime(obj.status?.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((end ?? now) - start);
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    return [
      name(obj),
      jobStatus(obj),
      completions,
      duration,
      age(obj, now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    NAME,
    col('Schedule', 'string', 'batch/v1/CronJobSpec.schedule'),
    col('Timezone', 'string', 'batch/v1/CronJobSpec.timeZone'),
    col('Suspend', 'boolean', 'batch/v1/CronJobSpec.suspend'),
    col('Active', 'integer', 'batch/v1/CronJobStatus.active'),
    col('Last Schedule', 'string', 'batch/v1/CronJobStatus.lastScheduleTime'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'batch/v1/JobSpec.selector'),
  ],
  cells(obj, now) {
    const last = obj.status?.lastScheduleTime ? translateTimestampSince(obj.status.lastScheduleTime, now) : '<none>';
    const jobSpec = obj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
    return [
      name(obj),
      obj.spec?.schedule ?? '',
      obj.spec?.timeZone ?? '<none>',
      boolPtr(obj.spec?.suspend),
      obj.status?.active?.length ?? 0,
      last,
      age(obj, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
