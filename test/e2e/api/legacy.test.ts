// The seed manifests in API versions upstream has removed: seed 000's extensions/v1beta1
// Deployment and Ingress and its rbac.authorization.k8s.io/v1beta1 ClusterRole and
// ClusterRoleBinding are created with `kubectl create -f` (validation on) and read back in both
// the old and the current version.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kubectl, kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { AGE, FIXTURES, parseTable, rowOf } from './util.js';

const SEED = join(FIXTURES, 'seed-000');

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid: string };
  spec: Record<string, unknown>;
  rules?: unknown;
  roleRef?: unknown;
  subjects?: unknown;
}

describe('seed 000 manifests in removed API versions', () => {
  let server: Server;
  const get = async (args: string[]): Promise<Obj> => JSON.parse(await kubectlOk(server, ['get', ...args, '-o', 'json'])) as Obj;

  before(async () => {
    server = await startServer();
    await kubectlOk(server, ['create', '-f', '-'], { input: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"yunlong"}}' });
  });

  it('kubectl create -f accepts all four legacy manifests', async () => {
    const result = await kubectl(server, ['create', '-n', 'yunlong', '-f', join(SEED, 'kube-app-rbac-setup.yaml'), '-f', join(SEED, 'kube-app-deployment.yaml'), '-f', join(SEED, 'kube-app-ingress.yaml')]);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'clusterrole.rbac.authorization.k8s.io/cloud:service created',
      'clusterrolebinding.rbac.authorization.k8s.io/default created',
      'deployment.extensions/kube-app created',
      'ingress.extensions/kube-app-ingress created',
    ]);
    assert.equal(result.code, 0);
  });

  it('the Deployment reads back as extensions/v1beta1 and as apps/v1', async () => {
    const old = await get(['deployments.v1beta1.extensions', 'kube-app', '-n', 'yunlong']);
    assert.equal(old.apiVersion, 'extensions/v1beta1');
    assert.equal(old.kind, 'Deployment');
    assert.deepEqual(old.metadata.labels, { run: 'kube-app' });
    assert.equal(old.spec['replicas'], 1);
    assert.deepEqual(old.spec['selector'], { matchLabels: { run: 'kube-app' } });
    const template = old.spec['template'] as { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
    assert.deepEqual(template.metadata.labels, { run: 'kube-app' });
    assert.equal(template.spec.containers[0]?.name, 'kube-app');
    assert.equal(template.spec.containers[0]?.image, 'registry.cn-hangzhou.aliyuncs.com/k8s-mirrors/kube-app:2.0.2');

    const cur = await get(['deployments.v1.apps', 'kube-app', '-n', 'yunlong']);
    assert.equal(cur.apiVersion, 'apps/v1');
    assert.equal(cur.metadata.uid, old.metadata.uid, 'one object, two versions');
    assert.deepEqual(cur.spec['selector'], { matchLabels: { run: 'kube-app' } });
    assert.deepEqual(cur.spec['template'], old.spec['template']);
    // `kubectl get deployments` (apps/v1) lists it with the usual columns.
    const row = rowOf(parseTable(await kubectlOk(server, ['get', 'deployments', '-n', 'yunlong', '-o', 'wide'])), 'kube-app');
    assert.equal(row['CONTAINERS'], 'kube-app');
    assert.equal(row['IMAGES'], 'registry.cn-hangzhou.aliyuncs.com/k8s-mirrors/kube-app:2.0.2');
    assert.equal(row['SELECTOR'], 'run=kube-app');
  });

  it('the Deployment created as extensions/v1beta1 got that version\'s defaults', async () => {
    // extensions/v1beta1 defaulted (pkg/apis/extensions/v1beta1/defaults.go, as served up to
    // v1.15): maxSurge/maxUnavailable 1, revisionHistoryLimit and progressDeadlineSeconds MaxInt32.
    const old = await get(['deployments.v1beta1.extensions', 'kube-app', '-n', 'yunlong']);
    assert.deepEqual(old.spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
    assert.equal(old.spec['revisionHistoryLimit'], 2147483647);
    assert.equal(old.spec['progressDeadlineSeconds'], 2147483647);
    const cur = await get(['deployments.v1.apps', 'kube-app', '-n', 'yunlong']);
    assert.deepEqual(cur.spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
    assert.equal(cur.spec['revisionHistoryLimit'], 2147483647);
  });

  it('the Ingress reads back as extensions/v1beta1 and as networking.k8s.io/v1', async () => {
    const old = await get(['ingresses.v1beta1.extensions', 'kube-app-ingress', '-n', 'yunlong']);
    assert.equal(old.apiVersion, 'extensions/v1beta1');
    assert.equal(old.kind, 'Ingress');
    assert.deepEqual(old.metadata.annotations, { 'nginx.ingress.kubernetes.io/rewrite-target': '/' });
    assert.deepEqual(old.spec['rules'], [
      {
        host: 'kube-app.yunlong.com',
        http: { paths: [{ backend: { serviceName: 'kube-app', servicePort: 7001 }, pathType: 'ImplementationSpecific' }] },
      },
    ]);

    const cur = await get(['ingresses.v1.networking.k8s.io', 'kube-app-ingress', '-n', 'yunlong']);
    assert.equal(cur.apiVersion, 'networking.k8s.io/v1');
    assert.equal(cur.metadata.uid, old.metadata.uid);
    assert.deepEqual(cur.spec['rules'], [
      {
        host: 'kube-app.yunlong.com',
        http: { paths: [{ backend: { service: { name: 'kube-app', port: { number: 7001 } } }, pathType: 'ImplementationSpecific' }] },
      },
    ]);
    const table = parseTable(await kubectlOk(server, ['get', 'ingress', '-n', 'yunlong']));
    assert.deepEqual(table.headers, ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    const row = rowOf(table, 'kube-app-ingress');
    assert.equal(row['CLASS'], '<none>');
    assert.equal(row['HOSTS'], 'kube-app.yunlong.com');
    assert.equal(row['ADDRESS'], '');
    assert.equal(row['PORTS'], '80');
    assert.match(row['AGE'] ?? '', AGE);
  });

  it('the ClusterRole and ClusterRoleBinding read back as rbac v1beta1 and v1', async () => {
    const rules = [
      { apiGroups: [''], resources: ['nodes', 'services', 'endpoints', 'pods', 'configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['extensions'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
    ];
    for (const version of ['v1beta1', 'v1']) {
      const role = await get([`clusterroles.${version}.rbac.authorization.k8s.io`, 'cloud:service']);
      assert.equal(role.apiVersion, `rbac.authorization.k8s.io/${version}`);
      assert.equal(role.kind, 'ClusterRole');
      assert.deepEqual(role.rules, rules);
      const binding = await get([`clusterrolebindings.${version}.rbac.authorization.k8s.io`, 'default']);
      assert.equal(binding.apiVersion, `rbac.authorization.k8s.io/${version}`);
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cloud:service' });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'default', namespace: 'yunlong' }]);
    }
    const row = rowOf(parseTable(await kubectlOk(server, ['get', 'clusterrolebinding', 'default', '-o', 'wide'])), 'default');
    assert.equal(row['ROLE'], 'ClusterRole/cloud:service');
    assert.equal(row['SERVICEACCOUNTS'], 'yunlong/default');
  });

  it('legacy objects can be replaced through the old version and deleted', async () => {
    const scaled = await kubectl(server, ['patch', 'deployments.v1beta1.extensions', 'kube-app', '-n', 'yunlong', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    assert.equal(scaled.stdout, 'deployment.extensions/kube-app patched\n');
    assert.equal(await kubectlOk(server, ['get', 'deployments.v1.apps', 'kube-app', '-n', 'yunlong', '-o', 'jsonpath={.spec.replicas}']), '3');
    const del = await kubectl(server, ['delete', '-n', 'yunlong', '-f', join(SEED, 'kube-app-ingress.yaml')]);
    assert.equal(del.stdout, 'ingress.extensions "kube-app-ingress" deleted\n');
    assert.equal((await kubectl(server, ['get', 'ingress', 'kube-app-ingress', '-n', 'yunlong'])).code, 1);
  });
});
