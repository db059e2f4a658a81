import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);

test('Lease validation', () => {
  const h = kinds.Lease!;
  assert.deepEqual(text(h.validate!({ spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } } as any)), []);
  assert.deepEqual(text(h.validate!({ spec: { leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: 'x' } } as any)), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    'spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined',
  ]);
});
