// CertificateSigningRequest strategy (upstream pkg/registry/certificates/certificates/strategy.go):
// the requesting user is recorded from the request, never from the body; status (and its
// approval conditions) only through the status/approval subresources.

import type { Strategy, StrategyContext } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

export function csrStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['spec.signerName'],
    fieldSet: (o: ApiObject) => ({ 'spec.signerName': String(o.spec?.signerName ?? '') }),
    prepareForCreate(ctx: StrategyContext, obj: ApiObject) {
      const spec = (obj.spec ??= {});
      spec.username = ctx.user.name;
      if (ctx.user.uid) spec.uid = ctx.user.uid;
      else delete spec.uid;
      if (ctx.user.groups.length) spec.groups = [...ctx.user.groups];
      else delete spec.groups;
      if (ctx.user.extra && Object.keys(ctx.user.extra).length) spec.extra = ctx.user.extra;
      else delete spec.extra;
      delete obj.status;
    },
    prepareForUpdate(_ctx: StrategyContext, obj: ApiObject, old: ApiObject) {
      obj.status = old.status;
    },
  };
}
