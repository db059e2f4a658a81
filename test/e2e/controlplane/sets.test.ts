// DaemonSets and StatefulSets on simulated nodes: a DaemonSet covers every untainted node and
// follows a node that joins (`k8ts agent --simulated`); a StatefulSet creates web-0, web-1,
// web-2 in order, each with its PersistentVolumeClaim bound through the default StorageClass.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectl, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { parseTable, rowOf } from '../api/util.js';
import { getJson, pods, startSimulatedAgent, waitRunning, type AgentProcess } from './util.js';

describe('DaemonSets and StatefulSets', { skip: NOT_BUILT }, () => {
  let server: Server;
  const agents: AgentProcess[] = [];
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '3'] });
  });
  after(async () => {
    for (const a of agents) await a.stop();
  });

  it('runs a DaemonSet pod on every untainted node, and on a node that joins', async () => {
    await kubectlOk(server, ['taint', 'nodes', 'sim-0003', 'dedicated=db:NoSchedule']);
    await kubectlOk(server, ['create', '-n', 'kube-system', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, labels: {app: flannel}}
spec:
  selector: {matchLabels: {app: flannel}}
  template:
    metadata: {labels: {app: flannel}}
    spec:
      nodeSelector: {kubernetes.io/arch: amd64}
      containers: [{name: kube-flannel, image: busybox}]
`,
    });
    const two = await waitRunning(server, 'app=flannel', 2, { namespace: 'kube-system' });
    assert.deepEqual(two.map((p) => p.node).sort(), ['sim-0001', 'sim-0002']);
    const table = parseTable(await kubectlOk(server, ['-n', 'kube-system', 'get', 'daemonsets']));
    assert.deepEqual(table.headers, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    const row = rowOf(table, 'agent');
    assert.deepEqual([row.DESIRED, row.CURRENT, row.READY, row['UP-TO-DATE'], row.AVAILABLE, row['NODE SELECTOR']], ['2', '2', '2', '2', '2', 'kubernetes.io/arch=amd64']);

    const agent = await startSimulatedAgent(server, 'joined-1');
    agents.push(agent);
    await waitFor(async () => rowOf(parseTable(await kubectlOk(server, ['get', 'nodes'])), 'joined-1').STATUS === 'Ready', {
      timeoutMs: 30_000,
      description: `node joined-1 Ready (agent said: ${agent.output()})`,
    });
    const three = await waitRunning(server, 'app=flannel', 3, { namespace: 'kube-system' });
    assert.deepEqual(three.map((p) => p.node).sort(), ['joined-1', 'sim-0001', 'sim-0002']);
  });

  it('creates a StatefulSet one pod at a time, with bound claims', async () => {
    await kubectlOk(server, ['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: nginx, labels: {app: nginx}}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata:
      labels: {app: nginx}
      annotations: {k8ts.io/simulated-ready-after: 1s}
    spec:
      containers:
      - name: nginx
        image: nginx:1.12.0
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`,
    });
    assert.match(await kubectlOk(server, ['rollout', 'status', 'statefulset/web', '--timeout=90s']), /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision/);
    const ps = await waitRunning(server, 'app=nginx', 3);
    assert.deepEqual(ps.map((p) => p.name).sort(), ['web-0', 'web-1', 'web-2']);
    const byName = new Map(ps.map((p) => [p.name, p]));
    for (const i of [1, 2]) {
      const prevReady = Date.parse(byName.get(`web-${i - 1}`)!.readySince!);
      const created = Date.parse(byName.get(`web-${i}`)!.creationTimestamp);
      assert.ok(created >= prevReady, `web-${i} created (${created}) after web-${i - 1} was ready (${prevReady})`);
    }
    const pvcs = parseTable(await kubectlOk(server, ['get', 'pvc']));
    assert.deepEqual(pvcs.rows.map((r) => r.NAME).sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
    await waitFor(async () => parseTable(await kubectlOk(server, ['get', 'pvc'])).rows.every((r) => r.STATUS === 'Bound' && r['STORAGECLASS'] === 'local-path'), {
      timeoutMs: 30_000,
      description: 'claims bound',
    });
    const pv = await getJson<{ items: { spec: { hostPath?: { path: string }; claimRef?: { name: string } } }[] }>(server, ['get', 'pv']);
    assert.equal(pv.items.length, 3);
    for (const item of pv.items) assert.match(item.spec.hostPath?.path ?? '', /\/storage\/pvc-[0-9a-f-]+_default_www-web-\d$/);
    const sts = parseTable(await kubectlOk(server, ['get', 'statefulsets']));
    assert.deepEqual(sts.headers, ['NAME', 'READY', 'AGE']);
    assert.equal(rowOf(sts, 'web').READY, '3/3');
    const pod0 = await getJson<{ spec: { hostname: string; subdomain: string } }>(server, ['get', 'pod', 'web-0']);
    assert.deepEqual([pod0.spec.hostname, pod0.spec.subdomain], ['web-0', 'nginx']);
    await kubectl(server, ['delete', 'statefulset', 'web']);
    await waitFor(async () => (await pods(server, 'app=nginx')).length === 0, { timeoutMs: 60_000, description: 'web pods gone' });
  });
});
