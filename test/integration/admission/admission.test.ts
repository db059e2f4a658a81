// Pod admission against a real in-process control plane: the namespace's `default`
// ServiceAccount and `kube-root-ca.crt` appear, and a new pod gets its account, token
// volume, priority and default tolerations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { ControlPlane, completeServerConfig } from '../../../src/daemons/index.js';
import { nopLogger } from '../../../src/logging/index.js';
import { configFromKubeconfig, createClient, CONFIGMAPS, NAMESPACES, PODS, type Clientset, type KubeObject } from '../../../src/client/index.js';

const SERVICEACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true };
const PRIORITYCLASSES = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', namespaced: false };
const NS = 'it-admission';

let cp: ControlPlane;
let client: Clientset;
let dataDir: string;
let caPem: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-admission-it-'));
  cp = new ControlPlane(completeServerConfig({ dataDir, httpsPort: 0, disableAgent: true, logLevel: 'silent', bindAddress: '127.0.0.1' }), nopLogger());
  await cp.start();
  const cfg = configFromKubeconfig(await readFile(cp.kubeconfigPath, 'utf8'));
  caPem = cfg.caPem ?? '';
  client = createClient(cfg);
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  client?.close();
  try {
    await cp?.close();
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
});

async function eventually<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await get();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pod(name: string, spec: Partial<Pod['spec']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

async function rejectsWith(p: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { code?: number }).code, code);
    assert.equal((e as Error).message, message);
    return true;
  });
}

test('a new namespace gets the default ServiceAccount and kube-root-ca.crt', async () => {
  await eventually('default service account', () => client.resource(SERVICEACCOUNTS).get('default', { namespace: NS }));
  const cm = (await eventually('kube-root-ca.crt', () => client.resource(CONFIGMAPS).get('kube-root-ca.crt', { namespace: NS }))) as ConfigMap & KubeObject;
  assert.equal(cm.data?.['ca.crt'], caPem);
  assert.match(cm.metadata?.annotations?.['kubernetes.io/description'] ?? '', /^Contains a CA bundle that can be used to verify the kube-apiserver/);

  // Both come back after deletion or an edit.
  await client.resource(SERVICEACCOUNTS).delete('default', { namespace: NS });
  await eventually('default service account recreated', () => client.resource(SERVICEACCOUNTS).get('default', { namespace: NS }));
  await client.resource(CONFIGMAPS).update({ ...cm, data: { 'ca.crt': 'edited' } }, { namespace: NS });
  await eventually('kube-root-ca.crt repaired', async () => {
    const got = (await client.resource(CONFIGMAPS).get('kube-root-ca.crt', { namespace: NS })) as ConfigMap & KubeObject;
    return got.data?.['ca.crt'] === caPem ? got : undefined;
  });
});

test('a pod is admitted with account, token volume, priority and tolerations', async () => {
  await eventually('default service account', () => client.resource(SERVICEACCOUNTS).get('default', { namespace: NS }));
  const created = (await client.resource(PODS).create(pod('p1'), { namespace: NS })) as Pod & KubeObject;
  const spec = created.spec!;
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(
    spec.tolerations?.map((t) => [t.key, t.operator, t.effect, t.tolerationSeconds]),
    [
      ['node.kubernetes.io/not-ready', 'Exists', 'NoExecute', 300],
      ['node.kubernetes.io/unreachable', 'Exists', 'NoExecute', 300],
    ],
  );
  const vol = spec.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, 'kube-api-access volume');
  assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.equal(vol.projected?.defaultMode, 420);
  assert.deepEqual(vol.projected?.sources, [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ]);
  assert.deepEqual(spec.containers[0]?.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);

  // What was admitted is what is stored.
  const got = (await client.resource(PODS).get('p1', { namespace: NS })) as Pod & KubeObject;
  assert.deepEqual(got.spec?.volumes, spec.volumes);
});

test('automountServiceAccountToken false leaves the pod without the token volume', async () => {
  await eventually('default service account', () => client.resource(SERVICEACCOUNTS).get('default', { namespace: NS }));
  const created = (await client.resource(PODS).create(pod('p-nomount', { automountServiceAccountToken: false }), { namespace: NS })) as Pod & KubeObject;
  assert.equal(created.spec?.volumes?.some((v) => v.name.startsWith('kube-api-access-')) ?? false, false);
  assert.equal(created.spec?.containers[0]?.volumeMounts, undefined);
});

test('a missing ServiceAccount or PriorityClass is Forbidden with upstream messages', async () => {
  await rejectsWith(
    client.resource(PODS).create(pod('p-sa', { serviceAccountName: 'nope' }), { namespace: NS }),
    403,
    `pods "p-sa" is forbidden: error looking up service account ${NS}/nope: serviceaccount "nope" not found`,
  );
  await rejectsWith(
    client.resource(PODS).create(pod('p-pc', { priorityClassName: 'foo' }), { namespace: NS }),
    403,
    'pods "p-pc" is forbidden: no PriorityClass with name foo was found',
  );
});

test('system priority classes exist and resolve', async () => {
  const pc = await client.resource(PRIORITYCLASSES).get('system-node-critical');
  assert.equal(pc.value, 2000001000);
  await eventually('default service account', () => client.resource(SERVICEACCOUNTS).get('default', { namespace: NS }));
  const created = (await client.resource(PODS).create(pod('p-crit', { priorityClassName: 'system-cluster-critical' }), { namespace: NS })) as Pod & KubeObject;
  assert.equal(created.spec?.priority, 2000000000);
  assert.equal(created.spec?.preemptionPolicy, 'PreemptLowerPriority');
});
