import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleDelayMs,
  parseGoDuration,
  parseSchedule,
  rfc3339InZone,
  ScheduleError,
} from './schedule.js';

const T = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

test('next activation is strictly after the given time', () => {
  const s = parseSchedule('*/5 * * * *', 'UTC');
  assert.equal(iso(s.next(T('2026-01-01T00:00:00Z'))), '2026-01-01T00:05:00.000Z');
  assert.equal(iso(s.next(T('2026-01-01T00:04:59.500Z'))), '2026-01-01T00:05:00.000Z');
});

test('descriptors and @every', () => {
  assert.equal(
    iso(parseSchedule('@hourly', 'UTC').next(T('2026-01-01T00:30:00Z'))),
    '2026-01-01T01:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('@midnight', 'UTC').next(T('2026-01-01T00:30:00Z'))),
    '2026-01-02T00:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('@weekly', 'UTC').next(T('2026-01-01T00:00:00Z'))),
    '2026-01-04T00:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('@every 90s', 'UTC').next(T('2026-01-01T00:00:00.250Z'))),
    '2026-01-01T00:01:30.000Z',
  );
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.throws(() => parseSchedule('@often', 'UTC'), ScheduleError);
});

test('time zones shift the schedule; TZ= prefix wins', () => {
  assert.equal(
    iso(parseSchedule('0 9 * * *', 'America/New_York').next(T('2026-01-01T00:00:00Z'))),
    '2026-01-01T14:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('TZ=Asia/Tokyo 0 9 * * *', 'UTC').next(T('2026-01-01T00:00:00Z'))),
    '2026-01-02T00:00:00.000Z',
  );
  assert.throws(() => parseSchedule('0 9 * * *', 'Mars/Olympus'), ScheduleError);
});

test('robfig syntax: ? is *, day-of-month OR day-of-week when both restricted, no L/W/#, weekday 7 rejected', () => {
  const s = parseSchedule('0 0 ? * *', 'UTC');
  assert.equal(iso(s.next(T('2026-01-01T00:00:00Z'))), '2026-01-02T00:00:00.000Z');
  // 1st of the month OR Monday.
  const or = parseSchedule('0 0 1 * 1', 'UTC');
  assert.equal(iso(or.next(T('2026-01-01T00:00:00Z'))), '2026-01-05T00:00:00.000Z');
  // A star with step 1 is still a wildcard: day-of-month * AND Monday.
  const and = parseSchedule('0 0 */1 * MON', 'UTC');
  assert.equal(iso(and.next(T('2026-01-01T00:00:00Z'))), '2026-01-05T00:00:00.000Z');
  assert.throws(() => parseSchedule('0 0 L * *', 'UTC'), ScheduleError);
  assert.throws(() => parseSchedule('0 0 * * 7', 'UTC'), ScheduleError);
  assert.throws(() => parseSchedule('0 0 * *', 'UTC'), ScheduleError);
  assert.throws(() => parseSchedule('* * * * * *', 'UTC'), ScheduleError);
});

test('mostRecentScheduleTime: nothing due, one due, several missed', () => {
  const s = parseSchedule('*/1 * * * *', 'UTC');
  const created = T('2026-01-01T00:00:00Z');
  assert.deepEqual(mostRecentScheduleTime({ createdMs: created }, T('2026-01-01T00:00:30Z'), s, true), {
    earliestMs: created,
    missed: 'none',
  });
  const one = mostRecentScheduleTime({ createdMs: created }, T('2026-01-01T00:01:10Z'), s, true);
  assert.equal(iso(one.mostRecentMs), '2026-01-01T00:01:00.000Z');
  assert.equal(one.missed, 'none');
  const several = mostRecentScheduleTime({ createdMs: created }, T('2026-01-01T00:05:10Z'), s, true);
  assert.equal(iso(several.mostRecentMs), '2026-01-01T00:05:00.000Z');
  assert.equal(several.missed, 'few');
  const many = mostRecentScheduleTime({ createdMs: created }, T('2026-01-01T03:00:10Z'), s, true);
  assert.equal(iso(many.mostRecentMs), '2026-01-01T03:00:00.000Z');
  assert.equal(many.missed, 'many');
});

test('startingDeadlineSeconds bounds the search window', () => {
  const s = parseSchedule('0 * * * *', 'UTC');
  const cj = { createdMs: T('2026-01-01T00:00:00Z'), startingDeadlineSeconds: 600 };
  // The 05:00 activation is 20 minutes old: outside a 10 minute window.
  const late = mostRecentScheduleTime(cj, T('2026-01-01T05:20:00Z'), s, true);
  assert.equal(late.mostRecentMs, undefined);
  const within = mostRecentScheduleTime(cj, T('2026-01-01T05:05:00Z'), s, true);
  assert.equal(iso(within.mostRecentMs), '2026-01-01T05:00:00.000Z');
  // Without the deadline (as nextScheduleDelayMs uses it) the missed time is found.
  assert.equal(
    iso(mostRecentScheduleTime(cj, T('2026-01-01T05:20:00Z'), s, false).mostRecentMs),
    '2026-01-01T05:00:00.000Z',
  );
});

test('a schedule that never fires is an error', () => {
  const s = parseSchedule('@every 1h', 'UTC');
  assert.ok(s);
  const never = { next: () => undefined };
  assert.throws(() => mostRecentScheduleTime({ createdMs: 0 }, 10_000, never, true), ScheduleError);
  assert.throws(() => parseSchedule('0 0 31 2 *', 'UTC'), ScheduleError);
});

test('nextScheduleDelayMs is the time to the next activation plus 100 ms', () => {
  const s = parseSchedule('*/5 * * * *', 'UTC');
  const cj = { createdMs: T('2026-01-01T00:00:00Z'), lastScheduleMs: T('2026-01-01T00:05:00Z') };
  assert.equal(nextScheduleDelayMs(cj, T('2026-01-01T00:06:00Z'), s), 4 * 60_000 + 100);
});

test('job names and the scheduled-timestamp annotation', () => {
  assert.equal(jobNameFor('hello', T('2026-01-01T00:05:00Z')), `hello-${T('2026-01-01T00:05:00Z') / 60_000}`);
  assert.equal(rfc3339InZone(T('2026-01-01T14:00:00Z'), 'UTC'), '2026-01-01T14:00:00Z');
  assert.equal(rfc3339InZone(T('2026-01-01T14:00:00Z'), 'America/New_York'), '2026-01-01T09:00:00-05:00');
  assert.equal(rfc3339InZone(T('2026-01-01T14:00:00Z'), 'Asia/Kolkata'), '2026-01-01T19:30:00+05:30');
});
