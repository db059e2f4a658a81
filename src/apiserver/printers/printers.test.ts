import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../api/catalogue.js';
import { defaultPrinter, printerFor, printers } from './index.js';
import type { Printer } from './types.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: ago(5 * MIN), ...extra });

/** Column names as kubectl headers, `|` before the wide ones. */
function headers(p: Printer): string {
  const normal = p.columns.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());
  const wideCols = p.columns.filter((c) => c.priority !== 0).map((c) => c.name.toUpperCase());
  return wideCols.length ? `${normal.join(' ')} | ${wideCols.join(' ')}` : normal.join(' ');
}

function row(key: string, obj: unknown): unknown[] {
  const p = printers[key];
  assert.ok(p, `printer for ${key}`);
  const cells = p.cells(obj, NOW);
  assert.equal(cells.length, p.columns.length, `${key}: one cell per column`);
  return cells;
}

test('every catalogue kind has a printer under its storage group/Kind', () => {
  for (const r of RESOURCES) {
    const group = r.storage?.group ?? r.group;
    assert.ok(printers[`${group}/${r.kind}`], `missing printer for ${group}/${r.kind}`);
  }
  for (const [key, p] of Object.entries(printers)) {
    for (const c of p.columns) {
      assert.ok(['string', 'integer', 'number', 'boolean', 'date'].includes(c.type), `${key} ${c.name}`);
      assert.ok(c.priority === 0 || c.priority === 1, `${key} ${c.name}`);
    }
  }
});

test('default printer: NAME, CREATED AT as upstream default table convertor', () => {
  assert.equal(headers(defaultPrinter), 'NAME CREATED AT');
  assert.equal(defaultPrinter.columns[1]!.type, 'date');
  assert.match(defaultPrinter.columns[1]!.description, /^CreationTimestamp is a timestamp/);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'x', creationTimestamp: '2024-05-06T07:08:09Z' } }, NOW), ['x', '2024-05-06T07:08:09Z']);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'x' } }, NOW), ['x', '0001-01-01T00:00:00Z']);
  for (const key of ['/LimitRange', 'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRole', 'apiextensions.k8s.io/CustomResourceDefinition']) {
    assert.equal(printers[key], defaultPrinter, key);
  }
  assert.equal(printerFor('example.com', 'Widget'), defaultPrinter);
  assert.equal(printerFor('apps', 'Deployment'), printers['apps/Deployment']);
});

test('Service: ports, node ports, external IPs, <pending>, selector', () => {
  assert.equal(headers(printers['/Service']!), 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR');
  const np = {
    metadata: meta('web'),
    spec: { type: 'NodePort', clusterIP: '10.43.0.12', clusterIPs: ['10.43.0.12'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
  };
  assert.deepEqual(row('/Service', np), ['web', 'NodePort', '10.43.0.12', '<none>', '80:30080/TCP,53/UDP', '5m', 'app=web']);
  const lb = { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.43.0.13', ports: [{ port: 443, protocol: 'TCP', nodePort: 31443 }] }, status: {} };
  assert.deepEqual(row('/Service', lb).slice(2, 4), ['10.43.0.13', '<pending>']);
  const lbReady = { ...lb, spec: { ...lb.spec, externalIPs: ['1.2.3.4'] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }, { hostname: 'lb.example' }] } } };
  assert.equal(row('/Service', lbReady)[3], '10.0.0.9,lb.example,1.2.3.4');
  const headless = { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } };
  assert.deepEqual(row('/Service', headless).slice(2, 7), ['None', '<none>', '<none>', '5m', '<none>']);
  const ext = { metadata: meta('e'), spec: { type: 'ExternalName', externalName: 'db.example.com' } };
  assert.deepEqual(row('/Service', ext).slice(2, 4), ['<none>', 'db.example.com']);
});

const podTemplate = {
  metadata: { labels: { app: 'nginx' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] },
};

test('Deployment: READY 2/3 and wide CONTAINERS IMAGES SELECTOR', () => {
  assert.equal(headers(printers['apps/Deployment']!), 'NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR');
  const d = { metadata: meta('nginx'), spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: podTemplate }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(row('apps/Deployment', d), ['nginx', '2/3', 3, 2, '5m', 'nginx,log', 'nginx:1.25,busybox', 'app=nginx']);
  const bad = { ...d, spec: { ...d.spec, selector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } } };
  assert.equal(row('apps/Deployment', bad)[7], '<invalid>');
});

