// A client for tests that answers TokenRequests (`serviceaccounts/<name>/token`) with a token of
// the test's choosing, over a FakeClient for everything else.

import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Interface } from '../../../client/clientset.js';
import type { GroupVersionResource, KubeObject, ResourceClient, WriteOptions } from '../../../client/rest/resource.js';
import type { FakeClient } from '../../../client/testing/fake-client.js';

/** Issues the answer for one request; throw to fail it. */
export type TokenIssuer = (namespace: string, name: string, request: TokenRequest) => TokenRequest;

export class TokenClient implements Interface {
  readonly requests: { namespace: string; name: string; request: TokenRequest }[] = [];

  constructor(
    readonly fake: FakeClient,
    public issue: TokenIssuer,
  ) {}

  get discovery(): never {
    return this.fake.discovery;
  }

  metadata(gvr: GroupVersionResource): ResourceClient<KubeObject> {
    return this.fake.metadata(gvr);
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    const inner = this.fake.resource<T>(gvr);
    if (gvr.resource !== 'serviceaccounts') return inner;
    const createSubresource = async <R>(name: string, sub: string, body: KubeObject, opts: WriteOptions = {}): Promise<R> => {
      // Through the fake first: records the action and fails when the account is missing.
      const status = await inner.createSubresource<R>(name, sub, body, opts);
      if (sub !== 'token') return status;
      const request = structuredClone(body) as unknown as TokenRequest;
      this.requests.push({ namespace: opts.namespace ?? '', name, request });
      return this.issue(opts.namespace ?? '', name, request) as unknown as R;
    };
    return { ...(inner as object), createSubresource } as unknown as ResourceClient<T>;
  }
}
