import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trimManagedFields, WatchEventDecoder } from './watch-decoder.js';

const line = (name: string, rv: number): string =>
  JSON.stringify({ type: 'MODIFIED', object: { kind: 'Pod', metadata: { name, resourceVersion: String(rv), labels: { app: 'x'.repeat(300) } }, spec: { containers: [{ name: 'c' }] } } });

test('copies of a line decode to one frozen event', () => {
  const d = new WatchEventDecoder();
  const text = line('a', 1);
  const first = d.decode(text);
  // A different string with the same content, as a second watch stream delivers it.
  const second = d.decode(`${text} `.trimEnd());
  assert.equal(second, first);
  assert.equal((first.object as { metadata: { name: string } }).metadata.name, 'a');
  assert.ok(Object.isFrozen(first));
  const containers = (first.object as { spec: { containers: { name: string }[] } }).spec.containers;
  assert.ok(Object.isFrozen(containers) && Object.isFrozen(containers[0]));
  assert.throws(() => {
    (containers[0] as { name: string }).name = 'changed';
  }, TypeError);
});

test('a changed object is a new event', () => {
  const d = new WatchEventDecoder();
  assert.notEqual(d.decode(line('a', 1)), d.decode(line('a', 2)));
});

test('short lines are parsed each time and not kept', () => {
  const d = new WatchEventDecoder();
  const bookmark = '{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"5"}}}';
  const a = d.decode(bookmark);
  assert.notEqual(d.decode(bookmark), a);
  assert.equal(Object.isFrozen(a), false);
  assert.equal(d.size, 0);
});

test('the oldest lines are forgotten past the capacity', () => {
  const d = new WatchEventDecoder(2);
  const first = d.decode(line('a', 1));
  d.decode(line('b', 1));
  d.decode(line('c', 1));
  assert.equal(d.size, 2);
  assert.notEqual(d.decode(line('a', 1)), first);
});

test('invalid JSON throws', () => {
  assert.throws(() => new WatchEventDecoder().decode(`{"type":"ADDED",${'x'.repeat(300)}`), SyntaxError);
});

test('lines decoded without managedFields are kept apart from full ones', () => {
  const d = new WatchEventDecoder();
  const o = JSON.parse(line('a', 1)) as { object: { metadata: Record<string, unknown> } };
  o.object.metadata.managedFields = [{ manager: 'm', operation: 'Update' }];
  const text = JSON.stringify(o);
  const trimmed = d.decode(text, true);
  const full = d.decode(text);
  assert.notEqual(trimmed, full);
  assert.equal(d.decode(text, true), trimmed);
  const meta = (ev: typeof full) => (ev.object as { metadata: Record<string, unknown> }).metadata;
  assert.equal(meta(trimmed).managedFields, undefined);
  assert.deepEqual(Object.keys(meta(trimmed)), ['name', 'resourceVersion', 'labels']);
  assert.ok(Object.isFrozen(meta(trimmed)));
  assert.deepEqual(meta(full).managedFields, [{ manager: 'm', operation: 'Update' }]);
  // Short lines too.
  assert.equal(meta(d.decode('{"type":"ADDED","object":{"metadata":{"name":"s","managedFields":[]}}}', true)).managedFields, undefined);
});

test('trimManagedFields leaves objects without them alone', () => {
  const o = { metadata: { name: 'a' } };
  const meta = o.metadata;
  trimManagedFields(o);
  assert.equal(o.metadata, meta);
  trimManagedFields(null);
  trimManagedFields({});
});