test('ReplicaSet, ReplicationController, StatefulSet, DaemonSet', () => {
  assert.equal(headers(printers['apps/ReplicaSet']!), 'NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR');
  const rs = { metadata: meta('rs'), spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: podTemplate }, status: { replicas: 3, readyReplicas: 1 } };
  assert.deepEqual(row('apps/ReplicaSet', rs), ['rs', 3, 3, 1, '5m', 'nginx,log', 'nginx:1.25,busybox', 'app=nginx']);

  const rc = { metadata: meta('rc'), spec: { replicas: 2, selector: { app: 'nginx' }, template: podTemplate }, status: { replicas: 2 } };
  assert.deepEqual(row('/ReplicationController', rc), ['rc', 2, 2, 0, '5m', 'nginx,log', 'nginx:1.25,busybox', 'app=nginx']);

  assert.equal(headers(printers['apps/StatefulSet']!), 'NAME READY AGE | CONTAINERS IMAGES');
  const sts = { metadata: meta('db'), spec: { replicas: 3, template: podTemplate }, status: { readyReplicas: 3 } };
  assert.deepEqual(row('apps/StatefulSet', sts), ['db', '3/3', '5m', 'nginx,log', 'nginx:1.25,busybox']);

  assert.equal(headers(printers['apps/DaemonSet']!), 'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES SELECTOR');
  const ds = {
    metadata: meta('fluentd'),
    spec: { selector: { matchLabels: { app: 'fluentd' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'f', image: 'fluentd' }] } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  };
  assert.deepEqual(row('apps/DaemonSet', ds), ['fluentd', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '5m', 'f', 'fluentd', 'app=fluentd']);
});

test('ControllerRevision: CONTROLLER kind.group/name', () => {
  const cr = { metadata: meta('fluentd-5d9f', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u', controller: true }] }), revision: 2 };
  assert.deepEqual(row('apps/ControllerRevision', cr), ['fluentd-5d9f', 'daemonset.apps/fluentd', 2, '5m']);
  assert.equal(row('apps/ControllerRevision', { metadata: meta('x'), revision: 1 })[1], '<none>');
});

test('Job: STATUS, COMPLETIONS, DURATION', () => {
  assert.equal(headers(printers['batch/Job']!), 'NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR');
  const base = { metadata: meta('pi'), spec: { completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } };
  const done = { ...base, status: { succeeded: 1, startTime: ago(5 * MIN), completionTime: ago(5 * MIN - 12_000), conditions: [{ type: 'Complete', status: 'True' }] } };
  assert.deepEqual(row('batch/Job', done), ['pi', 'Complete', '1/1', '12s', '5m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u']);
  const runningJob = { ...base, spec: { ...base.spec, completions: undefined, parallelism: 3 }, status: { startTime: ago(3 * MIN) } };
  assert.deepEqual(row('batch/Job', runningJob).slice(1, 4), ['Running', '0/1 of 3', '3m']);
  const status = (conditions: { type: string; status: string }[], extra = {}) =>
    row('batch/Job', { ...base, metadata: { ...base.metadata, ...extra }, status: { conditions } })[1];
  assert.equal(status([{ type: 'Failed', status: 'True' }]), 'Failed');
  assert.equal(status([{ type: 'Suspended', status: 'True' }]), 'Suspended');
  assert.equal(status([{ type: 'FailureTarget', status: 'True' }]), 'FailureTarget');
  assert.equal(status([{ type: 'Suspended', status: 'True' }], { deletionTimestamp: ago(0) }), 'Terminating');
  assert.equal(status([{ type: 'Complete', status: 'False' }]), 'Running');
  assert.equal(row('batch/Job', base)[3], '');
});

test('CronJob', () => {
  assert.equal(headers(printers['batch/CronJob']!), 'NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE | CONTAINERS IMAGES SELECTOR');
  const cj = {
    metadata: meta('hello'),
    spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } },
    status: { active: [{ name: 'hello-1' }], lastScheduleTime: ago(45_000) },
  };
  assert.deepEqual(row('batch/CronJob', cj), ['hello', '*/1 * * * *', '<none>', 'False', 1, '45s', '5m', 'hello', 'busybox', '<none>']);
  assert.deepEqual(row('batch/CronJob', { metadata: meta('x'), spec: { schedule: '@daily', timeZone: 'Etc/UTC' } }).slice(2, 6), ['Etc/UTC', '<unset>', 0, '<none>']);
});

