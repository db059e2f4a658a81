// REST handlers for resource requests (upstream k8s.io/apiserver/pkg/endpoints/handlers):
// get, list, watch, create, update, patch, delete, deletecollection and the generic
// subresources (status, scale). Objects cross the wire in the request's version and are
// stored in the hub version.

import { groupVersion, type ResourceInfo } from '../../api/catalogue.js';
import type { ApiObject } from '../../api/scheme.js';
import { newBadRequest, newMethodNotSupported, newNotFound, newRequestEntityTooLarge, newUnsupportedMediaType, StatusError } from '../../machinery/errors.js';
import type { WatchEvent } from '../../storage/interfaces.js';
import { takeResultJSON } from '../../storage/store.js';
import type { GenericStore, DeleteOptions, ListParams, RequestContext } from '../registry/generic/store.js';
import { decodeToHub, encodeFromHub } from '../registry/versioning.js';
import { bodyTypeOf, isPlainObject, mayHaveDuplicateKeys, negotiateOutput, parseBody, nestsTooDeep, MAX_NESTING_DEPTH, type Output } from './codec.js';
import { GO_TRUE, GO_FALSE, type RequestInfo } from '../request-info.js';
import { WatchWriter, writeBody, writeJSONText, warningHeaders, successStatus, type Req, type Res } from './response.js';
import { buildTable, type TableOptions } from './table.js';
import type { PrinterMap, Printer } from '../printers/types.js';
import type { UserInfo } from '../registry/generic/strategy.js';
import { applyMergePatch } from './merge-patch.js';
import { applyJSONPatch, JSONPatchError, type Operation as JSONPatchOperation } from './json-patch.js';
import { applyPatch as applyConfiguration, fieldSetOf } from '../../machinery/fieldmanager/index.js';
import { applySchemaFor } from '../../api/openapi/apply-schema.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../../api/protobuf/index.js';
import { strategicSchemaFor } from '../../api/openapi/strategic-schema.js';
import { strategicMergePatch, StrategicMergePatchError, strategicMergePatchStatus } from '../../machinery/patch/index.js';

/** Request bodies above this are refused with 413 (upstream's 3 MiB limit). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;
/** Objects above this are refused with 413 (etcd's default 1.5 MiB request limit). */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** Schema facts for strict decoding; supplied by api/openapi. */
export interface SchemaValidator {
  unknownFields(group: string, version: string, kind: string, obj: unknown): string[];
  duplicateFields(jsonText: string): string[];
  typeErrors(group: string, version: string, kind: string, obj: unknown): string[];
}

/** One served resource: the catalogue entry it is served under and the hub store behind it. */
export interface ServedResource {
  info: ResourceInfo;
  store: GenericStore;
}

export interface ResourceLookup {
  lookup(group: string, version: string, resource: string): ServedResource | undefined;
}

/** Handles subresources a resource serves beyond status/scale (binding, eviction, log, …). */
export interface SubresourceHandler {
  handle(ctx: HandlerContext): Promise<void>;
}

export interface HandlerContext {
  req: Req;
  res: Res;
  ri: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  served: ServedResource;
  readBody(): Promise<string>;
  readRawBody(): Promise<Buffer>;
  requestContext(dryRun: boolean): RequestContext;
}

