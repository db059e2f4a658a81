// batch/v1 CronJob: defaults and validation (pkg/apis/batch/v1/defaults.go,
// pkg/apis/batch/validation ValidateCronJobCreate/Update).

import type { CronJob, CronJobSpec } from 'kubernetes-types/batch/v1.js';
import { Path, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { nonNegative } from '../../apps/v1/util.js';
import { CronParseError, isValidTimeZone, parseSchedule } from '../../../machinery/cron.js';
import { setDefaultsJobSpec, validateJobTemplateSpec } from './job.js';

export function setDefaultsCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJobSpec);
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  // SetObjectDefaults_CronJob defaults the job template's spec like a Job's (but not its labels).
  setDefaultsJobSpec((spec.jobTemplate.spec ??= {} as never));
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  try {
    parseSchedule(schedule, 'UTC');
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(invalid(path, schedule, e.message));
  }
  if (allowTZ && schedule.includes('TZ') && timeZone !== undefined && timeZone !== null) {
    errs.push(invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** Upstream validateTimeZone: IANA names only (checked against this runtime's zone database). */
export function validateTimeZone(tz: string | undefined | null, path: Path): ErrorList {
  if (tz === undefined || tz === null) return [];
  if (tz === '') return [invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) return [invalid(path, tz, `unknown time zone ${tz}`)];
  }
  const errs: ErrorList = [];
  if (tz.toLowerCase() === 'local') {
    errs.push(invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  if (!isValidTimeZone(tz)) errs.push(invalid(path, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateCronJobSpec(spec: CronJobSpec | undefined, old: CronJobSpec | undefined, path: Path): ErrorList {
  const s = spec ?? ({} as CronJobSpec);
  const errs: ErrorList = [];
  if (!s.schedule) errs.push(required(path.child('schedule'), ''));
  else errs.push(...validateSchedule(s.schedule, old !== undefined && (old.schedule ?? '').includes('TZ'), s.timeZone, path.child('schedule')));
  errs.push(...nonNegative(s.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  if (old === undefined || old.timeZone !== s.timeZone) errs.push(...validateTimeZone(s.timeZone, path.child('timeZone')));
  const cp = s.concurrencyPolicy;
  if (!cp) errs.push(required(path.child('concurrencyPolicy'), ''));
  else if (cp !== 'Allow' && cp !== 'Forbid' && cp !== 'Replace') {
    errs.push(notSupported(path.child('concurrencyPolicy'), cp, ['Allow', 'Forbid', 'Replace']));
  }
  errs.push(...validateJobTemplateSpec(s.jobTemplate, path.child('jobTemplate')));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  return errs;
}

/** Jobs are named `<cronjob>-<11 chars>` and Job names must fit a 63-character label. */
const MAX_CRONJOB_NAME = 63 - 11;

export function validateCronJob(cj: CronJob): ErrorList {
  const errs = validateCronJobSpec(cj.spec, undefined, Path.root('spec'));
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) {
    errs.push(invalid(Path.root('metadata', 'name'), name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  }
  return errs;
}

/** On update the 52-character name limit is skipped so older long-named CronJobs stay editable. */
export function validateCronJobUpdate(cj: CronJob, old: CronJob): ErrorList {
  return validateCronJobSpec(cj.spec, old.spec ?? ({} as CronJobSpec), Path.root('spec'));
}
