// Discovery: the legacy documents (/api, /apis, /apis/<group>, /api/v1, /apis/<g>/<v>) and
// aggregated discovery v2 (apidiscovery.k8s.io), built once from the catalogue.

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

export class Discovery {
  private readonly groups = servedGroups();
  private cache = new Map<string, string>();

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
      groups: this.groups.filter((g) => g.group !== '').map((g) => this.groupEntry(g)),
    }));
  }

  /** GET /apis/<group>; undefined when not served. */
  apiGroup(group: string): string | undefined {
    const g = this.groups.find((x) => x.group === group && group !== '');
    if (!g) return undefined;
    return this.memo(`group:${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...this.groupEntry(g) }));
  }

  /** GET /api/v1 or /apis/<g>/<v>; undefined when not served. */
  apiResourceList(group: string, version: string): string | undefined {
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
      return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
    });
  }
}