export interface ResourceHandlerOptions {
  registry: ResourceLookup;
  printers: PrinterMap;
  defaultPrinter: Printer;
  schema: SchemaValidator;
  /** `resource/subresource` → handler, e.g. `pods/binding`. */
  subresources?: Record<string, SubresourceHandler>;
  /**
   * Resources that are served but not stored (`group/resource`, e.g. `/bindings`): the request is
   * handled by `handler` in the context of the stored resource `storedAs`.
   */
  virtual?: Record<string, { storedAs: { group: string; version: string; resource: string }; verbs: readonly string[]; handler: SubresourceHandler }>;
  /** Minimum watch duration when the client gives no timeoutSeconds (upstream --min-request-timeout). */
  minRequestTimeoutSeconds?: number;
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export class ResourceHandler {
  constructor(private readonly opts: ResourceHandlerOptions) {}

  async handle(req: Req, res: Res, ri: RequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    const virtual = this.opts.virtual?.[`${ri.group}/${ri.resource}`];
    const served = virtual
      ? this.opts.registry.lookup(virtual.storedAs.group, virtual.storedAs.version, virtual.storedAs.resource)
      : this.opts.registry.lookup(ri.group, ri.version, ri.resource);
    if (!served) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const { info } = served;
    checkQuery(ri, query);
    // Routes upstream does not install: cluster-scoped resources under a namespace, single
    // namespaced objects without one → 404; verbs on the wrong kind of path → 405.
    if (!info.namespaced && ri.namespace !== undefined) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    if (info.namespaced && ri.name && ri.namespace === undefined) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const onItem = ri.name !== '';
    const wrongPath =
      (ri.verb === 'create' && onItem && !ri.subresource) ||
      (ri.verb === 'create' && info.namespaced && ri.namespace === undefined) ||
      ((ri.verb === 'update' || ri.verb === 'patch') && !onItem);
    if (wrongPath) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    let bodyPromise: Promise<Buffer> | undefined;
    const raw = (): Promise<Buffer> => (bodyPromise ??= readRawBody(req));
    const hc: HandlerContext = {
      req,
      res,
      ri,
      query,
      user,
      served,
      readRawBody: raw,
      readBody: () => raw().then((b) => b.toString('utf8')),
      requestContext: (dryRun) => ({
        user,
        namespace: ri.namespace,
        dryRun,
        warnings: [],
        fieldManager: query.get('fieldManager') ?? undefined,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
        apiVersion: groupVersion(served.info.group, ri.version),
      }),
    };

    if (virtual) {
      if (ri.subresource || !virtual.verbs.includes(ri.verb)) throw newMethodNotSupported({ group: ri.group, resource: ri.resource }, ri.verb);
      await virtual.handler.handle(hc);
      return;
    }
    if (ri.subresource && ri.subresource !== 'status' && ri.subresource !== 'scale' && ri.subresource !== 'approval') {
      const h = this.opts.subresources?.[`${ri.resource}/${ri.subresource}`];
      const declared = info.subresources?.some((s) => s.name === ri.subresource);
      if (!h || !declared) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
      await h.handle(hc);
      return;
    }
    if (ri.subresource && !info.subresources?.some((s) => s.name === ri.subresource)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    if (ri.subresource === 'scale') {
      await this.scale(hc);
      return;
    }
    const verb = ri.verb;
    const allowed = ri.subresource === 'status' || ri.subresource === 'approval' ? ['get', 'update', 'patch'] : info.verbs;
    if (!(allowed as readonly string[]).includes(verb)) {
      throw newMethodNotSupported({ group: info.group, resource: ri.subresource ? `${info.resource}/${ri.subresource}` : info.resource }, verb);
    }
    switch (verb) {
      case 'get':
        return this.get(hc);
      case 'list':
        return this.list(hc);
      case 'watch':
        return this.watch(hc);
      case 'create':
        return this.create(hc);
      case 'update':
        return this.update(hc);
      case 'patch':
        return this.patch(hc);
      case 'delete':
        return this.delete(hc);
      case 'deletecollection':
        return this.deleteCollection(hc);
      default:
        throw newMethodNotSupported({ group: info.group, resource: info.resource }, verb);
    }
  }

  // ------------------------------------------------------------------------------- reads

  private async get(hc: HandlerContext): Promise<void> {
    const { ri, served, query } = hc;
    const output = negotiateOutput(hc.req.headers.accept, true);
    const ctx = hc.requestContext(false);
    const obj = await served.store.get(ctx, ri.name, query.get('resourceVersion') ?? undefined, { shared: true });
    if (output.kind === 'json' && Object.isFrozen(obj)) {
      // A shared object from the watch cache: its JSON is encoded once per served version.
      writeJSONText(hc.res, 200, objectJSON(obj, served.info, ri.version));
      return;
    }
    this.writeObject(hc, 200, obj, output, []);
  }

  private async list(hc: HandlerContext): Promise<void> {
    const { served, query } = hc;
    const output = negotiateOutput(hc.req.headers.accept, true);
    const params = listParams(query);
    const ctx = hc.requestContext(false);
    const result = await served.store.list(ctx, params);
    const version = hc.ri.version;
    const info = served.info;
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) meta.continue = result.continue;
    if (result.remainingItemCount !== undefined && result.continue) meta.remainingItemCount = result.remainingItemCount;
    if (output.kind === 'table') {
      const table = buildTable(this.printerFor(served), result.items, this.tableOptions(hc, output.version), (o) => encodeFromHub(o, info, version));
      table.metadata = meta;
      writeBody(hc.res, 200, table);
      return;
    }
    if (output.kind === 'partial') {
      const items = result.items.map((o) => partialObject(encodeFromHub(o, info, version), output.version));
      writeBody(hc.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${output.version}`, metadata: meta, items });
      return;
    }
    if (output.kind === 'json') {
      // Objects from the watch cache are immutable, so each one's list-item JSON is encoded once
      // and reused by every later LIST (the expensive part of a large list).
      const head = JSON.stringify({ kind: `${info.kind}List`, apiVersion: groupVersion(info.group, version), metadata: meta });
      const parts = new Array<string>(result.items.length);
      for (let i = 0; i < result.items.length; i++) parts[i] = listItemJSON(result.items[i]!, info, version);
      hc.res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      hc.res.end(`${head.slice(0, -1)},"items":[${parts.join(',')}]}`);
      return;
    }
    const items = result.items.map((o) => stripTypeMeta(encodeFromHub(o, info, version)));
    writeBody(hc.res, 200, { kind: `${info.kind}List`, apiVersion: groupVersion(info.group, version), metadata: meta, items }, output.kind);
  }

  private async watch(hc: HandlerContext): Promise<void> {
    const { served, query, res, req } = hc;
    const output = negotiateOutput(req.headers.accept, true);
    if (output.kind === 'yaml') throw newBadRequest('watch is not supported in YAML');
    const params = listParams(query);
    const ac = new AbortController();
    const onClose = (): void => ac.abort();
    res.on('close', onClose);
    const timeoutSeconds = query.has('timeoutSeconds')
      ? intParam(query, 'timeoutSeconds')!
      : Math.floor((this.opts.minRequestTimeoutSeconds ?? 1800) * (1 + Math.random()));
    const timer = setTimeout(() => ac.abort(), timeoutSeconds * 1000);
    timer.unref();
    const ctx = hc.requestContext(false);
    const iterable = served.store.watch(
      ctx,
      {
        ...params,
        allowWatchBookmarks: GO_TRUE.has(query.get('allowWatchBookmarks') ?? ''),
        sendInitialEvents: GO_TRUE.has(query.get('sendInitialEvents') ?? ''),
        signal: ac.signal,
      },
      hc.ri.name || undefined,
    );
    const info = served.info;
    const version = hc.ri.version;
    const printer = this.printerFor(served);
    const tableOpts = output.kind === 'table' ? this.tableOptions(hc, output.version) : undefined;
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    };
    // Headers go out right away so clients see the watch established (upstream flushes at once).
    start();
    res.flushHeaders?.();
    const out = new WatchWriter(res);
    try {
      for await (const ev of iterable) {
        if (res.writableEnded) break;
        out.push(
          output.kind === 'json' && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')
            ? watchEventJSON(ev, info, version)
            : JSON.stringify({ type: ev.type, object: this.watchObject(ev, output, tableOpts, printer, info, version) }) + '\n',
        );
        const wait = out.backpressure;
        if (wait) await wait;
      }
    } catch (e) {
      if (!ac.signal.aborted) {
        const err = e instanceof StatusError ? e : served.store.translate(e, '');
        out.push(JSON.stringify({ type: 'ERROR', object: err.toStatus() }) + '\n');
      }
    } finally {
      clearTimeout(timer);
      res.off?.('close', onClose);
      ac.abort();
      out.flush();
      if (!res.writableEnded) res.end();
    }
  }

  private watchObject(ev: WatchEvent, output: Output, tableOpts: TableOptions | undefined, printer: Printer, info: ResourceInfo, version: string): unknown {
    if (ev.type === 'ERROR') return ev.object;
    if (ev.type === 'BOOKMARK') {
      if (output.kind === 'table') return { kind: 'Table', apiVersion: `meta.k8s.io/${output.version}`, metadata: { resourceVersion: ev.object.metadata?.resourceVersion }, columnDefinitions: [], rows: [] };
      return { kind: output.kind === 'partial' ? 'PartialObjectMetadata' : info.kind, apiVersion: output.kind === 'partial' ? `meta.k8s.io/${output.version}` : groupVersion(info.group, version), metadata: ev.object.metadata };
    }
    const obj = encodeFromHub(ev.object as ApiObject, info, version);
    if (output.kind === 'table') {
      const t = buildTable(printer, [ev.object as ApiObject], tableOpts!, () => obj);
      t.metadata = { resourceVersion: String(ev.object.metadata?.resourceVersion ?? '') };
      return t;
    }
    if (output.kind === 'partial') return partialObject(obj, output.version);
    return obj;
  }

  // ------------------------------------------------------------------------------ writes

  private async create(hc: HandlerContext): Promise<void> {
    const { served, query, ri } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const dryRun = dryRunParam(query);
    const fv = fieldValidation(query);
    const ctx = hc.requestContext(dryRun);
    const obj = await this.decodeRequest(hc, fv, ctx.warnings);
    const created = await served.store.create(ctx, obj);
    void ri;
    this.writeObject(hc, 201, created, output, ctx.warnings);
  }

  private async update(hc: HandlerContext): Promise<void> {
    const { served, query, ri } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const dryRun = dryRunParam(query);
    const fv = fieldValidation(query);
    const ctx = hc.requestContext(dryRun);
    const obj = await this.decodeRequest(hc, fv, ctx.warnings);
    const sub = ri.subresource === 'status' || ri.subresource === 'approval' ? ri.subresource : undefined;
    // The body replaces the stored object, which is only compared against.
    const { object, created } = await served.store.update(ctx, ri.name, () => obj, { subresource: sub, readsCurrentOnly: true });
    this.writeObject(hc, created ? 201 : 200, object, output, ctx.warnings);
  }

  private async patch(hc: HandlerContext): Promise<void> {
    const { served, query, ri } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const dryRun = dryRunParam(query);
    const fv = fieldValidation(query);
    const ctx = hc.requestContext(dryRun);
    const anyType = bodyTypeOf(hc.req.headers['content-type'], ['json-patch', 'merge-patch', 'strategic-merge-patch', 'apply-patch']);
    const info = served.info;
    const version = ri.version;
    if (anyType === 'apply-patch') {
      await this.apply(hc, ctx, fv, output);
      return;
    }
    if (query.has('force')) {
      throw invalidPatchOptions('force', 'Forbidden: may not be specified for non-apply patch');
    }
    // Strategic merge patch works from the kind's schema in the request version; custom
    // resources have none and upstream refuses it for them (415).
    const smpSchema = anyType === 'strategic-merge-patch' ? strategicSchemaFor(info.group, version, info.kind) : undefined;
    if (anyType === 'strategic-merge-patch' && !smpSchema) {
      throw newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    }
    const type = anyType as PatchType | 'strategic-merge-patch';
    const text = await hc.readBody();
    // A strategic merge patch must be a JSON object, decoded like a merge patch.
    const patch = parsePatch(text, type);
    const { object } = await served.store.update(
      ctx,
      ri.name,
      (current) => {
        if (!current) throw newNotFound({ group: info.group, resource: info.resource }, ri.name);
        const versioned = structuredClone(encodeFromHub(current, info, version));
        let patched: unknown;
        if (type === 'strategic-merge-patch') {
          try {
            patched = strategicMergePatch(versioned, patch as Record<string, unknown>, smpSchema);
          } catch (e) {
            throw e instanceof StrategicMergePatchError ? strategicMergePatchStatus(e) : e;
          }
        } else {
          patched = applyPatch(versioned, patch, type);
        }
        if (!isPlainObject(patched)) throw newBadRequest('the patch produced a value that is not an object');
        // The current resourceVersion is kept unless the patch sets one (optimistic concurrency).
        return this.decodeObject(hc, patched, JSON.stringify(patched), fv, ctx.warnings, false);
      },
      { subresource: ri.subresource === 'status' ? 'status' : undefined },
    );
    this.writeObject(hc, 200, object, output, ctx.warnings);
  }

  /**
   * Server-side apply (PATCH with application/apply-patch+yaml): the applied configuration is
   * merged into the live object with field ownership; creates the object when absent.
   */
  private async apply(hc: HandlerContext, ctx: RequestContext, fv: FieldValidation, output: Output): Promise<void> {
    const { served, query, ri } = hc;
    const info = served.info;
    const version = ri.version;
    const manager = query.get('fieldManager');
    if (!manager) throw invalidPatchOptions('fieldManager', 'Required value: is required for apply patch');
    const forceParam = query.get('force');
    const force = forceParam !== null && GO_TRUE.has(forceParam);
    const schema = applySchemaFor(info.group, version, info.kind);
    if (!schema) throw newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
    const text = await hc.readBody();
    const applied = parseBody(text, 'yaml');
    if (!isPlainObject(applied)) throw newBadRequest('the applied configuration must be an object');
    const gv = groupVersion(info.group, version);
    const sub = ri.subresource === 'status' ? 'status' : undefined;
    ctx.skipManagedFields = true;
    const { object, created } = await served.store.update(
      ctx,
      ri.name,
      (current) => {
        const versioned = current ? structuredClone(encodeFromHub(current, info, version)) : undefined;
        const { object: merged } = applyConfiguration(versioned, applied, {
          manager,
          force,
          apiVersion: gv,
          kind: info.kind,
          subresource: sub,
          now: new Date(),
          schema,
          ignoredFields: sub ? fieldSetOf(['spec']) : served.store.strategy.hasStatus ? fieldSetOf(['status']) : undefined,
        });
        if (!current) {
          const meta = ((merged as ApiObject).metadata ??= {});
          meta.name ??= ri.name;
        }
        return this.decodeObject(hc, merged as Record<string, any>, JSON.stringify(merged), fv, ctx.warnings, false);
      },
      { subresource: sub, forceAllowCreate: !sub },
    );
    this.writeObject(hc, created ? 201 : 200, object, output, ctx.warnings);
  }

  private async delete(hc: HandlerContext): Promise<void> {
    const { served, query, ri } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const options = await deleteOptions(hc, query);
    const ctx = hc.requestContext(Boolean(options.dryRun?.includes('All')));
    const result = await served.store.delete(ctx, ri.name, options);
    if (!result.deleted || served.store.returnDeletedObject) {
      // A pending (graceful or finalizer-held) deletion answers with the object; 202 only when
      // the client set orphanDependents=false (upstream handlers/delete.go keeps that quirk).
      const code = !result.deleted && options.orphanDependents === false ? 202 : 200;
      this.writeObject(hc, code, result.object, output, ctx.warnings);
      return;
    }
    const info = served.info;
    writeBody(hc.res, 200, successStatus({ name: ri.name, group: info.group || undefined, kind: info.resource, uid: result.object.metadata?.uid }), output.kind === 'yaml' ? 'yaml' : 'json', ctx.warnings.length ? { warning: warningHeaders(ctx.warnings) } : {});
  }

  private async deleteCollection(hc: HandlerContext): Promise<void> {
    const { served, query } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const options = await deleteOptions(hc, query);
    const ctx = hc.requestContext(Boolean(options.dryRun?.includes('All')));
    const items = await served.store.deleteCollection(ctx, listParams(query), options);
    const info = served.info;
    const version = hc.ri.version;
    writeBody(hc.res, 200, {
      kind: `${info.kind}List`,
      apiVersion: groupVersion(info.group, version),
      metadata: {},
      items: items.map((o) => stripTypeMeta(encodeFromHub(o, info, version))),
    }, output.kind === 'yaml' ? 'yaml' : 'json');
  }

  // ------------------------------------------------------------------------------- scale

  private async scale(hc: HandlerContext): Promise<void> {
    const { served, ri, query } = hc;
    const output = negotiateOutput(hc.req.headers.accept, false);
    const ctx = hc.requestContext(dryRunParam(query));
    const info = served.info;
    if (ri.verb === 'get') {
      const obj = await served.store.get(ctx, ri.name);
      writeBody(hc.res, 200, toScale(obj), output.kind === 'yaml' ? 'yaml' : 'json');
      return;
    }
    if (ri.verb !== 'update' && ri.verb !== 'patch') throw newMethodNotSupported({ group: info.group, resource: `${info.resource}/scale` }, ri.verb);
    const text = await hc.readBody();
    const type = ri.verb === 'update' ? (bodyTypeOf(hc.req.headers['content-type'], ['json', 'yaml']) as 'json' | 'yaml') : bodyTypeOf(hc.req.headers['content-type'], ['json-patch', 'merge-patch', 'strategic-merge-patch']);
    // Scale subresources answer autoscaling/v1 Scale, whose schema strategic merge patch uses.
    const scaleSchema = type === 'strategic-merge-patch' ? strategicSchemaFor('autoscaling', 'v1', 'Scale') : undefined;
    if (type === 'strategic-merge-patch' && !scaleSchema) throw newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
    const { object } = await served.store.update(ctx, ri.name, (current) => {
      if (!current) throw newNotFound({ group: info.group, resource: info.resource }, ri.name);
      const scale = toScale(current);
      let next: any;
      if (type === 'json' || type === 'yaml') next = parseBody(text, type);
      else if (type === 'json-patch' || type === 'merge-patch') next = applyPatch(structuredClone(scale), parsePatch(text, type), type);
      else if (type === 'strategic-merge-patch') {
        try {
          next = strategicMergePatch(scale, parsePatch(text, 'merge-patch') as Record<string, unknown>, scaleSchema);
        } catch (e) {
          throw e instanceof StrategicMergePatchError ? strategicMergePatchStatus(e) : e;
        }
      }
      if (!isPlainObject(next)) throw newBadRequest('the body is not a Scale object');
      const replicas = next.spec?.replicas ?? 0;
      if (!Number.isInteger(replicas)) throw newBadRequest(`json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
      if (replicas < 0) {
        throw new StatusError(422, 'Invalid', `Scale.autoscaling "${ri.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`, {
          name: ri.name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }],
        });
      }
      const rv = next.metadata?.resourceVersion;
      const out = structuredClone(current);
      out.spec = { ...(out.spec ?? {}), replicas };
      if (rv) out.metadata!.resourceVersion = rv;
      return out;
    });
    writeBody(hc.res, 200, toScale(object), output.kind === 'yaml' ? 'yaml' : 'json');
  }

  // ---------------------------------------------------------------------------- decoding

  /** The body of a create or update: JSON, YAML or Kubernetes protobuf (what kubectl's typed clients send). */
  private async decodeRequest(hc: HandlerContext, fv: FieldValidation, warnings: string[]): Promise<ApiObject> {
    const type = bodyTypeOf(hc.req.headers['content-type'], ['json', 'yaml', 'protobuf']);
    if (type === 'protobuf') {
      const { info } = hc.served;
      let body: Record<string, unknown>;
      try {
        body = decodeKubernetesProtobuf(await hc.readRawBody(), { group: info.group, version: hc.ri.version, kind: info.kind });
      } catch (e) {
        if (e instanceof ProtobufDecodeError) throw newBadRequest(e.message);
        throw e;
      }
      // Protobuf cannot carry unknown or duplicate fields; the schema checks still apply to types.
      return this.decodeObject(hc, body, JSON.stringify(body), fv, warnings, false);
    }
    return this.decode(hc, await hc.readBody(), type as 'json' | 'yaml', fv, warnings);
  }

  private async decode(hc: HandlerContext, text: string, type: 'json' | 'yaml', fv: FieldValidation, warnings: string[]): Promise<ApiObject> {
    const body = parseBody(text, type);
    if (!isPlainObject(body)) throw newBadRequest(`Object 'Kind' is missing in '${text.slice(0, 200)}'`);
    // YAML with duplicate keys fails to parse; JSON needs the (costly) path-reporting scan only
    // when a cheap count says a key repeats.
    const checkDuplicates = type === 'json' && fv !== 'Ignore' && mayHaveDuplicateKeys(text, body);
    return this.decodeObject(hc, body, type === 'json' ? text : JSON.stringify(body), fv, warnings, checkDuplicates);
  }

  /** Checks kind/version and (per fieldValidation) unknown/duplicate fields, applies defaults, converts to hub. */
  private decodeObject(hc: HandlerContext, body: Record<string, any>, jsonText: string, fv: FieldValidation, warnings: string[], checkDuplicates: boolean): ApiObject {
    const { served, ri } = hc;
    const info = served.info;
    const expectedGV = groupVersion(info.group, ri.version);
    const kind = ri.subresource === 'status' ? info.kind : info.kind;
    if (body.kind === undefined || body.kind === '') {
      if (body.apiVersion === undefined) throw newBadRequest(`Object 'Kind' is missing in '${jsonText.slice(0, 500)}'`);
      body.kind = kind;
    }
    if (body.apiVersion === undefined || body.apiVersion === '') body.apiVersion = expectedGV;
    if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') throw newBadRequest(`Object 'Kind' is missing in '${jsonText.slice(0, 500)}'`);
    if (body.apiVersion !== expectedGV) {
      throw newBadRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expectedGV})`);
    }
    if (body.kind !== kind) {
      throw newBadRequest(`${body.kind} in version "${ri.version}" cannot be handled as a ${kind}: no kind "${body.kind}" is registered for version "${expectedGV}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
    }
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
      throw newBadRequest(`${kind} in version "${ri.version}" cannot be handled as a ${kind}: json: cannot unmarshal ${jsonTypeName(body.metadata)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`);
    }
    const typeErrs = this.opts.schema.typeErrors(info.group, ri.version, kind, body);
    if (typeErrs.length) throw newBadRequest(`${kind} in version "${ri.version}" cannot be handled as a ${kind}: ${typeErrs[0]}`);
    if (fv !== 'Ignore') {
      const problems = [
        ...(checkDuplicates ? this.opts.schema.duplicateFields(jsonText).map((f) => `duplicate field "${f}"`) : []),
        ...this.opts.schema.unknownFields(info.group, ri.version, kind, body).map((f) => `unknown field "${f}"`),
      ];
      if (problems.length) {
        if (fv === 'Strict') throw newBadRequest(`${kind} in version "${ri.version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`);
        warnings.push(...problems);
      }
    }
    const size = Buffer.byteLength(jsonText);
    if (size > MAX_OBJECT_BYTES) throw newRequestEntityTooLarge(`limit is ${MAX_OBJECT_BYTES}`);
    try {
      return decodeToHub(body as ApiObject, info, ri.version);
    } catch (e) {
      throw newBadRequest(`${kind} in version "${ri.version}" cannot be handled as a ${kind}: ${(e as Error).message}`);
    }
  }

  // ---------------------------------------------------------------------------- encoding

  private writeObject(hc: HandlerContext, code: number, obj: ApiObject, output: Output, warnings: string[]): void {
    const { served, ri } = hc;
    const headers: Record<string, string | string[]> = warnings.length ? { warning: warningHeaders(warnings) } : {};
    if (output.kind === 'json' && Object.isFrozen(obj)) {
      // A write's result, shared with the watch cache: watchers' lines reuse this encoding.
      writeJSONText(hc.res, code, objectJSON(obj, served.info, ri.version), headers);
      return;
    }
    const versioned = encodeFromHub(obj, served.info, ri.version);
    if (output.kind === 'table') {
      const t = buildTable(this.printerFor(served), [obj], this.tableOptions(hc, output.version), () => versioned);
      t.metadata = { resourceVersion: String(obj.metadata?.resourceVersion ?? '') };
      writeBody(hc.res, code, t, 'json', headers);
      return;
    }
    if (output.kind === 'partial') {
      writeBody(hc.res, code, partialObject(versioned, output.version), 'json', headers);
      return;
    }
    writeBody(hc.res, code, versioned, output.kind, headers);
  }

  private printerFor(served: ServedResource): Printer {
    const hub = served.store.info;
    return this.opts.printers[`${hub.group}/${hub.kind}`] ?? this.opts.defaultPrinter;
  }

  private tableOptions(hc: HandlerContext, version: 'v1' | 'v1beta1'): TableOptions {
    const include = hc.query.get('includeObject') ?? 'Metadata';
    if (include !== 'None' && include !== 'Metadata' && include !== 'Object') throw newBadRequest(`includeObject: Unsupported value: "${include}": supported values: "Metadata", "None", "Object"`);
    return { version, includeObject: include, noHeaders: false, now: Date.now() };
  }
}

