// Server-side apply and managed-fields tracking (upstream sigs.k8s.io/structured-merge-diff and
// k8s.io/apimachinery/pkg/util/managedfields): pure functions over JSON objects and a schema.

export type { ApplySchema } from './schema.js';
export { DEDUCED, UNTYPED } from './schema.js';
export {
  ANCIENT_CHANGES_MANAGER,
  BEFORE_FIRST_APPLY_MANAGER,
  DEFAULT_MAX_UPDATE_MANAGERS,
  FIELD_MANAGER_MAX_LENGTH,
  LAST_APPLIED_CONFIG_ANNOTATION,
  applyPatch,
  fieldSetOf,
  managerOrUserAgent,
  stripManagedFields,
  updateManagedFields,
} from './field-manager.js';
export type { ApplyOptions, ApplyResult, FieldManagerOptions, UpdateOptions } from './field-manager.js';
export { ApplyConflictError, printManager } from './conflict.js';
export { decodeFieldsV1, encodeFieldsV1 } from './fieldsv1.js';
export type { FieldsV1 } from './fieldsv1.js';
export { ManagedFieldsError, decodeManagedFields, encodeManagedFields, formatTime } from './managed-fields.js';
export type { Managed, ManagedFieldsEntry } from './managed-fields.js';
export { FieldPathError, pathString } from './path.js';
export type { KeyField, Path, PathElement } from './path.js';
export { FieldSet } from './set.js';
export { ValueValidationError, toFieldSet } from './typed.js';
export type { Conflict } from './updater.js';
