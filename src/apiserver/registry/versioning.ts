// Converts between the version a client speaks and the storage ("hub") version of a resource:
// version defaults first, then conversion (upstream: decode → default → convert to internal).

import type { ResourceInfo } from '../../api/catalogue.js';
import { groupVersion } from '../../api/catalogue.js';
import type { ApiObject, KindHandlers } from '../../api/scheme.js';
import { kindHandlers } from '../../api/index.js';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export function hubOf(info: ResourceInfo): GVK {
  if (info.storage) return { group: info.storage.group, version: info.storage.version, kind: info.kind };
  return { group: info.group, version: info.versions[0]!, kind: info.kind };
}

function sameGV(a: { group: string; version: string }, b: { group: string; version: string }): boolean {
  return a.group === b.group && a.version === b.version;
}

function handlersFor(gvk: GVK): KindHandlers | undefined {
  return kindHandlers(gvk.group, gvk.version, gvk.kind);
}

/** Applies the request version's defaults and converts to the hub version. Mutates `obj` for hub requests. */
export function decodeToHub(obj: ApiObject, info: ResourceInfo, version: string): ApiObject {
  const req: GVK = { group: info.group, version, kind: info.kind };
  const hub = hubOf(info);
  const h = handlersFor(req);
  h?.defaults?.(obj);
  if (sameGV(req, hub)) {
    obj.apiVersion = groupVersion(hub.group, hub.version);
    obj.kind = hub.kind;
    return obj;
  }
  if (!h?.conversion) throw new Error(`no conversion from ${groupVersion(req.group, req.version)} ${req.kind} to the storage version`);
  const out = h.conversion.toHub(obj);
  handlersFor(hub)?.defaults?.(out);
  out.apiVersion = groupVersion(hub.group, hub.version);
  out.kind = hub.kind;
  return out;
}

/** Converts a stored object to the version the client asked for; returns the input for hub requests. */
export function encodeFromHub(obj: ApiObject, info: ResourceInfo, version: string): ApiObject {
  const hub = hubOf(info);
  if (sameGV({ group: info.group, version }, hub)) {
    if (obj.apiVersion === undefined || obj.kind === undefined) return { apiVersion: groupVersion(hub.group, hub.version), kind: hub.kind, ...obj };
    return obj;
  }
  const h = handlersFor({ group: info.group, version, kind: info.kind });
  if (!h?.conversion) throw new Error(`no conversion to ${groupVersion(info.group, version)} ${info.kind}`);
  const out = h.conversion.fromHub(obj);
  out.apiVersion = groupVersion(info.group, version);
  out.kind = info.kind;
  return out;
}
