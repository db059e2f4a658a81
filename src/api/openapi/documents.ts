// The OpenAPI documents the server publishes: /openapi/v2 (Swagger 2.0, every path and
// definition) and /openapi/v3 (an index of per-group-version OpenAPI 3.0 documents, each with
// only the schemas its paths reach). Paths, operation ids, actions and parameters follow
// upstream's generated documents so kubectl (explain, create/apply field validation, apply's
// patch metadata) and the client libraries read them as they read a real kube-apiserver's.

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ResourceInfo, SubresourceInfo, Verb } from '../catalogue.js';
import { definitionNameFor, loadDefinitions, loadGenerated, refName } from './definitions.js';
import { DELETE_COLLECTION_PARAMS, DELETE_PARAMS, LIST_PARAMS, NAMESPACE_PARAM, P, PATCH_PARAMS, WRITE_PARAMS, pathParam } from './parameters.js';
import { INT_OR_STRING, QUANTITY } from './shape.js';
import type { GroupVersionKind, ParameterV2, Schema } from './types.js';

export interface OpenAPIOptions {
  /** `info.version` of the documents (the server's gitVersion). */
  version?: string;
}

const DEFAULT_VERSION = 'v1.32.0';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

interface Response {
  code: '200' | '201' | '202';
  description: string;
  schema: Schema;
}

interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: string;
  gvk: GroupVersionKind | undefined;
  params: ParameterV2[];
  body: Schema | undefined;
  consumes: readonly string[];
  produces: readonly string[];
  responses: Response[];
  tag: string;
}

