import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronParseError, formatRFC3339, isValidTimeZone, parseSchedule } from './cron.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));
const next = (spec: string, after: string, zone = 'UTC'): string | undefined => iso(parseSchedule(spec, zone).next(Date.parse(after)));

test('standard expressions in UTC', () => {
  const cases: [string, string, string | undefined][] = [
    ['* * * * *', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'],
    ['* * * * *', '2026-01-01T00:00:30Z', '2026-01-01T00:01:00Z'],
    ['*/15 * * * *', '2026-01-01T00:07:00Z', '2026-01-01T00:15:00Z'],
    ['*/15 * * * *', '2026-01-01T00:45:00Z', '2026-01-01T01:00:00Z'],
    ['5-10/2 * * * *', '2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z'],
    ['5-10/2 * * * *', '2026-01-01T00:05:00Z', '2026-01-01T00:07:00Z'],
    ['5/20 * * * *', '2026-01-01T00:26:00Z', '2026-01-01T00:45:00Z'],
    ['0 0 1 1 *', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['0 12 * * MON-FRI', '2026-01-03T00:00:00Z', '2026-01-05T12:00:00Z'],
    ['0 12 * * mon-fri', '2026-01-05T12:00:00Z', '2026-01-06T12:00:00Z'],
    ['0 0 1,15 * *', '2026-01-02T00:00:00Z', '2026-01-15T00:00:00Z'],
    ['0 0 * JAN,jul *', '2026-01-31T12:00:00Z', '2026-07-01T00:00:00Z'],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 30 2 *', '2026-01-01T00:00:00Z', undefined],
    ['59 23 31 12 *', '2026-06-01T00:00:00Z', '2026-12-31T23:59:00Z'],
    ['0 0 31 * *', '2026-02-01T00:00:00Z', '2026-03-31T00:00:00Z'],
    // Day of month OR day of week when both are restricted; AND when one is * or ?.
    ['0 0 13 * 5', '2026-02-01T00:00:00Z', '2026-02-06T00:00:00Z'],
    ['0 0 13 * *', '2026-02-01T00:00:00Z', '2026-02-13T00:00:00Z'],
    ['0 0 ? * 5', '2026-02-01T00:00:00Z', '2026-02-06T00:00:00Z'],
    ['0 0 */1 * 5', '2026-02-01T00:00:00Z', '2026-02-06T00:00:00Z'],
    ['0 0 1-31/2 * 1', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z'],
    ['30 6-16/4 * * 1-5', '2026-01-05T07:00:00Z', '2026-01-05T10:30:00Z'],
    ['0 0 * * 0', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z'],
    ['0 0 * * SUN', '2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z'],
  ];
  for (const [spec, after, want] of cases) assert.equal(next(spec, after), want, `${spec} after ${after}`);
});

test('descriptors and @every', () => {
  assert.equal(next('@hourly', '2026-01-01T00:30:00Z'), '2026-01-01T01:00:00Z');
  assert.equal(next('@daily', '2026-01-01T00:30:00Z'), '2026-01-02T00:00:00Z');
  assert.equal(next('@midnight', '2026-01-01T00:30:00Z'), '2026-01-02T00:00:00Z');
  assert.equal(next('@weekly', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00Z');
  assert.equal(next('@monthly', '2026-01-01T00:00:00Z'), '2026-02-01T00:00:00Z');
  assert.equal(next('@yearly', '2026-01-01T00:00:00Z'), '2027-01-01T00:00:00Z');
  assert.equal(next('@annually', '2026-03-01T00:00:00Z'), '2027-01-01T00:00:00Z');
  assert.equal(iso(parseSchedule('@every 1h30m', 'UTC').next(Date.parse('2026-01-01T00:00:00.500Z'))), '2026-01-01T01:30:00Z');
  assert.equal(iso(parseSchedule('@every 100ms', 'UTC').next(Date.parse('2026-01-01T00:00:00Z'))), '2026-01-01T00:00:01Z');
});

test('parse errors carry robfig/cron messages', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 8', 'end of range (8) above maximum (6): 8'],
    ['5-3 * * * *', 'beginning of range (5) beyond end of range (3): 5-3'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['* * * FOO *', 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every x', 'failed to parse duration x: time: invalid duration "x"'],
    ['TZ=Mars/Base * * * * *', 'provided bad location Mars/Base: unknown time zone Mars/Base'],
  ];
  for (const [spec, msg] of cases) {
    assert.throws(() => parseSchedule(spec, 'UTC'), (e: unknown) => e instanceof CronParseError && e.message === msg, spec);
  }
});

test('time zones: America/New_York across both DST changes of 2026', () => {
  const ny = 'America/New_York';
  // 09:00 local is 14:00Z in winter, 13:00Z in summer (DST starts 2026-03-08).
  assert.equal(next('0 9 * * *', '2026-03-07T15:00:00Z', ny), '2026-03-08T13:00:00Z');
  assert.equal(next('0 9 * * *', '2026-03-06T15:00:00Z', ny), '2026-03-07T14:00:00Z');
  // 02:30 does not exist on 2026-03-08: that day is skipped.
  assert.equal(next('30 2 * * *', '2026-03-07T12:00:00Z', ny), '2026-03-09T06:30:00Z');
  assert.equal(next('30 2 * * *', '2026-03-06T12:00:00Z', ny), '2026-03-07T07:30:00Z');
  // Hourly jumps from 01:00 EST to 03:00 EDT.
  assert.equal(next('0 * * * *', '2026-03-08T06:00:00Z', ny), '2026-03-08T07:00:00Z');
  assert.equal(iso(parseSchedule('0 * * * *', ny).next(Date.parse('2026-03-08T06:00:00Z'))), '2026-03-08T07:00:00Z');
  assert.equal(formatRFC3339(Date.parse('2026-03-08T07:00:00Z'), ny), '2026-03-08T03:00:00-04:00');
  // 01:30 happens twice on 2026-11-01 (EDT, then EST): both run.
  assert.equal(next('30 1 * * *', '2026-10-31T12:00:00Z', ny), '2026-11-01T05:30:00Z');
  assert.equal(next('30 1 * * *', '2026-11-01T05:30:00Z', ny), '2026-11-01T06:30:00Z');
  assert.equal(next('30 1 * * *', '2026-11-01T06:30:00Z', ny), '2026-11-02T06:30:00Z');
  // A TZ= prefix overrides the default zone.
  assert.equal(next('TZ=America/New_York 0 9 * * *', '2026-01-01T00:00:00Z', 'UTC'), '2026-01-01T14:00:00Z');
  assert.equal(next('CRON_TZ=Asia/Tokyo 0 9 * * *', '2026-01-01T00:00:00Z', 'UTC'), '2026-01-02T00:00:00Z');
  assert.equal(formatRFC3339(Date.parse('2026-01-01T14:00:00Z'), ny), '2026-01-01T09:00:00-05:00');
  assert.equal(formatRFC3339(Date.parse('2026-01-01T14:00:00Z'), 'Asia/Kolkata'), '2026-01-01T19:30:00+05:30');
  assert.equal(formatRFC3339(Date.parse('2026-01-01T14:00:00Z'), 'UTC'), '2026-01-01T14:00:00Z');
  assert.equal(isValidTimeZone('Europe/Berlin'), true);
  assert.equal(isValidTimeZone('Nowhere/City'), false);
});

test('a zone whose midnight does not exist still finds the day (robfig day loop)', () => {
  // America/Santiago moved clocks 00:00 → 01:00 on 2026-09-06.
  const s = parseSchedule('0 * 6 9 *', 'America/Santiago');
  const first = s.next(Date.parse('2026-09-05T12:00:00Z'));
  assert.equal(formatRFC3339(first!, 'America/Santiago'), '2026-09-06T01:00:00-03:00');
});
