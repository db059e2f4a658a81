import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printManager } from './conflict.js';
import {
  applyPatch,
  fieldSetOf,
  managerOrUserAgent,
  stripManagedFields,
  updateManagedFields,
} from './field-manager.js';
import { buildManagerIdentifier, decodeManagedFields, formatTime, ManagedFieldsError, type ManagedFieldsEntry } from './managed-fields.js';
import { DEDUCED, type ApplySchema } from './schema.js';

/** A small struct schema: metadata (labels map), spec (replicas, items map-list, tags set), status. */
function struct(fields: Record<string, ApplySchema>, mapType?: 'atomic'): ApplySchema {
  return { kind: 'struct', mapType, field: (n) => fields[n], elements: () => undefined };
}
const scalar: ApplySchema = { kind: 'scalar', field: () => undefined, elements: () => undefined };
const stringMap: ApplySchema = { kind: 'map', field: () => undefined, elements: () => scalar };
const item = struct({ name: scalar, value: scalar });
const schema = struct({
  apiVersion: scalar,
  kind: scalar,
  metadata: struct({ name: scalar, namespace: scalar, uid: scalar, labels: stringMap, managedFields: DEDUCED }),
  spec: struct({
    replicas: scalar,
    items: { kind: 'list', listType: 'map', listMapKeys: ['name'], field: () => undefined, elements: () => item },
    tags: { kind: 'list', listType: 'set', field: () => undefined, elements: () => scalar },
  }),
  status: struct({ ready: scalar }),
});

type Obj = Record<string, any>;
const obj = (spec: Obj, extra: Obj = {}): Obj => ({ apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 'n', uid: 'u' }, spec, ...extra });
const opts = (manager: string, sec = 0) => ({ manager, apiVersion: 'x/v1', now: new Date(Date.UTC(2024, 0, 1, 0, 0, sec)), schema });
const mf = (o: Obj): ManagedFieldsEntry[] => o['metadata']['managedFields'];

describe('managerOrUserAgent', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    ['mine', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'mine'],
    [undefined, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['', 'kube-controller-manager/v1.32.0 (linux/amd64)/leader-election', 'kube-controller-manager'],
    [undefined, 'a\tb\u0000c/1', 'abc'],
    [undefined, undefined, ''],
    [undefined, 'x'.repeat(200), 'x'.repeat(128)],
  ];
  for (const [fm, ua, want] of cases) it(`${String(fm)} / ${String(ua).slice(0, 30)}`, () => assert.equal(managerOrUserAgent(fm, ua), want));
  it('gives the same answer when asked again (answers are cached per user agent)', () => {
    for (const [fm, ua, want] of cases) assert.equal(managerOrUserAgent(fm, ua), want);
  });
});

describe('formatTime', () => {
  it('formats whole seconds in UTC, also for several calls within one second', () => {
    assert.equal(formatTime(new Date('2026-11-22T18:00:00.123Z')), '2026-11-22T18:00:00Z');
    assert.equal(formatTime(new Date('2026-11-22T18:00:00.999Z')), '2026-11-22T18:00:00Z');
    assert.equal(formatTime(new Date('2026-11-22T18:00:01.000Z')), '2026-11-22T18:00:01Z');
    assert.equal(formatTime(new Date('2026-11-22T17:59:59.500Z')), '2026-11-22T17:59:59Z');
  });
});

describe('manager identifiers and messages', () => {
  it('identifiers leave apiVersion out for appliers', () => {
    assert.equal(buildManagerIdentifier({ manager: 'm', operation: 'Apply', apiVersion: 'x/v1' }), '{"manager":"m","operation":"Apply"}');
    assert.equal(
      buildManagerIdentifier({ manager: 'm', operation: 'Update', apiVersion: 'x/v1', subresource: 'status' }),
      '{"manager":"m","operation":"Update","apiVersion":"x/v1","subresource":"status"}',
    );
  });
  it('printManager', () => {
    assert.equal(printManager('{"manager":"m","operation":"Apply"}'), '"m"');
    assert.equal(printManager('{"manager":"m","operation":"Update","apiVersion":"v1","subresource":"status"}'), '"m" with subresource "status" using v1');
    assert.equal(printManager('not json'), '"not json"');
  });
});

describe('decodeManagedFields', () => {
  const good = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } };
  const cases: [string, unknown, RegExp][] = [
    ['operation', [{ ...good, operation: 'Patch' }], /operation must be `Apply` or `Update`/],
    ['apiVersion', [{ ...good, apiVersion: '' }], /apiVersion must not be empty/],
    ['missing fieldsType', [{ ...good, fieldsType: undefined }], /missing fieldsType in managed fields entry 0/],
    ['bad fieldsType', [{ ...good, fieldsType: 'FieldsV2' }], /invalid fieldsType "FieldsV2" in managed fields entry 0/],
    ['bad fields', [{ ...good, fieldsV1: { 'k:{': {} } }], /error decoding versioned set/],
  ];
  for (const [name, input, err] of cases) it(name, () => assert.throws(() => decodeManagedFields(input), (e: unknown) => e instanceof ManagedFieldsError && err.test(e.message)));
  it('normalizes times to RFC 3339 seconds in UTC', () => {
    const m = decodeManagedFields([{ ...good, time: '2024-01-01T01:00:00.9+01:00' }]);
    assert.deepEqual([...m.times.values()], ['2024-01-01T00:00:00Z']);
  });
});

