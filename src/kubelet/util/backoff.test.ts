import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, TrackingBackOff } from './backoff.js';

describe('Backoff', () => {
  it('starts at 10s, doubles, caps at 5 min', () => {
    const b = new Backoff();
    const seen: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      b.next('c', t);
      seen.push(b.get('c'));
      t += b.get('c');
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('is in back-off only within the current delay', () => {
    const b = new Backoff();
    assert.equal(b.isInBackOff('c', 0), false);
    b.next('c', 1000);
    assert.equal(b.isInBackOff('c', 1000), true);
    assert.equal(b.isInBackOff('c', 10_999), true);
    assert.equal(b.isInBackOff('c', 11_000), false);
    assert.equal(b.endsAt('c', 5000), 11_000);
    assert.equal(b.endsAt('c', 11_000), undefined);
  });

  it('resets after 10 minutes without a failure (a container that ran that long)', () => {
    const b = new Backoff();
    b.next('c', 0);
    b.next('c', 10_000);
    b.next('c', 30_000);
    assert.equal(b.get('c'), 40_000);
    b.next('c', 30_000 + 600_001);
    assert.equal(b.get('c'), 10_000);
  });

  it('garbage-collects stale entries and resets on demand', () => {
    const b = new Backoff();
    b.next('a', 0);
    b.next('b', 500_000);
    b.gc(600_001);
    assert.equal(b.size, 1);
    b.reset('b');
    assert.equal(b.size, 0);
    assert.equal(b.get('b'), 0);
  });

  it('TrackingBackOff reports the earliest end among consulted keys', () => {
    const b = new Backoff();
    b.next('x', 0);
    b.next('y', 0);
    b.next('y', 5_000); // 20 s from 5 s
    const t = new TrackingBackOff(b);
    assert.equal(t.earliestEnd(1000), undefined);
    t.isInBackOff('y', 6_000);
    assert.equal(t.earliestEnd(6_000), 25_000);
    t.isInBackOff('x', 6_000);
    assert.equal(t.earliestEnd(6_000), 10_000);
  });
});
