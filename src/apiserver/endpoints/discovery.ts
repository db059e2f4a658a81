// Discovery: the legacy documents (/api, /apis, /apis/<group>, /api/v1, /apis/<g>/<v>) and
// aggregated discovery v2 (apidiscovery.k8s.io), built once from the catalogue and the extra
// groups served beside it.

import { RESOURCES, groupVersion, servedGroups, type ResourceInfo } from '../../api/catalogue.js';
import { parseMediaTypes } from './codec.js';

const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version, if any, the Accept header asks for first. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const t of parseMediaTypes(accept)) {
    if (t.params.as === 'APIGroupDiscoveryList' && t.params.g === 'apidiscovery.k8s.io') {
      if (t.params.v === 'v2') return 'v2';
      if (t.params.v === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (t.type === 'application/json' || t.type === '*/*' || t.type === 'application/*') return undefined;
  }
  return undefined;
}

export function aggregatedContentType(v: 'v2' | 'v2beta1'): string {
  return v === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1;
}

function apiResource(r: ResourceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs],
  };
  if (r.shortNames?.length) out.shortNames = [...r.shortNames];
  if (r.categories?.length) out.categories = [...r.categories];
  return out;
}

/**
 * A group served outside the catalogue (metrics.k8s.io, which upstream reaches through an
 * APIService), with its documents built by its owner. Extra groups come after the catalogue's
 * in /apis, as an APIService with a low group priority sorts after the built-in groups.
 */
export interface ExtraDiscoveryGroup {
  /** The group name (never ''). */
  name: string;
  /** The APIGroupList.groups[] entry: name, versions, preferredVersion. */
  groupEntry: Record<string, unknown>;
  /** The APIResourceList of each served version. */
  resourceLists: Readonly<Record<string, Record<string, unknown>>>;
  /** The APIGroupDiscoveryList.items[] entry (the same for v2 and v2beta1). */
  aggregatedItem: Record<string, unknown>;
}

export class Discovery {
  private readonly groups = servedGroups();
  private readonly extra: readonly ExtraDiscoveryGroup[];
  private cache = new Map<string, string>();

  constructor(extraGroups: readonly ExtraDiscoveryGroup[] = []) {
    for (const g of extraGroups) {
      if (!g.name || this.groups.some((c) => c.group === g.name)) throw new Error(`extra discovery group ${JSON.stringify(g.name)} is empty or already served`);
    }
    this.extra = extraGroups;
  }

  private memo(key: string, build: () => unknown): string {
    let s = this.cache.get(key);
    if (s === undefined) {
      s = JSON.stringify(build());
      this.cache.set(key, s);
    }
    return s;
  }

  /** GET /api */
  apiVersions(serverAddress: string): string {
    return this.memo(`api:${serverAddress}`, () => ({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    }));
  }

  private groupEntry(g: { group: string; versions: string[] }): Record<string, unknown> {
    const versions = g.versions.map((v) => ({ groupVersion: groupVersion(g.group, v), version: v }));
    return { name: g.group, versions, preferredVersion: versions[0] };
  }

  /** GET /apis */
  apiGroupList(): string {
    return this.memo('apis', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...this.groups.filter((g) => g.group !== '').map((g) => this.groupEntry(g)), ...this.extra.map((g) => g.groupEntry)],
    }));
  }

  /** GET /apis/<group>; undefined when not served. */
  apiGroup(group: string): string | undefined {
    const g = this.groups.find((x) => x.group === group && group !== '');
    if (g) return this.memo(`group:${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...this.groupEntry(g) }));
    const x = this.extra.find((e) => e.name === group);
    if (!x) return undefined;
    return this.memo(`group:${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...x.groupEntry }));
  }

  /** GET /api/v1 or /apis/<g>/<v>; undefined when not served. */
  apiResourceList(group: string, version: string): string | undefined {
    const x = this.extra.find((e) => e.name === group);
    if (x) {
      const rl = Object.hasOwn(x.resourceLists, version) ? x.resourceLists[version] : undefined;
      return rl && this.memo(`rl:${group}/${version}`, () => rl);
    }
    const rs = RESOURCES.filter((r) => r.group === group && r.versions.includes(version));
    if (!rs.length) return undefined;
    return this.memo(`rl:${group}/${version}`, () => {
      const resources: Record<string, unknown>[] = [];
      for (const r of rs) {
        resources.push(apiResource(r));
        for (const s of r.subresources ?? []) {
          const e: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.responseKind?.kind ?? r.kind, verbs: [...s.verbs] };
          if (s.responseKind) {
            e.group = s.responseKind.group;
            e.version = s.responseKind.version;
          }
          resources.push(e);
        }
      }
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
    });
  }

  /** Aggregated discovery for /api (core) or /apis (everything else). */
  aggregated(prefix: 'api' | 'apis', v: 'v2' | 'v2beta1'): string {
    return this.memo(`agg:${prefix}:${v}`, () => {
      const items = this.groups
        .filter((g) => (prefix === 'api' ? g.group === '' : g.group !== ''))
        .map((g) => {
          const item: Record<string, unknown> = {
            metadata: prefix === 'api' ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
            versions: g.versions.map((version) => ({
              version,
              resources: RESOURCES.filter((r) => r.group === g.group && r.versions.includes(version)).map((r) => {
                const e: Record<string, unknown> = {
                  resource: r.resource,
                  responseKind: { group: r.group, version, kind: r.kind },
                  scope: r.namespaced ? 'Namespaced' : 'Cluster',
                  singularResource: r.singular,
                  verbs: [...r.verbs],
                };
                if (r.shortNames?.length) e.shortNames = [...r.shortNames];
                if (r.categories?.length) e.categories = [...r.categories];
                if (r.subresources?.length) {
                  e.subresources = r.subresources.map((s) => ({
                    subresource: s.name,
                    responseKind: s.responseKind ?? { group: r.group, version, kind: r.kind },
                    verbs: [...s.verbs],
                  }));
                }
                return e;
              }),
              freshness: 'Current',
            })),
          };
          return item;
        });
      if (prefix === 'apis') items.push(...this.extra.map((g) => g.aggregatedItem));
      return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
    });
  }
}
