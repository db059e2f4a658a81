// PUT /api/v1/namespaces/{name}/finalize: the namespace controller removes its finalizer here.

import type { SubresourceHandler } from '../../../endpoints/resource.js';
import { parseBody, isPlainObject, negotiateOutput } from '../../../endpoints/codec.js';
import { writeBody } from '../../../endpoints/response.js';
import { newBadRequest, newMethodNotSupported } from '../../../../machinery/errors.js';
import type { ApiObject } from '../../../../api/scheme.js';
import type { NamespaceStore } from './storage.js';

export function namespaceFinalizeHandler(registry: { store(group: string, resource: string): unknown }): SubresourceHandler {
  return {
    async handle(hc) {
      if (hc.ri.verb !== 'update') throw newMethodNotSupported({ group: '', resource: 'namespaces/finalize' }, hc.ri.verb);
      const output = negotiateOutput(hc.req.headers.accept, false);
      const body = parseBody(await hc.readBody(), 'json');
      if (!isPlainObject(body)) throw newBadRequest('the body of a finalize request must be a Namespace');
      const store = registry.store('', 'namespaces') as NamespaceStore;
      const ctx = hc.requestContext(hc.query.getAll('dryRun').includes('All'));
      const out = await store.finalize(ctx, hc.ri.name, body as ApiObject);
      writeBody(hc.res, 200, out, output.kind === 'yaml' ? 'yaml' : 'json');
    },
  };
}
