// Namespace deletion and garbage collection against a real in-process control plane.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIGMAPS, DEPLOYMENTS, NAMESPACES, SECRETS, type KubeObject } from '../../../src/client/index.js';
import { startCluster, eventually, exists, type Cluster } from './harness.js';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster?.close();
});

function cm(namespace: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...extra }, data: { k: 'v' } };
}

test('deleting a namespace removes its content and then the namespace', async () => {
  const { client } = cluster;
  const ns = 'it-ns-delete';
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.resource(CONFIGMAPS).create(cm(ns, 'a'));
  await client.resource(CONFIGMAPS).create(cm(ns, 'b'));
  await client.resource(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: ns }, stringData: { x: 'y' } });
  await client.resource(DEPLOYMENTS).create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  });

  await client.resource(NAMESPACES).delete(ns);
  await eventually('namespace to be gone', async () => !(await exists(client, NAMESPACES, ns)));
  // Recreate the namespace: nothing of the old content may be listed in it.
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  assert.equal((await client.resource(CONFIGMAPS).list({ namespace: ns })).items.filter((c) => c.metadata?.name !== 'kube-root-ca.crt').length, 0);
  assert.equal((await client.resource(SECRETS).list({ namespace: ns })).items.length, 0);
  assert.equal((await client.resource(DEPLOYMENTS).list({ namespace: ns })).items.length, 0);
});

test('a terminating namespace reports its deletion conditions', async () => {
  const { client } = cluster;
  const ns = 'it-ns-conditions';
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // A finalizer nobody removes keeps the content, and so the namespace, alive.
  await client.resource(CONFIGMAPS).create(cm(ns, 'held', { finalizers: ['example.com/hold'] }));
  await client.resource(NAMESPACES).delete(ns);
  await eventually('content conditions', async () => {
    const got = await client.resource(NAMESPACES).get(ns);
    const conds = (got.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions ?? [];
    const remaining = conds.find((c) => c.type === 'NamespaceContentRemaining');
    const fins = conds.find((c) => c.type === 'NamespaceFinalizersRemaining');
    return (
      remaining?.status === 'True' &&
      remaining.message === 'Some resources are remaining: configmaps. has 1 resource instances' &&
      fins?.status === 'True' &&
      fins.message === 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances'
    );
  });
  assert.ok(await exists(client, NAMESPACES, ns));
  // Release it: the namespace then goes (the controller re-checks after its estimate).
  await client.resource(CONFIGMAPS).patch('held', 'merge', { metadata: { finalizers: null } }, { namespace: ns });
  await eventually('namespace to be gone', async () => !(await exists(client, NAMESPACES, ns)), 30_000);
});

test('background: a dependent goes after its owner', async () => {
  const { client } = cluster;
  const cms = client.resource(CONFIGMAPS);
  const owner = await cms.create(cm('default', 'gc-bg-owner'));
  await cms.create(
    cm('default', 'gc-bg-dep', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gc-bg-owner', uid: owner.metadata!.uid! }] }),
  );
  await cms.delete('gc-bg-owner', { namespace: 'default' });
  await eventually('dependent to be collected', async () => !(await exists(client, CONFIGMAPS, 'gc-bg-dep', 'default')));
});

test('a dependent whose owner never existed is collected', async () => {
  const { client } = cluster;
  await client.resource(CONFIGMAPS).create(
    cm('default', 'gc-dangling', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-000000000001' }] }),
  );
  await eventually('dangling dependent to be collected', async () => !(await exists(client, CONFIGMAPS, 'gc-dangling', 'default')));
});

test('foreground: the owner stays, deleting, until its blocking dependents are gone', async () => {
  const { client } = cluster;
  const cms = client.resource(CONFIGMAPS);
  const owner = await cms.create(cm('default', 'gc-fg-owner'));
  // The dependent is held by a finalizer, so the owner must wait for it.
  await cms.create(
    cm('default', 'gc-fg-dep', {
      finalizers: ['example.com/hold'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gc-fg-owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true }],
    }),
  );
  await cms.delete('gc-fg-owner', { namespace: 'default', propagationPolicy: 'Foreground' });
  await eventually('dependent to be marked for deletion', async () => Boolean((await exists(client, CONFIGMAPS, 'gc-fg-dep', 'default'))?.metadata?.deletionTimestamp));
  const waiting = await exists(client, CONFIGMAPS, 'gc-fg-owner', 'default');
  assert.ok(waiting, 'owner must still exist while a blocking dependent remains');
  assert.ok(waiting.metadata?.deletionTimestamp);
  assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
  await cms.patch('gc-fg-dep', 'merge', { metadata: { finalizers: null } }, { namespace: 'default' });
  await eventually('dependent to be gone', async () => !(await exists(client, CONFIGMAPS, 'gc-fg-dep', 'default')));
  await eventually('owner to be gone', async () => !(await exists(client, CONFIGMAPS, 'gc-fg-owner', 'default')));
});

test('orphan: the dependent stays without the ownerReference', async () => {
  const { client } = cluster;
  const cms = client.resource(CONFIGMAPS);
  const owner = await cms.create(cm('default', 'gc-or-owner'));
  const other = await cms.create(cm('default', 'gc-or-other'));
  await cms.create(
    cm('default', 'gc-or-dep', {
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'gc-or-owner', uid: owner.metadata!.uid! },
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'gc-or-other', uid: other.metadata!.uid! },
      ],
    }),
  );
  await cms.delete('gc-or-owner', { namespace: 'default', propagationPolicy: 'Orphan' });
  await eventually('owner to be gone', async () => !(await exists(client, CONFIGMAPS, 'gc-or-owner', 'default')));
  const dep = await cms.get('gc-or-dep', { namespace: 'default' });
  assert.deepEqual(
    dep.metadata?.ownerReferences?.map((r) => r.name),
    ['gc-or-other'],
  );
  // The remaining owner still holds it.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(await exists(client, CONFIGMAPS, 'gc-or-dep', 'default'));
});
