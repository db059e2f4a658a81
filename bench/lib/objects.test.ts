import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapBody, podBody } from './objects.js';

test('configMapBody is exactly the requested size and valid JSON', () => {
  for (const size of [1024, 2048]) {
    const body = configMapBody('ns', 'cm-123', size, '7');
    assert.equal(Buffer.byteLength(body), size);
    const o = JSON.parse(body) as { kind: string; metadata: { name: string }; data: { payload: string } };
    assert.equal(o.kind, 'ConfigMap');
    assert.equal(o.metadata.name, 'cm-123');
    assert.match(o.data.payload, /^7+$/);
  }
});

test('podBody has one container with an image', () => {
  const o = JSON.parse(podBody('x', 'pod-1')) as { spec: { containers: { name: string; image: string }[] } };
  assert.equal(o.spec.containers.length, 1);
  assert.ok(o.spec.containers[0]!.image);
});
