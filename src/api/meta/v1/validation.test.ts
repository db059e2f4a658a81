import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { Path } from '../../../machinery/field.js';
import {
  goTimeString,
  maskTrailingDash,
  nameIsDNSSubdomain,
  nameValidator,
  validateFieldManager,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

const ns = { namespaced: true, nameFn: nameIsDNSSubdomain };
const cluster = { namespaced: false, nameFn: nameIsDNSSubdomain };
const text = (errs: { toString(): string }[]): string[] => errs.map((e) => e.toString());

describe('name functions', () => {
  it('maskTrailingDash as upstream (drops two characters)', () => {
    assert.equal(maskTrailingDash('web-'), 'wea');
    assert.equal(maskTrailingDash('-'), '-');
    assert.equal(maskTrailingDash('web'), 'web');
  });
  it('nameValidator per NameValidation', () => {
    assert.deepEqual(nameValidator('dns1123-subdomain')('a.b', false), []);
    assert.notDeepEqual(nameValidator('dns1123-label')('a.b', false), []);
    assert.notDeepEqual(nameValidator('dns1035-label')('1a', false), []);
    assert.deepEqual(nameValidator('dns1035-label')('a-', true), []);
    assert.deepEqual(nameValidator('path-segment')('system:admin', false), []);
    assert.deepEqual(nameValidator('path-segment')('..', false), ["may not be '..'"]);
    assert.deepEqual(nameValidator('path-segment')('..', true), []);
    assert.deepEqual(nameValidator('none')('ANY/thing', false), []);
    assert.deepEqual(nameValidator(undefined)('web-', true), []);
    assert.notDeepEqual(nameValidator(undefined)('web-', false), []);
  });
});

describe('validateObjectMeta', () => {
  it('accepts a minimal namespaced object', () => {
    assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default' }, ns), []);
    assert.deepEqual(validateObjectMeta({ generateName: 'web-', namespace: 'default', name: 'web-abcde' }, ns), []);
  });
  it('requires a name', () => {
    assert.deepEqual(text(validateObjectMeta({ namespace: 'default' }, ns)), ['metadata.name: Required value: name or generateName is required']);
  });
  it('checks name and generateName with the name function', () => {
    const errs = text(validateObjectMeta({ name: 'Web', generateName: 'Web-', namespace: 'default' }, ns));
    assert.equal(errs.length, 2);
    assert.match(errs[0]!, /^metadata\.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain/);
    assert.match(errs[1]!, /^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/);
  });
  it('namespace required, valid, or forbidden by scope', () => {
    assert.deepEqual(text(validateObjectMeta({ name: 'a' }, ns)), ['metadata.namespace: Required value']);
    assert.match(text(validateObjectMeta({ name: 'a', namespace: 'a.b' }, ns))[0]!, /^metadata\.namespace: Invalid value: "a\.b": must not contain dots$/);
    assert.deepEqual(text(validateObjectMeta({ name: 'a', namespace: 'x' }, cluster)), ['metadata.namespace: Forbidden: not allowed on this type']);
    assert.deepEqual(validateObjectMeta({ name: 'a' }, cluster), []);
  });
  it('generation, labels, annotations', () => {
    const errs = text(
      validateObjectMeta({ name: 'a', namespace: 'n', generation: -1, labels: { 'a b': 'c' }, annotations: { '-x': 'y' } }, ns),
    );
    assert.equal(errs[0], 'metadata.generation: Invalid value: -1: must be greater than or equal to 0');
    assert.match(errs[1]!, /^metadata\.labels: Invalid value: "a b": name part must consist/);
    assert.match(errs[2]!, /^metadata\.annotations: Invalid value: "-x": name part must consist/);
  });
  it('ownerReferences', () => {
    const meta: ObjectMeta = {
      name: 'a',
      namespace: 'n',
      ownerReferences: [
        { apiVersion: '', kind: '', name: '', uid: '' },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs1', uid: 'u1', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs2', uid: 'u2', controller: true },
        { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u3' },
      ],
    };
    const errs = validateObjectMeta(meta, ns);
    const t = text(errs);
    assert.deepEqual(t.slice(0, 4), [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
    assert.equal(errs[4]!.field, 'metadata.ownerReferences');
    assert.match(t[4]!, /: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/rs1 and ReplicaSet\/rs2$/);
    assert.match(t[5]!, /^metadata\.ownerReferences: Invalid value: v1\.OwnerReference\{APIVersion:"v1", Kind:"Event".*: \/v1, Kind=Event is disallowed from being an owner$/);
    assert.equal(t.length, 6);
  });
  it('finalizers', () => {
    assert.deepEqual(validateObjectMeta({ name: 'a', namespace: 'n', finalizers: ['kubernetes', 'example.com/x', 'foregroundDeletion'] }, ns), []);
    const t = text(validateObjectMeta({ name: 'a', namespace: 'n', finalizers: ['orphan', 'foregroundDeletion', 'a/b/c'] }, ns));
    assert.equal(t.length, 2);
    assert.match(t[0]!, /^metadata\.finalizers: Invalid value: "a\/b\/c": a qualified name must consist/);
    assert.equal(t[1], 'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion", "a/b/c"}: finalizer orphan and foregroundDeletion cannot be both set');
  });
  it('managedFields', () => {
    const t = text(
      validateObjectMeta(
        {
          name: 'a',
          namespace: 'n',
          managedFields: [
            { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1' },
            { manager: 'bad\u0007', operation: 'Patch', fieldsType: 'FieldsV2' },
          ],
        },
        ns,
      ),
    );
    assert.deepEqual(t, [
      'metadata.managedFields[1].operation: Invalid value: "Patch": must be `Apply` or `Update`',
      'metadata.managedFields[1].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
      'metadata.managedFields[1].manager: Invalid value: "bad\\u0007": invalid character U+0007 (at position 3)',
    ]);
    assert.equal(validateFieldManager('x'.repeat(129), Path.root('m'))[0]!.type, 'FieldValueTooLong');
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = {
    name: 'a',
    namespace: 'n',
    uid: 'u1',
    resourceVersion: '5',
    generation: 2,
    creationTimestamp: '2024-05-01T10:00:00Z',
  };
  it('accepts an unchanged identity', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []);
  });
  it('requires resourceVersion and forbids generation decrements', () => {
    assert.deepEqual(text(validateObjectMetaUpdate({ ...old, resourceVersion: '', generation: 1 }, old)), [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 1: must not be decremented',
    ]);
  });
  it('immutable identity fields', () => {
    const t = text(
      validateObjectMetaUpdate(
        { ...old, name: 'b', namespace: 'm', uid: 'u2', creationTimestamp: '2024-05-02T10:00:00Z', deletionTimestamp: '2024-05-03T00:00:00Z', deletionGracePeriodSeconds: 30 },
        old,
      ),
    );
    assert.deepEqual(t, [
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.namespace: Invalid value: "m": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable',
      'metadata.deletionTimestamp: Invalid value: 2024-05-03 00:00:00 +0000 UTC: field is immutable',
      'metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable',
    ]);
    assert.deepEqual(validateObjectMetaUpdate({ ...old, creationTimestamp: '2024-05-01T10:00:00.000Z' }, old), []);
  });
  it('no new finalizers while deleting', () => {
    const deleting = { ...old, deletionTimestamp: '2024-05-03T00:00:00Z', finalizers: ['a/x'] };
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
    assert.deepEqual(text(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/x', 'b/y'] }, deleting)), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b/y"}',
    ]);
  });
  it('goTimeString', () => {
    assert.equal(goTimeString('2024-05-01T10:00:00+02:00'), '2024-05-01 08:00:00 +0000 UTC');
  });
});
