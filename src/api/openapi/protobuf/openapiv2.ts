// The Swagger 2.0 document as the protobuf message `openapi.v2.Document` of
// github.com/google/gnostic-models (openapiv2/OpenAPIv2.proto), which kube-apiserver serves
// from /openapi/v2 to clients that ask for
// `application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf` (kubectl's client-side
// validation and older `kubectl explain`). The mapping follows gnostic's compiler: JSON keys
// become the fields of the same name, `$ref` becomes `_ref`, `x-*` keys become `NamedAny`
// vendor extensions holding the value as YAML text, and oneofs are chosen by the value's shape
// (`in: body`, `$ref`, boolean `additionalProperties`, `type: file`, the security `type`/`flow`).
// Keys that Swagger 2.0 does not define are left out (gnostic would reject the document).

import { ProtoMessage } from './writer.js';
import { toYAMLText } from './yaml-text.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

function strs(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** `Any { yaml = 2 }`. */
function any(value: unknown): ProtoMessage {
  return new ProtoMessage().string(2, toYAMLText(value));
}

function anys(v: unknown): ProtoMessage[] | undefined {
  return Array.isArray(v) ? v.map(any) : undefined;
}

/** `NamedX { name = 1; value = 2 }` for every key of `obj` (or those `keep` accepts). */
function named(obj: unknown, value: (v: unknown) => ProtoMessage | undefined, keep: (k: string) => boolean = () => true): ProtoMessage[] {
  const out: ProtoMessage[] = [];
  if (!isObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (!keep(k)) continue;
    const m = value(v);
    if (m) out.push(new ProtoMessage().string(1, k).message(2, m));
  }
  return out;
}

const isExtension = (k: string): boolean => k.startsWith('x-');

/** The `repeated NamedAny vendor_extension` entries of an object: its `x-*` keys. */
function extensions(obj: Json): ProtoMessage[] {
  return named(obj, any, isExtension);
}

/** A message with one `repeated NamedX additional_properties = 1` field. */
function namedMap(obj: unknown, value: (v: unknown) => ProtoMessage | undefined): ProtoMessage | undefined {
  return isObject(obj) ? new ProtoMessage().messages(1, named(obj, value)) : undefined;
}

function externalDocs(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return new ProtoMessage().string(1, str(v['description'])).string(2, str(v['url'])).messages(3, extensions(v));
}

function xml(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return new ProtoMessage()
    .string(1, str(v['name']))
    .string(2, str(v['namespace']))
    .string(3, str(v['prefix']))
    .bool(4, bool(v['attribute']))
    .bool(5, bool(v['wrapped']))
    .messages(6, extensions(v));
}

/** `Schema`. */
function schema(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const m = new ProtoMessage()
    .string(1, str(v['$ref']))
    .string(2, str(v['format']))
    .string(3, str(v['title']))
    .string(4, str(v['description']));
  if ('default' in v) m.message(5, any(v['default']));
  m.double(6, num(v['multipleOf']))
    .double(7, num(v['maximum']))
    .bool(8, bool(v['exclusiveMaximum']))
    .double(9, num(v['minimum']))
    .bool(10, bool(v['exclusiveMinimum']))
    .int64(11, num(v['maxLength']))
    .int64(12, num(v['minLength']))
    .string(13, str(v['pattern']))
    .int64(14, num(v['maxItems']))
    .int64(15, num(v['minItems']))
    .bool(16, bool(v['uniqueItems']))
    .int64(17, num(v['maxProperties']))
    .int64(18, num(v['minProperties']))
    .strings(19, strs(v['required']))
    .messages(20, anys(v['enum']));
  const ap = v['additionalProperties'];
  // AdditionalPropertiesItem: oneof { Schema schema = 1; bool boolean = 2; }
  if (typeof ap === 'boolean') m.message(21, new ProtoMessage().bool(2, ap, true));
  else if (isObject(ap)) m.message(21, new ProtoMessage().message(1, schema(ap)));
  // TypeItem { repeated string value = 1; }
  const type = strs(v['type']);
  if (type) m.message(22, new ProtoMessage().strings(1, type));
  // ItemsItem { repeated Schema schema = 1; }: one schema, or one per element of an array.
  const items = v['items'];
  if (isObject(items)) m.message(23, new ProtoMessage().message(1, schema(items)));
  else if (Array.isArray(items)) m.message(23, new ProtoMessage().messages(1, objects(items).map((s) => schema(s)!)));
  m.messages(24, objects(v['allOf']).map((s) => schema(s)!));
  // Properties { repeated NamedSchema additional_properties = 1; }
  m.message(25, namedMap(v['properties'], schema))
    .string(26, str(v['discriminator']))
    .bool(27, bool(v['readOnly']))
    .message(28, xml(v['xml']))
    .message(29, externalDocs(v['externalDocs']));
  if ('example' in v) m.message(30, any(v['example']));
  return m.messages(31, extensions(v));
}

/**
 * The validation keywords shared, in the same order, by PrimitivesItems, Header and the
 * non-body parameter sub-schemas: `type` is field `base` and `multipleOf` field `base + 16`.
 */
function primitiveFields(m: ProtoMessage, base: number, v: Json): ProtoMessage {
  m.string(base, str(v['type']))
    .string(base + 1, str(v['format']))
    .message(base + 2, primitivesItems(v['items']))
    .string(base + 3, str(v['collectionFormat']));
  if ('default' in v) m.message(base + 4, any(v['default']));
  return m
    .double(base + 5, num(v['maximum']))
    .bool(base + 6, bool(v['exclusiveMaximum']))
    .double(base + 7, num(v['minimum']))
    .bool(base + 8, bool(v['exclusiveMinimum']))
    .int64(base + 9, num(v['maxLength']))
    .int64(base + 10, num(v['minLength']))
    .string(base + 11, str(v['pattern']))
    .int64(base + 12, num(v['maxItems']))
    .int64(base + 13, num(v['minItems']))
    .bool(base + 14, bool(v['uniqueItems']))
    .messages(base + 15, anys(v['enum']))
    .double(base + 16, num(v['multipleOf']));
}

function primitivesItems(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return primitiveFields(new ProtoMessage(), 1, v).messages(18, extensions(v));
}

function header(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return primitiveFields(new ProtoMessage(), 1, v).string(18, str(v['description'])).messages(19, extensions(v));
}

/** The leading fields of every non-body parameter sub-schema. */
function parameterHead(v: Json): ProtoMessage {
  return new ProtoMessage().bool(1, bool(v['required'])).string(2, str(v['in'])).string(3, str(v['description'])).string(4, str(v['name']));
}

/** Header and path parameters: no `allowEmptyValue`, so the keywords start at field 5. */
function headerOrPathParameter(v: Json): ProtoMessage {
  return primitiveFields(parameterHead(v), 5, v).messages(22, extensions(v));
}

/** Query and formData parameters: `allowEmptyValue` is field 5, the keywords start at 6. */
function queryOrFormParameter(v: Json): ProtoMessage {
  return primitiveFields(parameterHead(v).bool(5, bool(v['allowEmptyValue'])), 6, v).messages(23, extensions(v));
}

/** `NonBodyParameter` oneof field numbers by `in`. */
const NON_BODY: Record<string, { no: number; encode: (v: Json) => ProtoMessage }> = {
  header: { no: 1, encode: headerOrPathParameter },
  formData: { no: 2, encode: queryOrFormParameter },
  query: { no: 3, encode: queryOrFormParameter },
  path: { no: 4, encode: headerOrPathParameter },
};

/** `Parameter`: oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; }. */
function parameter(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const where = str(v['in']) ?? '';
  if (where === 'body') {
    const body = new ProtoMessage()
      .string(1, str(v['description']))
      .string(2, str(v['name']))
      .string(3, where)
      .bool(4, bool(v['required']))
      .message(5, schema(v['schema']))
      .messages(6, extensions(v));
    return new ProtoMessage().message(1, body);
  }
  const kind = Object.hasOwn(NON_BODY, where) ? NON_BODY[where] : undefined;
  // A parameter in no known location matches no alternative of the oneof.
  if (!kind) return undefined;
  return new ProtoMessage().message(2, new ProtoMessage().message(kind.no, kind.encode(v)));
}

/** `JsonReference { _ref = 1; description = 2; }`. */
function jsonReference(v: Json): ProtoMessage {
  return new ProtoMessage().string(1, str(v['$ref'])).string(2, str(v['description']));
}

/** `ParametersItem`: oneof { Parameter parameter = 1; JsonReference json_reference = 2; }. */
function parametersItems(v: unknown): ProtoMessage[] {
  const out: ProtoMessage[] = [];
  for (const p of objects(v)) {
    if (typeof p['$ref'] === 'string') {
      out.push(new ProtoMessage().message(2, jsonReference(p)));
      continue;
    }
    const param = parameter(p);
    if (param) out.push(new ProtoMessage().message(1, param));
  }
  return out;
}

function fileSchema(v: Json): ProtoMessage {
  const m = new ProtoMessage().string(1, str(v['format'])).string(2, str(v['title'])).string(3, str(v['description']));
  if ('default' in v) m.message(4, any(v['default']));
  m.strings(5, strs(v['required']))
    .string(6, str(v['type']))
    .bool(7, bool(v['readOnly']))
    .message(8, externalDocs(v['externalDocs']));
  if ('example' in v) m.message(9, any(v['example']));
  return m.messages(10, extensions(v));
}

/** `Response`. */
function response(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const m = new ProtoMessage().string(1, str(v['description']));
  const s = v['schema'];
  // SchemaItem: oneof { Schema schema = 1; FileSchema file_schema = 2; }
  if (isObject(s)) m.message(2, s['type'] === 'file' ? new ProtoMessage().message(2, fileSchema(s)) : new ProtoMessage().message(1, schema(s)));
  return m
    .message(3, namedMap(v['headers'], header))
    .message(4, namedMap(v['examples'], any))
    .messages(5, extensions(v));
}

/** `ResponseValue`: oneof { Response response = 1; JsonReference json_reference = 2; }. */
function responseValue(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v['$ref'] === 'string') return new ProtoMessage().message(2, jsonReference(v));
  return new ProtoMessage().message(1, response(v));
}

