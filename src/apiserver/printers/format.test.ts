import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessModesString, formatLabelSelector, formatLabels, labelSelectorString, listWithMore, quantityString, translateTimestampSince } from './format.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

test('translateTimestampSince: age, <unknown>, <invalid>', () => {
  assert.equal(translateTimestampSince('2024-12-31T23:55:00Z', NOW), '5m');
  assert.equal(translateTimestampSince(undefined, NOW), '<unknown>');
  assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', NOW), '<unknown>');
  assert.equal(translateTimestampSince('2025-01-01T00:10:00Z', NOW), '<invalid>');
});

test('formatLabelSelector prints like metav1.FormatLabelSelector', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'nginx' } }), 'app=nginx');
  assert.equal(
    formatLabelSelector({
      matchLabels: { tier: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'app', operator: 'Exists' },
      ],
    }),
    'app,!canary,env in (dev,prod),tier=web,zone notin (b)',
  );
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
  assert.equal(formatLabelSelector({ matchLabels: { 'bad key!': 'x' } }), '<error>');
  assert.throws(() => labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }));
});

test('formatLabels sorts keys and prints <none> when empty', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('accessModesString and listWithMore', () => {
  assert.equal(accessModesString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce']), 'RWO,RWX');
  assert.equal(accessModesString(['ReadWriteOncePod', 'ReadOnlyMany']), 'ROX,RWOP');
  assert.equal(listWithMore(['a', 'b', 'c', 'd', 'e'], 3), 'a,b,c + 2 more...');
  assert.equal(listWithMore([], 3), '<unset>');
});

test('quantityString prints the canonical Quantity form', () => {
  assert.equal(quantityString('1024Mi'), '1Gi');
  assert.equal(quantityString('0.5'), '500m');
  assert.equal(quantityString('100m'), '100m');
  assert.equal(quantityString(undefined), '0');
  assert.equal(quantityString('not-a-quantity'), 'not-a-quantity');
});
