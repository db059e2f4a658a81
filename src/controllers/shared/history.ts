// Controller history (upstream pkg/controller/history): the ControllerRevisions through which
// StatefulSets and DaemonSets remember their pod templates. A revision's `data` is the patch that
// restores the template (`{"spec":{"template":{"$patch":"replace",…}}}`, the shape upstream's
// getPatch stores and `kubectl rollout undo` applies); `revision` orders them.

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { Lister, SharedInformer } from '../../client/cache/informer.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { CONTROLLERREVISIONS } from '../../client/resources.js';
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../client/rest/errors.js';
import type { Selector } from '../../machinery/labels.js';
import type { DeepMutable } from '../../util/mutable.js';
import { getControllerOf, newControllerRef, type OwnerKind } from './controller-ref.js';
import { safeEncodeString } from './hash.js';

export type ControllerRevisionObject = ControllerRevision & KubeObject;

/** Label on pods (and DaemonSet revisions) naming the revision they come from (apps/v1 ControllerRevisionHashLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** Label the history package puts on revisions it names (ControllerRevisionHashLabel). */
export const HISTORY_HASH_LABEL = 'controller.kubernetes.io/hash';
/** spec.revisionHistoryLimit when unset. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** The data of a revision: a strategic merge patch replacing spec.template. */
export interface TemplatePatch {
  spec: { template: Record<string, unknown> };
}

/**
 * JSON with object keys sorted at every level, which is what upstream's getPatch produces
 * (it re-marshals through map[string]interface{}): equal templates give equal text.
 */
