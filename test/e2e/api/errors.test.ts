// Errors as kubectl 1.32 prints them against a v1.32 server: strict decoding, validation,
// conflicts, not-found, and the lifecycle of a namespace being deleted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kubectl, kubectlOk, startServer, waitFor } from '../harness.js';
import type { Server } from '../harness.js';
import { FIXTURES, api, parseTable, rowOf } from './util.js';

const ERRORS = join(FIXTURES, 'errors');

describe('errors through kubectl', () => {
  let server: Server;
  const create = (manifest: unknown, ns?: string): ReturnType<typeof kubectl> =>
    kubectl(server, ['create', '-f', '-', ...(ns ? ['-n', ns] : [])], { input: JSON.stringify(manifest) });

  before(async () => {
    server = await startServer();
  });

  it('an unknown field fails strict validation (BadRequest)', async () => {
    const file = join(ERRORS, 'pod-unknown-field.yaml');
    const result = await kubectl(server, ['create', '-f', file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `Error from server (BadRequest): error when creating "${file}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolice"\n`,
    );
    assert.equal((await kubectl(server, ['get', 'pod', 'e2e-typo'])).code, 1, 'nothing was created');
    // --validate=false drops the field instead (fieldValidation=Ignore).
    const lax = await kubectl(server, ['create', '-f', file, '--validate=false']);
    assert.equal(lax.stdout, 'pod/e2e-typo created\n');
    assert.equal(lax.code, 0, lax.stderr);
  });

  it('a duplicate field fails strict validation too (raw API, fieldValidation=Strict)', async () => {
    // kubectl itself collapses duplicate keys, so this goes to the API directly.
    const res = await api(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"e2e-dup"},"data":{"a":"1"},"data":{"b":"2"}}',
    );
    assert.equal(res.status, 400, res.body);
    const status = JSON.parse(res.body) as { kind: string; status: string; reason: string; code: number; message: string };
    assert.equal(status.kind, 'Status');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.code, 400);
    assert.equal(status.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data"');
    // fieldValidation=Warn: created, with a Warning header instead.
    const warn = await api(
      server,
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Warn',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"e2e-dup"},"data":{"a":"1"},"nope":1}',
    );
    assert.equal(warn.status, 201, warn.body);
  });

  it('an invalid name is rejected with the RFC 1123 message (Invalid)', async () => {
    const result = await kubectl(server, ['create', '-f', join(ERRORS, 'pod-bad-name.yaml')]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')\n',
    );
  });

  it('a missing required field is reported with its path', async () => {
    const result = await kubectl(server, ['create', '-f', join(ERRORS, 'pod-no-image.yaml')]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'The Pod "e2e-noimage" is invalid: spec.containers[0].image: Required value\n');
  });

  it('several validation errors are listed one per line', async () => {
    const result = await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'e2e-baddeploy' },
      spec: { replicas: -1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }] } } },
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'The Deployment "e2e-baddeploy" is invalid: \n' +
        '* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n' +
        '* spec.template.spec.containers[0].image: Required value\n',
    );
  });

  it('creating what exists is AlreadyExists', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-twice' } };
    assert.equal((await create(cm)).code, 0);
    const again = await create(cm);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "e2e-twice" already exists\n');
  });

  it('replace with a stale resourceVersion is a 409 Conflict', async () => {
    assert.equal((await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-stale' }, data: { a: '1' } })).code, 0);
    const stale = await kubectlOk(server, ['get', 'configmap', 'e2e-stale', '-o', 'json']);
    await kubectlOk(server, ['label', 'configmap', 'e2e-stale', 'changed=yes']);
    const edited = JSON.parse(stale) as { data: Record<string, string> };
    edited.data['a'] = '2';
    const result = await kubectl(server, ['replace', '-f', '-'], { input: JSON.stringify(edited) });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "e2e-stale": the object has been modified; please apply your changes to the latest version and try again\n',
    );
    assert.equal(await kubectlOk(server, ['get', 'configmap', 'e2e-stale', '-o', 'jsonpath={.data.a}']), '1');
    // Without a resourceVersion the replace is unconditional and succeeds.
    const fresh = JSON.parse(stale) as { metadata: { resourceVersion?: string }; data: Record<string, string> };
    delete fresh.metadata.resourceVersion;
    fresh.data['a'] = '3';
    assert.equal(await kubectlOk(server, ['replace', '-f', '-'], { input: JSON.stringify(fresh) }), 'configmap/e2e-stale replaced\n');
  });

  it('not-found errors: objects, namespaces, resource types', async () => {
    const pod = await kubectl(server, ['get', 'pod', 'e2e-missing']);
    assert.equal(pod.code, 1);
    assert.equal(pod.stderr, 'Error from server (NotFound): pods "e2e-missing" not found\n');
    const ns = await kubectl(server, ['get', 'namespace', 'e2e-nowhere']);
    assert.equal(ns.code, 1);
    assert.equal(ns.stderr, 'Error from server (NotFound): namespaces "e2e-nowhere" not found\n');
    const into = await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-lost' } }, 'e2e-nowhere');
    assert.equal(into.code, 1);
    assert.equal(into.stderr, 'Error from server (NotFound): error when creating "STDIN": namespaces "e2e-nowhere" not found\n');
    const list = await kubectl(server, ['get', 'pods', '-n', 'e2e-nowhere']);
    assert.equal(list.code, 0);
    assert.equal(list.stdout, '');
    assert.equal(list.stderr, 'No resources found in e2e-nowhere namespace.\n');
    const type = await kubectl(server, ['get', 'nosuchthings']);
    assert.equal(type.code, 1);
    assert.equal(type.stderr, 'error: the server doesn\'t have a resource type "nosuchthings"\n');
  });

  it('deleting a namespace: Terminating, new content forbidden, contents removed, then gone', async () => {
    assert.equal((await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-doomed' } })).code, 0);
    const ns = JSON.parse(await kubectlOk(server, ['get', 'ns', 'e2e-doomed', '-o', 'json'])) as {
      spec: { finalizers: string[] };
      status: { phase: string };
      metadata: { labels: Record<string, string> };
    };
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'e2e-doomed' });
    assert.equal((await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } }, 'e2e-doomed')).code, 0);
    // A finalizer on one object keeps the namespace Terminating until the test removes it.
    const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    assert.equal((await create(held, 'e2e-doomed')).code, 0);

    const del = await kubectl(server, ['delete', 'namespace', 'e2e-doomed', '--wait=false']);
    assert.equal(del.stdout, 'namespace "e2e-doomed" deleted\n');
    const row = rowOf(parseTable(await kubectlOk(server, ['get', 'ns', 'e2e-doomed'])), 'e2e-doomed');
    assert.equal(row['STATUS'], 'Terminating');

    const forbidden = await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } }, 'e2e-doomed');
    assert.equal(forbidden.code, 1);
    assert.equal(
      forbidden.stderr,
      'Error from server (Forbidden): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace e2e-doomed because it is being terminated\n',
    );

    // The namespace controller deletes the contents; the held object waits for its finalizer.
    await waitFor(async () => (await kubectl(server, ['get', 'configmap', 'plain', '-n', 'e2e-doomed'])).code === 1, {
      timeoutMs: 30_000,
      description: 'the namespace controller to delete configmap plain',
    });
    await waitFor(
      async () => (await kubectlOk(server, ['get', 'configmap', 'held', '-n', 'e2e-doomed', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) !== '',
      { timeoutMs: 30_000, description: 'configmap held to be marked for deletion' },
    );
    assert.equal(rowOf(parseTable(await kubectlOk(server, ['get', 'ns', 'e2e-doomed'])), 'e2e-doomed')['STATUS'], 'Terminating');
    await kubectlOk(server, ['patch', 'configmap', 'held', '-n', 'e2e-doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor(async () => (await kubectl(server, ['get', 'ns', 'e2e-doomed'])).code === 1, {
      timeoutMs: 30_000,
      description: 'namespace e2e-doomed to be gone',
    });
    assert.equal((await kubectl(server, ['get', 'ns', 'e2e-doomed'])).stderr, 'Error from server (NotFound): namespaces "e2e-doomed" not found\n');
  });

  it('the default namespaces cannot be deleted', async () => {
    const result = await kubectl(server, ['delete', 'namespace', 'default', '--wait=false']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n');
  });
});
