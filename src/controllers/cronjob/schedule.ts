/**
 * CronJob schedule math with the semantics of robfig/cron's standard parser (what upstream's CronJob
 * controller uses) on top of cron-parser: five fields or an @ descriptor, optional `TZ=`/`CRON_TZ=` prefix.
 */
import type * as CronParser from 'cron-parser';
import { goDurationMs } from '../../util/go-duration.js';
import { lazyRequire } from '../../util/lazy-require.js';

// cron-parser (with luxon, ~0.5 MB of source) loads with the first CronJob, not with every controller-manager.
const cronParser = lazyRequire<typeof CronParser>('cron-parser');

export class ScheduleError extends Error {}

export interface Schedule {
  /** The first activation strictly after `ms`, or undefined when there is none within five years. */
  next(ms: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIVE_YEARS_MS = 5 * 366 * 24 * 3600_000;

/** The zone robfig's parser uses when the schedule names none: the controller-manager's local zone. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a CronJob schedule. `timeZone` (spec.timeZone) wins over the local zone; a `TZ=` prefix in the
 * schedule itself wins over both, as in robfig/cron.
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  let spec = schedule.trim();
  let tz = timeZone ?? localTimeZone();
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    tz = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (tz === 'Local') tz = localTimeZone();
  if (!isValidTimeZone(tz)) throw new ScheduleError(`provided bad location ${tz}: unknown time zone ${tz}`);
  if (spec === '') throw new ScheduleError('empty spec string');
  if (spec.startsWith('@every ')) return everySchedule(spec.slice('@every '.length).trim());
  if (spec.startsWith('@')) {
    const expanded = DESCRIPTORS[spec];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const expression = normalizeFields(spec).join(' ');
  try {
    cronParser().CronExpressionParser.parse(expression, { tz });
  } catch (err) {
    throw new ScheduleError(err instanceof Error ? err.message : String(err));
  }
  return {
    next(ms) {
      try {
        const e = cronParser().CronExpressionParser.parse(expression, { currentDate: new Date(ms), tz });
        const t = e.next().getTime();
        return t - ms > FIVE_YEARS_MS ? undefined : t;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * robfig/cron differences from cron-parser: a field containing `*` or `?` (step 1) is a wildcard for the
 * day-of-month/day-of-week AND rule; `?` is `*` anywhere; L, W, # and H are not part of the syntax; weekday 7
 * is out of range.
 */
function normalizeFields(spec: string): string[] {
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  return fields.map((field, i) => {
    const parts = field.split(',').filter((p) => p !== '');
    for (const part of parts) checkPart(part, i);
    if (parts.some((p) => /^[*?](\/0*1)?$/.test(p))) return '*';
    return parts.map((p) => p.replace(/^\?/, '*')).join(',');
  });
}

function checkPart(part: string, field: number): void {
  if (!/^[0-9A-Za-z*?/-]+$/.test(part)) throw new ScheduleError(`invalid characters in field: ${part}`);
  const names = field === 3 ? MONTHS : field === 4 ? DAYS : [];
  for (const word of part.match(/[A-Za-z]+/g) ?? []) {
    if (!names.includes(word.toLowerCase())) {
      throw new ScheduleError(`failed to parse int from ${word}: invalid syntax`);
    }
  }
  if (field === 4) {
    const range = part.split('/')[0] ?? '';
    for (const n of range.match(/\d+/g) ?? []) {
      if (Number(n) > 6) throw new ScheduleError(`end of range (${n}) above maximum (6): ${part}`);
    }
  }
}

/** Go's time.ParseDuration, in milliseconds. */
export function parseGoDuration(s: string): number {
  const ms = goDurationMs(s);
  if (ms === undefined)
    throw new ScheduleError(`failed to parse duration @every ${s}: time: invalid duration "${s}"`);
  return ms;
}

/** `@every 90m`: a constant delay of at least one second, truncated to whole seconds. */
function everySchedule(duration: string): Schedule {
  const ms = parseGoDuration(duration);
  const delay = ms < 1000 ? 1000 : ms - (ms % 1000);
  return { next: (t) => t + delay - (t % 1000) };
}

export type MissedSchedules = 'none' | 'few' | 'many';

export interface ScheduleInputs {
  /** creationTimestamp of the CronJob (ms). */
  createdMs: number;
  /** status.lastScheduleTime (ms). */
  lastScheduleMs?: number | undefined;
  startingDeadlineSeconds?: number | undefined;
}

export interface MostRecent {
  /** Where the search started: last schedule time, creation time, or the starting deadline. */
  earliestMs: number;
  /** The latest activation at or before now that is after earliestMs. */
  mostRecentMs?: number;
  missed: MissedSchedules;
}

/**
 * Upstream's mostRecentScheduleTime: only the latest missed activation matters; more than 100 missed is
 * reported as 'many'. Throws ScheduleError when two activations are less than a second apart (or there is
 * no next one, e.g. Feb 31).
 */
export function mostRecentScheduleTime(
  cj: ScheduleInputs,
  nowMs: number,
  schedule: Schedule,
  includeStartingDeadline: boolean,
): MostRecent {
  let earliestMs = cj.lastScheduleMs ?? cj.createdMs;
  if (includeStartingDeadline && cj.startingDeadlineSeconds != null) {
    const deadline = nowMs - cj.startingDeadlineSeconds * 1000;
    if (deadline > earliestMs) earliestMs = deadline;
  }
  const t1 = schedule.next(earliestMs);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && nowMs < t1) return { earliestMs, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && nowMs < t2)
    return { earliestMs, mostRecentMs: t1, missed: 'none' };
  if (t1 === undefined || t2 === undefined || Math.round((t2 - t1) / 1000) < 1) {
    throw new ScheduleError('time difference between two schedules is less than 1 second');
  }
  const between = Math.round((t2 - t1) / 1000);
  const elapsed = Math.trunc((nowMs - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  // Jump close to now by whole intervals, then walk the real schedule (irregular ones like 30 6-16/4 * * 1-5).
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  let mostRecentMs: number | undefined;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= nowMs; t = schedule.next(t)) {
    mostRecentMs = t;
  }
  const missed: MissedSchedules = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecentMs === undefined ? { earliestMs, missed } : { earliestMs, mostRecentMs, missed };
}

/** Upstream's nextScheduleTimeDuration: how long until the next activation after the most recent one, +100 ms. */
export function nextScheduleDelayMs(
  cj: ScheduleInputs,
  nowMs: number,
  schedule: Schedule,
): number | undefined {
  let r: MostRecent;
  try {
    r = mostRecentScheduleTime(cj, nowMs, schedule, false);
  } catch {
    return undefined;
  }
  const next = schedule.next(r.mostRecentMs ?? r.earliestMs);
  if (next === undefined) return undefined;
  return next + 100 - nowMs;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: the name doubles as a lock against duplicates. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 in the given zone (Go's Time.In(loc).Format(time.RFC3339)): "Z" for a zero offset. */
export function rfc3339InZone(ms: number, timeZone: string): string {
  const secs = Math.floor(ms / 1000) * 1000;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(secs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const wall = `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
  const offsetMin = Math.round((Date.parse(`${wall}Z`) - secs) / 60_000);
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