const RESPONSE_CODE = /^(?:[0-9]{3}|default)$/;

function responses(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return new ProtoMessage().messages(1, named(v, responseValue, (k) => RESPONSE_CODE.test(k))).messages(2, extensions(v));
}

/** `SecurityRequirement { repeated NamedStringArray additional_properties = 1; }`. */
function securityRequirements(v: unknown): ProtoMessage[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return objects(v).map((req) => new ProtoMessage().messages(1, named(req, (scopes) => new ProtoMessage().strings(1, strs(scopes)))));
}

function operation(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return new ProtoMessage()
    .strings(1, strs(v['tags']))
    .string(2, str(v['summary']))
    .string(3, str(v['description']))
    .message(4, externalDocs(v['externalDocs']))
    .string(5, str(v['operationId']))
    .strings(6, strs(v['produces']))
    .strings(7, strs(v['consumes']))
    .messages(8, parametersItems(v['parameters']))
    .message(9, responses(v['responses']))
    .strings(10, strs(v['schemes']))
    .bool(11, bool(v['deprecated']))
    .messages(12, securityRequirements(v['security']))
    .messages(13, extensions(v));
}

function pathItem(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  return new ProtoMessage()
    .string(1, str(v['$ref']))
    .message(2, operation(v['get']))
    .message(3, operation(v['put']))
    .message(4, operation(v['post']))
    .message(5, operation(v['delete']))
    .message(6, operation(v['options']))
    .message(7, operation(v['head']))
    .message(8, operation(v['patch']))
    .messages(9, parametersItems(v['parameters']))
    .messages(10, extensions(v));
}

