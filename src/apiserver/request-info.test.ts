import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('resource paths parse as upstream RequestInfoFactory does', () => {
  const cases: [string, string, string, Partial<ReturnType<typeof parseRequestInfo>>][] = [
    ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods/web', '', { verb: 'get', namespace: 'default', resource: 'pods', name: 'web' }],
    ['GET', '/api/v1/pods', 'watch=true', { verb: 'watch', namespace: undefined, resource: 'pods' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods/x', '', { verb: 'watch', namespace: 'ns', resource: 'pods', name: 'x' }],
    ['POST', '/apis/apps/v1/namespaces/ns/deployments', '', { verb: 'create', group: 'apps', version: 'v1', resource: 'deployments' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale', '', { verb: 'patch', name: 'd', subresource: 'scale' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', '', { verb: 'deletecollection', resource: 'configmaps' }],
    ['GET', '/api/v1/namespaces/kube-system', '', { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: undefined }],
    ['PUT', '/api/v1/namespaces/foo/finalize', '', { verb: 'update', resource: 'namespaces', name: 'foo', subresource: 'finalize' }],
    ['GET', '/api/v1/namespaces/foo/status', '', { verb: 'get', resource: 'namespaces', name: 'foo', subresource: 'status' }],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/proxy/some/path', '', { resource: 'pods', name: 'p', subresource: 'proxy' }],
    ['GET', '/api/v1/nodes/n1', '', { verb: 'get', resource: 'nodes', name: 'n1' }],
  ];
  for (const [method, path, query, want] of cases) {
    const ri = parseRequestInfo(method, path, q(query));
    assert.equal(ri.isResourceRequest, true, path);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((ri as unknown as Record<string, unknown>)[k], v, `${method} ${path}: ${k}`);
  }
});

test('discovery and non-API paths are not resource requests', () => {
  for (const p of ['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3', '/']) {
    assert.equal(parseRequestInfo('GET', p, q()).isResourceRequest, false, p);
  }
});