describe('updateManagedFields', () => {
  it('does not start tracking on an update of an untracked object', () => {
    const out = updateManagedFields(obj({ replicas: 1 }), obj({ replicas: 2 }), opts('m'));
    assert.equal(out['metadata']['managedFields'], undefined);
  });

  it('a single empty entry resets managedFields; a malformed list falls back to the stored one', () => {
    const created = updateManagedFields(undefined, obj({ replicas: 1 }), opts('c'));
    assert.equal(mf(created).length, 1);
    const reset = updateManagedFields(created, { ...created, metadata: { ...created['metadata'], managedFields: [{}] } }, opts('m', 1));
    assert.equal(reset['metadata']['managedFields'], undefined);
    const mangled = updateManagedFields(created, { ...created, metadata: { ...created['metadata'], managedFields: [{ manager: 'x' }] } }, opts('m', 1));
    assert.deepEqual(mf(mangled), mf(created));
  });

  it('an update of fields the manager owns keeps its fields and takes a new time; fields it did not own move to it', () => {
    // A stored object: JSON round trip, as the cache holds it.
    const stored = (o: Obj): Obj => JSON.parse(JSON.stringify(o)) as Obj;
    const created = stored(updateManagedFields(undefined, obj({ replicas: 1, tags: ['a'] }), opts('kubelet')));
    const owned = stored(updateManagedFields(created, { ...stored(created), spec: { replicas: 2, tags: ['a'] } }, opts('kubelet', 10)));
    assert.deepEqual(mf(owned), [{ ...mf(created)[0], time: '2024-01-01T00:00:10Z' }]);
    // The same when the request leaves managedFields out.
    const { managedFields: _mf, ...bare } = owned['metadata'];
    const again = updateManagedFields(owned, { ...stored(owned), metadata: bare, spec: { replicas: 3, tags: ['a'] } }, opts('kubelet', 20));
    assert.deepEqual(mf(again), [{ ...mf(created)[0], time: '2024-01-01T00:00:20Z' }]);
    // Another manager changing a field takes it from the first.
    const other = updateManagedFields(owned, { ...stored(owned), spec: { replicas: 4, tags: ['a'] } }, opts('scaler', 30));
    assert.deepEqual(
      mf(other).map((e) => [e.manager, e.fieldsV1]),
      [
        ['kubelet', { 'f:spec': { '.': {}, 'f:tags': { '.': {}, 'v:"a"': {} } } }],
        ['scaler', { 'f:spec': { 'f:replicas': {} } }],
      ],
    );
  });

  it('ignored (reset) fields are neither owned nor taken', () => {
    const created = updateManagedFields(undefined, obj({ replicas: 1 }, { status: { ready: 1 } }), { ...opts('c'), ignoredFields: fieldSetOf(['status']) });
    assert.deepEqual(mf(created)[0]!.fieldsV1, { 'f:spec': { '.': {}, 'f:replicas': {} } });
  });

  it('caps update managers at ten, merging the oldest into ancient-changes', () => {
    let o = updateManagedFields(undefined, obj({ replicas: 0 }), opts('m0'));
    for (let i = 1; i <= 11; i++) {
      o = updateManagedFields(o, { ...o, metadata: { ...o['metadata'], labels: { ...o['metadata'].labels, [`l${i}`]: 'x' } } }, opts(`m${i}`, i));
    }
    const names = mf(o).map((e) => e.manager);
    assert.equal(names.length, 10);
    assert.equal(names[0], 'ancient-changes');
    assert.ok(!names.includes('m0') && !names.includes('m1') && !names.includes('m2'));
    assert.deepEqual(Object.keys(mf(o)[0]!.fieldsV1!), ['f:metadata', 'f:spec']);
  });
});

describe('applyPatch', () => {
  it('sets owned on a struct and items of list-maps and sets', () => {
    const r = applyPatch(undefined, obj({ items: [{ name: 'a', value: 1 }], tags: ['t'] }), { ...opts('m'), force: false });
    assert.deepEqual(mf(r.object)[0]!.fieldsV1, {
      'f:spec': { 'f:items': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:tags': { 'v:"t"': {} } },
    });
    assert.equal(r.changed, true);
  });

  it('Update managers on a subresource conflict with their subresource named', () => {
    const created = applyPatch<Obj>(undefined, obj({ replicas: 1 }), { ...opts('m'), force: false }).object;
    const scaled = updateManagedFields(created, { ...created, spec: { ...created['spec'], replicas: 3 } }, { ...opts('hpa', 5), subresource: 'scale' });
    assert.throws(
      () => applyPatch(scaled, obj({ replicas: 1 }), { ...opts('m', 6), force: false }),
      { message: 'Apply failed with 1 conflict: conflict with "hpa" with subresource "scale" using x/v1: .spec.replicas' },
    );
  });

  it('does not modify its inputs; stripManagedFields copies', () => {
    const current = applyPatch<Obj>(undefined, obj({ replicas: 1, items: [{ name: 'a' }] }), { ...opts('m'), force: false }).object;
    const snapshot = structuredClone(current);
    const applied = obj({ items: [{ name: 'b' }] });
    const appliedSnapshot = structuredClone(applied);
    applyPatch(current, applied, { ...opts('m', 3), force: true });
    assert.deepEqual(current, snapshot);
    assert.deepEqual(applied, appliedSnapshot);
    const stripped = stripManagedFields(current);
    assert.equal(stripped['metadata']['managedFields'], undefined);
    assert.ok(current['metadata']['managedFields']);
  });
});