// ------------------------------------------------------------------------------ helpers

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

export async function readBody(req: Req, limit = MAX_REQUEST_BODY_BYTES): Promise<string> {
  return (await readRawBody(req, limit)).toString('utf8');
}

export async function readRawBody(req: Req, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw newRequestEntityTooLarge(`limit is ${limit}`);
  return await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(newRequestEntityTooLarge(`limit is ${limit}`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e: Error) => {
      if (!failed) reject(e);
    });
  });
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw newBadRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw newBadRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

/** Query parameters every verb validates as upstream's decoders do (booleans, integers, combinations). */
function checkQuery(ri: RequestInfo, q: URLSearchParams): void {
  for (const b of ['watch', 'allowWatchBookmarks', 'sendInitialEvents', 'pretty', 'force', 'orphanDependents', 'ignoreStoreReadErrorWithClusterBreakingPotential']) {
    const v = q.get(b);
    if (v !== null && v !== '' && !GO_TRUE.has(v) && !GO_FALSE.has(v)) {
      throw newBadRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
    }
  }
  for (const i of ['timeoutSeconds', 'limit', 'gracePeriodSeconds']) intParam(q, i);
  if (ri.verb === 'list' && GO_TRUE.has(q.get('sendInitialEvents') ?? '')) {
    throw new StatusError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list', {
      kind: 'ListOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list', field: 'sendInitialEvents' }],
    });
  }
  if (q.get('continue') && q.get('resourceVersion') && q.get('resourceVersion') !== '0') {
    throw newBadRequest('specifying resource version is not allowed when using continue');
  }
  const fm = q.get('fieldManager');
  if (fm !== null) {
    // Upstream ValidateFieldManager: at most 128 printable characters.
    if ([...fm].length > 128) throw invalidOption('fieldManager', `Too long: may not be more than 128 bytes`);
    if (/[^\x20-\x7e\u00a0-\uffff]/.test(fm)) throw invalidOption('fieldManager', `Invalid value: ${JSON.stringify(fm)}: must consist of printable characters`);
  }
}

