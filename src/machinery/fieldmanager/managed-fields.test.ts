import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeManagedFields } from './managed-fields.js';

const timeOf = (time: string): string | undefined => {
  const m = decodeManagedFields([{ manager: 'm', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }]);
  return [...m.times.values()][0];
};

test('decoded times are metav1.Time in UTC with whole seconds, whatever form they came in', () => {
  assert.equal(timeOf('2026-11-22T20:00:00Z'), '2026-11-22T20:00:00Z');
  assert.equal(timeOf('2024-02-29T23:59:59Z'), '2024-02-29T23:59:59Z');
  assert.equal(timeOf('2026-11-22T20:00:00.123456Z'), '2026-11-22T20:00:00Z');
  assert.equal(timeOf('2026-11-22T21:00:00+01:00'), '2026-11-22T20:00:00Z');
  // Fields past their range roll over, as JavaScript dates read them (Go would refuse them).
  assert.equal(timeOf('2026-02-29T00:00:00Z'), '2026-03-01T00:00:00Z');
  assert.equal(timeOf('1900-02-29T00:00:00Z'), '1900-03-01T00:00:00Z');
  assert.equal(timeOf('2026-12-31T24:00:00Z'), '2027-01-01T00:00:00Z');
  // Unparseable: kept as given.
  assert.equal(timeOf('yesterday'), 'yesterday');
  assert.equal(timeOf(''), undefined);
});
