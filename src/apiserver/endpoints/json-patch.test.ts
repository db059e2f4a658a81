import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJSONPatch, JSONPatchError } from './json-patch.js';

test('RFC 6902 operations', () => {
  const doc = { a: { b: [1, 2, 3] }, c: 'x' };
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'add', path: '/a/b/1', value: 9 }]), { a: { b: [1, 9, 2, 3] }, c: 'x' });
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'add', path: '/a/b/-', value: 4 }]), { a: { b: [1, 2, 3, 4] }, c: 'x' });
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'remove', path: '/a/b/0' }]), { a: { b: [2, 3] }, c: 'x' });
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'replace', path: '/c', value: 'y' }]), { a: { b: [1, 2, 3] }, c: 'y' });
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'move', from: '/c', path: '/d' }]), { a: { b: [1, 2, 3] }, d: 'x' });
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'copy', from: '/c', path: '/a/e' }]), { a: { b: [1, 2, 3], e: 'x' }, c: 'x' });
  assert.deepEqual(applyJSONPatch({ 'a/b': 1, 'm~n': 2 }, [{ op: 'remove', path: '/a~1b' }, { op: 'remove', path: '/m~0n' }]), {});
  assert.deepEqual(applyJSONPatch(doc, [{ op: 'test', path: '/c', value: 'x' }]), doc);
  assert.deepEqual(doc, { a: { b: [1, 2, 3] }, c: 'x' }, 'input untouched');
});

test('failures carry the json-patch library wording', () => {
  const cases: [object, string][] = [
    [{ op: 'remove', path: '/data/nothing' }, "error in remove for path: '/data/nothing': Unable to remove nonexistent key: nothing: missing value"],
    [{ op: 'replace', path: '/data/nothing', value: 1 }, "error in replace for path: '/data/nothing': Unable to replace nonexistent key: nothing: missing value"],
    [{ op: 'add', path: '/missing/deep', value: 1 }, "error in add for path: '/missing/deep': missing value"],
    [{ op: 'test', path: '/data', value: 1 }, 'testing value /data failed: test failed'],
    [{ op: 'add', path: '/list/7', value: 1 }, "error in add for path: '/list/7': Unable to access invalid index: 7: invalid index referenced"],
  ];
  for (const [op, msg] of cases) {
    assert.throws(() => applyJSONPatch({ data: {}, list: [] }, [op as never]), (e: unknown) => e instanceof JSONPatchError && e.message === msg, msg);
  }
});
