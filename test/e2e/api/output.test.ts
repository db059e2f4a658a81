// Output formats and list options of `kubectl get` as a user sees them: -o yaml|json|jsonpath|
// custom-columns|name, --show-labels, label and field selectors, --sort-by, -A and `get all`.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { stringify as stringifyYaml } from 'yaml';
import { kubectl, kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { AGE, parseTable, rowOf } from './util.js';

function pod(name: string, namespace: string, labels: Record<string, string>, image: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', image }] },
  };
}

describe('kubectl get output', () => {
  let server: Server;
  before(async () => {
    server = await startServer();
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-out' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-other' } },
      // Created out of name order; images sort the other way round.
      pod('web-b', 'e2e-out', { app: 'b', tier: 'web' }, 'img-1'),
      pod('web-a', 'e2e-out', { app: 'a', tier: 'web' }, 'img-3'),
      pod('db-a', 'e2e-out', { app: 'a', tier: 'db' }, 'img-2'),
      pod('cache-c', 'e2e-out', { app: 'c', tier: 'cache' }, 'img-0'),
      pod('nolabel', 'e2e-out', {}, 'img-4'),
      pod('elsewhere', 'e2e-other', { app: 'a', tier: 'web' }, 'img-5'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'front', namespace: 'e2e-out' },
        spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 443, protocol: 'TCP', name: 'https' }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'store', namespace: 'e2e-out' },
        spec: {
          serviceName: 'front',
          replicas: 0,
          selector: { matchLabels: { app: 'store' } },
          template: { metadata: { labels: { app: 'store' } }, spec: { containers: [{ name: 'main', image: 'img-s' }] } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'e2e-out', labels: { app: 'a' } },
        data: { mode: 'fast', level: '3' },
      },
    ];
    // A multi-document stream (a v1 List is tested in crud.test.ts).
    await kubectlOk(server, ['create', '-f', '-'], { input: objects.map((o) => stringifyYaml(o)).join('---\n') });
  });

  const get = (args: string[]): Promise<string> => kubectlOk(server, ['get', '-n', 'e2e-out', ...args]);

  it('default table lists pods by name', async () => {
    const table = parseTable(await get(['pods']));
    assert.deepEqual(table.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(table.rows.map((r) => r['NAME']), ['cache-c', 'db-a', 'nolabel', 'web-a', 'web-b']);
    for (const row of table.rows) {
      assert.equal(row['READY'], '0/1');
      assert.equal(row['STATUS'], 'Pending');
      assert.equal(row['RESTARTS'], '0');
      assert.match(row['AGE'] ?? '', AGE);
    }
  });

  it('-o yaml prints the object as upstream serialises it', async () => {
    const out = await get(['configmap', 'settings', '-o', 'yaml']);
    assert.match(
      out,
      new RegExp(
        '^apiVersion: v1\\n' +
          'data:\\n  level: "3"\\n  mode: fast\\n' +
          'kind: ConfigMap\\n' +
          'metadata:\\n' +
          '  creationTimestamp: "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"\\n' +
          '  labels:\\n    app: a\\n' +
          '  name: settings\\n' +
          '  namespace: e2e-out\\n' +
          '  resourceVersion: "\\d+"\\n' +
          '  uid: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\n$',
      ),
    );
    const list = await get(['configmaps', '-l', 'app=a', '-o', 'yaml']);
    assert.match(list, /^apiVersion: v1\nitems:\n- apiVersion: v1\n/);
    assert.match(list, /\nkind: List\nmetadata:\n  resourceVersion: ""\n$/);
  });

  it('-o json prints 4-space-indented JSON; a list is a v1 List', async () => {
    const out = await get(['pod', 'web-a', '-o', 'json']);
    assert.match(out, /^\{\n {4}"apiVersion": "v1",\n {4}"kind": "Pod",\n {4}"metadata": \{\n/);
    const obj = JSON.parse(out) as {
      metadata: { labels: Record<string, string>; managedFields?: unknown };
      spec: { containers: { image: string; terminationMessagePolicy: string; resources: unknown }[]; restartPolicy: string; enableServiceLinks: boolean };
      status: { phase: string; qosClass: string };
    };
    assert.deepEqual(obj.metadata.labels, { app: 'a', tier: 'web' });
    assert.equal(obj.metadata.managedFields, undefined, 'managed fields are hidden by default');
    assert.equal(obj.spec.containers[0]?.image, 'img-3');
    assert.equal(obj.spec.containers[0]?.terminationMessagePolicy, 'File');
    assert.deepEqual(obj.spec.containers[0]?.resources, {});
    assert.equal(obj.spec.restartPolicy, 'Always');
    assert.equal(obj.spec.enableServiceLinks, true);
    assert.equal(obj.status.phase, 'Pending');
    assert.equal(obj.status.qosClass, 'BestEffort');
    const list = JSON.parse(await get(['pods', '-o', 'json'])) as { apiVersion: string; kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['cache-c', 'db-a', 'nolabel', 'web-a', 'web-b']);
  });

  it('pods carry what admission sets on every upstream cluster', async () => {
    // Priority, ServiceAccount and DefaultTolerationSeconds admission plugins (on by default).
    const obj = JSON.parse(await get(['pod', 'web-a', '-o', 'json'])) as {
      spec: { preemptionPolicy: string; priority: number; serviceAccountName: string; tolerations: unknown[] };
    };
    assert.equal(obj.spec.priority, 0);
    assert.equal(obj.spec.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(obj.spec.serviceAccountName, 'default');
    assert.deepEqual(obj.spec.tolerations, [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ]);
  });

  it('-o jsonpath', async () => {
    assert.equal(await get(['pods', '-o', 'jsonpath={.items[*].metadata.name}']), 'cache-c db-a nolabel web-a web-b');
    assert.equal(await get(['pod', 'web-b', '-o', 'jsonpath={.metadata.labels.app}/{.spec.containers[0].image}']), 'b/img-1');
    assert.equal(
      await get(['pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.tier}{"\\n"}{end}']),
      'cache-c=cache\ndb-a=db\nnolabel=\nweb-a=web\nweb-b=web\n',
    );
    assert.equal(await get(['pods', '-o', 'jsonpath={.items[?(@.metadata.labels.tier=="db")].metadata.name}']), 'db-a');
    assert.equal(await get(['configmap', 'settings', '-o', 'jsonpath={.data.mode}']), 'fast');
  });

  it('-o custom-columns', async () => {
    const out = await get(['pods', '-o', 'custom-columns=NAME:.metadata.name,APP:.metadata.labels.app,IMAGE:.spec.containers[*].image']);
    assert.equal(
      out,
      [
        'NAME      APP      IMAGE',
        'cache-c   c        img-0',
        'db-a      a        img-2',
        'nolabel   <none>   img-4',
        'web-a     a        img-3',
        'web-b     b        img-1',
        '',
      ].join('\n'),
    );
  });

  it('-o name', async () => {
    assert.equal(await get(['pods', '-o', 'name']), 'pod/cache-c\npod/db-a\npod/nolabel\npod/web-a\npod/web-b\n');
    assert.equal(await get(['statefulsets', '-o', 'name']), 'statefulset.apps/store\n');
    assert.equal(await get(['pods,configmaps', '-l', 'app=a', '-o', 'name']), 'pod/db-a\npod/web-a\nconfigmap/settings\n');
  });

  it('--show-labels adds a LABELS column', async () => {
    const table = parseTable(await get(['pods', '--show-labels']));
    assert.deepEqual(table.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS']);
    assert.equal(rowOf(table, 'web-b')['LABELS'], 'app=b,tier=web');
    assert.equal(rowOf(table, 'nolabel')['LABELS'], '<none>');
    const labelled = parseTable(await get(['pods', '-L', 'app,tier']));
    assert.deepEqual(labelled.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'APP', 'TIER']);
    assert.deepEqual(rowOf(labelled, 'db-a')['TIER'], 'db');
    assert.deepEqual(rowOf(labelled, 'nolabel')['APP'], '');
  });

  it('label selectors: set-based, inequality, existence', async () => {
    const names = async (selector: string): Promise<string> => get(['pods', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(await names('app in (a,b),tier!=db'), 'web-a web-b');
    assert.equal(await names('app notin (a)'), 'cache-c nolabel web-b');
    assert.equal(await names('tier'), 'cache-c db-a web-a web-b');
    assert.equal(await names('!tier'), 'nolabel');
    assert.equal(await names('app=a,tier=web'), 'web-a');
    const none = await kubectl(server, ['get', 'pods', '-n', 'e2e-out', '-l', 'app=zzz']);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, 'No resources found in e2e-out namespace.\n');
    const bad = await kubectl(server, ['get', 'pods', '-n', 'e2e-out', '-l', 'app in a']);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "app in a", field selector "": unable to parse requirement: found \'a\' expected: \'(\'\n',
    );
  });

  it('field selectors', async () => {
    const names = async (args: string[]): Promise<string> => kubectlOk(server, ['get', 'pods', ...args, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(await names(['-n', 'e2e-out', '--field-selector', 'metadata.name=web-a']), 'web-a');
    assert.equal(await names(['-n', 'e2e-out', '--field-selector', 'status.phase=Pending,metadata.name!=web-a']), 'cache-c db-a nolabel web-b');
    assert.equal(await names(['-n', 'e2e-out', '--field-selector', 'spec.nodeName=']), 'cache-c db-a nolabel web-a web-b');
    assert.equal(await names(['-A', '--field-selector', 'metadata.namespace=e2e-other']), 'elsewhere');
    const bad = await kubectl(server, ['get', 'pods', '-n', 'e2e-out', '--field-selector', 'spec.nosuch=x']);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.nosuch=x": field label not supported: spec.nosuch\n',
    );
  });

  it('--sort-by', async () => {
    const table = parseTable(await get(['pods', '--sort-by=.spec.containers[0].image']));
    assert.deepEqual(table.rows.map((r) => r['NAME']), ['cache-c', 'web-b', 'db-a', 'web-a', 'nolabel']);
    // A missing field sorts first; web-a and web-b tie on tier.
    const byTier = (await get(['pods', '--sort-by=.metadata.labels.tier', '-o', 'name'])).trim().split('\n');
    assert.deepEqual(byTier.slice(0, 3), ['pod/nolabel', 'pod/cache-c', 'pod/db-a']);
    assert.deepEqual(byTier.slice(3).sort(), ['pod/web-a', 'pod/web-b']);

  });

  it('-A adds a NAMESPACE column and lists every namespace', async () => {
    const table = parseTable(await kubectlOk(server, ['get', 'pods', '-A', '-l', 'app=a']));
    assert.deepEqual(table.headers, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(
      table.rows.map((r) => `${r['NAMESPACE']}/${r['NAME']}`),
      ['e2e-other/elsewhere', 'e2e-out/db-a', 'e2e-out/web-a'],
    );
    const ns = parseTable(await kubectlOk(server, ['get', 'namespaces']));
    assert.deepEqual(
      ns.rows.map((r) => r['NAME']),
      ['default', 'e2e-other', 'e2e-out', 'kube-node-lease', 'kube-public', 'kube-system'],
    );
  });

  it('get all prints one table per kind of the category all', async () => {
    const out = await get(['all']);
    const sections = out.trimEnd().split('\n\n');
    assert.equal(sections.length, 3, out);
    const pods = parseTable(sections[0] ?? '');
    assert.deepEqual(pods.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(pods.rows.map((r) => r['NAME']), ['pod/cache-c', 'pod/db-a', 'pod/nolabel', 'pod/web-a', 'pod/web-b']);
    const services = parseTable(sections[1] ?? '');
    assert.deepEqual(services.headers, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const front = rowOf(services, 'service/front');
    assert.equal(front['TYPE'], 'ClusterIP');
    assert.equal(front['PORT(S)'], '80/TCP,443/TCP');
    const sets = parseTable(sections[2] ?? '');
    assert.deepEqual(sets.headers, ['NAME', 'READY', 'AGE']);
    assert.equal(rowOf(sets, 'statefulset.apps/store')['READY'], '0/0');
    // -A: a NAMESPACE column in every table, and the kubernetes service of default.
    const everywhere = await kubectlOk(server, ['get', 'all', '-A']);
    assert.match(everywhere, /^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE\n/);
    assert.match(everywhere, /^default +service\/kubernetes +ClusterIP +10\.43\.0\.1 +<none> +443\/TCP +\S+$/m);
    assert.match(everywhere, /^e2e-other +pod\/elsewhere +0\/1 +Pending +0 +\S+$/m);
  });
});
