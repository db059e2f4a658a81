import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds, SYSTEM_PRIORITY_CLASSES } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);
const h = kinds.PriorityClass!;

test('PriorityClass defaults, reserved names and limits', () => {
  const pc: any = { metadata: { name: 'high' }, value: 1000 };
  h.defaults!(pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(text(h.validate!(pc)), []);
  for (const sys of SYSTEM_PRIORITY_CLASSES) assert.deepEqual(text(h.validate!(structuredClone(sys))), []);
  assert.deepEqual(text(h.validate!({ metadata: { name: 'system-foo' }, value: 1 } as any)), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class",
  ]);
  assert.deepEqual(text(h.validate!({ metadata: { name: 'big' }, value: 2000000000, preemptionPolicy: 'Sometimes' } as any)), [
    'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
  ]);
});

test('PriorityClass value and preemptionPolicy are immutable', () => {
  const old: any = { metadata: { name: 'p' }, value: 1, preemptionPolicy: 'PreemptLowerPriority' };
  assert.deepEqual(text(h.validateUpdate!({ ...old, value: 2, preemptionPolicy: 'Never' }, old)), [
    'value: Forbidden: may not be changed in an update.',
    'preemptionPolicy: Invalid value: "Never": field is immutable',
  ]);
});
