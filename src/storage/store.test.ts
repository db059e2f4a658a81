import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { decodeContinue, encodeContinue } from './continue.js';
import { isStorageError } from './interfaces.js';
import { SqliteBackend } from './sqlite/backend.js';
import { createStorage, encodeObject } from './store.js';
import { runStorageConformance } from './testing/conformance.js';

runStorageConformance('store over sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-store-'));
  const backend = new SqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
  await backend.start();
  const storage = createStorage(backend, { bookmarkIntervalMs: 200 });
  return {
    storage,
    compact: (rev) => backend.compact(rev),
    close: async () => {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('store helpers', () => {
  it('continue tokens round-trip in upstream format', () => {
    const token = encodeContinue('/registry/pods/ns/a\x00', '/registry/pods/', 42);
    assert.deepEqual(JSON.parse(Buffer.from(token, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 42, start: 'ns/a\x00' });
    assert.deepEqual(decodeContinue(token, '/registry/pods/'), { startKey: '/registry/pods/ns/a\x00', revision: 42 });
    const bad = (o: unknown): boolean => {
      try {
        decodeContinue(Buffer.from(JSON.stringify(o)).toString('base64url'), '/p/');
        return false;
      } catch (e) {
        return isStorageError(e, 'InvalidContinue');
      }
    };
    assert.ok(bad({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }));
    assert.ok(bad({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }));
    assert.ok(bad({ v: 'meta.k8s.io/v1', rv: 1, start: '' }));
    assert.ok(bad({ v: 'meta.k8s.io/v1', rv: 1, start: 'a/../../b' }));
    assert.ok(!bad({ v: 'meta.k8s.io/v1', rv: -1, start: 'a' }));
  });

  it('never stores metadata.resourceVersion', () => {
    const data = encodeObject({ kind: 'Pod', metadata: { name: 'a', resourceVersion: '7' }, spec: {} });
    assert.equal(data, '{"kind":"Pod","metadata":{"name":"a"},"spec":{}}');
  });
});
