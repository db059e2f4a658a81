import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCreateOptions, validateDeleteOptions, validatePatchOptions, validateTableOptions } from './options.js';

const text = (errs: { toString(): string }[]): string[] => errs.map((e) => e.toString());

describe('request options validation', () => {
  it('DeleteOptions', () => {
    assert.deepEqual(validateDeleteOptions({ propagationPolicy: 'Foreground' }), []);
    assert.deepEqual(text(validateDeleteOptions({ propagationPolicy: 'Sideways' })), [
      'propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
    ]);
    assert.deepEqual(text(validateDeleteOptions({ propagationPolicy: 'Orphan', orphanDependents: true })), [
      'propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set',
    ]);
    assert.deepEqual(text(validateDeleteOptions({ dryRun: ['All', 'x'] })), ['dryRun: Unsupported value: []string{"All", "x"}: supported values: "All"']);
  });
  it('CreateOptions and PatchOptions', () => {
    assert.deepEqual(validateCreateOptions({ dryRun: ['All'], fieldManager: 'kubectl', fieldValidation: 'Strict' }), []);
    assert.deepEqual(text(validateCreateOptions({ fieldValidation: 'Loud' })), [
      'fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"',
    ]);
    assert.deepEqual(text(validatePatchOptions({ force: true }, false)), ['force: Forbidden: may not be specified for non-apply patch']);
    assert.deepEqual(text(validatePatchOptions({}, true)), ['fieldManager: Required value: is required for apply patch']);
    assert.deepEqual(validatePatchOptions({ fieldManager: 'kubectl', force: true }, true), []);
  });
  it('TableOptions', () => {
    assert.deepEqual(validateTableOptions({ includeObject: 'Metadata' }), []);
    assert.deepEqual(text(validateTableOptions({ includeObject: 'All' })), ['includeObject: Invalid value: "All": must be \'Metadata\', \'Object\', \'None\', or empty']);
  });
});
