// The OpenAPI v2 document in gnostic's protobuf form (`openapi.v2.Document`), as kube-apiserver
// serves it to clients that ask for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.

export { encodeOpenAPIV2, encodeOpenAPIV2Async } from './openapiv2.js';
export type { EncodeOptions } from './openapiv2.js';
export { ProtoMessage } from './writer.js';
export { toYAMLText } from './yaml-text.js';

/** What a client asks for (the `@` form is the one kubectl sends; upstream accepts both). */
export const PROTOBUF_ACCEPT_TYPES = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
] as const;

/** The Content-Type upstream answers with for either form. */
export const PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
