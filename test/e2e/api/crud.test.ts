// Create, read, update and delete through kubectl 1.32 as a user sees it: one manifest of every
// kind in the catalogue, the columns `get` prints for them, describe with events, deletion
// (waiting, cascading, finalizers), the imperative `create` subcommands, label/annotate/patch,
// `wait --for=delete` and server-side dry runs.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kubectl, kubectlOk, startServer, waitFor } from '../harness.js';
import type { Server } from '../harness.js';
import { AGE, FIXTURES, KINDS_DIR, parseTable, rowOf } from './util.js';

/** What `kubectl create -f fixtures/kinds/` prints, in file order. */
const KINDS_CREATED = [
  'namespace/e2e-kinds created',
  'configmap/e2e-cm created',
  'secret/e2e-secret created',
  'serviceaccount/e2e-sa created',
  'pod/e2e-pod created',
  'service/e2e-svc created',
  'endpoints/e2e-ep created',
  'event/e2e-pod.e2e1 created',
  'limitrange/e2e-limits created',
  'node/e2e-node created',
  'persistentvolume/e2e-pv created',
  'persistentvolumeclaim/e2e-pvc created',
  'podtemplate/e2e-podtemplate created',
  'replicationcontroller/e2e-rc created',
  'resourcequota/e2e-quota created',
  'mutatingwebhookconfiguration.admissionregistration.k8s.io/e2e-mutating created',
  'validatingwebhookconfiguration.admissionregistration.k8s.io/e2e-validating created',
  'validatingadmissionpolicy.admissionregistration.k8s.io/e2e-policy created',
  'validatingadmissionpolicybinding.admissionregistration.k8s.io/e2e-policy-binding created',
  'customresourcedefinition.apiextensions.k8s.io/widgets.e2e.example.com created',
  'controllerrevision.apps/e2e-revision created',
  'daemonset.apps/e2e-ds created',
  'deployment.apps/e2e-deploy created',
  'replicaset.apps/e2e-rs created',
  'statefulset.apps/e2e-sts created',
  'horizontalpodautoscaler.autoscaling/e2e-hpa created',
  'cronjob.batch/e2e-cronjob created',
  'job.batch/e2e-job created',
  'certificatesigningrequest.certificates.k8s.io/e2e-csr created',
  'lease.coordination.k8s.io/e2e-lease created',
  'endpointslice.discovery.k8s.io/e2e-slice created',
  'event.events.k8s.io/e2e-pod.e2e2 created',
  'ingressclass.networking.k8s.io/e2e-class created',
  'ingress.networking.k8s.io/e2e-ingress created',
  'networkpolicy.networking.k8s.io/e2e-netpol created',
  'runtimeclass.node.k8s.io/e2e-runtime created',
  'poddisruptionbudget.policy/e2e-pdb created',
  'clusterrole.rbac.authorization.k8s.io/e2e-clusterrole created',
  'clusterrolebinding.rbac.authorization.k8s.io/e2e-clusterrolebinding created',
  'role.rbac.authorization.k8s.io/e2e-role created',
  'rolebinding.rbac.authorization.k8s.io/e2e-rolebinding created',
  'priorityclass.scheduling.k8s.io/e2e-priority created',
  'csidriver.storage.k8s.io/e2e.csi.example.com created',
  'csinode.storage.k8s.io/e2e-node created',
  'csistoragecapacity.storage.k8s.io/e2e-capacity created',
  'storageclass.storage.k8s.io/e2e-sc created',
  'volumeattachment.storage.k8s.io/e2e-attachment created',
];

