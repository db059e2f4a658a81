// Namespace storage (upstream pkg/registry/core/namespace/storage): deleting a namespace with
// spec.finalizers marks it Terminating; the namespace controller empties it and removes its
// finalizer through /finalize; then the namespace goes.

import type { Namespace as WireNamespace } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../../../util/mutable.js';
type Namespace = DeepMutable<WireNamespace>;
import type { ApiObject } from '../../../../api/scheme.js';
import type { Strategy } from '../../generic/strategy.js';
import { GenericStore, nowTime, type DeleteOptions, type DeleteResult, type RequestContext, FINALIZER_ORPHAN } from '../../generic/store.js';
import { newNotFound } from '../../../../machinery/errors.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';

export function namespaceStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['status.phase'],
    fieldSet: (obj: ApiObject) => ({ 'status.phase': (obj as Namespace).status?.phase ?? '' }),
    prepareForCreate(_ctx, obj: ApiObject) {
      const ns = obj as Namespace;
      ns.status = { phase: 'Active' };
      const fins = new Set(ns.spec?.finalizers ?? []);
      fins.add(FINALIZER_KUBERNETES);
      ns.spec = { ...(ns.spec ?? {}), finalizers: [...fins] };
      ns.metadata!.labels = { ...(ns.metadata!.labels ?? {}), [LABEL_METADATA_NAME]: ns.metadata!.name! };
    },
    prepareForUpdate(_ctx, obj: ApiObject, old: ApiObject) {
      const ns = obj as Namespace;
      ns.status = (old as Namespace).status;
      ns.spec = { ...(ns.spec ?? {}), finalizers: (old as Namespace).spec?.finalizers };
      if (!ns.spec.finalizers) delete ns.spec.finalizers;
      ns.metadata!.labels = { ...(ns.metadata!.labels ?? {}), [LABEL_METADATA_NAME]: ns.metadata!.name! };
    },
  };
}

export class NamespaceStore extends GenericStore {
  protected override shouldFinalizeDelete(obj: ApiObject): boolean {
    const ns = obj as Namespace;
    return Boolean(ns.metadata?.deletionTimestamp) && !ns.metadata?.finalizers?.length && !ns.spec?.finalizers?.length;
  }

  override async delete(ctx: RequestContext, name: string, options: DeleteOptions): Promise<DeleteResult> {
    const current = (await this.get(ctx, name)) as Namespace;
    this.checkPreconditions(name, current, options.preconditions);
    await this.opts.admit?.(ctx, 'DELETE', current as ApiObject, current as ApiObject);
    if (!current.spec?.finalizers?.length && !current.metadata?.finalizers?.length) {
      const done = await this.deleteNow(ctx, name, current.metadata?.uid, options.preconditions);
      if (!done) throw newNotFound(this.gr, name);
      return { object: done, deleted: true };
    }
    const orphan = options.propagationPolicy === 'Orphan' || options.orphanDependents === true;
    const updated = await this.storage.guaranteedUpdate<ApiObject>(
      this.key(undefined, name),
      (cur) => {
        if (!cur) throw newNotFound(this.gr, name);
        this.checkPreconditions(name, cur, options.preconditions);
        const ns = structuredClone(cur) as Namespace;
        if (!ns.metadata!.deletionTimestamp) {
          ns.metadata!.deletionTimestamp = nowTime();
          ns.metadata!.deletionGracePeriodSeconds = 0;
        }
        ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
        if (orphan && !ns.metadata!.finalizers?.includes(FINALIZER_ORPHAN)) ns.metadata!.finalizers = [...(ns.metadata!.finalizers ?? []), FINALIZER_ORPHAN];
        return ns as ApiObject;
      },
      { dryRun: ctx.dryRun },
    );
    return { object: updated, deleted: false };
  }

  /** PUT /api/v1/namespaces/{name}/finalize: only spec.finalizers changes. */
  async finalize(ctx: RequestContext, name: string, body: ApiObject): Promise<ApiObject> {
    const { object } = await this.update(ctx, name, (current) => {
      if (!current) throw newNotFound(this.gr, name);
      const next = structuredClone(current) as Namespace;
      const fins = (body as Namespace).spec?.finalizers;
      next.spec = { ...(next.spec ?? {}) };
      if (fins?.length) next.spec.finalizers = fins;
      else delete next.spec.finalizers;
      const rv = body.metadata?.resourceVersion;
      if (rv) next.metadata!.resourceVersion = rv;
      return next as ApiObject;
    }, { finalize: true });
    return object;
  }
}