test('Node: STATUS, ROLES, wide addresses and versions', () => {
  assert.equal(headers(printers['/Node']!), 'NAME STATUS ROLES AGE VERSION | INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME');
  const node = {
    metadata: meta('n1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '', 'kubernetes.io/role': 'etcd' } }),
    spec: {},
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  };
  assert.deepEqual(row('/Node', node), ['n1', 'Ready', 'control-plane,etcd,master', '5m', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.24']);
  const cordoned = { metadata: meta('n2'), spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(row('/Node', cordoned).slice(1, 3), ['NotReady,SchedulingDisabled', '<none>']);
  assert.deepEqual(row('/Node', { metadata: meta('n3') }).slice(1, 10), ['Unknown', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  assert.equal(row('/Node', { ...cordoned, spec: {} })[1], 'NotReady');
});

test('Event: LAST SEEN TYPE REASON OBJECT MESSAGE and wide columns', () => {
  assert.equal(headers(printers['/Event']!), 'LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE FIRST SEEN COUNT NAME');
  const ev = {
    metadata: meta('nginx.17a'),
    involvedObject: { kind: 'Pod', name: 'nginx', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(2 * MIN),
    lastTimestamp: ago(30_000),
    count: 5,
  };
  assert.deepEqual(row('/Event', ev), ['30s', 'Normal', 'Pulled', 'pod/nginx', 'spec.containers{nginx}', 'kubelet, n1', 'Container image "nginx" already present on machine', '2m', 5, 'nginx.17a']);
  // events.k8s.io style: eventTime, series, reporting controller.
  const ev2 = {
    metadata: meta('e2'),
    involvedObject: { kind: 'Node' },
    eventTime: ago(4 * MIN),
    series: { count: 3, lastObservedTime: ago(MIN) },
    reportingComponent: 'scheduler',
    type: 'Warning',
    reason: 'X',
    message: 'm',
  };
  assert.deepEqual(row('/Event', ev2), ['60s', 'Warning', 'X', 'node', '', 'scheduler', 'm', '4m', 3, 'e2']);
  assert.deepEqual(row('/Event', { metadata: meta('e3'), involvedObject: {} }).slice(0, 1), ['<unknown>']);
  assert.equal(row('/Event', { metadata: meta('e3'), involvedObject: {} })[8], 1);
});

test('Namespace, ConfigMap, Secret, ServiceAccount, Endpoints', () => {
  assert.deepEqual(row('/Namespace', { metadata: meta('default'), status: { phase: 'Active' } }), ['default', 'Active', '5m']);
  assert.deepEqual(row('/ConfigMap', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cm', 3, '5m']);
  assert.equal(headers(printers['/Secret']!), 'NAME TYPE DATA AGE');
  assert.deepEqual(row('/Secret', { metadata: meta('s'), type: 'Opaque', data: { a: 'eA==' } }), ['s', 'Opaque', 1, '5m']);
  assert.deepEqual(row('/ServiceAccount', { metadata: meta('default') }), ['default', 0, '5m']);
  const ep = {
    metadata: meta('web'),
    subsets: [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: 'fd00::1' }] },
    ],
  };
  assert.deepEqual(row('/Endpoints', ep), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...', '5m']);
  assert.equal(row('/Endpoints', { metadata: meta('e'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] })[1], '[fd00::1]:53');
  assert.equal(row('/Endpoints', { metadata: meta('e') })[1], '<none>');
});

test('EndpointSlice', () => {
  const es = {
    metadata: meta('web-abc'),
    addressType: 'IPv4',
    ports: [{ port: 80, name: 'http' }, { name: 'named' }, {}],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }],
  };
  assert.deepEqual(row('discovery.k8s.io/EndpointSlice', es), ['web-abc', 'IPv4', '80,named,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m']);
  assert.deepEqual(row('discovery.k8s.io/EndpointSlice', { metadata: meta('x'), addressType: 'IPv4', endpoints: [] }).slice(2, 4), ['<unset>', '<unset>']);
});

test('Ingress, IngressClass, NetworkPolicy', () => {
  assert.equal(headers(printers['networking.k8s.io/Ingress']!), 'NAME CLASS HOSTS ADDRESS PORTS AGE');
  const ing = {
    metadata: meta('web'),
    spec: { ingressClassName: 'k8ts', rules: [{ host: 'a.example' }, { host: 'b.example' }, {}, { host: 'c.example' }, { host: 'd.example' }], tls: [{ hosts: ['a.example'] }] },
    status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }] } },
  };
  assert.deepEqual(row('networking.k8s.io/Ingress', ing), ['web', 'k8ts', 'a.example,b.example,c.example + 2 more...', '192.168.1.10,192.168.1.11', '80, 443', '5m']);
  assert.deepEqual(row('networking.k8s.io/Ingress', { metadata: meta('x'), spec: {} }).slice(1, 5), ['<none>', '*', '', '80']);
  const ic = { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } };
  assert.deepEqual(row('networking.k8s.io/IngressClass', ic), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '5m']);
  assert.equal(row('networking.k8s.io/IngressClass', { metadata: meta('x'), spec: { controller: 'c' } })[2], '<none>');
  assert.equal(headers(printers['networking.k8s.io/NetworkPolicy']!), 'NAME POD-SELECTOR AGE');
  assert.deepEqual(row('networking.k8s.io/NetworkPolicy', { metadata: meta('deny'), spec: { podSelector: {} } }), ['deny', '<none>', '5m']);
  assert.equal(row('networking.k8s.io/NetworkPolicy', { metadata: meta('a'), spec: { podSelector: { matchLabels: { role: 'db' } } } })[1], 'role=db');
});

