import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ProtobufDecodeError } from './errors.js';
import { formatDuration, formatMicroTime, formatTime } from './format.js';

describe('formatDuration (Go time.Duration.String)', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1500n, '1.5µs'],
    [1_000_000n, '1ms'],
    [1_500_000n, '1.5ms'],
    [1_000_000_000n, '1s'],
    [1_500_000_000n, '1.5s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_000_000_001n, '1h2m3.000000001s'],
    [-1_500_000_000n, '-1.5s'],
    [-(2n ** 63n), '-2562047h47m16.854775808s'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
  ];
  for (const [ns, want] of cases) it(`${ns} → ${want}`, () => assert.equal(formatDuration(ns), want));
});

describe('times', () => {
  it('formats metav1.Time as RFC 3339 seconds in UTC', () => {
    assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(1704164645), '2024-01-02T03:04:05Z');
    assert.equal(formatTime(-62135596800), '0001-01-01T00:00:00Z');
    assert.equal(formatTime(253402300799), '9999-12-31T23:59:59Z');
  });

  it('formats MicroTime with six digits and normalises nanos', () => {
    assert.equal(formatMicroTime(1704164645, 123456789), '2024-01-02T03:04:05.123456Z');
    assert.equal(formatMicroTime(1704164645, 0), '2024-01-02T03:04:05.000000Z');
    assert.equal(formatMicroTime(1704164645, 1_500_000_000), '2024-01-02T03:04:06.500000Z');
    assert.equal(formatMicroTime(1704164645, -1000), '2024-01-02T03:04:04.999999Z');
  });

  it('refuses years Go cannot marshal', () => {
    assert.throws(() => formatTime(253402300800), ProtobufDecodeError);
    assert.throws(() => formatTime(-62167219201), ProtobufDecodeError);
  });
});
