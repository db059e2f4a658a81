// The scheduler on three simulated nodes (4 CPUs each): an unmatched nodeSelector's event,
// taints and tolerations, required anti-affinity, preemption by priority, cordon and drain.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectl, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { api, parseTable, rowOf } from '../api/util.js';
import { pods, squash, waitDescribe, waitRunning } from './util.js';

const pod = (name: string, extra: string, labels = `app: ${name}`) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {${labels}}
spec:
${extra}
  containers: [{name: main, image: busybox}]
`;

describe('Scheduling', { skip: NOT_BUILT }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '3'] });
    await waitFor(async () => parseTable(await kubectlOk(server, ['get', 'nodes'])).rows.filter((r) => r.STATUS === 'Ready').length === 3, {
      timeoutMs: 30_000,
      description: 'three Ready nodes',
    });
  });

  it('leaves a pod whose nodeSelector matches nothing Pending with the upstream event', async () => {
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('picky', '  nodeSelector: {disktype: ssd}') });
    const out = squash(await waitDescribe(server, ['pod', 'picky'], /FailedScheduling/));
    assert.match(
      out,
      /Warning FailedScheduling \S+ default-scheduler 0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\./,
    );
    assert.equal(rowOf(parseTable(await kubectlOk(server, ['get', 'pod', 'picky'])), 'picky').STATUS, 'Pending');
    const cond = await kubectlOk(server, ['get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']);
    assert.equal(cond, 'Unschedulable');
    // A matching node appears: the pod is scheduled there.
    await kubectlOk(server, ['label', 'node', 'sim-0002', 'disktype=ssd']);
    await waitFor(async () => (await pods(server, 'app=picky'))[0]?.node === 'sim-0002', { timeoutMs: 30_000, description: 'picky bound to sim-0002' });
    assert.match(squash(await waitDescribe(server, ['pod', 'picky'], /Scheduled/)), /Normal Scheduled \S+ default-scheduler Successfully assigned default\/picky to sim-0002/);
  });

  it('keeps pods off tainted nodes unless they tolerate the taint', async () => {
    assert.equal((await kubectlOk(server, ['taint', 'nodes', 'sim-0001', 'dedicated=infra:NoSchedule'])).trim(), 'node/sim-0001 tainted');
    const pin = '  nodeSelector: {kubernetes.io/hostname: sim-0001}';
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('intolerant', pin) });
    assert.match(
      squash(await waitDescribe(server, ['pod', 'intolerant'], /FailedScheduling/)),
      /0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: infra\}, 2 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('tolerant', `${pin}\n  tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]`) });
    await waitRunning(server, 'app=tolerant', 1);
    assert.equal((await pods(server, 'app=tolerant'))[0]!.node, 'sim-0001');
    await kubectlOk(server, ['taint', 'nodes', 'sim-0001', 'dedicated=infra:NoSchedule-']);
    await kubectlOk(server, ['delete', 'pod', 'intolerant', 'tolerant', 'picky', '--wait=true']);
  });

  it('spreads pods with required anti-affinity, one per node', async () => {
    await kubectlOk(server, ['create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 4
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: spread}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: main, image: busybox}]
`,
    });
    const placed = await waitFor(
      async () => {
        const ps = await pods(server, 'app=spread');
        const bound = ps.filter((p) => p.node);
        return ps.length === 4 && bound.length === 3 ? ps : undefined;
      },
      { timeoutMs: 60_000, description: 'three of four spread pods bound' },
    );
    assert.equal(new Set(placed.filter((p) => p.node).map((p) => p.node)).size, 3);
    const pending = placed.find((p) => !p.node)!;
    assert.match(squash(await waitDescribe(server, ['pod', pending.name], /FailedScheduling/)), /0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\./);
    await kubectlOk(server, ['delete', 'deployment', 'spread']);
  });

  it('preempts a low-priority pod for a high-priority one', async () => {
    await kubectlOk(server, ['create', 'priorityclass', 'low', '--value=100']);
    await kubectlOk(server, ['create', 'priorityclass', 'high', '--value=1000']);
    const big = (name: string, pc: string) => pod(name, `  priorityClassName: ${pc}`, `app: ${name}, tier: ${pc}`).replace('image: busybox}', 'image: busybox, resources: {requests: {cpu: "3"}}}');
    for (const n of ['low-1', 'low-2', 'low-3']) await kubectlOk(server, ['create', '-f', '-'], { input: big(n, 'low') });
    await waitRunning(server, 'tier=low', 3);
    await kubectlOk(server, ['create', '-f', '-'], { input: big('vip', 'high') });
    await waitRunning(server, 'tier=high', 1, { timeoutMs: 60_000 });
    const lows = (await pods(server, 'tier=low')).filter((p) => !p.deleting);
    assert.equal(lows.length, 2, 'one low-priority pod was preempted');
    const events = squash(await kubectlOk(server, ['get', 'events', '--field-selector', 'reason=Preempted']));
    assert.match(events, /pod\/low-\d Preempted by pod \S+ on node sim-000\d/);
    await kubectlOk(server, ['delete', 'pod', '-l', 'tier', '--wait=true']);
  });

  it('cordons and drains a node', async () => {
    assert.equal((await kubectlOk(server, ['cordon', 'sim-0001'])).trim(), 'node/sim-0001 cordoned');
    assert.equal(rowOf(parseTable(await kubectlOk(server, ['get', 'nodes'])), 'sim-0001').STATUS, 'Ready,SchedulingDisabled');
    await kubectlOk(server, ['create', 'deployment', 'web', '--image=busybox', '--replicas=4']);
    const running = await waitRunning(server, 'app=web', 4);
    assert.ok(running.every((p) => p.node !== 'sim-0001'), 'no pod on the cordoned node');
    await kubectlOk(server, ['uncordon', 'sim-0001']);
    const victimNode = running[0]!.node;
    const drain = await kubectl(server, ['drain', victimNode, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
    assert.equal(drain.code, 0, drain.stderr);
    const said = drain.stdout + drain.stderr;
    assert.match(said, new RegExp(`node/${victimNode} cordoned`));
    assert.match(said, /evicting pod default\/web-/);
    assert.match(said, new RegExp(`node/${victimNode} drained`));
    const moved = await waitRunning(server, 'app=web', 4);
    assert.ok(moved.every((p) => p.node !== victimNode), 'pods moved off the drained node');
    assert.equal(rowOf(parseTable(await kubectlOk(server, ['get', 'nodes'])), victimNode).STATUS, 'Ready,SchedulingDisabled');
  });

  it('evicts only what a PodDisruptionBudget allows', async () => {
    await kubectlOk(server, ['uncordon', 'sim-0001', 'sim-0002', 'sim-0003']);
    await kubectlOk(server, ['create', 'deployment', 'guarded', '--image=busybox', '--replicas=3']);
    const running = await waitRunning(server, 'app=guarded', 3);
    await kubectlOk(server, ['create', 'poddisruptionbudget', 'guard', '--selector=app=guarded', '--min-available=2']);
    await waitFor(async () => (await kubectlOk(server, ['get', 'pdb', 'guard', '-o', 'jsonpath={.status.disruptionsAllowed}'])).trim() === '1', {
      timeoutMs: 30_000,
      description: 'the budget allows one disruption',
    });
    const evict = (pod: string) =>
      api(server, 'POST', `/api/v1/namespaces/default/pods/${pod}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'default' } });
    // Two evictions at once: exactly one may pass.
    const [a, b] = await Promise.all([evict(running[0]!.name), evict(running[1]!.name)]);
    assert.deepEqual([a.status, b.status].sort(), [201, 429], `${a.body}\n${b.body}`);
    const refused = JSON.parse(a.status === 429 ? a.body : b.body) as { reason: string; message: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(refused.reason, 'TooManyRequests');
    assert.equal(refused.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.match(refused.details.causes[0]!.message, /^The disruption budget guard needs 2 healthy pods and has \d currently$/);
    // The budget recovers once the replacement runs; a drain then proceeds pod by pod.
    await waitRunning(server, 'app=guarded', 3);
    await kubectlOk(server, ['delete', 'pdb', 'guard']);
    await kubectlOk(server, ['delete', 'deployment', 'guarded']);
  });
});
