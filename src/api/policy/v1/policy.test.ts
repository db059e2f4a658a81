import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorList } from '../../../machinery/field.js';
import { checkEviction, kinds, validateEviction } from './index.js';

const msgs = (errs: ErrorList | undefined) => (errs ?? []).map((e) => e.toString());

test('PodDisruptionBudget validation', () => {
  const k = kinds.PodDisruptionBudget!;
  assert.deepEqual(msgs(k.validate!({ spec: { minAvailable: 1, selector: { matchLabels: { app: 'a' } } } })), []);
  const both = msgs(k.validate!({ spec: { minAvailable: 1, maxUnavailable: '150%', unhealthyPodEvictionPolicy: 'Sometimes' } }));
  assert.match(both[0]!, /^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
  assert.deepEqual(both.slice(1), [
    'spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%',
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
  assert.deepEqual(msgs(k.validate!({ spec: { minAvailable: 'x' } })), [
    "spec.minAvailable: Invalid value: x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  assert.deepEqual(msgs(k.validateStatusUpdate!({ status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } }, {})), [
    'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
  ]);
});

test('Eviction checks', () => {
  assert.equal(checkEviction({ metadata: { name: 'p' } }, 'p'), undefined);
  assert.equal(checkEviction({ metadata: { name: 'q' } }, 'p')?.message, 'name in URL does not match name in Eviction object');
  assert.deepEqual(msgs(validateEviction({ deleteOptions: { dryRun: ['All', 'Some'] } })), [
    'deleteOptions.dryRun[1]: Unsupported value: "Some": supported values: "All"',
  ]);
});
