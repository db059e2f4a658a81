import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DurationParseError, formatGoDuration, goDurationToMs, humanDuration, parseGoDuration, shortHumanDuration } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration (upstream TestHumanDuration)', () => {
  const cases: [number, string][] = [
    [1 * S, '1s'],
    [70 * S, '70s'],
    [190 * S, '3m10s'],
    [70 * M, '70m'],
    [47 * 60 * M, '47h'],
    [49 * 60 * M, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * D, '367d'],
    [365 * 2 * D + D, '2y1d'],
    [365 * 8 * D + D, '8y'],
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [-1999, '0s'],
    [0, '0s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [150 * S, '2m30s'],
    [10 * M, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [8 * H, '8h'],
    [2 * D + 5 * H, '2d5h'],
    [45 * D, '45d'],
    [3 * Y + 30 * D, '3y30d'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('shortHumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [59 * M, '59m'],
    [60 * M, '1h'],
    [23 * H, '23h'],
    [24 * H, '1d'],
    [364 * D, '364d'],
    [365 * D, '1y'],
    [800 * D, '2y'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => assert.equal(shortHumanDuration(ms), want));
});

describe('Go durations', () => {
  it('parses', () => {
    const cases: [string, bigint][] = [
      ['0', 0n],
      ['5s', 5_000_000_000n],
      ['30s', 30_000_000_000n],
      ['1478s', 1_478_000_000_000n],
      ['-5s', -5_000_000_000n],
      ['+5s', 5_000_000_000n],
      ['-0', 0n],
      ['5.6s', 5_600_000_000n],
      ['5.s', 5_000_000_000n],
      ['.5s', 500_000_000n],
      ['1.0s', 1_000_000_000n],
      ['10ns', 10n],
      ['11us', 11_000n],
      ['12µs', 12_000n],
      ['12μs', 12_000n],
      ['13ms', 13_000_000n],
      ['14s', 14_000_000_000n],
      ['15m', 900_000_000_000n],
      ['16h', 57_600_000_000_000n],
      ['3h30m', 12_600_000_000_000n],
      ['10.5s4m', 250_500_000_000n],
      ['-2m3.4s', -123_400_000_000n],
      ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
      ['39h9m14.425s', 140954425000000n],
      ['52763797000ns', 52_763_797_000n],
      ['0.3333333333333333333h', 1_200_000_000_000n],
      ['9223372036854775807ns', 9223372036854775807n],
      ['-9223372036854775808ns', -9223372036854775808n],
    ];
    for (const [s, want] of cases) assert.equal(parseGoDuration(s), want, s);
    assert.equal(goDurationToMs('1m30s'), 90_000);
  });
  it('rejects as Go does', () => {
    assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDuration('3'), { message: 'time: missing unit in duration "3"' });
    assert.throws(() => parseGoDuration('3x'), { message: 'time: unknown unit "x" in duration "3x"' });
    for (const bad of ['-', 's', '.', '-.', '.s', '+.s', '9223372036854775808ns', '1d']) assert.throws(() => parseGoDuration(bad), DurationParseError, bad);
  });
  it('formats', () => {
    const cases: [bigint, string][] = [
      [0n, '0s'],
      [1n, '1ns'],
      [1100n, '1.1µs'],
      [2_200_000n, '2.2ms'],
      [3_300_000_000n, '3.3s'],
      [4n * 60_000_000_000n + 5_000_000_000n, '4m5s'],
      [4n * 60_000_000_000n + 5_001_000_000n, '4m5.001s'],
      [5n * 3_600_000_000_000n + 6n * 60_000_000_000n + 7_001_000_000n, '5h6m7.001s'],
      [8n * 60_000_000_000n + 1n, '8m0.000000001s'],
      [9223372036854775807n, '2562047h47m16.854775807s'],
      [-9223372036854775807n, '-2562047h47m16.854775807s'],
      [3_600_000_000_000n, '1h0m0s'],
    ];
    for (const [ns, want] of cases) assert.equal(formatGoDuration(ns), want);
    for (const s of ['1h30m0s', '1.5s', '-3m0s']) assert.equal(formatGoDuration(parseGoDuration(s)), s);
  });
});

describe('durations as the printers use them', () => {
  it('humanDuration at the boundaries kubectl AGE cells cross', () => {
    const cases: [number, string][] = [
      [-2 * S, '<invalid>'],
      [-1500, '0s'],
      [0, '0s'],
      [999, '0s'],
      [59 * S, '59s'],
      [119 * S, '119s'],
      [2 * M, '2m'],
      [2 * M + 30 * S, '2m30s'],
      [9 * M + 59 * S, '9m59s'],
      [10 * M + 30 * S, '10m'],
      [179 * M, '179m'],
      [3 * H, '3h'],
      [3 * H + 5 * M, '3h5m'],
      [7 * H + 59 * M, '7h59m'],
      [8 * H + 30 * M, '8h'],
      [47 * H, '47h'],
      [48 * H, '2d'],
      [50 * H, '2d2h'],
      [7 * D + 23 * H, '7d23h'],
      [8 * D + 5 * H, '8d'],
      [729 * D, '729d'],
      [730 * D, '2y'],
      [731 * D, '2y1d'],
      [8 * 365 * D + 3 * D, '8y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  });

  it('shortHumanDuration at its boundaries', () => {
    const cases: [number, string][] = [
      [-5 * S, '<invalid>'],
      [-1 * S, '0s'],
      [59 * S, '59s'],
      [60 * S, '1m'],
      [59 * M, '59m'],
      [60 * M, '1h'],
      [23 * H, '23h'],
      [24 * H, '1d'],
      [364 * D, '364d'],
      [365 * D, '1y'],
      [3 * 365 * D, '3y'],
    ];
    for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want, `${ms}ms`);
  });
});
