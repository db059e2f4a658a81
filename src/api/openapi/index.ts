// OpenAPI for the built-in API: the generated definitions, the published v2/v3 documents,
// schema-driven request checks (unknown, duplicate and mistyped fields) and patch metadata.

export type { GeneratedDefinitions, GroupVersionKind, ParameterV2, Schema } from './types.js';
export {
  DEFINITIONS_FILE,
  OpenAPIDefinitionsError,
  definitionFor,
  definitionNameFor,
  dereference,
  loadDefinitions,
  refName,
  resolveRef,
} from './definitions.js';
export {
  OpenAPIDocuments,
  buildOpenAPIV2,
  buildOpenAPIV3GroupVersion,
  buildOpenAPIV3Index,
  openAPIDocuments,
} from './documents.js';
export type { OpenAPIOptions, ServedDocument } from './documents.js';
export {
  UnknownKindError,
  findDuplicateFields,
  findTypeErrors,
  findTypeErrorsInSchema,
  findUnknownFields,
  findUnknownFieldsInSchema,
} from './validation.js';
export { patchMetaFor, patchMetaForSchema } from './patch-meta.js';
export type { PatchMeta, PatchShape } from './patch-meta.js';