interface ColumnCase {
  /** `kubectl get` arguments (resource and name). */
  args: string[];
  headers: string[];
  /** Extra headers with -o wide (appended unless `wideHeaders` gives the whole list). */
  wide?: string[];
  wideHeaders?: string[];
  /** Cells of the named row (exact, or a RegExp), default columns. */
  cells: Record<string, string | RegExp>;
  /** Cells only present with -o wide. */
  wideCells?: Record<string, string | RegExp>;
  /** Which row to check (column NAME by default). */
  row?: [column: string, value: string];
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Upstream v1.32 printers (pkg/printers/internalversion) for the objects in fixtures/kinds. */
const COLUMNS: ColumnCase[] = [
  {
    args: ['pods', 'e2e-pod'],
    headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    cells: { NAME: 'e2e-pod', READY: '0/1', STATUS: 'Pending', RESTARTS: '0', AGE },
    wideCells: { IP: '<none>', NODE: 'e2e-node', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' },
  },
  {
    args: ['services', 'e2e-svc'],
    headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wide: ['SELECTOR'],
    cells: { TYPE: 'ClusterIP', 'CLUSTER-IP': /^10\.43\.\d+\.\d+$/, 'EXTERNAL-IP': '<none>', 'PORT(S)': '80/TCP', AGE },
    wideCells: { SELECTOR: 'app=e2e' },
  },
  {
    args: ['deployments', 'e2e-deploy'],
    headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { READY: '0/0', 'UP-TO-DATE': '0', AVAILABLE: '0', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: 'app=e2e-deploy' },
  },
  { args: ['configmaps', 'e2e-cm'], headers: ['NAME', 'DATA', 'AGE'], cells: { DATA: '1', AGE } },
  { args: ['secrets', 'e2e-secret'], headers: ['NAME', 'TYPE', 'DATA', 'AGE'], cells: { TYPE: 'Opaque', DATA: '1', AGE } },
  { args: ['namespaces', 'e2e-kinds'], headers: ['NAME', 'STATUS', 'AGE'], cells: { STATUS: 'Active', AGE } },
  {
    // Only the columns: a node that no kubelet reports for changes state over time.
    args: ['nodes', 'e2e-node'],
    headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    cells: { NAME: 'e2e-node' },
  },
  {
    args: ['events.v1.', 'e2e-pod.e2e1'],
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    wideHeaders: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    row: ['REASON', 'Testing'],
    cells: { 'LAST SEEN': '<unknown>', TYPE: 'Normal', OBJECT: 'pod/e2e-pod', MESSAGE: 'an event for the e2e pod' },
    wideCells: { SUBOBJECT: '', SOURCE: 'e2e', 'FIRST SEEN': '<unknown>', NAME: 'e2e-pod.e2e1' },
  },
  {
    args: ['ingresses', 'e2e-ingress'],
    headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    cells: { CLASS: 'e2e-class', HOSTS: 'e2e.example.com', ADDRESS: '', PORTS: '80', AGE },
  },
  { args: ['roles', 'e2e-role'], headers: ['NAME', 'CREATED AT'], cells: { 'CREATED AT': ISO } },
  { args: ['clusterroles', 'e2e-clusterrole'], headers: ['NAME', 'CREATED AT'], cells: { 'CREATED AT': ISO } },
  {
    args: ['rolebindings', 'e2e-rolebinding'],
    headers: ['NAME', 'ROLE', 'AGE'],
    wide: ['USERS', 'GROUPS', 'SERVICEACCOUNTS'],
    cells: { ROLE: 'Role/e2e-role', AGE },
    wideCells: { USERS: 'e2e-user', GROUPS: '', SERVICEACCOUNTS: '' },
  },
  {
    args: ['clusterrolebindings', 'e2e-clusterrolebinding'],
    headers: ['NAME', 'ROLE', 'AGE'],
    wide: ['USERS', 'GROUPS', 'SERVICEACCOUNTS'],
    cells: { ROLE: 'ClusterRole/e2e-clusterrole', AGE },
    wideCells: { USERS: '', GROUPS: '', SERVICEACCOUNTS: 'default/e2e-sa' },
  },
  { args: ['serviceaccounts', 'e2e-sa'], headers: ['NAME', 'SECRETS', 'AGE'], cells: { SECRETS: '0', AGE } },
  {
    args: ['replicasets', 'e2e-rs'],
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { DESIRED: '0', CURRENT: '0', READY: '0', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: 'app=e2e-rs' },
  },
  {
    args: ['replicationcontrollers', 'e2e-rc'],
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { DESIRED: '0', CURRENT: '0', READY: '0', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: 'app=e2e-rc' },
  },
  {
    args: ['statefulsets', 'e2e-sts'],
    headers: ['NAME', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES'],
    cells: { READY: '0/0', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox' },
  },
  {
    args: ['daemonsets', 'e2e-ds'],
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { DESIRED: '0', CURRENT: '0', READY: '0', 'UP-TO-DATE': '0', AVAILABLE: '0', 'NODE SELECTOR': '<none>', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: 'app=e2e-ds' },
  },
  {
    args: ['cronjobs', 'e2e-cronjob'],
    headers: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { SCHEDULE: '*/5 * * * *', TIMEZONE: '<none>', SUSPEND: 'True', ACTIVE: '0', 'LAST SCHEDULE': '<none>', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: '<none>' },
  },
  {
    args: ['jobs', 'e2e-job'],
    headers: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: { COMPLETIONS: '0/1', DURATION: '', AGE },
    wideCells: { CONTAINERS: 'main', IMAGES: 'busybox', SELECTOR: /^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/ },
  },
  { args: ['endpoints', 'e2e-ep'], headers: ['NAME', 'ENDPOINTS', 'AGE'], cells: { ENDPOINTS: '10.42.0.5:8080', AGE } },
  {
    args: ['endpointslices', 'e2e-slice'],
    headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    cells: { ADDRESSTYPE: 'IPv4', PORTS: '8080', ENDPOINTS: '10.42.0.5', AGE },
  },
  { args: ['leases', 'e2e-lease'], headers: ['NAME', 'HOLDER', 'AGE'], cells: { HOLDER: 'e2e', AGE } },
  {
    args: ['poddisruptionbudgets', 'e2e-pdb'],
    headers: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    cells: { 'MIN AVAILABLE': '1', 'MAX UNAVAILABLE': 'N/A', 'ALLOWED DISRUPTIONS': '0', AGE },
  },
  {
    args: ['storageclasses', 'e2e-sc'],
    headers: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    cells: { PROVISIONER: 'e2e.csi.example.com', RECLAIMPOLICY: 'Delete', VOLUMEBINDINGMODE: 'WaitForFirstConsumer', ALLOWVOLUMEEXPANSION: 'false', AGE },
  },
  { args: ['networkpolicies', 'e2e-netpol'], headers: ['NAME', 'POD-SELECTOR', 'AGE'], cells: { 'POD-SELECTOR': 'app=e2e', AGE } },
  {
    args: ['resourcequotas', 'e2e-quota'],
    headers: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
    // used/hard come from status (filled by the quota controller): the form, not the numbers.
    cells: { AGE, REQUEST: /^pods: \d+\/\d+$/, LIMIT: '' },
  },
  {
    args: ['ingressclasses', 'e2e-class'],
    headers: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
    cells: { CONTROLLER: 'example.com/e2e-ingress', PARAMETERS: '<none>', AGE },
  },
  { args: ['runtimeclasses', 'e2e-runtime'], headers: ['NAME', 'HANDLER', 'AGE'], cells: { HANDLER: 'runc', AGE } },
  {
    args: ['podtemplates', 'e2e-podtemplate'],
    headers: ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'],
    cells: { CONTAINERS: 'main', IMAGES: 'busybox', 'POD LABELS': 'app=e2e-tpl' },
  },
  {
    args: ['volumeattachments', 'e2e-attachment'],
    headers: ['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE'],
    cells: { ATTACHER: 'e2e.csi.example.com', PV: 'e2e-pv', NODE: 'e2e-node', ATTACHED: 'false', AGE },
  },
  {
    args: ['controllerrevisions', 'e2e-revision'],
    headers: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    cells: { CONTROLLER: '<none>', REVISION: '1', AGE },
  },
  {
    args: ['certificatesigningrequests', 'e2e-csr'],
    headers: ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
    cells: { AGE, SIGNERNAME: 'kubernetes.io/kube-apiserver-client', REQUESTOR: /\S/, REQUESTEDDURATION: '<none>', CONDITION: 'Pending' },
  },
  { args: ['customresourcedefinitions', 'widgets.e2e.example.com'], headers: ['NAME', 'CREATED AT'], cells: { 'CREATED AT': ISO } },
  { args: ['mutatingwebhookconfigurations', 'e2e-mutating'], headers: ['NAME', 'WEBHOOKS', 'AGE'], cells: { WEBHOOKS: '1', AGE } },
  { args: ['validatingwebhookconfigurations', 'e2e-validating'], headers: ['NAME', 'WEBHOOKS', 'AGE'], cells: { WEBHOOKS: '1', AGE } },
  {
    args: ['validatingadmissionpolicies', 'e2e-policy'],
    headers: ['NAME', 'VALIDATIONS', 'PARAMKIND', 'AGE'],
    cells: { VALIDATIONS: '1', PARAMKIND: '<unset>', AGE },
  },
  {
    args: ['validatingadmissionpolicybindings', 'e2e-policy-binding'],
    headers: ['NAME', 'POLICYNAME', 'PARAMREF', 'AGE'],
    cells: { POLICYNAME: 'e2e-policy', PARAMREF: '<unset>', AGE },
  },
];

function checkCells(row: Record<string, string>, expected: Record<string, string | RegExp>, what: string): void {
  for (const [column, want] of Object.entries(expected)) {
    const got = row[column];
    if (want instanceof RegExp) assert.match(got ?? '', want, `${what}: column ${column}`);
    else assert.equal(got, want, `${what}: column ${column}`);
  }
}

describe('CRUD through kubectl', () => {
  let server: Server;
  before(async () => {
    server = await startServer();
  });

  /** Creates a ConfigMap from a JSON manifest (kubectl sends JSON, unlike `create configmap`). */
  async function createConfigMap(name: string, data: Record<string, string> = {}, metadata: Record<string, unknown> = {}): Promise<void> {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data };
    assert.equal(await kubectlOk(server, ['create', '-f', '-'], { input: JSON.stringify(cm) }), `configmap/${name} created\n`);
  }

  it('create -f creates one object of every kind in the catalogue (validation on)', async () => {
    assert.equal(readdirSync(KINDS_DIR).length, KINDS_CREATED.length);
    const result = await kubectl(server, ['create', '-f', KINDS_DIR]);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.stdout.trim().split('\n'), KINDS_CREATED);
    assert.equal(result.code, 0);
  });

  it('create -f a Binding schedules the pod onto the named node', async () => {
    const result = await kubectl(server, ['create', '-f', join(FIXTURES, 'binding.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await kubectlOk(server, ['get', 'pod', 'e2e-pod', '-o', 'jsonpath={.spec.nodeName}']), 'e2e-node');
    const cond = await kubectlOk(server, ['get', 'pod', 'e2e-pod', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}']);
    assert.equal(cond, 'True');
  });

  it('create -f a v1 List creates each item', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-list-1' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e2e-list-2' }, stringData: { a: 'b' } },
      ],
    };
    const result = await kubectl(server, ['create', '-f', '-'], { input: JSON.stringify(list) });
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'configmap/e2e-list-1 created\nsecret/e2e-list-2 created\n');
  });

  for (const c of COLUMNS) {
    it(`get ${c.args.join(' ')}: default and -o wide columns`, async () => {
      const [column, value] = c.row ?? ['NAME', c.args[1] ?? ''];
      const plain = parseTable(await kubectlOk(server, ['get', ...c.args]));
      assert.deepEqual(plain.headers, c.headers);
      assert.equal(plain.rows.length, 1);
      checkCells(rowOf(plain, value, column), c.cells, `get ${c.args.join(' ')}`);
      const wide = parseTable(await kubectlOk(server, ['get', ...c.args, '-o', 'wide']));
      assert.deepEqual(wide.headers, c.wideHeaders ?? [...c.headers, ...(c.wide ?? [])]);
      const wideRow = rowOf(wide, value, column);
      checkCells(wideRow, c.cells, `get ${c.args.join(' ')} -o wide`);
      checkCells(wideRow, c.wideCells ?? {}, `get ${c.args.join(' ')} -o wide`);
    });
  }

  it('describe pod shows the pod and its events in the Events table', async () => {
    const uid = await kubectlOk(server, ['get', 'pod', 'e2e-pod', '-o', 'jsonpath={.metadata.uid}']);
    const now = new Date(Date.now() - 5_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e2e-pod.describe', namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'e2e-pod', namespace: 'default', uid },
      reason: 'Pulling',
      message: 'Pulling image "busybox"',
      type: 'Normal',
      source: { component: 'kubelet', host: 'e2e-node' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    assert.equal(
      (await kubectlOk(server, ['create', '-f', '-'], { input: JSON.stringify(event) })).trim(),
      'event/e2e-pod.describe created',
    );
    const out = await kubectlOk(server, ['describe', 'pod', 'e2e-pod']);
    assert.match(out, /^Name:\s+e2e-pod$/m);
    assert.match(out, /^Namespace:\s+default$/m);
    assert.match(out, /^Labels:\s+app=e2e$/m);
    assert.match(out, /^Status:\s+Pending$/m);
    assert.match(out, /^QoS Class:\s+BestEffort$/m);
    assert.match(out, /^ {4}Image:\s+busybox$/m);
    const events = out.slice(out.indexOf('\nEvents:'));
    assert.ok(out.includes('\nEvents:'), out);
    const lines = events.split('\n').slice(2);
    assert.match(lines[0] ?? '', /^ {2}Type\s+Reason\s+Age\s+From\s+Message$/);
    assert.match(lines[1] ?? '', /^ {2}----\s+------\s+----\s+----\s+-------$/);
    assert.ok(
      lines.some((l) => /^ {2}Normal\s+Pulling\s+\d+s\s+kubelet\s+Pulling image "busybox"$/.test(l)),
      `no Pulling event row in:\n${events}`,
    );
    // Bound by the Binding above.
    assert.match(out, /^Node:\s+e2e-node\/?$/m);
    // Set at admission (Priority, ServiceAccount plugins) on every upstream cluster.
    assert.match(out, /^Priority:\s+0$/m);
    assert.match(out, /^Service Account:\s+default$/m);
  });

  it('delete waits until the object is gone and prints what upstream prints', async () => {
    await createConfigMap('e2e-del', { a: 'b' });
    const del = await kubectl(server, ['delete', 'configmap', 'e2e-del']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'configmap "e2e-del" deleted\n');
    const get = await kubectl(server, ['get', 'configmap', 'e2e-del']);
    assert.equal(get.code, 1);
    assert.equal(get.stderr, 'Error from server (NotFound): configmaps "e2e-del" not found\n');
    const again = await kubectl(server, ['delete', 'configmap', 'e2e-del']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error from server (NotFound): configmaps "e2e-del" not found\n');
    assert.equal((await kubectl(server, ['delete', 'configmap', 'e2e-del', '--ignore-not-found'])).code, 0);
  });

  it('delete of an unscheduled pod returns once it is gone', async () => {
    await kubectlOk(server, ['run', 'e2e-delpod', '--image=busybox', '--restart=Never']);
    const del = await kubectl(server, ['delete', 'pod', 'e2e-delpod'], { timeoutMs: 30_000 });
    assert.equal(del.timedOut, false);
    assert.equal(del.stdout, 'pod "e2e-delpod" deleted\n');
    assert.equal((await kubectl(server, ['get', 'pod', 'e2e-delpod'])).code, 1);
  });

  /** Creates configmaps `owner` and `dependent` (owned by `owner`); returns the owner's uid. */
  async function ownerAndDependent(prefix: string): Promise<string> {
    await createConfigMap(`${prefix}-owner`);
    const uid = await kubectlOk(server, ['get', 'configmap', `${prefix}-owner`, '-o', 'jsonpath={.metadata.uid}']);
    const dependent = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${prefix}-dependent`,
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${prefix}-owner`, uid, blockOwnerDeletion: true }],
      },
    };
    await kubectlOk(server, ['create', '-f', '-'], { input: JSON.stringify(dependent) });
    return uid;
  }

