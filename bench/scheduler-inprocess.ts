// The scheduler alone, in-process: synthetic nodes and pending pods over an in-memory watchable
// client (no API server). Reports attempts/s, per-attempt p50/p99/max and the longest
// event-loop stall.
//
// Run: node --import tsx bench/scheduler-inprocess.ts [nodes=5000] [pods=10000] [workload=plain]
//   plain       pods with labels only (no owner: no default topology spreading)
//   deployment  pods of one ReplicaSet (owner reference + matching labels), so the system-default
//               PodTopologySpread constraints (hostname and zone) apply to every pod, as for a
//               Deployment rollout

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loopDelayMs } from './lib/report.js';
import { FakeRecorder } from '../src/client/record/fake.js';
import { NODES, PODS, REPLICASETS } from '../src/client/resources.js';
import { nopLogger } from '../src/logging/index.js';
import { Scheduler } from '../src/scheduler/index.js';
import { makeNode, makePod } from '../src/scheduler/testing/fixtures.js';
import { WatchableClient } from '../src/scheduler/testing/watchable-client.js';

const numNodes = Number(process.argv[2] ?? 5000);
const numPods = Number(process.argv[3] ?? 10000);
const workload = process.argv[4] ?? 'plain';
if (workload !== 'plain' && workload !== 'deployment') throw new Error(`unknown workload ${workload} (plain | deployment)`);

const client = new WatchableClient();
for (let i = 0; i < numNodes; i++) client.apply(NODES, makeNode(`node-${i}`, { cpu: '32', memory: '128Gi', pods: '110', labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } }));
if (workload === 'plain') {
  for (let i = 0; i < numPods; i++) client.apply(PODS, makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } }));
} else {
  const labels = { app: 'web', 'pod-template-hash': '5d8f7c9b4' };
  const rsName = `web-${labels['pod-template-hash']}`;
  const rs = client.apply(REPLICASETS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: rsName, namespace: 'default', uid: 'uid-rs-web', labels },
    spec: { replicas: numPods, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  for (let i = 0; i < numPods; i++) {
    const p = makePod(`${rsName}-${i.toString(36).padStart(5, '0')}`, { cpu: '100m', memory: '128Mi', labels });
    p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rs.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }];
    client.apply(PODS, p);
  }
}

const sched = new Scheduler({ client, logger: nopLogger(), recorder: new FakeRecorder() });
const h = monitorEventLoopDelay({ resolution: 1 });
const t0 = performance.now();
await sched.start(new AbortController().signal);
const tSynced = performance.now();
h.enable();
while (sched.metrics().bound < numPods) await new Promise((r) => setTimeout(r, 100));
const t1 = performance.now();
h.disable();
const m = sched.metrics();
await sched.close();
const secs = (t1 - tSynced) / 1000;
const attempts = m.attempts.scheduled + m.attempts.unschedulable + m.attempts.error;
console.log(`workload ${workload}, nodes ${numNodes}, pods ${numPods}`);
console.log(`informer sync        ${(tSynced - t0).toFixed(0)} ms`);
console.log(`scheduled+bound      ${numPods} in ${secs.toFixed(2)} s = ${(numPods / secs).toFixed(0)} pods/s (${attempts} attempts = ${(attempts / secs).toFixed(0)} attempts/s)`);
console.log(`attempt latency      p50 ${m.latencyMs.p50.toFixed(3)} ms, p99 ${m.latencyMs.p99.toFixed(3)} ms, max ${m.latencyMs.max.toFixed(3)} ms`);
console.log(`event loop delay     p99 ${loopDelayMs(h, 1).p99.toFixed(1)} ms, max (longest stall) ${loopDelayMs(h, 1).max.toFixed(1)} ms`);