/** `Oauth2Scopes { repeated NamedString additional_properties = 1; }` (NamedString's value is a string). */
function oauth2Scopes(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const m = new ProtoMessage();
  for (const [k, s] of Object.entries(v)) if (typeof s === 'string') m.message(1, new ProtoMessage().string(1, k).string(2, s));
  return m;
}

/**
 * `SecurityDefinitionsItem`, chosen by `type` (and `flow` for OAuth 2): basic = 1, apiKey = 2,
 * oauth2 implicit = 3, password = 4, application = 5, accessCode = 6.
 */
function securityDefinitionsItem(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const type = str(v['type']);
  const description = str(v['description']);
  const item = new ProtoMessage();
  if (type === 'basic') return item.message(1, new ProtoMessage().string(1, type).string(2, description).messages(3, extensions(v)));
  if (type === 'apiKey') {
    const m = new ProtoMessage().string(1, type).string(2, str(v['name'])).string(3, str(v['in'])).string(4, description).messages(5, extensions(v));
    return item.message(2, m);
  }
  if (type !== 'oauth2') return undefined;
  const flow = str(v['flow']);
  const m = new ProtoMessage().string(1, type).string(2, flow).message(3, oauth2Scopes(v['scopes']));
  switch (flow) {
    case 'implicit':
      return item.message(3, m.string(4, str(v['authorizationUrl'])).string(5, description).messages(6, extensions(v)));
    case 'password':
      return item.message(4, m.string(4, str(v['tokenUrl'])).string(5, description).messages(6, extensions(v)));
    case 'application':
      return item.message(5, m.string(4, str(v['tokenUrl'])).string(5, description).messages(6, extensions(v)));
    case 'accessCode':
      return item.message(6, m.string(4, str(v['authorizationUrl'])).string(5, str(v['tokenUrl'])).string(6, description).messages(7, extensions(v)));
    default:
      return undefined;
  }
}

