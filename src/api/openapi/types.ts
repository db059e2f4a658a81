// The slice of OpenAPI (Swagger 2.0 / OpenAPI 3.0 schema objects) that Kubernetes uses.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A schema object as upstream Kubernetes writes it, with its x-kubernetes-* extensions. */
export interface Schema {
  $ref?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  default?: unknown;
  uniqueItems?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-merge-key'?: string;
  /** Comma-separated: `merge`, `retainKeys`, `merge,retainKeys`, `replace`. */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-unions'?: unknown[];
}

/** A Swagger 2.0 parameter (query, path or body). */
export interface ParameterV2 {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: Schema;
}

/** The generated file: definitions by upstream name, and the connect/log subresource parameters. */
export interface GeneratedDefinitions {
  definitions: Record<string, Schema>;
  /** `pods/exec`, `pods/proxy/{path}`, … → their upstream query/path parameters (without name/namespace). */
  parameters: Record<string, ParameterV2[]>;
}