export function sortedJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : sortedJSON(x))).join(',')}]`;
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJSON(rec[k])}`).join(',')}}`;
}

/** The revision data of a template (upstream getPatch). */
export function templatePatch(template: PodTemplateSpec | undefined): TemplatePatch {
  const t = JSON.parse(JSON.stringify(template ?? {})) as Record<string, unknown>;
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** The template a revision restores (its data's spec.template without the `$patch` directive). */
export function revisionTemplate(rev: ControllerRevision): PodTemplateSpec | undefined {
  const data = rev.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const t = data?.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  const copy = structuredClone(t);
  delete copy.$patch;
  return copy as PodTemplateSpec;
}

/**
 * The owner as it was at `rev` (upstream ApplyRevision: the revision's patch applied to the
 * owner). Only the template is recorded, so only the template changes.
 */
export function applyRevision<T extends KubeObject & { spec?: { template?: PodTemplateSpec } }>(owner: T, rev: ControllerRevision): T {
  const out = structuredClone(owner) as DeepMutable<T> & { spec?: { template?: PodTemplateSpec } };
  const t = revisionTemplate(rev);
  if (t) out.spec = { ...(out.spec ?? {}), template: t };
  return out as T;
}

const utf8 = new TextEncoder();

/** 32-bit FNV-1 (Go's hash/fnv New32), what HashControllerRevision uses. */
export function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** Hash of a revision's data plus the collision count (upstream HashControllerRevision). */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let text = sortedJSON(data);
  if (collisionCount !== undefined) text += String(collisionCount);
  return safeEncodeString(String(fnv32(text)));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name fits 253 (ControllerRevisionName). */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** A revision of `parent` (upstream NewControllerRevision); the name comes from the data's hash. */
export function newControllerRevision(
  parent: KubeObject,
  kind: OwnerKind,
  templateLabels: Readonly<Record<string, string>> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number,
): ControllerRevisionObject {
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(parent.metadata?.name ?? '', hash),
      namespace: parent.metadata?.namespace,
      labels: { ...(templateLabels ?? {}), [HISTORY_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(parent, kind)],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
}

/** Same data (upstream EqualRevision); differing hash labels settle it early. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[HISTORY_HASH_LABEL];
  const hb = b.metadata?.labels?.[HISTORY_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return sortedJSON(a.data) === sortedJSON(b.data);
}

/** The revisions equal to `needle`, in their order. */
export function findEqualRevisions<T extends ControllerRevision>(revisions: readonly T[], needle: ControllerRevision): T[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** Ascending by revision, then creation time, then name (upstream byRevision). Returns a new array. */
export function sortRevisions<T extends ControllerRevision>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return (a.revision ?? 0) - (b.revision ?? 0);
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

export function maxRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) if ((r.revision ?? 0) > max) max = r.revision ?? 0;
  return max;
}

/** The revision number after the highest one (1 for an empty history). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return maxRevision(revisions) + 1;
}

/**
 * Non-live revisions to delete so that at most `limit` remain, oldest first (StatefulSet
 * truncateHistory). `sorted` must be ascending; `live` holds revision names still in use.
 */
export function revisionsToTruncate<T extends ControllerRevision>(sorted: readonly T[], live: ReadonlySet<string>, limit: number | undefined): T[] {
  const lim = limit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const history = sorted.filter((r) => !live.has(r.metadata?.name ?? ''));
  if (lim < 0 || history.length <= lim) return [];
  return history.slice(0, history.length - lim);
}

// ---- informer index: objects by controller, orphans by namespace

/** Index of objects by the uid of their controller; objects without one under `orphan/<namespace>`. */
export const CONTROLLER_UID_INDEX = 'k8ts.io/controller-uid';

export function controllerUIDIndexFunc(obj: KubeObject): string[] {
  const ref = getControllerOf(obj);
  return [ref ? ref.uid : `orphan/${obj.metadata?.namespace ?? ''}`];
}

/** Adds CONTROLLER_UID_INDEX to a shared informer unless another controller already did. */
export function ensureControllerIndex<T extends KubeObject>(informer: SharedInformer<T>): void {
  informer.ensureIndexers({ [CONTROLLER_UID_INDEX]: controllerUIDIndexFunc });
}

/**
 * What an owner may claim without a full namespace scan: the objects it controls plus the
 * namespace's orphans. Needs CONTROLLER_UID_INDEX on the informer.
 */
export function ownedAndOrphans<T extends KubeObject>(lister: Lister<T>, namespace: string, ownerUID: string): T[] {
  return [...lister.byIndex(CONTROLLER_UID_INDEX, ownerUID), ...lister.byIndex(CONTROLLER_UID_INDEX, `orphan/${namespace}`)];
}

/**
 * Reads and writes a controller's history (upstream history.Interface over the API and the
 * ControllerRevision informer's lister, which must carry CONTROLLER_UID_INDEX).
 */
export class History {
  constructor(
    private readonly client: Interface,
    private readonly lister: Lister<ControllerRevisionObject>,
    private readonly fieldManager?: string,
  ) {}

  private get api() {
    return this.client.resource<ControllerRevisionObject>(CONTROLLERREVISIONS);
  }

  /** Revisions matching `selector` owned by `parent` or by no controller (ListControllerRevisions). */
  list(parent: KubeObject, selector: Selector): ControllerRevisionObject[] {
    const ns = parent.metadata?.namespace ?? '';
    return ownedAndOrphans(this.lister, ns, parent.metadata?.uid ?? '').filter((r) => selector.matches(r.metadata?.labels ?? {}));
  }

  /**
   * Creates `revision` for `parent`, renaming it with a bumped collision count while another
   * revision with different data holds the name. An existing revision with the same data is
   * returned as is. Returns the revision and the collision count finally used.
   */
  async create(parent: KubeObject, revision: ControllerRevisionObject, collisionCount: number, signal?: AbortSignal): Promise<{ revision: ControllerRevisionObject; collisionCount: number }> {
    const ns = parent.metadata?.namespace;
    let count = collisionCount;
    for (let attempt = 0; attempt < 100; attempt++) {
      const hash = hashRevisionData(revision.data, count);
      const clone = structuredClone(revision) as DeepMutable<ControllerRevisionObject>;
      clone.metadata = { ...clone.metadata, name: revisionName(parent.metadata?.name ?? '', hash), namespace: ns };
      clone.metadata.labels = { ...(clone.metadata.labels ?? {}), [HISTORY_HASH_LABEL]: hash };
      try {
        const created = await this.api.create(clone as ControllerRevisionObject, { namespace: ns, signal, fieldManager: this.fieldManager });
        return { revision: created, collisionCount: count };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const exists = await this.api.get(clone.metadata.name!, { namespace: ns, signal });
        if (sortedJSON(exists.data) === sortedJSON(revision.data)) return { revision: exists, collisionCount: count };
        count++;
      }
    }
    throw new Error(`too many name collisions creating a ControllerRevision for ${parent.metadata?.name ?? ''}`);
  }

  /** Sets the revision number of `rev` (rollback to an earlier template), retrying on conflict. */
  async updateRevision(rev: ControllerRevisionObject, newRevision: number, signal?: AbortSignal): Promise<ControllerRevisionObject> {
    let current = rev;
    for (let attempt = 0; ; attempt++) {
      if (current.revision === newRevision) return current;
      const clone = { ...structuredClone(current), revision: newRevision } as ControllerRevisionObject;
      try {
        return await this.api.update(clone, { namespace: rev.metadata?.namespace, signal, fieldManager: this.fieldManager });
      } catch (e) {
        if (attempt >= 4 || !isConflict(e)) throw e;
        current = await this.api.get(rev.metadata?.name ?? '', { namespace: rev.metadata?.namespace, signal });
      }
    }
  }

  /** Deletes a revision; one already gone is not an error. */
  async delete(rev: ControllerRevisionObject, signal?: AbortSignal): Promise<void> {
    try {
      await this.api.delete(rev.metadata?.name ?? '', { namespace: rev.metadata?.namespace, signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Makes `parent` the controller of an orphaned revision (AdoptControllerRevision). */
  async adopt(parent: KubeObject, kind: OwnerKind, rev: ControllerRevisionObject, signal?: AbortSignal): Promise<ControllerRevisionObject> {
    const owner = getControllerOf(rev);
    if (owner) throw new Error(`attempt to adopt revision owned by ${owner.kind}/${owner.name}`);
    return this.api.patch(
      rev.metadata?.name ?? '',
      'strategic',
      { metadata: { ownerReferences: [newControllerRef(parent, kind)], uid: rev.metadata?.uid } },
      { namespace: parent.metadata?.namespace, signal, fieldManager: this.fieldManager },
    );
  }

  /** Removes `parent`'s ownership of a revision; a revision gone or not owned is not an error. */
  async release(parent: KubeObject, rev: ControllerRevisionObject, signal?: AbortSignal): Promise<ControllerRevisionObject | undefined> {
    try {
      return await this.api.patch(
        rev.metadata?.name ?? '',
        'strategic',
        { metadata: { ownerReferences: [{ $patch: 'delete', uid: parent.metadata?.uid }], uid: rev.metadata?.uid } },
        { namespace: rev.metadata?.namespace, signal, fieldManager: this.fieldManager },
      );
    } catch (e) {
      if (isNotFound(e) || isInvalid(e)) return undefined;
      throw e;
    }
  }
}
