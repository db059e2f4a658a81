import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLERREVISIONS } from '../../client/resources.js';
import { selectorFromLabelSelector } from '../../machinery/labels.js';
import { testContext } from './testing.js';
import { fnv32a, safeEncodeString } from './hash.js';
import {
  applyRevision,
  sortedJSON,
  CONTROLLER_UID_INDEX,
  ensureControllerIndex,
  equalRevision,
  fnv32,
  hashRevisionData,
  History,
  newControllerRevision,
  nextRevision,
  revisionsToTruncate,
  revisionTemplate,
  sortRevisions,
  templatePatch,
  type ControllerRevisionObject,
} from './history.js';

const kind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'p-uid' } };
const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };

test('FNV-1 and FNV-1a match Go hash/fnv; safe encoding uses no vowels', () => {
  assert.equal(fnv32(''), 0x811c9dc5);
  assert.equal(fnv32('a'), 0x050c5d7e);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf'); // byte % 27, as Go's rand.SafeEncodeString
  assert.match(hashRevisionData({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(hashRevisionData({ a: 1 }, 0), hashRevisionData({ a: 1 }, 1));
});

test('revision data is the template replace patch; equal templates give equal revisions whatever the key order', () => {
  const data = templatePatch(template);
  assert.equal(sortedJSON(data), '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"image":"i:1","name":"c"}]}}}}');
  const a = newControllerRevision(parent, kind, template.metadata.labels, data, 1, 0);
  const reordered = { spec: { template: { spec: { containers: [{ image: 'i:1', name: 'c' }] }, $patch: 'replace', metadata: { labels: { app: 'a' } } } } };
  const b = newControllerRevision(parent, kind, template.metadata.labels, reordered, 2, 0);
  assert.equal(a.metadata?.name, b.metadata?.name);
  assert.ok(a.metadata?.name?.startsWith('web-'));
  assert.equal(a.metadata?.labels?.['controller.kubernetes.io/hash'], a.metadata?.name?.slice(4));
  assert.equal(a.metadata?.ownerReferences?.[0]?.uid, 'p-uid');
  assert.ok(equalRevision(a, b));
  assert.ok(!equalRevision(a, newControllerRevision(parent, kind, {}, templatePatch({ ...template, spec: { containers: [{ name: 'c', image: 'i:2' }] } }), 1, 0)));
  assert.deepEqual(revisionTemplate(a), template);
  const applied = applyRevision({ ...parent, spec: { replicas: 3, template: { metadata: {}, spec: { containers: [] } } } }, a);
  assert.deepEqual(applied.spec, { replicas: 3, template });
});

test('sorting, next revision and truncation keep live revisions', () => {
  const rev = (name: string, revision: number): ControllerRevisionObject => ({ metadata: { name }, revision });
  const sorted = sortRevisions([rev('c', 3), rev('a', 1), rev('b', 2), rev('d', 4)]);
  assert.deepEqual(sorted.map((r) => r.metadata?.name), ['a', 'b', 'c', 'd']);
  assert.equal(nextRevision(sorted), 5);
  assert.equal(nextRevision([]), 1);
  assert.deepEqual(revisionsToTruncate(sorted, new Set(['a', 'd']), 1).map((r) => r.metadata?.name), ['b']);
  assert.deepEqual(revisionsToTruncate(sorted, new Set(['d']), 10), []);
});

test('History lists owned and orphaned revisions, creates with collision handling, adopts and re-numbers', async () => {
  const t = testContext();
  const inf = t.informers.forResource<ControllerRevisionObject>(CONTROLLERREVISIONS);
  ensureControllerIndex(inf);
  ensureControllerIndex(inf); // a second controller asking again is fine
  const h = new History(t.client, inf.lister());
  const data = templatePatch(template);
  const mine = newControllerRevision(parent, kind, { app: 'a' }, data, 1, 0);
  const orphan: ControllerRevisionObject = { metadata: { name: 'web-orphan', namespace: 'ns', labels: { app: 'a' } }, revision: 2 };
  const other: ControllerRevisionObject = { metadata: { name: 'x', namespace: 'ns', labels: { app: 'a' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: 'other', controller: true }] }, revision: 1 };
  for (const r of [mine, orphan, other]) inf.add(t.client.seed(CONTROLLERREVISIONS, r) as ControllerRevisionObject);
  assert.equal(inf.lister().byIndex(CONTROLLER_UID_INDEX, 'p-uid').length, 1);
  const listed = h.list(parent, selectorFromLabelSelector({ matchLabels: { app: 'a' } }));
  assert.deepEqual(listed.map((r) => r.metadata?.name).sort(), [mine.metadata?.name, 'web-orphan'].sort());

  // Same data under the same name: the existing revision is returned.
  const again = await h.create(parent, newControllerRevision(parent, kind, { app: 'a' }, data, 3, 0), 0);
  assert.equal(again.revision.metadata?.name, mine.metadata?.name);
  assert.equal(again.collisionCount, 0);
  // Different data under the name: the collision count goes up and the name changes.
  const clash = structuredClone(mine);
  (clash as { data: unknown }).data = { other: true };
  const t2 = testContext();
  t2.client.seed(CONTROLLERREVISIONS, clash);
  const h2 = new History(t2.client, t2.informers.forResource<ControllerRevisionObject>(CONTROLLERREVISIONS).lister());
  const created = await h2.create(parent, newControllerRevision(parent, kind, { app: 'a' }, data, 1, 0), 0);
  assert.equal(created.collisionCount, 1);
  assert.notEqual(created.revision.metadata?.name, mine.metadata?.name);

  const adopted = await h.adopt(parent, kind, listed.find((r) => r.metadata?.name === 'web-orphan')!);
  assert.equal(adopted.metadata?.ownerReferences?.[0]?.uid, 'p-uid');
  await assert.rejects(h.adopt(parent, kind, other), /owned by/);
  const renumbered = await h.updateRevision(t.client.stored<ControllerRevisionObject>(CONTROLLERREVISIONS, 'ns', mine.metadata!.name!)!, 7);
  assert.equal(renumbered.revision, 7);
  await h.delete(renumbered);
  await h.delete(renumbered);
  assert.equal(t.client.stored(CONTROLLERREVISIONS, 'ns', mine.metadata!.name!), undefined);
});