function invalidOption(field: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `${field}: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message, field }] });
}

export function listParams(q: URLSearchParams): ListParams {
  const limit = intParam(q, 'limit');
  const rvm = q.get('resourceVersionMatch') ?? '';
  if (rvm !== '' && rvm !== 'NotOlderThan' && rvm !== 'Exact') {
    throw new StatusError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan", ""`, {
      kind: 'ListOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan", ""`, field: 'resourceVersionMatch' }],
    });
  }
  const rv = q.get('resourceVersion') ?? undefined;
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) {
    throw newBadRequest(`invalid resource version ${JSON.stringify(rv)}`);
  }
  if (rvm && !rv) {
    throw new StatusError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`, {
      kind: 'ListOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' }],
    });
  }
  if (limit !== undefined && limit < 0) throw newBadRequest(`invalid value for limit: must be non-negative`);
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit || undefined,
    continue: q.get('continue') || undefined,
    resourceVersion: rv,
    resourceVersionMatch: rvm as ListParams['resourceVersionMatch'],
  };
}

function dryRunParam(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw newBadRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.includes('All');
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw newBadRequest(`fieldValidation parameter unsupported: ${v}; supported values: Ignore, Warn, Strict`);
}

async function deleteOptions(hc: HandlerContext, q: URLSearchParams): Promise<DeleteOptions> {
  let opts: DeleteOptions = {};
  const text = await hc.readBody();
  if (text.trim()) {
    const body = parseBody(text, 'json');
    if (!isPlainObject(body)) throw newBadRequest('DeleteOptions must be an object');
    // The body must be a DeleteOptions (upstream decodes into that type and refuses others).
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') {
      throw newBadRequest(`${String(body.kind)} in version "${String(body.apiVersion ?? '')}" cannot be handled as a DeleteOptions: no kind "${String(body.kind)}" is registered`);
    }
    opts = body as DeleteOptions;
  }
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  const dr = q.getAll('dryRun');
  if (dr.length) opts.dryRun = dr;
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`, {
      kind: 'DeleteOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"` }],
    });
  }
  if (opts.propagationPolicy && opts.orphanDependents !== undefined) {
    throw new StatusError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + opts.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set', { kind: 'DeleteOptions', group: 'meta.k8s.io' });
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw newBadRequest(`gracePeriodSeconds must be a non-negative integer`);
  }
  for (const v of opts.dryRun ?? []) if (v !== 'All') throw newBadRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return opts;
}

