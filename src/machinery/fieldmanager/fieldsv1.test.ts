import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFieldsV1, encodeFieldsV1 } from './fieldsv1.js';
import { pathString, serializePathElement } from './path.js';
import { FieldSet } from './set.js';

test('FieldsV1 encodes members, children and "." in upstream order', () => {
  const s = FieldSet.of(
    [{ f: 'spec' }, { f: 'replicas' }],
    [{ f: 'metadata' }, { f: 'labels' }],
    [{ f: 'metadata' }, { f: 'labels' }, { f: 'app' }],
    [{ f: 'spec' }, { f: 'containers' }, { k: [{ name: 'name', value: 'nginx' }] }],
    [{ f: 'spec' }, { f: 'containers' }, { k: [{ name: 'name', value: 'nginx' }] }, { f: 'image' }],
    [{ f: 'spec' }, { f: 'finalizers' }, { v: 'b' }],
    [{ f: 'spec' }, { f: 'finalizers' }, { v: 'a' }],
    [{ f: 'spec' }, { f: 'finalizers' }, { v: 3 }],
  );
  assert.equal(
    JSON.stringify(encodeFieldsV1(s)),
    '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{}}},"f:finalizers":{"v:3":{},"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:replicas":{}}}',
  );
});

test('element order: fields < keys < values < indexes', () => {
  const s = FieldSet.of([{ i: 0 }], [{ v: 'x' }], [{ k: [{ name: 'a', value: 1 }] }], [{ f: 'z' }]);
  assert.deepEqual(Object.keys(encodeFieldsV1(s)), ['f:z', 'k:{"a":1}', 'v:"x"', 'i:0']);
});

test('key elements serialize sorted, Go-escaped', () => {
  assert.equal(
    serializePathElement({ k: [{ name: 'containerPort', value: 80 }, { name: 'protocol', value: 'TCP' }] }),
    'k:{"containerPort":80,"protocol":"TCP"}',
  );
  assert.equal(serializePathElement({ v: 'a<b&c' }), 'v:"a\\u003cb\\u0026c"');
});

test('decode then encode round-trips; unknown element types are dropped', () => {
  const wire = {
    'f:metadata': { 'f:annotations': { '.': {}, 'f:a': {} }, 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:selector': {} },
  };
  const set = decodeFieldsV1({ ...wire, 'x:unknown': {} });
  assert.deepEqual(encodeFieldsV1(set), wire);
  assert.ok(set.has([{ f: 'metadata' }, { f: 'annotations' }]));
  assert.ok(!set.has([{ f: 'metadata' }, { f: 'labels' }]));
  assert.deepEqual(
    set.paths().map(pathString),
    ['.metadata.annotations', '.metadata.annotations.a', '.metadata.labels.app', '.spec.selector', '.spec.ports[port=80,protocol="TCP"]', '.spec.ports[port=80,protocol="TCP"].port'],
  );
});

test('decode keys out of order sorts them; malformed input throws', () => {
  const set = decodeFieldsV1({ 'k:{"protocol":"TCP","port":80}': {} });
  assert.deepEqual(Object.keys(encodeFieldsV1(set)), ['k:{"port":80,"protocol":"TCP"}']);
  assert.throws(() => decodeFieldsV1({ 'f': {} }), /2 characters/);
  assert.throws(() => decodeFieldsV1({ 'fx': {} }), /missing colon/);
  assert.throws(() => decodeFieldsV1({ 'k:{bad': {} }), /invalid JSON/);
  assert.throws(() => decodeFieldsV1([]), /JSON object/);
});

test('set algebra', () => {
  const a = FieldSet.of([{ f: 'a' }], [{ f: 'b' }, { f: 'c' }], [{ f: 'b' }, { f: 'd' }]);
  const b = FieldSet.of([{ f: 'b' }, { f: 'c' }], [{ f: 'b' }]);
  assert.deepEqual(a.difference(b).paths().map(pathString), ['.a', '.b.d']);
  assert.deepEqual(a.recursiveDifference(b).paths().map(pathString), ['.a']);
  assert.deepEqual(a.intersection(b).paths().map(pathString), ['.b.c']);
  assert.deepEqual(a.union(b).paths().map(pathString), ['.a', '.b', '.b.c', '.b.d']);
  assert.ok(a.intersection(FieldSet.of([{ f: 'x' }])).empty());
});
