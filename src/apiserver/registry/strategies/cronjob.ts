/** CronJob (batch/v1) strategy: SetDefaults_CronJob and ValidateCronJobCreate/Update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabels } from '../../../api/labels.js';
import { validateAnnotations } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { cronScheduleError, validTimeZone } from './cron.js';
import { validateJobSpecCommon } from './job.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { child, nonNegative, obj, type Obj } from './util.js';

const MAX_NAME_LENGTH = 52;
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function defaultCronJob(spec: Obj): void {
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  defaultPodTemplateSpec(obj(obj(spec.jobTemplate)?.spec)?.template);
}

function validateTimeZoneField(tz: unknown, path: string): FieldError[] {
  if (tz == null) return [];
  if (typeof tz !== 'string' || tz === '')
    return [fieldErr.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) {
      return [fieldErr.invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  if (tz.toLowerCase() === 'local') {
    return [
      fieldErr.invalid(
        path,
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    ];
  }
  return validTimeZone(tz) ? [] : [fieldErr.invalid(path, tz, `unknown time zone ${tz}`)];
}

function validateJobTemplate(template: unknown, path: string): FieldError[] {
  const t = obj(template) ?? {};
  const meta = obj(t.metadata) ?? {};
  const spec = obj(t.spec) ?? {};
  const errs = [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validateJobSpecCommon(spec, `${path}.spec`),
  ];
  if (spec.selector != null)
    errs.push(fieldErr.invalid(`${path}.spec.selector`, spec.selector, '`selector` will be auto-generated'));
  if (spec.manualSelector === true)
    errs.push(fieldErr.notSupported(`${path}.spec.manualSelector`, true, ['nil', 'false']));
  return errs;
}

export function validateCronJobSpec(spec: unknown, oldSpec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const old = obj(oldSpec);
  const errs: FieldError[] = [];
  const schedule = typeof s.schedule === 'string' ? s.schedule : '';
  if (!schedule) errs.push(fieldErr.required(`${path}.schedule`));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(fieldErr.invalid(`${path}.schedule`, schedule, err));
    const allowTZ = typeof old?.schedule === 'string' && old.schedule.includes('TZ');
    if (allowTZ && schedule.includes('TZ') && s.timeZone != null) {
      errs.push(
        fieldErr.invalid(
          `${path}.schedule`,
          schedule,
          'cannot use both timeZone field and TZ or CRON_TZ in schedule',
        ),
      );
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(
        fieldErr.invalid(
          `${path}.schedule`,
          schedule,
          'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
      );
    }
  }
  errs.push(...nonNegative(s.startingDeadlineSeconds, `${path}.startingDeadlineSeconds`));
  if (!old || old.timeZone !== s.timeZone)
    errs.push(...validateTimeZoneField(s.timeZone, `${path}.timeZone`));
  const cp = s.concurrencyPolicy ?? '';
  if (cp === '') errs.push(fieldErr.required(`${path}.concurrencyPolicy`));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) {
    errs.push(fieldErr.notSupported(`${path}.concurrencyPolicy`, cp, ['Allow', 'Forbid', 'Replace']));
  }
  errs.push(...validateJobTemplate(s.jobTemplate, `${path}.jobTemplate`));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, `${path}.successfulJobsHistoryLimit`));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, `${path}.failedJobsHistoryLimit`));
  return errs;
}

const base = makeStrategy(
  { initialStatus: () => ({}) },
  {
    defaults: (o) => defaultCronJob(child(o, 'spec')),
    validateSpec: (o) => validateCronJobSpec(o.spec, undefined, 'spec'),
  },
);

export const cronJobStrategy: Strategy = {
  ...base,
  // The controller appends an 11-character suffix to job names, which may not exceed 63.
  validate(o) {
    const errs = base.validate?.(o) ?? [];
    const name = o.metadata?.name ?? '';
    if (name.length > MAX_NAME_LENGTH) {
      errs.push(
        fieldErr.invalid('metadata.name', name, `must be no more than ${MAX_NAME_LENGTH} characters`),
      );
    }
    return errs;
  },
};