type PatchType = 'json-patch' | 'merge-patch';

/** Go's encoding/json name for the JSON value that failed to decode into the patch type. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
}

/** Decodes a patch body; `strategic` bodies are objects like merge patches but worded without the prefix, as upstream. */
function parsePatch(text: string, type: PatchType | 'strategic-merge-patch'): unknown {
  if (nestsTooDeep(text)) throw newBadRequest(`error decoding patch: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (e) {
    throw newBadRequest(`error decoding patch: ${(e as Error).message}`);
  }
  if (type === 'json-patch') {
    if (!Array.isArray(patch)) throw newBadRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(patch)} into Go value of type []handlers.jsonPatchOp`);
    for (const op of patch) {
      if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
        throw newBadRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(op)} into Go value of type handlers.jsonPatchOp`);
      }
      if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op)) throw new StatusError(422, 'Invalid', `Unexpected kind: ${op.op}`, {});
    }
  } else if (!isPlainObject(patch)) {
    const msg = `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`;
    throw newBadRequest(type === 'strategic-merge-patch' ? msg : `error decoding patch: ${msg}`);
  }
  return patch;
}

function applyPatch(doc: any, patch: unknown, type: PatchType): unknown {
  if (type === 'merge-patch') return applyMergePatch(doc, patch);
  try {
    return applyJSONPatch(doc, patch as JSONPatchOperation[]);
  } catch (e) {
    if (!(e instanceof JSONPatchError)) throw e;
    // Upstream: NewGenericServerResponse(422, …, err.Error()): the generic message, the library's text as the cause.
    throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message: e.message }] });
  }
}

function invalidPatchOptions(field: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason: message.startsWith('Required') ? 'FieldValueRequired' : 'FieldValueForbidden', message, field }],
  });
}

/** Encoded list items per (frozen, shared) stored object and served group/version. */
const itemJSONCache = new WeakMap<object, Map<string, string>>();

function listItemJSON(o: ApiObject, info: ResourceInfo, version: string): string {
  if (!Object.isFrozen(o)) return JSON.stringify(stripTypeMeta(encodeFromHub(o, info, version)));
  const gv = `${info.group}/${version}`;
  let byGV = itemJSONCache.get(o);
  let text = byGV?.get(gv);
  if (text === undefined) {
    text = JSON.stringify(stripTypeMeta(encodeFromHub(o, info, version)));
    if (!byGV) itemJSONCache.set(o, (byGV = new Map()));
    byGV.set(gv, text);
  }
  return text;
}

/** The wire JSON of one (frozen, shared) stored object per served group/version. */
const objectJSONCache = new WeakMap<object, Map<string, string>>();

function objectJSON(o: ApiObject, info: ResourceInfo, version: string): string {
  const gv = `${info.group}/${version}`;
  let byGV = objectJSONCache.get(o);
  let text = byGV?.get(gv);
  if (text === undefined) {
    const encoded = encodeFromHub(o, info, version);
    // Served as stored: a write result's JSON was made with its stored form.
    text = (encoded === o ? takeResultJSON(o) : undefined) ?? JSON.stringify(encoded);
    if (!byGV) objectJSONCache.set(o, (byGV = new Map()));
    byGV.set(gv, text);
  }
  return text;
}

/**
 * A JSON watch line. The watch cache hands the same frozen object to every watcher (and the
 * write's response had it too), so the object's JSON is encoded once per served group/version
 * (objectJSON) and each line only wraps it; nothing else is kept per event.
 */
function watchEventJSON(ev: WatchEvent, info: ResourceInfo, version: string): string {
  if (Object.isFrozen(ev.object)) return `{"type":"${ev.type}","object":${objectJSON(ev.object as ApiObject, info, version)}}\n`;
  return `${JSON.stringify({ type: ev.type, object: encodeFromHub(ev.object as ApiObject, info, version) })}\n`;
}

/** List items carry no apiVersion/kind on the wire, as upstream. */
function stripTypeMeta(o: ApiObject): ApiObject {
  if (o.apiVersion === undefined && o.kind === undefined) return o;
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as ApiObject;
}

export function partialObject(o: ApiObject, version: string): ApiObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

function toScale(obj: ApiObject): ApiObject {
  const sel = obj.spec?.selector;
  let selector: string | undefined;
  if (sel && typeof sel === 'object') {
    const parts: string[] = [];
    const ml = sel.matchLabels ?? (sel.matchExpressions ? undefined : sel);
    if (ml && typeof ml === 'object') for (const [k, v] of Object.entries(ml).sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${k}=${String(v)}`);
    for (const e of sel.matchExpressions ?? []) {
      if (e.operator === 'In') parts.push(`${e.key} in (${[...e.values].sort().join(',')})`);
      else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${[...e.values].sort().join(',')})`);
      else if (e.operator === 'Exists') parts.push(e.key);
      else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    }
    selector = parts.join(',');
  }
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector !== undefined ? { selector } : {}) },
  };
}