  it('delete --cascade=background: the garbage collector removes dependents', async () => {
    await ownerAndDependent('e2e-bg');
    assert.equal(await kubectlOk(server, ['delete', 'configmap', 'e2e-bg-owner']), 'configmap "e2e-bg-owner" deleted\n');
    await waitFor(async () => (await kubectl(server, ['get', 'configmap', 'e2e-bg-dependent'])).code === 1, {
      timeoutMs: 20_000,
      description: 'the garbage collector to delete e2e-bg-dependent',
    });
  });

  it('delete --cascade=foreground: dependents go first, kubectl waits for the owner', async () => {
    await ownerAndDependent('e2e-fg');
    const del = await kubectl(server, ['delete', 'configmap', 'e2e-fg-owner', '--cascade=foreground', '--timeout=20s'], { timeoutMs: 30_000 });
    assert.equal(del.stderr, '');
    assert.equal(del.stdout, 'configmap "e2e-fg-owner" deleted\n');
    assert.equal(del.code, 0);
    // Foreground: by the time the owner is gone, the blocking dependent is gone too.
    const dep = await kubectl(server, ['get', 'configmap', 'e2e-fg-dependent']);
    assert.equal(dep.stderr, 'Error from server (NotFound): configmaps "e2e-fg-dependent" not found\n');
  });

