import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchEventDecoder } from './watch-decoder.js';

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
