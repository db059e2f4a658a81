// Adapts api/openapi (schemas generated from kubernetes-types and upstream swagger facts) to the
// API server's OpenAPI and strict-decoding interfaces.

import { RESOURCES } from '../api/catalogue.js';
import { buildOpenAPIV2, buildOpenAPIV3Index, buildOpenAPIV3GroupVersion, findUnknownFields, findDuplicateFields, findTypeErrors } from '../api/openapi/index.js';
import type { OpenAPIService } from '../apiserver/server.js';
import type { SchemaValidator } from '../apiserver/endpoints/resource.js';

export function createOpenAPIService(): OpenAPIService {
  let v2: string | undefined;
  let v3Index: string | undefined;
  const v3 = new Map<string, string | undefined>();
  return {
    v2: () => (v2 ??= JSON.stringify(buildOpenAPIV2(RESOURCES))),
    v3Index: () => (v3Index ??= JSON.stringify(buildOpenAPIV3Index(RESOURCES))),
    v3: (path) => {
      if (!v3.has(path)) {
        const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
        let doc: unknown;
        if (m) doc = m[1] ? buildOpenAPIV3GroupVersion('', 'v1', RESOURCES) : buildOpenAPIV3GroupVersion(m[2]!, m[3]!, RESOURCES);
        v3.set(path, doc ? JSON.stringify(doc) : undefined);
      }
      return v3.get(path);
    },
  };
}

export function schemaValidator(): SchemaValidator {
  return {
    unknownFields: (g, v, k, obj) => findUnknownFields(g, v, k, obj),
    duplicateFields: (text) => findDuplicateFields(text),
    typeErrors: (g, v, k, obj) => {
      const e = findTypeErrors(g, v, k, obj);
      return e ? [e] : [];
    },
  };
}
