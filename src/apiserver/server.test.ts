import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptsGzip, metricVerb, negotiateOpenAPIV2 } from './server.js';

test('acceptsGzip takes gzip, x-gzip and * unless their q is 0', () => {
  assert.equal(acceptsGzip(undefined), false);
  assert.equal(acceptsGzip(''), false);
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('deflate, GZIP;q=0.5'), true);
  assert.equal(acceptsGzip('x-gzip'), true);
  assert.equal(acceptsGzip('*'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('identity, br'), false);
});

test('negotiateOpenAPIV2 picks the first acceptable form by preference', () => {
  assert.equal(negotiateOpenAPIV2(undefined), 'json');
  assert.equal(negotiateOpenAPIV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json'), 'protobuf');
  assert.equal(negotiateOpenAPIV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.5, application/json'), 'json');
  assert.equal(negotiateOpenAPIV2('text/html'), undefined);
});

test('metricVerb reports verbs as upstream request metrics do', () => {
  assert.equal(metricVerb('get', '', undefined), 'GET');
  assert.equal(metricVerb('list', '', undefined), 'LIST');
  assert.equal(metricVerb('watch', '', undefined), 'WATCH');
  assert.equal(metricVerb('create', '', 'application/json'), 'POST');
  assert.equal(metricVerb('update', 'status', undefined), 'PUT');
  assert.equal(metricVerb('patch', '', 'application/merge-patch+json'), 'PATCH');
  assert.equal(metricVerb('patch', '', 'application/apply-patch+yaml; charset=utf-8'), 'APPLY');
  assert.equal(metricVerb('deletecollection', '', undefined), 'DELETECOLLECTION');
  assert.equal(metricVerb('create', 'exec', undefined), 'CONNECT');
  assert.equal(metricVerb('get', 'proxy', undefined), 'CONNECT');
  assert.equal(metricVerb('head', '', undefined), 'HEAD');
  assert.equal(metricVerb('propfind', '', undefined), 'other');
  assert.equal(metricVerb('x-made-up-1', '', undefined), 'other');
});
