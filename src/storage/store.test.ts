import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { decodeContinue, encodeContinue } from './continue.js';
import { isStorageError } from './interfaces.js';
import { SqliteBackend } from './sqlite/backend.js';
import type { StoredObject } from './interfaces.js';
import { createStorage, decodeKv, encodeForWrite, encodeObject, takeResultJSON } from './store.js';
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

  it("encodeForWrite: the stored form is encodeObject's, and jsonAt is the decoded object's JSON", () => {
    const objects: StoredObject[] = [
      { kind: 'Pod', metadata: { name: 'a', resourceVersion: '7', labels: { '1': 'x', b: 'y' } }, spec: {} },
      { apiVersion: 'v1', metadata: {}, data: { '10': 'a', '2': 'b', z: '\u2028"quoted"\n' } },
      { metadata: { uid: 'u', resourceVersion: '' }, skipped: undefined, when: new Date(0), n: -0, big: 1e21, list: [undefined, 1] },
      { '7': 'integer-like first', metadata: { name: 'n', generation: 2 }, status: null },
    ] as unknown as StoredObject[];
    for (const obj of objects) {
      const enc = encodeForWrite(obj);
      assert.equal(enc.value, encodeObject(obj));
      for (const revision of [1, 123456789]) {
        const decoded = decodeKv({ key: '/k', value: enc.value, createRevision: 1, modRevision: revision });
        assert.equal(enc.jsonAt(revision), JSON.stringify(decoded));
      }
    }
    // No metadata object to append to: no JSON (decoding would add or replace it).
    const inherited = Object.assign(Object.create({ metadata: { name: 'p' } }) as object, { kind: 'X' });
    for (const obj of [{ kind: 'X' }, { kind: 'X', metadata: null }, inherited] as unknown as StoredObject[]) {
      const enc = encodeForWrite(obj);
      assert.equal(enc.value, encodeObject(obj));
      assert.equal(enc.jsonAt(5), undefined);
    }
  });

  it("a write's result carries its JSON once: takeResultJSON gives it to the first caller", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-store-'));
    const backend = new SqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
    await backend.start();
    try {
      const storage = createStorage(backend);
      const created = await storage.create<StoredObject>('/registry/x/a', { kind: 'X', metadata: { name: 'a' }, spec: { n: 1 } } as StoredObject);
      assert.equal(takeResultJSON(created), JSON.stringify(created));
      assert.equal(takeResultJSON(created), undefined);
      const updated = await storage.guaranteedUpdate<StoredObject>('/registry/x/a', (cur) => ({ ...structuredClone(cur!), spec: { n: 2 } }));
      assert.equal(takeResultJSON(updated), JSON.stringify(updated));
      assert.equal(takeResultJSON({ kind: 'X' }), undefined);
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