function info(v: unknown): ProtoMessage | undefined {
  if (!isObject(v)) return undefined;
  const contact = v['contact'];
  const license = v['license'];
  return new ProtoMessage()
    .string(1, str(v['title']))
    .string(2, str(v['version']))
    .string(3, str(v['description']))
    .string(4, str(v['termsOfService']))
    .message(5, isObject(contact) ? new ProtoMessage().string(1, str(contact['name'])).string(2, str(contact['url'])).string(3, str(contact['email'])).messages(4, extensions(contact)) : undefined)
    .message(6, isObject(license) ? new ProtoMessage().string(1, str(license['name'])).string(2, str(license['url'])).messages(3, extensions(license)) : undefined)
    .messages(7, extensions(v));
}

function tags(v: unknown): ProtoMessage[] {
  return objects(v).map((t) =>
    new ProtoMessage()
      .string(1, str(t['name']))
      .string(2, str(t['description']))
      .message(3, externalDocs(t['externalDocs']))
      .messages(4, extensions(t)),
  );
}

/**
 * The large sections (`paths`, `definitions`): each entry is encoded on its own so its message
 * tree is garbage as soon as its bytes exist, and the builder yields between entries so a caller
 * can give the event loop back.
 */
function* section(
  obj: unknown,
  no: number,
  value: (v: unknown) => ProtoMessage | undefined,
  keep: (k: string) => boolean = () => true,
  into = new ProtoMessage(),
): Generator<void, ProtoMessage | undefined> {
  if (!isObject(obj)) return undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (!keep(k)) continue;
    const m = value(v);
    if (!m) continue;
    into.encoded(no, new ProtoMessage().string(1, k).message(2, m).encode());
    yield;
  }
  return into;
}

function* documentSteps(doc: Json): Generator<void, ProtoMessage> {
  // Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
  const pathsMessage = isObject(doc['paths'])
    ? yield* section(doc['paths'], 2, pathItem, (k) => k.startsWith('/'), new ProtoMessage().messages(1, extensions(doc['paths'])))
    : undefined;
  // Definitions { repeated NamedSchema additional_properties = 1; }
  const definitions = yield* section(doc['definitions'], 1, schema);
  return new ProtoMessage()
    .string(1, str(doc['swagger']))
    .message(2, info(doc['info']))
    .string(3, str(doc['host']))
    .string(4, str(doc['basePath']))
    .strings(5, strs(doc['schemes']))
    .strings(6, strs(doc['consumes']))
    .strings(7, strs(doc['produces']))
    .message(8, pathsMessage)
    .message(9, definitions)
    .message(10, namedMap(doc['parameters'], parameter))
    .message(11, namedMap(doc['responses'], response))
    .messages(12, securityRequirements(doc['security']))
    .message(13, namedMap(doc['securityDefinitions'], securityDefinitionsItem))
    .messages(14, tags(doc['tags']))
    .message(15, externalDocs(doc['externalDocs']))
    .messages(16, extensions(doc));
}

/** The wire bytes of the `openapi.v2.Document` message of a Swagger 2.0 document. */
export function encodeOpenAPIV2(doc: Json): Buffer {
  const steps = documentSteps(doc);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value.encode();
  }
}

export interface EncodeOptions {
  signal?: AbortSignal;
  /** How long (ms) to work before giving the event loop back; default 10. */
  sliceMs?: number;
}

/**
 * {@link encodeOpenAPIV2} in slices of about `sliceMs`, one macrotask each: converting the whole
 * built-in document takes a few hundred milliseconds, too long to hold the event loop.
 */
export async function encodeOpenAPIV2Async(doc: Json, options: EncodeOptions = {}): Promise<Buffer> {
  const slice = options.sliceMs ?? 10;
  const steps = documentSteps(doc);
  let start = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value.encode();
    if (performance.now() - start >= slice) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      start = performance.now();
    }
  }
}
