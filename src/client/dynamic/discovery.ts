// Legacy discovery (/api, /api/v1, /apis, /apis/<g>/<v>): which resources the server serves,
// with their verbs, so GC and namespace deletion can reach every kind.

import type { APIGroupList, APIResourceList, APIVersions } from 'kubernetes-types/meta/v1.js';
import type { RESTClient } from '../rest/client.js';
import type { GroupVersionResource } from '../rest/resource.js';

/** One served resource (no subresources), as discovery describes it. */
export interface ServedResource extends GroupVersionResource {
  kind: string;
  verbs: string[];
}

/** Some group versions could not be read (upstream ErrGroupDiscoveryFailed); the rest are in `resources`. */
export class GroupDiscoveryFailedError extends Error {
  readonly code = 'GroupDiscoveryFailed';
  constructor(
    readonly failures: Map<string, Error>,
    readonly resources: ServedResource[],
  ) {
    const parts = [...failures].map(([gv, e]) => `${gv}: ${e.message}`).sort();
    super(`unable to retrieve the complete list of server APIs: ${parts.join(', ')}`);
    this.name = 'GroupDiscoveryFailedError';
  }
}

export interface DiscoveryOptions {
  /** Every served version of each group, not just the preferred one. */
  allVersions?: boolean;
  signal?: AbortSignal;
}

export class DiscoveryClient {
  constructor(private readonly rest: RESTClient) {}

  /** The group versions served: core `v1` first, then each group's preferred (or every) version. */
  async groupVersions(opts: DiscoveryOptions = {}): Promise<{ group: string; version: string }[]> {
    const [core, groups] = await Promise.all([
      this.rest.request<APIVersions>({ method: 'GET', path: '/api', signal: opts.signal }),
      this.rest.request<APIGroupList>({ method: 'GET', path: '/apis', signal: opts.signal }),
    ]);
    const out: { group: string; version: string }[] = [];
    const coreVersions = opts.allVersions ? core.versions : core.versions.slice(0, 1);
    for (const v of coreVersions) out.push({ group: '', version: v });
    for (const g of groups.groups) {
      const versions = opts.allVersions ? g.versions.map((v) => v.version) : [g.preferredVersion?.version ?? g.versions[0]?.version].filter((v): v is string => !!v);
      for (const v of versions) out.push({ group: g.name, version: v });
    }
    return out;
  }

  /**
   * Every served resource of the preferred versions (upstream ServerPreferredResources). When
   * some group versions fail, throws GroupDiscoveryFailedError holding the ones that worked.
   */
  async serverResources(opts: DiscoveryOptions = {}): Promise<ServedResource[]> {
    const gvs = await this.groupVersions(opts);
    const failures = new Map<string, Error>();
    const lists = await Promise.all(
      gvs.map(async ({ group, version }) => {
        const gv = group ? `${group}/${version}` : version;
        try {
          const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
          return { group, version, list: await this.rest.request<APIResourceList>({ method: 'GET', path, signal: opts.signal }) };
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          failures.set(gv, e as Error);
          return undefined;
        }
      }),
    );
    const out: ServedResource[] = [];
    for (const l of lists) {
      if (!l) continue;
      for (const r of l.list.resources) {
        if (r.name.includes('/')) continue;
        out.push({ group: l.group, version: l.version, resource: r.name, namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] });
      }
    }
    if (failures.size) throw new GroupDiscoveryFailedError(failures, out);
    return out;
  }
}

/** Resources whose verbs include all of `verbs` (upstream discovery.SupportsAllVerbs). */
export function supportingVerbs<R extends { verbs: readonly string[] }>(resources: readonly R[], verbs: readonly string[]): R[] {
  return resources.filter((r) => verbs.every((v) => r.verbs.includes(v)));
}
