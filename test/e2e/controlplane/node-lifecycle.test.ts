// Node failure on simulated nodes: a node that stops heartbeating becomes NotReady (Unknown)
// within the grace period, is tainted unreachable, and its Deployment pods are recreated on
// other nodes once their tolerationSeconds pass. Namespace deletion removes everything in it.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectl, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { parseTable, rowOf } from '../api/util.js';
import { getJson, pods, waitRunning } from './util.js';

interface NodeJson {
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: { type: string; status: string; reason: string; message: string }[] };
}

describe('Node lifecycle', { skip: NOT_BUILT }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '3', '--node-monitor-grace-period', '16s'] });
  });

  it('marks a silent node Unknown, taints it, and moves its pods', { timeout: 180_000 }, async () => {
    await kubectlOk(server, ['create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 3
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      containers: [{name: main, image: busybox}]
`,
    });
    const before = await waitRunning(server, 'app=app', 3);
    const dead = before[0]!.node;
    await kubectlOk(server, ['annotate', 'node', dead, 'k8ts.io/simulated-heartbeat=stopped']);

    await waitFor(async () => rowOf(parseTable(await kubectlOk(server, ['get', 'nodes'])), dead).STATUS === 'NotReady', {
      timeoutMs: 60_000,
      description: `${dead} NotReady`,
    });
    const node = await getJson<NodeJson>(server, ['get', 'node', dead]);
    const ready = node.status.conditions.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    await waitFor(async () => (await getJson<NodeJson>(server, ['get', 'node', dead])).spec.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), {
      timeoutMs: 30_000,
      description: `${dead} tainted unreachable:NoExecute`,
    });

    const after = await waitFor(
      async () => {
        const live = (await pods(server, 'app=app')).filter((p) => !p.deleting && p.phase === 'Running' && p.ready);
        return live.length === 3 && live.every((p) => p.node !== dead) ? live : undefined;
      },
      { timeoutMs: 60_000, description: `3 running pods off ${dead}` },
    );
    assert.equal(after.length, 3);
    const events = await kubectlOk(server, ['get', 'events', '--field-selector', 'reason=TaintManagerEviction']);
    assert.match(events, /Marking for deletion Pod default\/app-/);

    // The node comes back: Ready again, taints gone.
    await kubectlOk(server, ['annotate', 'node', dead, 'k8ts.io/simulated-heartbeat-']);
    await waitFor(async () => rowOf(parseTable(await kubectlOk(server, ['get', 'nodes'])), dead).STATUS === 'Ready', { timeoutMs: 60_000, description: `${dead} Ready again` });
    await waitFor(async () => !(await getJson<NodeJson>(server, ['get', 'node', dead])).spec.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')), {
      timeoutMs: 30_000,
      description: 'taints removed',
    });
  });

  it('deletes a namespace with everything in it', async () => {
    await kubectlOk(server, ['create', 'namespace', 'doomed']);
    await kubectlOk(server, ['-n', 'doomed', 'create', 'deployment', 'web', '--image=busybox', '--replicas=2']);
    await kubectlOk(server, ['-n', 'doomed', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
    await waitRunning(server, 'app=web', 2, { namespace: 'doomed' });
    assert.equal((await kubectlOk(server, ['delete', 'namespace', 'doomed', '--timeout=90s'])).trim(), 'namespace "doomed" deleted');
    const gone = await kubectl(server, ['get', 'namespace', 'doomed']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): namespaces "doomed" not found');
    const left = await getJson<{ items: unknown[] }>(server, ['get', 'pods,replicasets,deployments,configmaps', '-n', 'doomed']);
    assert.equal(left.items.length, 0);
  });
});
