// Access to the generated OpenAPI definitions (generated/openapi/definitions.json, written by
// scripts/gen-openapi.mjs at build time): loading, lookup by group/version/kind, $ref resolution.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GeneratedDefinitions, Schema } from './types.js';

/** Thrown when the generated definitions are missing or unreadable. */
export class OpenAPIDefinitionsError extends Error {
  readonly code = 'OPENAPI_DEFINITIONS_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenAPIDefinitionsError';
  }
}

// Both src/api/openapi/ (tsx) and dist/api/openapi/ (after tsc) sit three levels below the
// package root.
const PACKAGE_ROOT = new URL('../../../', import.meta.url);
export const DEFINITIONS_FILE = fileURLToPath(new URL('generated/openapi/definitions.json', PACKAGE_ROOT));
const GENERATOR = fileURLToPath(new URL('scripts/gen-openapi.mjs', PACKAGE_ROOT));

let loaded: GeneratedDefinitions | undefined;
let byGVK: Map<string, string> | undefined;

/**
 * The generated definitions, read once. In a development checkout where `npm run build` has
 * not run yet, the generator is run once (synchronously, about a second) to produce them.
 */
export function loadGenerated(): GeneratedDefinitions {
  if (loaded) return loaded;
  if (!existsSync(DEFINITIONS_FILE) && existsSync(GENERATOR)) {
    const r = spawnSync(process.execPath, [GENERATOR], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new OpenAPIDefinitionsError(`generating OpenAPI definitions failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
    }
  }
  let text: string;
  try {
    text = readFileSync(DEFINITIONS_FILE, 'utf8');
  } catch (cause) {
    throw new OpenAPIDefinitionsError(`OpenAPI definitions not found at ${DEFINITIONS_FILE}; run \`npm run build\``, { cause });
  }
  loaded = JSON.parse(text) as GeneratedDefinitions;
  return loaded;
}

/** All definitions by upstream name (`io.k8s.api.core.v1.Pod`). Do not mutate. */
export function loadDefinitions(): Readonly<Record<string, Schema>> {
  return loadGenerated().definitions;
}

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** Name of the definition that carries this group/version/kind, if any. */
export function definitionNameFor(group: string, version: string, kind: string): string | undefined {
  if (!byGVK) {
    const index = new Map<string, string>();
    for (const [name, def] of Object.entries(loadDefinitions())) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        const key = gvkKey(gvk.group, gvk.version, gvk.kind);
        // A kind-specific definition wins over the shared meta types listing many versions.
        const prior = index.get(key);
        if (!prior || (loadDefinitions()[prior]?.['x-kubernetes-group-version-kind']?.length ?? 0) > (def['x-kubernetes-group-version-kind']?.length ?? 0)) {
          index.set(key, name);
        }
      }
    }
    byGVK = index;
  }
  return byGVK.get(gvkKey(group, version, kind));
}

/** The schema of a top-level kind (`definitionFor('apps', 'v1', 'Deployment')`). */
export function definitionFor(group: string, version: string, kind: string): Schema | undefined {
  const name = definitionNameFor(group, version, kind);
  return name === undefined ? undefined : loadDefinitions()[name];
}

/** Definition name of a `$ref` in either document style (`#/definitions/X`, `#/components/schemas/X`) or a bare name. */
export function refName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return slash < 0 ? ref : ref.slice(slash + 1);
}

/** The definition a `$ref` points to. */
export function resolveRef(ref: string): Schema | undefined {
  return loadDefinitions()[refName(ref)];
}

/**
 * Follows `$ref` (and the v3 `allOf: [{$ref}]` wrapping) to the referenced definition, returning
 * it with the name it has. Schemas without a reference come back unchanged with no name.
 */
export function dereference(schema: Schema): { schema: Schema; name?: string } {
  let s = schema;
  let name: string | undefined;
  for (let hops = 0; hops < 8; hops++) {
    const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
    if (!ref) break;
    const target = resolveRef(ref);
    if (!target) break;
    name = refName(ref);
    s = target;
  }
  return name === undefined ? { schema: s } : { schema: s, name };
}
