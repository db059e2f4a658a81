// The official JavaScript client, @kubernetes/client-node 1.4, unchanged against bin/k8ts: it
// loads the kubeconfig the server wrote, lists, creates and watches pods.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { NOT_BUILT, startServer, waitFor } from '../harness.js';
import type { Server } from '../harness.js';
import { apiFor, podManifest } from './api.js';
import type { Api } from './api.js';

const NS = 'client-node';

describe('@kubernetes/client-node 1.4 against k8ts', { skip: NOT_BUILT }, () => {
  let server: Server;
  let api: Api;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    server = await startServer();
    api = apiFor(server);
    await api.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    api?.close();
    await server?.dispose();
  });

  it('lists pods', async () => {
    for (const name of ['list-a', 'list-b']) await api.ok('POST', `/api/v1/namespaces/${NS}/pods`, podManifest(name, { test: 'list' }));
    await api.ok('POST', `/api/v1/namespaces/${NS}/pods`, podManifest('list-other', { test: 'other' }));

    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'test=list' });
    assert.deepEqual(list.items.map((p) => p.metadata?.name).sort(), ['list-a', 'list-b']);
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    for (const pod of list.items) {
      assert.equal(pod.metadata?.namespace, NS);
      assert.equal(pod.spec?.containers[0]?.image, 'busybox');
      assert.ok(pod.metadata?.creationTimestamp instanceof Date, 'creationTimestamp is parsed into a Date');
    }

    const all = await core.listPodForAllNamespaces({ labelSelector: 'test in (list,other)' });
    assert.deepEqual(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort(), [`${NS}/list-a`, `${NS}/list-b`, `${NS}/list-other`]);

    const page = await core.listNamespacedPod({ namespace: NS, limit: 1 });
    assert.equal(page.items.length, 1);
    assert.ok(page.metadata?._continue, 'a limited list returns a continue token');
    const rest = await core.listNamespacedPod({ namespace: NS, limit: 5, _continue: page.metadata?._continue });
    assert.equal(page.items.length + rest.items.length, 3);
  });

  it('creates a pod', async () => {
    const body: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'create-me', labels: { test: 'create' } },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
    };
    const created = await core.createNamespacedPod({ namespace: NS, body });
    assert.equal(created.metadata?.name, 'create-me');
    assert.equal(created.metadata?.namespace, NS);
    assert.ok(created.metadata?.uid, 'the server assigned a uid');
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    // Defaults the API server applies to every pod.
    assert.equal(created.spec?.restartPolicy, 'Always');
    assert.equal(created.spec?.dnsPolicy, 'ClusterFirst');
    assert.equal(created.spec?.containers[0]?.terminationMessagePath, '/dev/termination-log');
    assert.equal(created.spec?.containers[0]?.imagePullPolicy, 'Always');
    assert.equal(created.status?.phase, 'Pending');

    const read = await core.readNamespacedPod({ name: 'create-me', namespace: NS });
    assert.equal(read.metadata?.uid, created.metadata?.uid);

    // A second create of the same name is refused with 409 AlreadyExists, as a Status.
    await assert.rejects(core.createNamespacedPod({ namespace: NS, body }), (err: unknown) => {
      assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
      assert.equal(err.code, 409);
      const status = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { reason?: string; kind?: string };
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'AlreadyExists');
      return true;
    });
  });

  it('watches pods: ADDED on create, DELETED on delete', async (t) => {
    const events: { type: string; name: string }[] = [];
    let ended: unknown = 'still watching';
    const watch = new Watch(kc);
    const started = watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'test=watch' },
      (type: string, obj: V1Pod) => events.push({ type, name: obj.metadata?.name ?? '' }),
      (err: unknown) => {
        ended = err ?? 'closed';
      },
    );
    // Not awaited: if the watch never starts, stopping the server ends it.
    t.after(() => {
      void started.then(
        (c) => c.abort(),
        () => undefined,
      );
    });
    // watch() resolves once the response headers arrive: the server must send them before any
    // event (upstream flushes at once), or this client waits forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      started,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the watch was not established within 10 s: no response headers before the first event')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));

    await core.createNamespacedPod({ namespace: NS, body: podManifest('watch-me', { test: 'watch' }) as V1Pod });
    await waitFor(() => events.some((e) => e.type === 'ADDED' && e.name === 'watch-me'), {
      timeoutMs: 15_000,
      description: `ADDED for watch-me (events so far: ${JSON.stringify(events)}, watch: ${String(ended)})`,
    });

    await core.deleteNamespacedPod({ name: 'watch-me', namespace: NS, gracePeriodSeconds: 0 });
    await waitFor(() => events.some((e) => e.type === 'DELETED' && e.name === 'watch-me'), {
      timeoutMs: 15_000,
      description: `DELETED for watch-me (events so far: ${JSON.stringify(events)}, watch: ${String(ended)})`,
    });

    // Only the watched pod's own events, in order, and the watch is still open.
    const types = events.filter((e) => e.name === 'watch-me').map((e) => e.type);
    assert.equal(types[0], 'ADDED');
    assert.equal(types[types.length - 1], 'DELETED');
    assert.deepEqual(types.filter((x) => x !== 'ADDED' && x !== 'MODIFIED' && x !== 'DELETED'), []);
    assert.equal(ended, 'still watching');
  });
});
