import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronParseError, isValidTimeZone, parseSchedule } from './cron.js';

// Date-based views of parseSchedule: `next(after, zone)` as the CronJob controller asks.
const isKnownTimeZone = isValidTimeZone;
const parseCronSchedule = (spec: string) => ({
  next(after: Date, zone = 'UTC'): Date | undefined {
    const t = parseSchedule(spec, zone).next(after.getTime());
    return t === undefined ? undefined : new Date(t);
  },
});

const iso = (d: Date | undefined) => d?.toISOString();

test('parse errors carry robfig/cron messages', () => {
  const msg = (s: string) => {
    try {
      parseSchedule(s, 'UTC');
    } catch (e) {
      assert.ok(e instanceof CronParseError);
      return e.message;
    }
    return 'parsed';
  };
  assert.equal(msg('foo'), 'expected exactly 5 fields, found 1: [foo]');
  assert.equal(msg('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(msg('60 * * * *'), 'end of range (60) above maximum (59): 60');
  assert.equal(msg('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(msg('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(msg('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(msg('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(msg('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(msg('@foo'), 'unrecognized descriptor: @foo');
  assert.equal(msg('* * * * 7'), 'end of range (7) above maximum (6): 7');
  assert.equal(msg(''), 'empty spec string');
  assert.equal(msg('*/5 * * JAN-mar mon,FRI'), 'parsed');
  assert.equal(msg('0 0 ? * *'), 'parsed');
});

test('next: every minute, steps, lists', () => {
  const after = new Date('2024-03-10T10:07:30Z');
  assert.equal(iso(parseCronSchedule('* * * * *').next(after, 'UTC')), '2024-03-10T10:08:00.000Z');
  assert.equal(iso(parseCronSchedule('*/15 * * * *').next(after, 'UTC')), '2024-03-10T10:15:00.000Z');
  assert.equal(iso(parseCronSchedule('5,50 * * * *').next(after, 'UTC')), '2024-03-10T10:50:00.000Z');
  assert.equal(iso(parseCronSchedule('0 9 * * *').next(after, 'UTC')), '2024-03-11T09:00:00.000Z');
  // exactly on a boundary: strictly after
  assert.equal(iso(parseCronSchedule('0 * * * *').next(new Date('2024-03-10T10:00:00Z'), 'UTC')), '2024-03-10T11:00:00.000Z');
});

test('next: day-of-month and weekday combine with OR unless one is a wildcard', () => {
  const after = new Date('2024-03-01T00:00:00Z'); // a Friday
  // 15th or Monday → Monday 4 March
  assert.equal(iso(parseCronSchedule('0 0 15 * MON').next(after, 'UTC')), '2024-03-04T00:00:00.000Z');
  // only Mondays
  assert.equal(iso(parseCronSchedule('0 0 * * 1').next(after, 'UTC')), '2024-03-04T00:00:00.000Z');
  // 31st skips April
  assert.equal(iso(parseCronSchedule('0 0 31 * *').next(new Date('2024-03-31T12:00:00Z'), 'UTC')), '2024-05-31T00:00:00.000Z');
  // Feb 29 is found in the next leap year
  assert.equal(iso(parseCronSchedule('0 0 29 2 *').next(new Date('2024-03-01T00:00:00Z'), 'UTC')), '2028-02-29T00:00:00.000Z');
  // Feb 30 never happens
  assert.equal(parseCronSchedule('0 0 30 2 *').next(after, 'UTC'), undefined);
});

test('next: descriptors and @every', () => {
  const after = new Date('2024-03-10T10:07:30.500Z');
  assert.equal(iso(parseCronSchedule('@hourly').next(after, 'UTC')), '2024-03-10T11:00:00.000Z');
  assert.equal(iso(parseCronSchedule('@daily').next(after, 'UTC')), '2024-03-11T00:00:00.000Z');
  assert.equal(iso(parseCronSchedule('@weekly').next(after, 'UTC')), '2024-03-17T00:00:00.000Z');
  assert.equal(iso(parseCronSchedule('@monthly').next(after, 'UTC')), '2024-04-01T00:00:00.000Z');
  assert.equal(iso(parseCronSchedule('@yearly').next(after, 'UTC')), '2025-01-01T00:00:00.000Z');
  assert.equal(iso(parseCronSchedule('@every 1h30m').next(after)), '2024-03-10T11:37:30.000Z');
});

test('next: time zones, including DST changes', () => {
  // 09:00 in New York is 13:00Z during DST, 14:00Z outside it.
  const s = parseCronSchedule('0 9 * * *');
  assert.equal(iso(s.next(new Date('2024-07-01T12:00:00Z'), 'America/New_York')), '2024-07-01T13:00:00.000Z');
  assert.equal(iso(s.next(new Date('2024-01-01T15:00:00Z'), 'America/New_York')), '2024-01-02T14:00:00.000Z');
  // Across the spring-forward day (10 March 2024).
  assert.equal(iso(s.next(new Date('2024-03-09T15:00:00Z'), 'America/New_York')), '2024-03-10T13:00:00.000Z');
  // Tokyo has no DST: 00:00 JST = 15:00Z the day before.
  assert.equal(iso(parseCronSchedule('@daily').next(new Date('2024-03-10T10:00:00Z'), 'Asia/Tokyo')), '2024-03-10T15:00:00.000Z');
  // A TZ= prefix overrides the zone argument.
  assert.equal(iso(parseCronSchedule('TZ=Asia/Tokyo 0 0 * * *').next(new Date('2024-03-10T10:00:00Z'), 'UTC')), '2024-03-10T15:00:00.000Z');
  assert.equal(isKnownTimeZone('Europe/Berlin'), true);
  assert.equal(isKnownTimeZone('Mars/Olympus'), false);
});
