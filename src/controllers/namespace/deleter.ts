// Namespace content deletion (upstream pkg/controller/namespace/deletion): for a namespace being
// deleted, delete every namespaced resource in it, report progress in status conditions, and
// once nothing remains remove the `kubernetes` finalizer through /finalize.

import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { GroupDiscoveryFailedError, supportingVerbs, type ServedResource } from '../../client/dynamic/discovery.js';
import { isConflict, isMethodNotSupported, isNotFound } from '../../client/rest/errors.js';
import { NAMESPACES, PODS } from '../../client/resources.js';
import type { DeepMutable } from '../../util/mutable.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
/** Upstream finalizerEstimateSeconds: the wait assumed for content held by finalizers. */
const FINALIZER_ESTIMATE_SECONDS = 15;
/** Upstream DefaultTerminationGracePeriodSeconds. */
const DEFAULT_POD_GRACE_SECONDS = 30;

type ConditionType =
  | 'NamespaceDeletionDiscoveryFailure'
  | 'NamespaceDeletionGroupVersionParsingFailure'
  | 'NamespaceDeletionContentFailure'
  | 'NamespaceContentRemaining'
  | 'NamespaceFinalizersRemaining';

const CONDITION_TYPES: readonly ConditionType[] = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** Content remains; try again in about `estimateSeconds`. */
export class ResourcesRemainingError extends Error {
  readonly code = 'ResourcesRemaining';
  constructor(readonly estimateSeconds: number) {
    super(`some content remains in the namespace, estimate ${estimateSeconds} seconds before it is removed`);
    this.name = 'ResourcesRemainingError';
  }
}

export class ContentDeletionError extends Error {
  readonly code = 'ContentDeletionFailed';
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ContentDeletionError';
  }
}

interface GVRDeletion {
  estimateSeconds: number;
  remaining: number;
  finalizers: Map<string, number>;
}

type Mutable<T> = DeepMutable<T>;

export interface DeleterOptions {
  client: Interface;
  /** How many resource types are emptied at once. */
  concurrency?: number;
  now?: () => number;
}

export class NamespacedResourcesDeleter {
  private readonly client: Interface;
  private readonly now: () => number;
  /** `group/resource/verb` that the server refused with 405/404 (upstream opCache). */
  private readonly unsupported = new Set<string>();

