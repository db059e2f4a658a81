// The scheduler alone, in-process: 5,000 synthetic nodes and 10,000 pending pods over an
// in-memory watchable client (no API server). Reports attempts/s and per-attempt p50/p99 and
// the longest event-loop stall. Run: node --import tsx bench/scheduler-inprocess.ts [nodes] [pods]

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FakeRecorder } from '../src/client/record/fake.js';
import { NODES, PODS } from '../src/client/resources.js';
import { nopLogger } from '../src/logging/index.js';
import { Scheduler } from '../src/scheduler/index.js';
import { makeNode, makePod } from '../src/scheduler/testing/fixtures.js';
import { WatchableClient } from '../src/scheduler/testing/watchable-client.js';

const numNodes = Number(process.argv[2] ?? 5000);
const numPods = Number(process.argv[3] ?? 10000);

const client = new WatchableClient();
for (let i = 0; i < numNodes; i++) client.apply(NODES, makeNode(`node-${i}`, { cpu: '32', memory: '128Gi', pods: '110', labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } }));
for (let i = 0; i < numPods; i++) client.apply(PODS, makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } }));

const sched = new Scheduler({ client, logger: nopLogger(), recorder: new FakeRecorder() });
const h = monitorEventLoopDelay({ resolution: 1 });
const t0 = performance.now();
await sched.start(new AbortController().signal);
const tSynced = performance.now();
h.enable();
while (sched.metrics().bound < numPods) await new Promise((r) => setTimeout(r, 20));
const t1 = performance.now();
h.disable();
const m = sched.metrics();
await sched.close();
const secs = (t1 - tSynced) / 1000;
console.log(`nodes ${numNodes}, pods ${numPods}`);
console.log(`informer sync        ${(tSynced - t0).toFixed(0)} ms`);
console.log(`scheduled+bound      ${numPods} in ${secs.toFixed(2)} s = ${(numPods / secs).toFixed(0)} pods/s`);
console.log(`attempt latency      p50 ${m.latencyMs.p50.toFixed(3)} ms, p99 ${m.latencyMs.p99.toFixed(3)} ms, max ${m.latencyMs.max.toFixed(3)} ms`);
console.log(`event loop delay     p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`);