interface PathItem {
  params: ParameterV2[];
  ops: Operation[];
}

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;
const PRODUCES_WATCH = [...PRODUCES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'] as const;
const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
const ANY = ['*/*'] as const;
const CONNECT_SUBRESOURCES = new Set(['attach', 'exec', 'portforward', 'proxy']);
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function ref(name: string): Schema {
  return { $ref: `#/definitions/${name}` };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `rbac.authorization.k8s.io` → `RbacAuthorization`; core → `Core`. */
function groupWord(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map(cap)
    .join('');
}

/** Upstream's operation tag: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
function tagOf(group: string, version: string): string {
  const w = groupWord(group);
  return `${w.charAt(0).toLowerCase()}${w.slice(1)}_${version}`;
}

function groupTag(group: string): string {
  const w = groupWord(group);
  return `${w.charAt(0).toLowerCase()}${w.slice(1)}`;
}

function rootPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function addOp(paths: Map<string, PathItem>, path: string, pathParams: ParameterV2[], op: Operation): void {
  let item = paths.get(path);
  if (!item) {
    item = { params: pathParams, ops: [] };
    paths.set(path, item);
  }
  item.ops.push(op);
}

/** Paths of one resource at one version. */
function resourcePaths(res: ResourceInfo, version: string, paths: Map<string, PathItem>): void {
  const { group, kind } = res;
  const kindDef = definitionNameFor(group, version, kind);
  if (kindDef === undefined) return;
  const listDef = definitionNameFor(group, version, `${kind}List`);
  const gvId = `${groupWord(group)}${cap(version)}`;
  const tag = tagOf(group, version);
  const gvk: GroupVersionKind = { group, kind, version };
  const scoped = res.namespaced ? `Namespaced${kind}` : kind;
  const root = rootPath(group, version);
  const base = res.namespaced ? `${root}/namespaces/{namespace}/${res.resource}` : `${root}/${res.resource}`;
  const nsParams = res.namespaced ? [NAMESPACE_PARAM] : [];
  const nameParam = pathParam('name', `name of the ${kind}`);
  const itemParams = [nameParam, ...nsParams, P.pretty];
  const has = (v: Verb): boolean => res.verbs.includes(v);
  const op = (o: Omit<Operation, 'tag' | 'gvk' | 'consumes' | 'produces' | 'body' | 'params'> & Partial<Operation>): Operation => ({
    tag,
    gvk,
    consumes: ANY,
    produces: PRODUCES,
    body: undefined,
    params: [],
    ...o,
  });
  const objOK = (codes: Response['code'][], schema: Schema): Response[] =>
    codes.map((code) => ({ code, description: code === '200' ? 'OK' : code === '201' ? 'Created' : 'Accepted', schema }));
  const status = ref(`${META}.Status`);
  const deleteOptions = ref(`${META}.DeleteOptions`);
  const watchEvent = ref(`${META}.WatchEvent`);

  if (has('list') && listDef) {
    addOp(paths, base, [...nsParams, P.pretty], op({ method: 'get', operationId: `list${gvId}${scoped}`, description: `list or watch objects of kind ${kind}`, action: 'list', params: [...LIST_PARAMS], produces: PRODUCES_WATCH, responses: objOK(['200'], ref(listDef)) }));
    if (res.namespaced) {
      addOp(paths, `${root}/${res.resource}`, [], op({ method: 'get', operationId: `list${gvId}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, action: 'list', params: [...LIST_PARAMS, P.pretty], produces: PRODUCES_WATCH, responses: objOK(['200'], ref(listDef)) }));
    }
  }
  if (has('create')) {
    addOp(paths, base, [...nsParams, P.pretty], op({ method: 'post', operationId: `create${gvId}${scoped}`, description: `create a ${kind}`, action: 'post', params: [...WRITE_PARAMS], body: ref(kindDef), responses: objOK(['200', '201', '202'], ref(kindDef)) }));
  }
  if (has('deletecollection')) {
    addOp(paths, base, [...nsParams, P.pretty], op({ method: 'delete', operationId: `delete${gvId}Collection${scoped}`, description: `delete collection of ${kind}`, action: 'deletecollection', params: [...DELETE_COLLECTION_PARAMS], body: deleteOptions, responses: objOK(['200'], status) }));
  }
  const item = `${base}/{name}`;
  if (has('get')) {
    addOp(paths, item, itemParams, op({ method: 'get', operationId: `read${gvId}${scoped}`, description: `read the specified ${kind}`, action: 'get', responses: objOK(['200'], ref(kindDef)) }));
  }
  if (has('update')) {
    addOp(paths, item, itemParams, op({ method: 'put', operationId: `replace${gvId}${scoped}`, description: `replace the specified ${kind}`, action: 'put', params: [...WRITE_PARAMS], body: ref(kindDef), responses: objOK(['200', '201'], ref(kindDef)) }));
  }
  if (has('patch')) {
    addOp(paths, item, itemParams, op({ method: 'patch', operationId: `patch${gvId}${scoped}`, description: `partially update the specified ${kind}`, action: 'patch', params: [...PATCH_PARAMS], body: ref(`${META}.Patch`), consumes: PATCH_TYPES, responses: objOK(['200', '201'], ref(kindDef)) }));
  }
  if (has('delete')) {
    addOp(paths, item, itemParams, op({ method: 'delete', operationId: `delete${gvId}${scoped}`, description: `delete a ${kind}`, action: 'delete', params: [...DELETE_PARAMS], body: deleteOptions, responses: objOK(['200', '202'], status) }));
  }
  if (has('watch')) {
    const listDesc = `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`;
    const watchList = (path: string, operationId: string, extra: ParameterV2[]): void =>
      addOp(paths, path, [], op({ method: 'get', operationId, description: listDesc, action: 'watchlist', params: [...LIST_PARAMS, ...extra, P.pretty], produces: PRODUCES_WATCH, responses: objOK(['200'], watchEvent) }));
    const wbase = res.namespaced ? `${root}/watch/namespaces/{namespace}/${res.resource}` : `${root}/watch/${res.resource}`;
    watchList(wbase, `watch${gvId}${scoped}List`, nsParams);
    addOp(paths, `${wbase}/{name}`, [], op({ method: 'get', operationId: `watch${gvId}${scoped}`, description: `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, action: 'watch', params: [...LIST_PARAMS, nameParam, ...nsParams, P.pretty], produces: PRODUCES_WATCH, responses: objOK(['200'], watchEvent) }));
    if (res.namespaced) watchList(`${root}/watch/${res.resource}`, `watch${gvId}${kind}ListForAllNamespaces`, []);
  }
  for (const sub of res.subresources ?? []) subresourcePaths(res, sub, version, kindDef, gvId, scoped, item, itemParams, paths, op, objOK);
}

function subresourcePaths(
  res: ResourceInfo,
  sub: SubresourceInfo,
  version: string,
  kindDef: string,
  gvId: string,
  scoped: string,
  item: string,
  itemParams: ParameterV2[],
  paths: Map<string, PathItem>,
  op: (o: Omit<Operation, 'tag' | 'gvk' | 'consumes' | 'produces' | 'body' | 'params'> & Partial<Operation>) => Operation,
  objOK: (codes: Response['code'][], schema: Schema) => Response[],
): void {
  const { kind } = res;
  const suffix = cap(sub.name);
  const path = `${item}/${sub.name}`;
  const gvk: GroupVersionKind = sub.responseKind ? { ...sub.responseKind } : { group: res.group, kind, version };
  const generated = loadGenerated().parameters;
  const stringOK = objOK(['200'], { type: 'string' });
  if (sub.name === 'log') {
    const extra = generated[`${res.resource}/log`] ?? [];
    addOp(paths, path, [...itemParams, ...extra], op({ method: 'get', operationId: `read${gvId}${scoped}Log`, description: `read log of the specified ${kind}`, action: 'get', gvk, produces: ['text/plain', ...PRODUCES], responses: stringOK }));
    return;
  }
  if (CONNECT_SUBRESOURCES.has(sub.name)) {
    const methods: [Verb, Method][] = [['delete', 'delete'], ['get', 'get'], ['patch', 'patch'], ['create', 'post'], ['update', 'put']];
    const variants: [string, string, ParameterV2[]][] = [[path, '', generated[`${res.resource}/${sub.name}`] ?? []]];
    if (sub.name === 'proxy') variants.push([`${path}/{path}`, 'WithPath', generated[`${res.resource}/proxy/{path}`] ?? []]);
    for (const [p, idSuffix, extra] of variants) {
      const params = [...itemParams.filter((x) => x.name !== 'pretty'), ...extra];
      for (const [verb, method] of methods) {
        if (!sub.verbs.includes(verb)) continue;
        const m = cap(method);
        addOp(paths, p, params, op({ method, operationId: `connect${gvId}${m}${scoped}${suffix}${idSuffix}`, description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${kind}`, action: 'connect', gvk, produces: ANY, responses: stringOK }));
      }
    }
    return;
  }
  const bodyDef = sub.responseKind ? definitionNameFor(sub.responseKind.group, sub.responseKind.version, sub.responseKind.kind) : kindDef;
  if (bodyDef === undefined) return;
  const body = ref(bodyDef);
  if (sub.verbs.includes('get')) {
    addOp(paths, path, itemParams, op({ method: 'get', operationId: `read${gvId}${scoped}${suffix}`, description: `read ${sub.name} of the specified ${kind}`, action: 'get', gvk, responses: objOK(['200'], body) }));
  }
  if (sub.verbs.includes('update')) {
    addOp(paths, path, itemParams, op({ method: 'put', operationId: `replace${gvId}${scoped}${suffix}`, description: `replace ${sub.name} of the specified ${kind}`, action: 'put', gvk, params: [...WRITE_PARAMS], body, responses: objOK(['200', '201'], body) }));
  }
  if (sub.verbs.includes('patch')) {
    addOp(paths, path, itemParams, op({ method: 'patch', operationId: `patch${gvId}${scoped}${suffix}`, description: `partially update ${sub.name} of the specified ${kind}`, action: 'patch', gvk, params: [...PATCH_PARAMS], body: ref(`${META}.Patch`), consumes: PATCH_TYPES, responses: objOK(['200', '201'], body) }));
  }
  if (sub.verbs.includes('create')) {
    addOp(paths, path, itemParams, op({ method: 'post', operationId: `create${gvId}${scoped}${suffix}`, description: `create ${sub.name} of a ${kind}`, action: 'post', gvk, params: [...WRITE_PARAMS], body, responses: objOK(['200', '201', '202'], body) }));
  }
}

/** Served groups with their versions, in catalogue order. */
function servedGroupVersions(resources: readonly ResourceInfo[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of resources) {
    const vs = out.get(r.group) ?? [];
    for (const v of r.versions) if (!vs.includes(v)) vs.push(v);
    out.set(r.group, vs);
  }
  return out;
}

function discoveryOp(operationId: string, description: string, response: string, tag: string, produces: readonly string[] = PRODUCES): Operation {
  return { method: 'get', operationId, description, action: '', gvk: undefined, params: [], body: undefined, consumes: PRODUCES, produces, responses: [{ code: '200', description: 'OK', schema: ref(response) }], tag };
}

function groupVersionPaths(group: string, version: string, resources: readonly ResourceInfo[]): Map<string, PathItem> {
  const paths = new Map<string, PathItem>();
  addOp(paths, `${rootPath(group, version)}/`, [], discoveryOp(`get${groupWord(group)}${cap(version)}APIResources`, 'get available resources', `${META}.APIResourceList`, tagOf(group, version)));
  for (const r of resources) if (r.group === group && r.versions.includes(version)) resourcePaths(r, version, paths);
  return paths;
}

function groupPaths(group: string): Map<string, PathItem> {
  const paths = new Map<string, PathItem>();
  addOp(paths, `/apis/${group}/`, [], discoveryOp(`get${groupWord(group)}APIGroup`, 'get information of a group', `${META}.APIGroup`, groupTag(group)));
  return paths;
}

function rootPaths(key: 'api' | 'apis' | 'version'): Map<string, PathItem> {
  const paths = new Map<string, PathItem>();
  if (key === 'api') addOp(paths, '/api/', [], discoveryOp('getCoreAPIVersions', 'get available API versions', `${META}.APIVersions`, 'core'));
  if (key === 'apis') addOp(paths, '/apis/', [], discoveryOp('getAPIVersions', 'get available API versions', `${META}.APIGroupList`, 'apis'));
  if (key === 'version') addOp(paths, '/version/', [], discoveryOp('getCodeVersion', 'get the code version', 'io.k8s.apimachinery.pkg.version.Info', 'version', ['application/json']));
  return paths;
}

/** Moves parameters that every operation of a path shares to the path, as upstream does (never on paths with PATCH, whose own parameters kubectl inspects). */
function hoist(item: PathItem): { params: ParameterV2[]; ops: Operation[] } {
  if (item.ops.some((o) => o.method === 'patch') || item.ops.length === 0) return item;
  const key = (p: ParameterV2): string => `${p.in}:${p.name}:${p.description ?? ''}`;
  const shared = item.ops[0]!.params.filter((p) => item.ops.every((o) => o.params.some((x) => key(x) === key(p))));
  if (shared.length === 0) return item;
  const sharedKeys = new Set(shared.map(key));
  return {
    params: [...item.params, ...shared],
    ops: item.ops.map((o) => ({ ...o, params: o.params.filter((p) => !sharedKeys.has(key(p))) })),
  };
}

function byName(a: ParameterV2, b: ParameterV2): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.in < b.in ? -1 : a.in > b.in ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Swagger 2.0

type Json = Record<string, unknown>;

function v2PathItem(item: PathItem): Json {
  const h = hoist(item);
  const out: Json = {};
  for (const o of [...h.ops].sort((a, b) => (a.method < b.method ? -1 : 1))) {
    const params: (Json | ParameterV2)[] = [];
    if (o.body) params.push({ in: 'body', name: 'body', ...(o.method === 'delete' ? {} : { required: true }), schema: o.body });
    params.push(...[...o.params].sort(byName));
    const responses: Json = {};
    for (const r of o.responses) responses[r.code] = { description: r.description, schema: r.schema };
    responses['401'] = { description: 'Unauthorized' };
    const op: Json = {
      consumes: o.consumes,
      description: o.description,
      operationId: o.operationId,
      ...(params.length ? { parameters: params } : {}),
      produces: o.produces,
      responses,
      schemes: ['https'],
      tags: [o.tag],
    };
    if (o.action) op['x-kubernetes-action'] = o.action;
    if (o.gvk) op['x-kubernetes-group-version-kind'] = o.gvk;
    out[o.method] = op;
  }
  if (h.params.length) out['parameters'] = [...h.params].sort(byName);
  return out;
}

/** The Swagger 2.0 document of every served path, with every definition. */
export function buildOpenAPIV2(resources: readonly ResourceInfo[], options: OpenAPIOptions = {}): Json {
  const all = new Map<string, PathItem>();
  const merge = (m: Map<string, PathItem>): void => {
    for (const [k, v] of m) all.set(k, v);
  };
  merge(rootPaths('api'));
  merge(rootPaths('apis'));
  merge(rootPaths('version'));
  for (const [group, versions] of servedGroupVersions(resources)) {
    if (group !== '') merge(groupPaths(group));
    for (const v of versions) merge(groupVersionPaths(group, v, resources));
  }
  const paths: Json = {};
  for (const k of [...all.keys()].sort()) paths[k] = v2PathItem(all.get(k)!);
  return {
    definitions: loadDefinitions(),
    info: { title: 'Kubernetes', version: options.version ?? DEFAULT_VERSION },
    paths,
    security: [{ BearerToken: [] }],
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    swagger: '2.0',
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0

const v3Cache = new Map<string, Schema>();

/** A v2 schema in v3 form: refs into components, `allOf` around a ref that has siblings. */
function toV3(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s) as [keyof Schema, unknown][]) {
    if (k === '$ref') continue;
    if (k === 'properties') {
      const props: Record<string, Schema> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, Schema>)) props[pk] = toV3(pv);
      out.properties = props;
    } else if (k === 'items') {
      out.items = toV3(v as Schema);
    } else if (k === 'additionalProperties') {
      out.additionalProperties = typeof v === 'object' ? toV3(v as Schema) : (v as boolean);
    } else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') {
      out[k] = (v as Schema[]).map(toV3);
    } else {
      (out as Record<string, unknown>)[k] = v;
    }
  }
  if (s.$ref) {
    const r = `#/components/schemas/${refName(s.$ref)}`;
    if (Object.keys(out).length === 0) return { $ref: r };
    return { allOf: [{ $ref: r }], ...out };
  }
  return out;
}

/** A definition in v3 form; Quantity and IntOrString get upstream's v3 `oneOf` shapes. */
function v3Definition(name: string): Schema | undefined {
  const cached = v3Cache.get(name);
  if (cached) return cached;
  const def = loadDefinitions()[name];
  if (!def) return undefined;
  let out: Schema;
  if (name === QUANTITY) out = { description: def.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  else if (name === INT_OR_STRING) out = { description: def.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  else out = toV3(def);
  v3Cache.set(name, out);
  return out;
}

function collectRefs(v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(refName(x));
      else collectRefs(x, out);
    }
  }
}

function v3Param(p: ParameterV2): Json {
  const schema: Json = { type: p.type, uniqueItems: p.uniqueItems };
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), schema };
}

function v3Content(types: readonly string[], schema: Schema): Json {
  const content: Json = {};
  for (const t of [...types].sort()) content[t] = { schema: toV3(schema) };
  return content;
}

function v3PathItem(item: PathItem): Json {
  const h = hoist(item);
  const out: Json = {};
  for (const o of [...h.ops].sort((a, b) => (a.method < b.method ? -1 : 1))) {
    const responses: Json = {};
    for (const r of o.responses) responses[r.code] = { content: v3Content(o.produces, r.schema), description: r.description };
    responses['401'] = { description: 'Unauthorized' };
    const op: Json = {
      description: o.description,
      operationId: o.operationId,
      ...(o.params.length ? { parameters: [...o.params].sort(byName).map(v3Param) } : {}),
      ...(o.body ? { requestBody: { content: v3Content(o.consumes, o.body), ...(o.method === 'delete' ? {} : { required: true }) } } : {}),
      responses,
      tags: [o.tag],
    };
    if (o.action) op['x-kubernetes-action'] = o.action;
    if (o.gvk) op['x-kubernetes-group-version-kind'] = o.gvk;
    out[o.method] = op;
  }
  if (h.params.length) out['parameters'] = [...h.params].sort(byName).map(v3Param);
  return out;
}

function v3Document(pathTable: Map<string, PathItem>, options: OpenAPIOptions): Json {
  const paths: Json = {};
  for (const k of [...pathTable.keys()].sort()) paths[k] = v3PathItem(pathTable.get(k)!);
  // Components: the closure of the schemas the paths reference.
  const queue: string[] = [];
  collectRefs(paths, queue);
  const schemas = new Map<string, Schema>();
  while (queue.length) {
    const name = queue.pop()!;
    if (schemas.has(name)) continue;
    const def = v3Definition(name);
    if (!def) continue;
    schemas.set(name, def);
    collectRefs(def, queue);
  }
  const sorted: Record<string, Schema> = {};
  for (const k of [...schemas.keys()].sort()) sorted[k] = schemas.get(k)!;
  return {
    components: {
      schemas: sorted,
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    info: { title: 'Kubernetes', version: options.version ?? DEFAULT_VERSION },
    openapi: '3.0.0',
    paths,
    security: [{ BearerToken: [] }],
  };
}

/** The OpenAPI 3.0 document of one group-version (`''`/`v1` is the core group). */
export function buildOpenAPIV3GroupVersion(group: string, version: string, resources: readonly ResourceInfo[], options: OpenAPIOptions = {}): Json {
  return v3Document(groupVersionPaths(group, version, resources), options);
}

/** Keys of the v3 index (`api`, `api/v1`, `apis`, `apis/apps`, `apis/apps/v1`, `version`), each with how to build it. */
function v3Builders(resources: readonly ResourceInfo[], options: OpenAPIOptions): Map<string, () => Json> {
  const out = new Map<string, () => Json>();
  out.set('api', () => v3Document(rootPaths('api'), options));
  out.set('apis', () => v3Document(rootPaths('apis'), options));
  out.set('version', () => v3Document(rootPaths('version'), options));
  for (const [group, versions] of servedGroupVersions(resources)) {
    if (group !== '') out.set(`apis/${group}`, () => v3Document(groupPaths(group), options));
    for (const v of versions) {
      out.set(group === '' ? `api/${v}` : `apis/${group}/${v}`, () => buildOpenAPIV3GroupVersion(group, v, resources, options));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Serialized, hashed documents (memoized per resource table)

/**
 * A published document, kept gzip-compressed: the documents of every group-version are about
 * 10 MB of JSON and 0.7 MB compressed, and they are read rarely (kubectl caches them by hash).
 */
export class ServedDocument {
  /** Upper-case hex SHA-512 of the JSON, as upstream puts in `serverRelativeURL` (`?hash=`) and ETag. */
  readonly hash: string;
  /** The JSON, gzip-compressed (sent as is to clients that accept gzip). */
  readonly gzip: Buffer;

  constructor(doc: unknown) {
    const json = JSON.stringify(doc);
    this.hash = createHash('sha512').update(json).digest('hex').toUpperCase();
    this.gzip = gzipSync(json);
  }

  /** The document as sent (compact JSON). */
  json(): string {
    return gunzipSync(this.gzip).toString('utf8');
  }
}

/**
 * The published documents for one resource table. Documents are built and serialized on first
 * request and kept; a new table (e.g. after a CustomResourceDefinition changes what is served)
 * gets a new instance through {@link openAPIDocuments}.
 */
export class OpenAPIDocuments {
  private v2Doc: ServedDocument | undefined;
  private indexDoc: ServedDocument | undefined;
  private readonly v3Docs = new Map<string, ServedDocument>();
  private readonly builders: Map<string, () => Json>;

  constructor(
    private readonly resources: readonly ResourceInfo[],
    private readonly options: OpenAPIOptions = {},
  ) {
    this.builders = v3Builders(resources, options);
  }

  /** `/openapi/v2`. */
  v2(): ServedDocument {
    return (this.v2Doc ??= new ServedDocument(buildOpenAPIV2(this.resources, this.options)));
  }

  /** Keys served under `/openapi/v3/<key>`. */
  v3Keys(): string[] {
    return [...this.builders.keys()].sort();
  }

  /** `/openapi/v3/<key>` (`api/v1`, `apis/apps/v1`, …), or undefined if not served. */
  v3(key: string): ServedDocument | undefined {
    const cached = this.v3Docs.get(key);
    if (cached) return cached;
    const build = this.builders.get(key);
    if (!build) return undefined;
    const doc = new ServedDocument(build());
    this.v3Docs.set(key, doc);
    return doc;
  }

  /** The `/openapi/v3` index object; building it hashes (so builds) every document. */
  v3IndexObject(): { paths: Record<string, { serverRelativeURL: string }> } {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of this.v3Keys()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.v3(key)!.hash}` };
    return { paths };
  }

  /** `/openapi/v3`. */
  v3Index(): ServedDocument {
    return (this.indexDoc ??= new ServedDocument(this.v3IndexObject()));
  }
}

const memo = new WeakMap<readonly ResourceInfo[], OpenAPIDocuments>();

/** The memoized documents of a resource table (keyed by the array's identity). */
export function openAPIDocuments(resources: readonly ResourceInfo[], options: OpenAPIOptions = {}): OpenAPIDocuments {
  let docs = memo.get(resources);
  if (!docs) {
    docs = new OpenAPIDocuments(resources, options);
    memo.set(resources, docs);
  }
  return docs;
}

/** `{ paths: { "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=…" }, … } }`. */
export function buildOpenAPIV3Index(resources: readonly ResourceInfo[], options: OpenAPIOptions = {}): { paths: Record<string, { serverRelativeURL: string }> } {
  return openAPIDocuments(resources, options).v3IndexObject();
}