  constructor(private readonly opts: DeleterOptions) {
    this.client = opts.client;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Deletes the content of namespace `name` if it is being deleted, then finalizes it. Throws
   * ResourcesRemainingError while content remains, other errors on failure.
   */
  async delete(name: string, signal: AbortSignal): Promise<void> {
    const nsClient = this.client.resource<Namespace & KubeObject>(NAMESPACES);
    let ns: Namespace;
    try {
      ns = await nsClient.get(name, { signal });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;

    try {
      ns = await this.retryOnConflict(ns, signal, async (cur) => {
        if (!cur.metadata?.deletionTimestamp || cur.status?.phase === 'Terminating') return cur;
        const next = structuredClone(cur) as Mutable<Namespace>;
        next.status = { ...(next.status ?? {}), phase: 'Terminating' };
        return nsClient.updateStatus(next as Namespace & KubeObject, { signal });
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    if (!ns.spec?.finalizers?.includes(FINALIZER_KUBERNETES)) return;

    const estimate = await this.deleteAllContent(ns, signal);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);

    try {
      await this.retryOnConflict(ns, signal, (cur) => {
        const next = structuredClone(cur) as Mutable<Namespace>;
        next.spec = { ...(next.spec ?? {}), finalizers: [...new Set((cur.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES))].sort() };
        return nsClient.put(next as Namespace & KubeObject, 'finalize', { signal });
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  private async retryOnConflict(ns: Namespace, signal: AbortSignal, fn: (cur: Namespace) => Promise<Namespace>): Promise<Namespace> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
      const prevUID = latest.metadata?.uid;
      latest = await this.client.resource<Namespace & KubeObject>(NAMESPACES).get(ns.metadata!.name!, { signal });
      if (latest.metadata?.uid !== prevUID) throw new Error('namespace uid has changed across retries');
    }
  }

  /** Deletes everything in the namespace; returns seconds to wait (0: nothing remains). */
  private async deleteAllContent(ns: Namespace, signal: AbortSignal): Promise<number> {
    const name = ns.metadata!.name!;
    const deletedAt = Date.parse(ns.metadata!.deletionTimestamp!);
    const errors: Error[] = [];
    const newConditions: NamespaceCondition[] = [];
    const nowIso = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');

    let resources: ServedResource[];
    try {
      resources = await this.client.discovery.serverResources({ signal });
    } catch (e) {
      if (!(e instanceof GroupDiscoveryFailedError)) throw e;
      // Discovery errors are not fatal: work with what was found (upstream).
      resources = e.resources;
      errors.push(e);
      newConditions.push({
        type: 'NamespaceDeletionDiscoveryFailure',
        status: 'True',
        lastTransitionTime: nowIso,
        reason: 'DiscoveryFailed',
        message: `Discovery failed for some groups, ${e.failures.size} failing: ${e.message}`,
      });
    }
    const deletable = supportingVerbs(resources, ['delete']).filter((r) => r.namespaced);

    let estimate = 0;
    const remainingByGVR = new Map<string, number>();
    const remainingByFinalizer = new Map<string, number>();
    const contentErrors: Error[] = [];
    const queue = [...deletable];
    const worker = async (): Promise<void> => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        if (signal.aborted) return;
        try {
          const res = await this.deleteAllOf(r, name, deletedAt, signal);
          estimate = Math.max(estimate, res.estimateSeconds);
          if (res.remaining > 0) {
            remainingByGVR.set(r.group ? `${r.resource}.${r.group}` : `${r.resource}.`, res.remaining);
            for (const [f, n] of res.finalizers) remainingByFinalizer.set(f, (remainingByFinalizer.get(f) ?? 0) + n);
          }
        } catch (e) {
          if (signal.aborted) return;
          const err = e instanceof Error ? e : new Error(String(e));
          if (err instanceof GVRError) estimate = Math.max(estimate, err.estimateSeconds);
          contentErrors.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, Math.max(1, queue.length)) }, worker));
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    errors.push(...contentErrors);

    if (remainingByGVR.size) {
      const parts = [...remainingByGVR].map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
      newConditions.push({ type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: nowIso, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${parts.join(', ')}` });
    }
    if (remainingByFinalizer.size) {
      const parts = [...remainingByFinalizer].map(([f, n]) => `${f} in ${n} resource instances`).sort();
      newConditions.push({
        type: 'NamespaceFinalizersRemaining',
        status: 'True',
        lastTransitionTime: nowIso,
        reason: 'SomeFinalizersRemain',
        message: `Some content in the namespace has finalizers remaining: ${parts.join(', ')}`,
      });
    }
    if (contentErrors.length) {
      const msgs = contentErrors.map((e) => e.message).sort();
      newConditions.push({
        type: 'NamespaceDeletionContentFailure',
        status: 'True',
        lastTransitionTime: nowIso,
        reason: 'ContentDeletionFailed',
        message: `Failed to delete all resource types, ${contentErrors.length} remaining: ${msgs.join(', ')}`,
      });
    }
    await this.updateConditions(name, newConditions, nowIso, signal);

    if (errors.length) throw new ContentDeletionError(errors);
    return estimate;
  }

  /** Writes the five deletion conditions when any changed (upstream updateConditions). */
  private async updateConditions(name: string, newConditions: NamespaceCondition[], nowIso: string, signal: AbortSignal): Promise<void> {
    const nsClient = this.client.resource<Namespace & KubeObject>(NAMESPACES);
    for (let attempt = 0; attempt < 5; attempt++) {
      let ns: Namespace;
      try {
        ns = await nsClient.get(name, { signal });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      const next = structuredClone(ns) as Mutable<Namespace>;
      const conditions = (next.status ??= {}).conditions ?? [];
      let changed = false;
      for (const type of CONDITION_TYPES) {
        const wanted = newConditions.find((c) => c.type === type) ?? { type, status: 'False', lastTransitionTime: nowIso, ...OK[type] };
        const old = conditions.find((c) => c.type === type);
        if (!old) {
          conditions.push({ ...wanted });
          changed = true;
        } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
          if (old.status !== wanted.status) old.lastTransitionTime = nowIso;
          old.status = wanted.status;
          old.reason = wanted.reason;
          old.message = wanted.message;
          changed = true;
        }
      }
      if (!changed) return;
      next.status.conditions = conditions;
      try {
        await nsClient.updateStatus(next as Namespace & KubeObject, { signal });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
      }
    }
  }

  /** Empties one resource type in the namespace and reports what is left. */
  private async deleteAllOf(r: ServedResource, namespace: string, deletedAt: number, signal: AbortSignal): Promise<GVRDeletion> {
    const estimate = r.group === '' && r.resource === 'pods' ? await this.estimatePods(namespace, deletedAt, signal) : 0;
    const meta = this.client.metadata(r);
    let deleted = false;
    const dcKey = `${r.group}/${r.resource}/deletecollection`;
    if (r.verbs.includes('deletecollection') && !this.unsupported.has(dcKey)) {
      try {
        await meta.deleteCollection({ namespace, propagationPolicy: 'Background', signal });
        deleted = true;
      } catch (e) {
        if (isMethodNotSupported(e) || isNotFound(e)) this.unsupported.add(dcKey);
        else throw new GVRError(`${describe(r)}: ${(e as Error).message}`, estimate);
      }
    }
    if (!deleted) {
      const items = await this.listItems(r, namespace, signal);
      if (items === undefined) return { estimateSeconds: estimate, remaining: 0, finalizers: new Map() };
      for (const item of items) {
        try {
          await meta.delete(item.metadata!.name!, { namespace, propagationPolicy: 'Background', signal });
        } catch (e) {
          if (!isNotFound(e) && !isMethodNotSupported(e)) throw new GVRError(`${describe(r)}: ${(e as Error).message}`, estimate);
        }
      }
    }
    const left = await this.listItems(r, namespace, signal);
    if (!left || left.length === 0) return { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
    const finalizers = new Map<string, number>();
    for (const item of left) for (const f of item.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate > 0) return { estimateSeconds: estimate, remaining: left.length, finalizers };
    // Items held by finalizers are normal: wait for them (GC, other controllers) to finish.
    if (finalizers.size) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
    // Items still being gracefully deleted are expected too.
    const graceful = left.filter((i) => i.metadata?.deletionTimestamp);
    if (graceful.length === left.length) {
      const wait = Math.max(1, ...graceful.map((i) => Math.ceil((Date.parse(i.metadata!.deletionTimestamp!) - this.now()) / 1000)));
      return { estimateSeconds: wait, remaining: left.length, finalizers };
    }
    throw new GVRError(`unexpected items still remain in namespace: ${namespace} for gvr: ${describeGVR(r)}`, estimate, left.length);
  }

  /** Metadata of every item; undefined when the resource cannot be listed. */
  private async listItems(r: ServedResource, namespace: string, signal: AbortSignal): Promise<KubeObject[] | undefined> {
    const listKey = `${r.group}/${r.resource}/list`;
    if (!r.verbs.includes('list') || this.unsupported.has(listKey)) return undefined;
    try {
      return (await this.client.metadata(r).listAll({ namespace, signal })).items;
    } catch (e) {
      if (isMethodNotSupported(e) || isNotFound(e)) {
        this.unsupported.add(listKey);
        return undefined;
      }
      throw new GVRError(`${describe(r)}: ${(e as Error).message}`, 0);
    }
  }

  /** Seconds until the pods of the namespace should be gone (upstream estimateGracefulTerminationForPods). */
  private async estimatePods(namespace: string, deletedAt: number, signal: AbortSignal): Promise<number> {
    const pods = await this.client.resource(PODS).listAll({ namespace, signal });
    let estimate = 0;
    const elapsed = Math.max(0, (this.now() - deletedAt) / 1000);
    for (const p of pods.items) {
      const phase = (p.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const grace =
        p.metadata?.deletionGracePeriodSeconds ?? (p.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
      estimate = Math.max(estimate, Math.ceil(grace - elapsed));
    }
    return Math.max(0, estimate);
  }
}

class GVRError extends Error {
  constructor(
    message: string,
    readonly estimateSeconds: number,
    readonly remaining = 0,
  ) {
    super(message);
    this.name = 'ContentDeletionError';
  }
}

function describeGVR(r: GroupVersionResource): string {
  return `${r.group}/${r.version}, Resource=${r.resource}`;
}

function describe(r: GroupVersionResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