test('PersistentVolume and PersistentVolumeClaim', () => {
  assert.equal(headers(printers['/PersistentVolume']!), 'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE | VOLUMEMODE');
  const pv = {
    metadata: meta('pv1'),
    spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local', volumeMode: 'Filesystem' },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(row('/PersistentVolume', pv), ['pv1', '5Gi', 'RWO', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '5m', 'Filesystem']);
  const deleting = { ...pv, metadata: meta('pv1', { deletionTimestamp: ago(0), annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }) };
  assert.deepEqual([row('/PersistentVolume', deleting)[4], row('/PersistentVolume', deleting)[6]], ['Terminating', 'old']);

  assert.equal(headers(printers['/PersistentVolumeClaim']!), 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE | VOLUMEMODE');
  const pvc = {
    metadata: meta('data'),
    spec: { volumeName: 'pv1', storageClassName: 'local', resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
    status: { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] },
  };
  assert.deepEqual(row('/PersistentVolumeClaim', pvc), ['data', 'Bound', 'pv1', '5Gi', 'RWO,ROX', 'local', '<unset>', '5m', 'Filesystem']);
  const pending = { metadata: meta('p'), spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
  assert.deepEqual(row('/PersistentVolumeClaim', pending), ['p', 'Pending', '', '', '', '', '<unset>', '5m', '<unset>']);
});

test('StorageClass with (default), CSIDriver, CSINode, CSIStorageCapacity, VolumeAttachment', () => {
  assert.equal(headers(printers['storage.k8s.io/StorageClass']!), 'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE');
  const sc = { metadata: meta('local-path', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(row('storage.k8s.io/StorageClass', sc), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '5m']);
  const beta = { metadata: meta('b', { annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }), provisioner: 'p', reclaimPolicy: 'Retain', allowVolumeExpansion: true };
  assert.deepEqual(row('storage.k8s.io/StorageClass', beta).slice(0, 5), ['b (default)', 'p', 'Retain', 'Immediate', true]);

  assert.equal(headers(printers['storage.k8s.io/CSIDriver']!), 'NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE');
  const drv = { metadata: meta('csi.example.com'), spec: { podInfoOnMount: true, tokenRequests: [{ audience: 'a' }, { audience: 'b' }], volumeLifecycleModes: ['Persistent', 'Ephemeral'] } };
  assert.deepEqual(row('storage.k8s.io/CSIDriver', drv), ['csi.example.com', true, true, false, 'a,b', false, 'Persistent,Ephemeral', '5m']);
  assert.deepEqual(row('storage.k8s.io/CSIDriver', { metadata: meta('d'), spec: { attachRequired: false } }).slice(1, 7), [false, false, false, '<unset>', false, '<none>']);
  assert.deepEqual(row('storage.k8s.io/CSINode', { metadata: meta('n1'), spec: { drivers: [{ name: 'd', nodeID: 'n1' }] } }), ['n1', 1, '5m']);
  assert.deepEqual(row('storage.k8s.io/CSIStorageCapacity', { metadata: meta('c'), storageClassName: 'local', capacity: '10Gi' }), ['c', 'local', '10Gi']);
  assert.deepEqual(row('storage.k8s.io/CSIStorageCapacity', { metadata: meta('c'), storageClassName: 'local' })[2], '<unset>');
  const va = { metadata: meta('csi-123'), spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } }, status: { attached: true } };
  assert.deepEqual(row('storage.k8s.io/VolumeAttachment', va), ['csi-123', 'csi.example.com', 'pv1', 'n1', true, '5m']);
});

test('ResourceQuota: v1.32 order NAME AGE REQUEST LIMIT', () => {
  assert.equal(headers(printers['/ResourceQuota']!), 'NAME AGE REQUEST LIMIT');
  const rq = {
    metadata: meta('compute'),
    // Upstream walks spec.hard; status carries used and the enforced hard values.
    spec: { hard: { 'requests.cpu': '1', 'limits.memory': '2048Mi', pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' } },
    status: {
      hard: { 'requests.cpu': '1', 'limits.memory': '2048Mi', pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' },
      used: { 'requests.cpu': '0.5', 'limits.cpu': '1', pods: '3' },
    },
  };
  assert.deepEqual(row('/ResourceQuota', rq), [
    'compute',
    '5m',
    'pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi',
    'limits.cpu: 1/2, limits.memory: 0/2Gi',
  ]);
});

test('HorizontalPodAutoscaler: TARGETS with <unknown> and + N more', () => {
  assert.equal(headers(printers['autoscaling/HorizontalPodAutoscaler']!), 'NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE');
  const hpa = {
    metadata: meta('web'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
    status: { currentReplicas: 1 },
  };
  assert.deepEqual(row('autoscaling/HorizontalPodAutoscaler', hpa), ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 10, 1, '5m']);
  const many = {
    ...hpa,
    spec: {
      ...hpa.spec,
      minReplicas: undefined,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      ],
    },
    status: {
      currentReplicas: 2,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30, averageValue: '150m' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '7' } } },
      ],
    },
  };
  assert.deepEqual(row('autoscaling/HorizontalPodAutoscaler', many).slice(2, 4), ['cpu: 30%/50%, 7/10 + 1 more...', '<unset>']);
  const noMetrics = { ...hpa, spec: { ...hpa.spec, metrics: undefined } };
  assert.equal(row('autoscaling/HorizontalPodAutoscaler', noMetrics)[2], '<none>');
  const external = { ...hpa, spec: { ...hpa.spec, metrics: [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: '30' } } }] } };
  assert.equal(row('autoscaling/HorizontalPodAutoscaler', external)[2], '<unknown>/30 (avg)');
});

