import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { extractFieldPathAsString, extractResourceValue, formatMap, goQuote, makeConfigMapPayload, makeSecretPayload } from './payload.js';

const text = (p: Map<string, { data: Uint8Array; mode: number }>) => Object.fromEntries([...p].map(([k, v]) => [k, [Buffer.from(v.data).toString(), v.mode.toString(8)]]));

describe('payloads', () => {
  it('projects every ConfigMap key or the listed items', () => {
    const cm = { data: { a: 'A', b: 'B' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } };
    assert.deepEqual(text(makeConfigMapPayload(undefined, cm, undefined, false)), { a: ['A', '644'], b: ['B', '644'], bin: ['\x00\x01\x02', '644'] });
    assert.deepEqual(text(makeConfigMapPayload([{ key: 'a', path: 'x/a.txt', mode: 0o600 }, { key: 'b', path: 'b' }], cm, 0o400, false)), { 'x/a.txt': ['A', '600'], b: ['B', '400'] });
    assert.throws(() => makeConfigMapPayload([{ key: 'zz', path: 'z' }], cm, undefined, false), { message: 'configmap references non-existent config key: zz' });
    assert.deepEqual(text(makeConfigMapPayload([{ key: 'zz', path: 'z' }], cm, undefined, true)), {});
  });

  it('decodes Secret data', () => {
    const s = { data: { pw: Buffer.from('hunter2').toString('base64') } };
    assert.deepEqual(text(makeSecretPayload(undefined, s, undefined, false)), { pw: ['hunter2', '644'] });
    assert.throws(() => makeSecretPayload([{ key: 'x', path: 'x' }], s, undefined, false), { message: 'references non-existent secret key: x' });
  });

  it('formats labels and annotations as upstream FormatMap', () => {
    assert.equal(formatMap({ b: 'two', a: 'one "q"', c: 'line\nbreak\x01' }), 'a="one \\"q\\""\nb="two"\nc="line\\nbreak\\x01"');
    assert.equal(formatMap({}), '');
    assert.equal(goQuote('héllo'), '"héllo"');
  });

  it('reads pod fields', () => {
    const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'x' }, annotations: { 'k/a': 'v' } }, spec: { containers: [] } };
    assert.equal(extractFieldPathAsString(pod, 'metadata.name'), 'p');
    assert.equal(extractFieldPathAsString(pod, 'metadata.namespace'), 'ns');
    assert.equal(extractFieldPathAsString(pod, 'metadata.uid'), 'u');
    assert.equal(extractFieldPathAsString(pod, 'metadata.labels'), 'app="x"');
    assert.equal(extractFieldPathAsString(pod, "metadata.annotations['k/a']"), 'v');
    assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
  });

  it('reads container resources with divisors and node defaults', () => {
    const pod: Pod = {
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } } }] },
    };
    const alloc = { cpu: '2', memory: '4Gi' };
    assert.equal(extractResourceValue(pod, { containerName: 'c', resource: 'requests.cpu' }, alloc), '1');
    assert.equal(extractResourceValue(pod, { containerName: 'c', resource: 'requests.cpu', divisor: '1m' }, alloc), '250');
    assert.equal(extractResourceValue(pod, { containerName: 'c', resource: 'limits.cpu' }, alloc), '2');
    assert.equal(extractResourceValue(pod, { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' }, alloc), '128');
    assert.equal(extractResourceValue(pod, { containerName: 'c', resource: 'requests.memory' }, alloc), String(64 * 1024 * 1024));
    assert.throws(() => extractResourceValue(pod, { containerName: 'x', resource: 'limits.cpu' }, alloc), { message: 'container x not found' });
  });
});