  it('delete --cascade=orphan: dependents stay, without the owner reference', async () => {
    await ownerAndDependent('e2e-or');
    const del = await kubectl(server, ['delete', 'configmap', 'e2e-or-owner', '--cascade=orphan', '--timeout=20s'], { timeoutMs: 30_000 });
    assert.equal(del.stdout, 'configmap "e2e-or-owner" deleted\n');
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await kubectl(server, ['get', 'configmap', 'e2e-or-owner'])).code, 1);
    const refs = await kubectlOk(server, ['get', 'configmap', 'e2e-or-dependent', '-o', 'jsonpath={.metadata.ownerReferences}']);
    assert.equal(refs, '');
  });

  it('a finalizer holds a deletion until it is removed', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'e2e-held', finalizers: ['example.com/hold'] },
      data: { a: 'b' },
    };
    await kubectlOk(server, ['create', '-f', '-'], { input: JSON.stringify(cm) });
    const del = await kubectl(server, ['delete', 'configmap', 'e2e-held', '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'configmap "e2e-held" deleted\n');
    const held = JSON.parse(await kubectlOk(server, ['get', 'configmap', 'e2e-held', '-o', 'json'])) as {
      metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number; finalizers?: string[] };
    };
    assert.match(held.metadata.deletionTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(held.metadata.deletionGracePeriodSeconds, 0);
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
    // Still there a moment later.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await kubectl(server, ['get', 'configmap', 'e2e-held'])).code, 0);
    const patched = await kubectl(server, ['patch', 'configmap', 'e2e-held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.equal(patched.stdout, 'configmap/e2e-held patched\n');
    await waitFor(async () => (await kubectl(server, ['get', 'configmap', 'e2e-held'])).code === 1, {
      timeoutMs: 10_000,
      description: 'e2e-held to be gone once its finalizer is removed',
    });
  });

  it('create namespace', async () => {
    assert.equal(await kubectlOk(server, ['create', 'namespace', 'e2e-made']), 'namespace/e2e-made created\n');
    const table = parseTable(await kubectlOk(server, ['get', 'ns', 'e2e-made']));
    checkCells(rowOf(table, 'e2e-made'), { STATUS: 'Active', AGE }, 'get ns e2e-made');
  });

  it('create configmap --from-literal / --from-file', async () => {
    assert.equal(
      await kubectlOk(server, ['create', 'configmap', 'e2e-lit', '--from-literal=a=1', '--from-literal=b=two words']),
      'configmap/e2e-lit created\n',
    );
    const lit = JSON.parse(await kubectlOk(server, ['get', 'cm', 'e2e-lit', '-o', 'json'])) as { data: Record<string, string> };
    assert.deepEqual(lit.data, { a: '1', b: 'two words' });
    assert.equal(
      await kubectlOk(server, ['create', 'configmap', 'e2e-file', `--from-file=${join(FIXTURES, 'app.properties')}`]),
      'configmap/e2e-file created\n',
    );
    const file = JSON.parse(await kubectlOk(server, ['get', 'cm', 'e2e-file', '-o', 'json'])) as { data: Record<string, string> };
    assert.deepEqual(file.data, { 'app.properties': 'first line\nsecond line\n' });
    checkCells(rowOf(parseTable(await kubectlOk(server, ['get', 'cm', 'e2e-lit'])), 'e2e-lit'), { DATA: '2' }, 'get cm');
  });

  it('create secret generic', async () => {
    assert.equal(
      await kubectlOk(server, ['create', 'secret', 'generic', 'e2e-gen', '--from-literal=user=admin', '--from-literal=pass=s3cr3t']),
      'secret/e2e-gen created\n',
    );
    const secret = JSON.parse(await kubectlOk(server, ['get', 'secret', 'e2e-gen', '-o', 'json'])) as { type: string; data: Record<string, string> };
    assert.equal(secret.type, 'Opaque');
    assert.deepEqual(secret.data, { user: Buffer.from('admin').toString('base64'), pass: Buffer.from('s3cr3t').toString('base64') });
    checkCells(rowOf(parseTable(await kubectlOk(server, ['get', 'secret', 'e2e-gen'])), 'e2e-gen'), { TYPE: 'Opaque', DATA: '2' }, 'get secret');
  });

  it('create service clusterip', async () => {
    assert.equal(await kubectlOk(server, ['create', 'service', 'clusterip', 'e2e-cip', '--tcp=80:8080']), 'service/e2e-cip created\n');
    const svc = JSON.parse(await kubectlOk(server, ['get', 'svc', 'e2e-cip', '-o', 'json'])) as {
      spec: { type: string; clusterIP: string; selector: Record<string, string>; ports: unknown[] };
    };
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.match(svc.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.selector, { app: 'e2e-cip' });
    assert.deepEqual(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    const row = rowOf(parseTable(await kubectlOk(server, ['get', 'svc', 'e2e-cip', '-o', 'wide'])), 'e2e-cip');
    checkCells(row, { TYPE: 'ClusterIP', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80/TCP', SELECTOR: 'app=e2e-cip' }, 'get svc e2e-cip');
  });

  it('create deployment --image', async () => {
    assert.equal(await kubectlOk(server, ['create', 'deployment', 'e2e-made', '--image=busybox']), 'deployment.apps/e2e-made created\n');
    const d = JSON.parse(await kubectlOk(server, ['get', 'deploy', 'e2e-made', '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; generation: number };
      spec: {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } };
        revisionHistoryLimit: number;
        progressDeadlineSeconds: number;
        template: { spec: { containers: { name: string; image: string; imagePullPolicy: string }[]; restartPolicy: string } };
      };
    };
    assert.deepEqual(d.metadata.labels, { app: 'e2e-made' });
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'e2e-made' } });
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.containers[0]?.name, 'busybox');
    assert.equal(d.spec.template.spec.containers[0]?.image, 'busybox');
    assert.equal(d.spec.template.spec.containers[0]?.imagePullPolicy, 'Always');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    const row = rowOf(parseTable(await kubectlOk(server, ['get', 'deploy', 'e2e-made', '-o', 'wide'])), 'e2e-made');
    checkCells(row, { CONTAINERS: 'busybox', IMAGES: 'busybox', SELECTOR: 'app=e2e-made' }, 'get deploy e2e-made');
  });

  it('label, annotate and patch (merge and json)', async () => {
    await createConfigMap('e2e-edit', { a: '1' });
    assert.equal(await kubectlOk(server, ['label', 'configmap', 'e2e-edit', 'tier=web', 'team=blue']), 'configmap/e2e-edit labeled\n');
    const clash = await kubectl(server, ['label', 'configmap', 'e2e-edit', 'tier=db']);
    assert.equal(clash.code, 1);
    assert.equal(clash.stderr, "error: 'tier' already has a value (web), and --overwrite is false\n");
    assert.equal(await kubectlOk(server, ['label', 'configmap', 'e2e-edit', 'tier=db', '--overwrite']), 'configmap/e2e-edit labeled\n');
    assert.equal(await kubectlOk(server, ['label', 'configmap', 'e2e-edit', 'team-']), 'configmap/e2e-edit unlabeled\n');
    assert.equal(await kubectlOk(server, ['annotate', 'configmap', 'e2e-edit', 'example.com/note=hello']), 'configmap/e2e-edit annotated\n');
    assert.equal(
      await kubectlOk(server, ['patch', 'configmap', 'e2e-edit', '--type=merge', '-p', '{"data":{"b":"2"}}']),
      'configmap/e2e-edit patched\n',
    );
    assert.equal(
      await kubectlOk(server, ['patch', 'configmap', 'e2e-edit', '--type=json', '-p', '[{"op":"replace","path":"/data/a","value":"one"},{"op":"remove","path":"/data/b"}]']),
      'configmap/e2e-edit patched\n',
    );
    assert.equal(
      await kubectlOk(server, ['patch', 'configmap', 'e2e-edit', '--type=merge', '-p', '{"data":{"a":"one"}}']),
      'configmap/e2e-edit patched (no change)\n',
    );
    const cm = JSON.parse(await kubectlOk(server, ['get', 'cm', 'e2e-edit', '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      data: Record<string, string>;
    };
    assert.deepEqual(cm.metadata.labels, { tier: 'db' });
    assert.deepEqual(cm.metadata.annotations, { 'example.com/note': 'hello' });
    assert.deepEqual(cm.data, { a: 'one' });
    // A JSON patch that does not apply is a 422 with upstream's wording.
    const bad = await kubectl(server, ['patch', 'configmap', 'e2e-edit', '--type=json', '-p', '[{"op":"remove","path":"/data/nothing"}]']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^The request is invalid: .*Unable to remove nonexistent key: nothing: missing value\n$/);
  });

  it('wait --for=delete returns when the object is deleted', async () => {
    await createConfigMap('e2e-wait');
    const waiting = kubectl(server, ['wait', '--for=delete', 'configmap/e2e-wait', '--timeout=30s'], { timeoutMs: 40_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await kubectlOk(server, ['delete', 'configmap', 'e2e-wait']);
    const result = await waiting;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'configmap/e2e-wait condition met\n');
    // And it times out (exit 1, upstream message) while the object stays.
    await createConfigMap('e2e-stay');
    const timeout = await kubectl(server, ['wait', '--for=delete', 'configmap/e2e-stay', '--timeout=2s']);
    assert.equal(timeout.code, 1);
    assert.equal(timeout.stderr, 'error: timed out waiting for the condition on configmaps/e2e-stay\n');
  });

  it('--dry-run=server validates and defaults but creates, changes and deletes nothing', async () => {
    const dry = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-dry' }, data: { a: 'b' } };
    const created = await kubectl(server, ['create', '-f', '-', '--dry-run=server'], { input: JSON.stringify(dry) });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'configmap/e2e-dry created (server dry run)\n');
    assert.equal((await kubectl(server, ['get', 'configmap', 'e2e-dry'])).code, 1);

    const pod = await kubectl(server, ['run', 'e2e-drypod', '--image=busybox', '--dry-run=server', '-o', 'json']);
    assert.equal(pod.code, 0, pod.stderr);
    const obj = JSON.parse(pod.stdout) as {
      metadata: { uid?: string; creationTimestamp?: string; resourceVersion?: string };
      spec: { containers: { imagePullPolicy: string; terminationMessagePath: string }[]; dnsPolicy: string; schedulerName: string };
      status: { phase: string; qosClass: string };
    };
    assert.match(obj.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(obj.metadata.creationTimestamp ?? '', /Z$/);
    assert.equal(obj.metadata.resourceVersion, undefined);
    assert.equal(obj.spec.containers[0]?.imagePullPolicy, 'Always');
    assert.equal(obj.spec.containers[0]?.terminationMessagePath, '/dev/termination-log');
    assert.equal(obj.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(obj.spec.schedulerName, 'default-scheduler');
    assert.equal(obj.status.phase, 'Pending');
    assert.equal(obj.status.qosClass, 'BestEffort');
    assert.equal((await kubectl(server, ['get', 'pod', 'e2e-drypod'])).code, 1);

    // Invalid input still fails in a dry run.
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'E2E_Bad' } };
    const invalid = await kubectl(server, ['create', '-f', '-', '--dry-run=server'], { input: JSON.stringify(bad) });
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^The ConfigMap "E2E_Bad" is invalid: metadata\.name: Invalid value: "E2E_Bad": a lowercase RFC 1123 subdomain/);

    await createConfigMap('e2e-keep', { a: 'b' });
    const rv = await kubectlOk(server, ['get', 'cm', 'e2e-keep', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(
      await kubectlOk(server, ['label', 'cm', 'e2e-keep', 'x=y', '--dry-run=server']),
      'configmap/e2e-keep labeled (server dry run)\n',
    );
    assert.equal(
      await kubectlOk(server, ['delete', 'cm', 'e2e-keep', '--dry-run=server']),
      'configmap "e2e-keep" deleted (server dry run)\n',
    );
    const after = JSON.parse(await kubectlOk(server, ['get', 'cm', 'e2e-keep', '-o', 'json'])) as {
      metadata: { resourceVersion: string; labels?: Record<string, string> };
    };
    assert.equal(after.metadata.resourceVersion, rv);
    assert.equal(after.metadata.labels, undefined);
  });
});
