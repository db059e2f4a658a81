import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Indexer, keyOf, splitKey, NAMESPACE_INDEX } from './indexer.js';
import type { KubeObject } from '../rest/resource.js';

const obj = (ns: string | undefined, name: string, labels: Record<string, string> = {}, rv = '1'): KubeObject => ({
  metadata: { namespace: ns, name, labels, resourceVersion: rv },
});

test('keys are namespace/name or name', () => {
  assert.equal(keyOf(obj('a', 'x')), 'a/x');
  assert.equal(keyOf(obj(undefined, 'node1')), 'node1');
  assert.deepEqual(splitKey('a/x'), { namespace: 'a', name: 'x' });
  assert.deepEqual(splitKey('node1'), { namespace: undefined, name: 'node1' });
});

test('namespace and custom indexes follow updates and deletes', () => {
  const idx = new Indexer<KubeObject>({ app: (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []) });
  idx.upsert(obj('a', 'x', { app: 'web' }));
  idx.upsert(obj('a', 'y', { app: 'db' }));
  idx.upsert(obj('b', 'z', { app: 'web' }));
  assert.deepEqual(idx.byIndex(NAMESPACE_INDEX, 'a').map(keyOf).sort(), ['a/x', 'a/y']);
  assert.deepEqual(idx.byIndex('app', 'web').map(keyOf).sort(), ['a/x', 'b/z']);
  const old = idx.upsert(obj('a', 'x', { app: 'db' }, '2'));
  assert.equal(old?.metadata?.resourceVersion, '1');
  assert.deepEqual(idx.byIndex('app', 'web').map(keyOf), ['b/z']);
  assert.deepEqual(idx.byIndex('app', 'db').map(keyOf).sort(), ['a/x', 'a/y']);
  idx.remove(obj('a', 'y'));
  assert.deepEqual(idx.byIndex('app', 'db').map(keyOf), ['a/x']);
  assert.deepEqual(idx.listNamespace('a').map(keyOf), ['a/x']);
  assert.equal(idx.getByName('b', 'z')?.metadata?.name, 'z');
  assert.throws(() => idx.byIndex('nope', 'x'), /does not exist/);
});

test('replace swaps the content and reports what went away', () => {
  const idx = new Indexer<KubeObject>();
  idx.upsert(obj('a', 'x'));
  idx.upsert(obj('a', 'y'));
  const gone = idx.replace([obj('a', 'y', {}, '5'), obj('c', 'w')]);
  assert.deepEqual(gone.map(keyOf), ['a/x']);
  assert.deepEqual(idx.listKeys().sort(), ['a/y', 'c/w']);
  assert.deepEqual(idx.byIndex(NAMESPACE_INDEX, 'a').map((o) => o.metadata?.resourceVersion), ['5']);
});

test('indexers added later index existing objects', () => {
  const idx = new Indexer<KubeObject>();
  idx.upsert(obj('a', 'x', { tier: 'fe' }));
  idx.addIndexers({ tier: (o) => [o.metadata?.labels?.tier ?? ''] });
  assert.deepEqual(idx.byIndex('tier', 'fe').map(keyOf), ['a/x']);
  assert.throws(() => idx.addIndexers({ tier: () => [] }), /already exists/);
});

test('ensureIndexers adds what is missing and keeps an index of the same name; addIndexers refuses it', () => {
  const idx = new Indexer<KubeObject>({});
  idx.upsert(obj('a', 'x', { app: 'web' }));
  idx.ensureIndexers({ app: (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []) });
  // A second user asking for the same name keeps the first function (and its index).
  idx.ensureIndexers({ app: () => ['other'], tier: () => ['t'] });
  assert.deepEqual(idx.byIndex('app', 'web').map(keyOf), ['a/x']);
  assert.deepEqual(idx.byIndex('app', 'other'), []);
  assert.deepEqual(idx.byIndex('tier', 't').map(keyOf), ['a/x']);
  assert.throws(() => idx.addIndexers({ app: () => [] }), /indexer "app" already exists/);
});
