// Adapts api/openapi (schemas generated from kubernetes-types and upstream swagger facts) to the
// API server's OpenAPI and strict-decoding interfaces.

import { RESOURCES } from '../api/catalogue.js';
import { openAPIDocuments, findUnknownFields, findDuplicateFields, findTypeErrors, UnknownKindError } from '../api/openapi/index.js';
import { encodeOpenAPIV2Async } from '../api/openapi/protobuf/index.js';
import type { OpenAPIDocument, OpenAPIService } from '../apiserver/server.js';
import type { SchemaValidator } from '../apiserver/endpoints/resource.js';

/**
 * The published documents, built when first asked for (as kube-openapi's handlers cache them
 * lazily): a server that nobody runs `kubectl apply` or `explain` against never holds them.
 * The v3 index names every document by its hash, so the first index request builds them all,
 * one per macrotask, keeping the event loop free for other requests meanwhile.
 */
export function createOpenAPIService(): OpenAPIService {
  const docs = openAPIDocuments(RESOURCES);
  let v2Protobuf: Promise<Buffer> | undefined;
  let index: Promise<OpenAPIDocument> | undefined;
  return {
    v2: () => docs.v2(),
    // Converted from the JSON document (as kube-openapi does) on first request, in slices.
    v2Protobuf: () =>
      (v2Protobuf ??= encodeOpenAPIV2Async(JSON.parse(docs.v2().json()) as Record<string, unknown>).catch((e: unknown) => {
        v2Protobuf = undefined;
        throw e;
      })),
    v3Index: () =>
      (index ??= (async () => {
        for (const key of docs.v3Keys()) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          docs.v3(key);
        }
        return docs.v3Index();
      })().catch((e: unknown) => {
        // Not kept: the next request tries again.
        index = undefined;
        throw e;
      })),
    v3: (path) => docs.v3(path),
  };
}

export function schemaValidator(): SchemaValidator {
  const guard = <T>(fn: () => T, dflt: T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UnknownKindError) return dflt;
      throw e;
    }
  };
  return {
    unknownFields: (g, v, k, obj) => guard(() => findUnknownFields(g, v, k, obj), []),
    duplicateFields: (text) => findDuplicateFields(text),
    typeErrors: (g, v, k, obj) => {
      const e = guard(() => findTypeErrors(g, v, k, obj), undefined);
      return e ? [e] : [];
    },
  };
}
