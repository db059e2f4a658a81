import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);
const h = kinds.CustomResourceDefinition!;

const crd = (): any => ({
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' } } } } } },
      },
    ],
  },
});

test('CRD defaults and a valid CRD', () => {
  const c = crd();
  h.defaults!(c);
  assert.deepEqual(c.spec.conversion, { strategy: 'None' });
  assert.equal(c.spec.names.singular, 'crontab');
  assert.equal(c.spec.names.listKind, 'CronTabList');
  assert.deepEqual(text(h.validate!(c)), []);
});

test('CRD validation messages', () => {
  const c = crd();
  h.defaults!(c);
  c.metadata.name = 'crontabs.example.com';
  c.spec.versions[0].storage = false;
  c.spec.versions.push({ name: 'v2', served: true, storage: false });
  c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.other = { description: 'no type' };
  const errs = text(h.validate!(c));
  assert.deepEqual(errs.filter((e) => !e.startsWith('spec.versions: ')), [
    'metadata.name: Invalid value: "crontabs.example.com": must be spec.names.plural+"."+spec.group',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[other].type: Required value: must not be empty for specified object fields',
    'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
  ]);
  assert.equal(errs.filter((e) => e.startsWith('spec.versions: ') && e.endsWith(': must have exactly one version marked as storage version')).length, 1);
  const noScope = crd();
  delete noScope.spec.scope;
  noScope.spec.group = 'example';
  noScope.metadata.name = 'crontabs.example';
  h.defaults!(noScope);
  assert.deepEqual(text(h.validate!(noScope)), [
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    'spec.scope: Required value',
  ]);
});

test('CRD group and plural are immutable', () => {
  const old = crd();
  h.defaults!(old);
  const upd = structuredClone(old);
  upd.spec.names.plural = 'crons';
  upd.metadata.name = 'crons.stable.example.com';
  assert.deepEqual(text(h.validateUpdate!(upd, old)), ['spec.names.plural: Invalid value: "crons": field is immutable']);
});