test('PodDisruptionBudget', () => {
  assert.equal(headers(printers['policy/PodDisruptionBudget']!), 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE');
  assert.deepEqual(row('policy/PodDisruptionBudget', { metadata: meta('pdb'), spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }), ['pdb', '2', 'N/A', 1, '5m']);
  assert.deepEqual(row('policy/PodDisruptionBudget', { metadata: meta('pdb'), spec: { maxUnavailable: '25%' } }).slice(1, 4), ['N/A', '25%', 0]);
});

test('RoleBinding and ClusterRoleBinding', () => {
  assert.equal(headers(printers['rbac.authorization.k8s.io/RoleBinding']!), 'NAME ROLE AGE | USERS GROUPS SERVICEACCOUNTS');
  const rb = {
    metadata: meta('read'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [
      { kind: 'User', name: 'jane' },
      { kind: 'User', name: 'joe' },
      { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
    ],
  };
  assert.deepEqual(row('rbac.authorization.k8s.io/RoleBinding', rb), ['read', 'Role/reader', '5m', 'jane, joe', 'devs', 'build/ci']);
  const crb = { metadata: meta('admin'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' } };
  assert.deepEqual(row('rbac.authorization.k8s.io/ClusterRoleBinding', crb), ['admin', 'ClusterRole/cluster-admin', '5m', '', '', '']);
  assert.equal(printers['rbac.authorization.k8s.io/ClusterRoleBinding']!.columns[3]!.description, 'Users in the clusterRoleBinding');
});

test('Lease, PriorityClass, RuntimeClass', () => {
  assert.deepEqual(row('coordination.k8s.io/Lease', { metadata: meta('n1'), spec: { holderIdentity: 'n1' } }), ['n1', 'n1', '5m']);
  assert.deepEqual(row('coordination.k8s.io/Lease', { metadata: meta('x'), spec: {} })[1], '');
  assert.equal(headers(printers['scheduling.k8s.io/PriorityClass']!), 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY');
  assert.deepEqual(row('scheduling.k8s.io/PriorityClass', { metadata: meta('high'), value: 1000000, globalDefault: true, preemptionPolicy: 'Never' }), ['high', 1000000, true, '5m', 'Never']);
  assert.deepEqual(row('scheduling.k8s.io/PriorityClass', { metadata: meta('low'), value: 1 }).slice(2), [false, '5m', '']);
  assert.deepEqual(row('node.k8s.io/RuntimeClass', { metadata: meta('gvisor'), handler: 'runsc' }), ['gvisor', 'runsc', '5m']);
});

test('CertificateSigningRequest: CONDITION and REQUESTEDDURATION', () => {
  assert.equal(headers(printers['certificates.k8s.io/CertificateSigningRequest']!), 'NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION');
  const csr = {
    metadata: meta('node-csr'),
    spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:node:n1', expirationSeconds: 86400, request: '', usages: [] },
    status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' },
  };
  assert.deepEqual(row('certificates.k8s.io/CertificateSigningRequest', csr), ['node-csr', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:n1', '24h', 'Approved,Issued']);
  const pending = { metadata: meta('p'), spec: { signerName: 'x', request: '' } };
  assert.deepEqual(row('certificates.k8s.io/CertificateSigningRequest', pending).slice(4), ['<none>', 'Pending']);
  const denied = { ...pending, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }, { type: 'Failed', status: 'True' }] } };
  assert.equal(row('certificates.k8s.io/CertificateSigningRequest', denied)[5], 'Denied,Failed');
});

test('webhook configurations and validating admission policies', () => {
  const g = 'admissionregistration.k8s.io';
  assert.equal(headers(printers[`${g}/MutatingWebhookConfiguration`]!), 'NAME WEBHOOKS AGE');
  assert.deepEqual(row(`${g}/MutatingWebhookConfiguration`, { metadata: meta('m'), webhooks: [{}, {}] }), ['m', 2, '5m']);
  assert.deepEqual(row(`${g}/ValidatingWebhookConfiguration`, { metadata: meta('v') }), ['v', 0, '5m']);
  assert.equal(headers(printers[`${g}/ValidatingAdmissionPolicy`]!), 'NAME VALIDATIONS PARAMKIND AGE');
  const vap = { metadata: meta('p'), spec: { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }] } };
  assert.deepEqual(row(`${g}/ValidatingAdmissionPolicy`, vap), ['p', 1, 'v1/ConfigMap', '5m']);
  assert.equal(row(`${g}/ValidatingAdmissionPolicy`, { metadata: meta('q'), spec: {} })[2], '<unset>');
  assert.equal(headers(printers[`${g}/ValidatingAdmissionPolicyBinding`]!), 'NAME POLICYNAME PARAMREF AGE');
  const b = (paramRef: unknown) => row(`${g}/ValidatingAdmissionPolicyBinding`, { metadata: meta('b'), spec: { policyName: 'p', paramRef } });
  assert.deepEqual(b({ name: 'cfg', namespace: 'ns' }), ['b', 'p', 'ns/cfg', '5m']);
  assert.equal(b({ name: 'cfg' })[2], '*/cfg');
  assert.equal(b(undefined)[2], '<unset>');
  assert.equal(
    b({ selector: { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['x', 'y'] }] } })[2],
    '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}',
  );
});

test('column descriptions carry the API field docs', () => {
  const svc = printers['/Service']!;
  assert.match(svc.columns[0]!.description, /^Name must be unique within a namespace/);
  assert.equal(svc.columns[0]!.format, 'name');
  assert.match(svc.columns[1]!.description, /^type determines how the Service is exposed/);
});
