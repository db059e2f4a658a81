import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepFreeze } from './freeze.js';

test('deepFreeze freezes every object and array reachable, and returns its argument', () => {
  const v = { a: { b: [1, { c: 'x' }, [2, { d: null }]] }, e: 'y', f: [] as unknown[] };
  assert.equal(deepFreeze(v), v);
  for (const o of [v, v.a, v.a.b, v.a.b[1], v.a.b[2], (v.a.b[2] as unknown[])[1], v.f]) assert.ok(Object.isFrozen(o));
  assert.throws(() => {
    (v.a.b[1] as { c: string }).c = 'z';
  }, TypeError);
});

test('deepFreeze leaves primitives alone and does not walk into frozen parts', () => {
  for (const p of [null, undefined, 1, 'a', true]) assert.equal(deepFreeze(p), p);
  const inner = { n: 1 };
  const frozen = Object.freeze({ inner });
  deepFreeze({ frozen });
  assert.equal(Object.isFrozen(inner), false);
});
