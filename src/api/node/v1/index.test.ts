import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);
const h = kinds.RuntimeClass!;

test('RuntimeClass handler, overhead and immutability', () => {
  assert.deepEqual(text(h.validate!({ handler: 'runc', overhead: { podFixed: { cpu: '100m' } } } as any)), []);
  assert.deepEqual(text(h.validate!({ handler: 'Run_C', overhead: { podFixed: { memory: '-1Mi' } } } as any)), [
    'handler: Invalid value: "Run_C": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    'overhead.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
  ]);
  assert.deepEqual(text(h.validate!({ handler: 'runc', scheduling: { tolerations: [{ operator: 'Equal', value: 'x' }] } } as any)), [
    'scheduling.tolerations.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
  ]);
  assert.deepEqual(text(h.validateUpdate!({ handler: 'crun' } as any, { handler: 'runc' } as any)), ['handler: Invalid value: "crun": field is immutable']);
});
