// Validation of the request options objects (apis/meta/v1/validation): DeleteOptions,
// CreateOptions, UpdateOptions, PatchOptions and TableOptions, run by the API handlers.

import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { type ErrorList, Path, forbidden, invalid, notSupported, required } from '../../../machinery/field.js';
import { validateFieldManager } from './validation.js';

export const DryRunAll = 'All';
const allowedDryRunValues = [DryRunAll];
/** Sorted as upstream's sets.String.List(). */
const allowedFieldValidationValues = ['', 'Ignore', 'Strict', 'Warn'];

/** ValidateDryRun: only `All`. */
export function validateDryRun(path: Path, dryRun: string[] | undefined | null): ErrorList {
  if (!dryRun || dryRun.every((v) => allowedDryRunValues.includes(v))) return [];
  return [notSupported(path, [...dryRun], allowedDryRunValues)];
}

/** ValidateFieldValidation: '', Ignore, Warn or Strict. */
export function validateFieldValidation(path: Path, fieldValidation: string | undefined | null): ErrorList {
  const v = fieldValidation ?? '';
  return allowedFieldValidationValues.includes(v) ? [] : [notSupported(path, v, allowedFieldValidationValues)];
}

/** ValidateDeleteOptions */
export function validateDeleteOptions(o: DeleteOptions): ErrorList {
  const errs: ErrorList = [];
  const pp = Path.root('propagationPolicy');
  const hasPolicy = o.propagationPolicy !== undefined && o.propagationPolicy !== null;
  if (o.orphanDependents !== undefined && o.orphanDependents !== null && hasPolicy) {
    errs.push(invalid(pp, o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (hasPolicy && !['Foreground', 'Background', 'Orphan'].includes(o.propagationPolicy!)) {
    errs.push(notSupported(pp, o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  errs.push(...validateDryRun(Path.root('dryRun'), o.dryRun));
  return errs;
}

export interface WriteOptions {
  dryRun?: string[];
  fieldManager?: string;
  fieldValidation?: string;
}

/** ValidateCreateOptions / ValidateUpdateOptions */
export function validateCreateOptions(o: WriteOptions): ErrorList {
  return [
    ...validateFieldManager(o.fieldManager ?? '', Path.root('fieldManager')),
    ...validateDryRun(Path.root('dryRun'), o.dryRun),
    ...validateFieldValidation(Path.root('fieldValidation'), o.fieldValidation),
  ];
}
export const validateUpdateOptions = validateCreateOptions;

/** ValidatePatchOptions: `force` only for apply patches, which need a fieldManager. */
export function validatePatchOptions(o: WriteOptions & { force?: boolean }, isApplyPatch: boolean): ErrorList {
  const errs: ErrorList = [];
  if (!isApplyPatch) {
    if (o.force !== undefined && o.force !== null) errs.push(forbidden(Path.root('force'), 'may not be specified for non-apply patch'));
  } else if (!o.fieldManager) {
    errs.push(required(Path.root('fieldManager'), 'is required for apply patch'));
  }
  errs.push(...validateCreateOptions(o));
  return errs;
}

/** ValidateTableOptions */
export function validateTableOptions(o: { includeObject?: string }): ErrorList {
  const v = o.includeObject ?? '';
  if (v === '' || v === 'Metadata' || v === 'None' || v === 'Object') return [];
  return [invalid(Path.root('includeObject'), v, "must be 'Metadata', 'Object', 'None', or empty")];
}
