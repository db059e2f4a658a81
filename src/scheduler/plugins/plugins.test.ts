// Each in-tree plugin on NodeInfo fixtures.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CycleState, type NodeScore } from '../framework/interface.js';
import { NodeInfo, PodInfo } from '../framework/types.js';
import { makeNode, makePod, type NodeOpts, type PodObject } from '../testing/fixtures.js';
import { testHandle } from '../testing/handle.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, STORAGECLASSES } from '../../client/resources.js';
import { NodeAffinity } from './nodeaffinity/node-affinity.js';
import { NodeName } from './nodename/node-name.js';
import { NodePorts } from './nodeports/node-ports.js';
import { BalancedAllocation } from './noderesources/balanced-allocation.js';
import { Fit, fits, fitsRequest } from './noderesources/fit.js';
import { NodeUnschedulable } from './nodeunschedulable/node-unschedulable.js';
import { PrioritySort } from './queuesort/priority-sort.js';
import { SchedulingGates } from './schedulinggates/scheduling-gates.js';
import { TaintToleration } from './tainttoleration/taint-toleration.js';
import { InterPodAffinity } from './interpodaffinity/inter-pod-affinity.js';
import { PodTopologySpread } from './podtopologyspread/pod-topology-spread.js';
import { ImageLocality } from './imagelocality/image-locality.js';
import { VolumeBinding } from './volumebinding/volume-binding.js';

function nodeInfo(name: string, o: NodeOpts = {}, pods: PodObject[] = []): NodeInfo {
  const ni = new NodeInfo(name, makeNode(name, o));
  for (const p of pods) ni.addPodInfo(new PodInfo(p));
  return ni;
}

const text = (s: { code: string; reasons: readonly string[] } | null | undefined): string => (s ? `${s.code}: ${s.reasons.join(', ')}` : 'ok');

describe('PrioritySort', () => {
  it('orders by priority, then queue time', () => {
    const q = (prio: number, ts: number) => ({ podInfo: new PodInfo(makePod('p', { priority: prio })), timestamp: ts, initialAttemptTimestamp: ts, attempts: 0, unschedulablePlugins: new Set<string>() });
    const ps = new PrioritySort();
    assert.equal(ps.less(q(10, 5), q(1, 1)), true);
    assert.equal(ps.less(q(1, 1), q(10, 5)), false);
    assert.equal(ps.less(q(1, 1), q(1, 2)), true);
    assert.equal(ps.less(q(1, 2), q(1, 1)), false);
  });
});

describe('SchedulingGates', () => {
  it('gates pods with schedulingGates', () => {
    assert.equal(new SchedulingGates().preEnqueue(makePod('a')), null);
    assert.equal(text(new SchedulingGates().preEnqueue(makePod('a', { spec: { containers: [], schedulingGates: [{ name: 'x' }] } }))), 'UnschedulableAndUnresolvable: waiting for scheduling gates: [x]');
  });
});

describe('NodeUnschedulable', () => {
  const cases: [string, NodeOpts, PodObject, string][] = [
    ['schedulable node', {}, makePod('a'), 'ok'],
    ['cordoned node', { unschedulable: true }, makePod('a'), 'UnschedulableAndUnresolvable: node(s) were unschedulable'],
    ['tolerating pod', { unschedulable: true }, makePod('a', { spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), 'ok'],
  ];
  for (const [name, n, p, want] of cases) it(name, () => assert.equal(text(new NodeUnschedulable().filter(new CycleState(), new PodInfo(p), nodeInfo('n', n))), want));
});

describe('NodeName', () => {
  it('matches only the named node', () => {
    const p = new PodInfo(makePod('a', { nodeName: 'n1' }));
    assert.equal(text(new NodeName().filter(new CycleState(), p, nodeInfo('n1'))), 'ok');
    assert.equal(text(new NodeName().filter(new CycleState(), p, nodeInfo('n2'))), "UnschedulableAndUnresolvable: node(s) didn't match the requested node name");
  });
});

describe('TaintToleration', () => {
  const cases: [string, NodeOpts, PodObject, string][] = [
    ['no taints', {}, makePod('a'), 'ok'],
    ['NoSchedule taint', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }, makePod('a'), 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: v}'],
    ['NoExecute taint', { taints: [{ key: 'k', effect: 'NoExecute' }] }, makePod('a'), 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: }'],
    ['PreferNoSchedule passes filter', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }, makePod('a'), 'ok'],
    ['tolerated', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }, makePod('a', { spec: { containers: [], tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] } }), 'ok'],
    ['wrong value', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }, makePod('a', { spec: { containers: [], tolerations: [{ key: 'k', value: 'w' }] } }), 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: v}'],
  ];
  for (const [name, n, p, want] of cases) it(name, () => assert.equal(text(new TaintToleration().filter(new CycleState(), new PodInfo(p), nodeInfo('n', n))), want));

  it('scores untolerated PreferNoSchedule taints lower', () => {
    const pl = new TaintToleration();
    const st = new CycleState();
    const p = new PodInfo(makePod('a'));
    pl.preScore(st, p);
    const nodes = [nodeInfo('clean'), nodeInfo('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }), nodeInfo('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] })];
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: pl.score(st, p, n) }));
    pl.normalizeScore(st, p, scores);
    assert.deepEqual(scores.map((s) => s.score), [100, 50, 0]);
  });
});

describe('NodeAffinity', () => {
  const pl = new NodeAffinity();
  const run = (p: PodObject, ni: NodeInfo): string => {
    const st = new CycleState();
    const pi = new PodInfo(p);
    const pre = pl.preFilter(st, pi);
    if (pre.status?.code === 'Skip') return 'ok';
    if (pre.status) return text(pre.status);
    if (pre.result?.nodeNames && !pre.result.nodeNames.has(ni.name)) return 'excluded';
    return text(pl.filter(st, pi, ni));
  };
  const term = (key: string, operator: string, values: string[]) => ({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } });
  const cases: [string, PodObject, NodeInfo, string][] = [
    ['nodeSelector matches', makePod('a', { spec: { containers: [], nodeSelector: { disk: 'ssd' } } }), nodeInfo('n', { labels: { disk: 'ssd' } }), 'ok'],
    ['nodeSelector mismatch', makePod('a', { spec: { containers: [], nodeSelector: { disk: 'ssd' } } }), nodeInfo('n'), "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector"],
    ['In matches', makePod('a', { spec: { containers: [], affinity: { nodeAffinity: term('zone', 'In', ['a', 'b']) } } }), nodeInfo('n', { labels: { zone: 'b' } }), 'ok'],
    ['NotIn rejects', makePod('a', { spec: { containers: [], affinity: { nodeAffinity: term('zone', 'NotIn', ['b']) } } }), nodeInfo('n', { labels: { zone: 'b' } }), "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector"],
    ['Gt', makePod('a', { spec: { containers: [], affinity: { nodeAffinity: term('gen', 'Gt', ['3']) } } }), nodeInfo('n', { labels: { gen: '4' } }), 'ok'],
    [
      'matchFields metadata.name narrows PreFilter',
      makePod('a', { spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } } }),
      nodeInfo('n2'),
      'excluded',
    ],
    [
      'matchFields metadata.name matches',
      makePod('a', { spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } } }),
      nodeInfo('n1'),
      'ok',
    ],
  ];
  for (const [name, p, ni, want] of cases) it(name, () => assert.equal(run(p, ni), want));

  it('scores preferred terms by weight', () => {
    const p = new PodInfo(
      makePod('a', {
        spec: {
          containers: [],
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 2, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
                { weight: 8, preference: { matchExpressions: [{ key: 'b', operator: 'Exists' }] } },
              ],
            },
          },
        },
      }),
    );
    const st = new CycleState();
    assert.equal(pl.preScore(st, p), null);
    const nodes = [nodeInfo('x'), nodeInfo('a', { labels: { a: '' } }), nodeInfo('ab', { labels: { a: '', b: '' } })];
    const scores = nodes.map((n) => ({ name: n.name, score: pl.score(st, p, n) }));
    assert.deepEqual(scores.map((s) => s.score), [0, 2, 10]);
    pl.normalizeScore(st, p, scores);
    assert.deepEqual(scores.map((s) => s.score), [0, 20, 100]);
  });
});

describe('NodeResourcesFit', () => {
  const pl = new Fit();
  const cases: [string, PodObject, NodeInfo, string][] = [
    ['fits', makePod('a', { cpu: '1', memory: '1Gi' }), nodeInfo('n', { cpu: '2', memory: '2Gi' }), 'ok'],
    ['insufficient cpu with pods', makePod('a', { cpu: '1' }), nodeInfo('n', { cpu: '2' }, [makePod('x', { cpu: '1500m' })]), 'Unschedulable: Insufficient cpu'],
    ['larger than the node', makePod('a', { cpu: '3' }), nodeInfo('n', { cpu: '2' }), 'UnschedulableAndUnresolvable: Insufficient cpu'],
    ['memory and cpu', makePod('a', { cpu: '3', memory: '3Gi' }), nodeInfo('n', { cpu: '2', memory: '2Gi' }), 'UnschedulableAndUnresolvable: Insufficient cpu, Insufficient memory'],
    ['too many pods', makePod('a'), nodeInfo('n', { pods: '1' }, [makePod('x')]), 'Unschedulable: Too many pods'],
    ['extended resource', makePod('a', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '1' } } }] }), nodeInfo('n'), 'UnschedulableAndUnresolvable: Insufficient example.com/gpu'],
    ['extended resource present', makePod('a', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '1' } } }] }), nodeInfo('n', { extra: { 'example.com/gpu': '2' } }), 'ok'],
    [
      'init container max rule',
      makePod('a', { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '1500m' } } }] } }),
      nodeInfo('n', { cpu: '2' }, [makePod('x', { cpu: '1' })]),
      'Unschedulable: Insufficient cpu',
    ],
    [
      'pod overhead counts',
      makePod('a', { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '900m' } } }], overhead: { cpu: '200m' } } }),
      nodeInfo('n', { cpu: '2' }, [makePod('x', { cpu: '1' })]),
      'Unschedulable: Insufficient cpu',
    ],
  ];
  for (const [name, p, ni, want] of cases) it(name, () => assert.equal(text(pl.filter(new CycleState(), new PodInfo(p), ni)), want));

  it('the fast fit check agrees with the full report in every case', () => {
    for (const [name, p, ni] of cases) {
      const req = new PodInfo(p).requests;
      assert.equal(fits(req, ni), fitsRequest(req, ni).length === 0, name);
    }
  });

  it('LeastAllocated prefers emptier nodes (non-zero defaults for best-effort pods)', () => {
    const p = new PodInfo(makePod('a', { cpu: '1', memory: '1Gi' }));
    const empty = nodeInfo('e', { cpu: '4', memory: '4Gi' });
    const busy = nodeInfo('b', { cpu: '4', memory: '4Gi' }, [makePod('x', { cpu: '2', memory: '2Gi' })]);
    assert.equal(pl.score(new CycleState(), p, empty), 75);
    assert.equal(pl.score(new CycleState(), p, busy), 25);
    const be = new PodInfo(makePod('be'));
    // 100m of 4 cores and 200Mi of 4Gi
    assert.equal(pl.score(new CycleState(), be, empty), Math.trunc((97 + 95) / 2));
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers equal cpu and memory shares, skips best-effort pods', () => {
    const pl = new BalancedAllocation();
    const p = new PodInfo(makePod('a', { cpu: '1', memory: '1Gi' }));
    assert.equal(pl.score(new CycleState(), p, nodeInfo('n', { cpu: '4', memory: '4Gi' })), 100);
    assert.equal(pl.score(new CycleState(), p, nodeInfo('n', { cpu: '2', memory: '8Gi' })), Math.trunc((1 - (0.5 - 0.125) / 2) * 100));
    assert.equal(pl.preScore(new CycleState(), new PodInfo(makePod('be')))?.code, 'Skip');
  });
});

describe('NodePorts', () => {
  const pod = (port: number, ip?: string) => makePod('a', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: port, hostIP: ip }] }] });
  const cases: [string, PodObject, NodeInfo, string][] = [
    ['free port', pod(8080), nodeInfo('n', {}, [pod(9090)]), 'ok'],
    ['used port', pod(8080), nodeInfo('n', {}, [pod(8080)]), "Unschedulable: node(s) didn't have free ports for the requested pod ports"],
    ['different IPs', pod(8080, '10.0.0.1'), nodeInfo('n', {}, [pod(8080, '10.0.0.2')]), 'ok'],
    ['wildcard conflicts', pod(8080, '10.0.0.1'), nodeInfo('n', {}, [pod(8080)]), "Unschedulable: node(s) didn't have free ports for the requested pod ports"],
  ];
  for (const [name, p, ni, want] of cases) it(name, () => assert.equal(text(new NodePorts().filter(new CycleState(), new PodInfo(p), ni)), want));
  it('skips pods without host ports', () => assert.equal(new NodePorts().preFilter(new CycleState(), new PodInfo(makePod('a'))).status?.code, 'Skip'));
});

describe('InterPodAffinity', () => {
  const zone = (z: string): NodeOpts => ({ labels: { zone: z } });
  const anti = (key: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: key }] } });
  const aff = (key: string) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: key }] } });

  function run(pod: PodObject, nodes: [string, NodeOpts, PodObject[]][]): Record<string, string> {
    const h = testHandle();
    for (const [n, o] of nodes) h.cache.addNode(makeNode(n, o));
    for (const [n, , ps] of nodes) for (const p of ps) h.cache.addPod({ ...p, spec: { ...p.spec!, nodeName: n } });
    const pl = new InterPodAffinity(h.handle);
    const st = new CycleState();
    const pi = new PodInfo(pod);
    const pre = pl.preFilter(st, pi, h.cache.list());
    const out: Record<string, string> = {};
    for (const ni of h.cache.list()) out[ni.name] = pre.status?.code === 'Skip' ? 'ok' : text(pl.filter(st, pi, ni));
    return out;
  }

  it('anti-affinity keeps apart by topology', () => {
    const r = run(makePod('new', { labels: { app: 'web' }, spec: { containers: [], affinity: anti('zone') } }), [
      ['a', zone('z1'), [makePod('w', { labels: { app: 'web' } })]],
      ['b', zone('z1'), []],
      ['c', zone('z2'), []],
    ]);
    assert.deepEqual(r, { a: "Unschedulable: node(s) didn't match pod anti-affinity rules", b: "Unschedulable: node(s) didn't match pod anti-affinity rules", c: 'ok' });
  });

  it("existing pods' anti-affinity is honoured", () => {
    const r = run(makePod('new', { labels: { app: 'web' } }), [
      ['a', zone('z1'), [makePod('w', { labels: { app: 'x' }, spec: { containers: [], affinity: anti('kubernetes.io/hostname') } })]],
      ['b', zone('z1'), []],
    ]);
    assert.deepEqual(r, { a: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules", b: 'ok' });
  });

  it('affinity requires a matching pod in the domain; the first of a self-affine group goes anywhere', () => {
    const r = run(makePod('new', { spec: { containers: [], affinity: aff('zone') } }), [
      ['a', zone('z1'), [makePod('d', { labels: { app: 'db' } })]],
      ['b', zone('z1'), []],
      ['c', zone('z2'), []],
      ['d', {}, []],
    ]);
    assert.deepEqual(r, { a: 'ok', b: 'ok', c: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules", d: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules" });
    const first = run(makePod('new', { labels: { app: 'db' }, spec: { containers: [], affinity: aff('zone') } }), [['a', zone('z1'), []]]);
    assert.deepEqual(first, { a: 'ok' });
  });

  it('scores preferred affinity', () => {
    const h = testHandle([makeNode('a', zone('z1')), makeNode('b', zone('z2'))], []);
    h.cache.addPod({ ...makePod('d', { labels: { app: 'db' } }), spec: { containers: [], nodeName: 'a' } });
    const pl = new InterPodAffinity(h.handle);
    const pi = new PodInfo(makePod('new', { spec: { containers: [], affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' } }] } } } }));
    const st = new CycleState();
    assert.equal(pl.preScore(st, pi, h.cache.list()), null);
    const scores = h.cache.list().map((n) => ({ name: n.name, score: pl.score(st, pi, n) }));
    pl.normalizeScore(st, pi, scores);
    assert.deepEqual(Object.fromEntries(scores.map((s) => [s.name, s.score])), { a: 100, b: 0 });
  });
});

describe('PodTopologySpread', () => {
  const spread = (maxSkew: number, when = 'DoNotSchedule', extra: Record<string, unknown> = {}) => ({
    containers: [],
    topologySpreadConstraints: [{ maxSkew, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
  });
  function filter(pod: PodObject, nodes: [string, NodeOpts, number][]): Record<string, string> {
    const h = testHandle();
    for (const [n, o, count] of nodes) {
      h.cache.addNode(makeNode(n, o));
      for (let i = 0; i < count; i++) h.cache.addPod(makePod(`${n}-${i}`, { labels: { app: 'web' }, nodeName: n }));
    }
    const pl = new PodTopologySpread(h.handle);
    const st = new CycleState();
    const pi = new PodInfo(pod);
    pl.preFilter(st, pi, h.cache.list());
    return Object.fromEntries(h.cache.list().map((ni) => [ni.name, text(pl.filter(st, pi, ni))]));
  }

  it('DoNotSchedule limits skew', () => {
    const r = filter(makePod('new', { labels: { app: 'web' }, spec: spread(1) }), [
      ['a', { labels: { zone: 'z1' } }, 2],
      ['b', { labels: { zone: 'z2' } }, 1],
      ['c', {}, 0],
    ]);
    assert.deepEqual(r, {
      a: "Unschedulable: node(s) didn't match pod topology spread constraints",
      b: 'ok',
      c: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
    });
  });

  it('minDomains treats missing domains as zero', () => {
    const r = filter(makePod('new', { labels: { app: 'web' }, spec: spread(1, 'DoNotSchedule', { minDomains: 3 }) }), [
      ['a', { labels: { zone: 'z1' } }, 1],
      ['b', { labels: { zone: 'z2' } }, 1],
    ]);
    assert.deepEqual(r, { a: "Unschedulable: node(s) didn't match pod topology spread constraints", b: "Unschedulable: node(s) didn't match pod topology spread constraints" });
  });

  it('nodeAffinityPolicy Honor ignores nodes the pod cannot use', () => {
    const pod = makePod('new', { labels: { app: 'web' }, spec: { ...spread(1), nodeSelector: { pool: 'x' } } });
    const r = filter(pod, [
      ['a', { labels: { zone: 'z1', pool: 'x' } }, 1],
      ['b', { labels: { zone: 'z2' } }, 0],
    ]);
    assert.equal(r.a, 'ok');
  });

  it('ScheduleAnyway scores emptier domains higher', () => {
    const h = testHandle([makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z2' } })]);
    for (let i = 0; i < 3; i++) h.cache.addPod(makePod(`p${i}`, { labels: { app: 'web' }, nodeName: 'a' }));
    const pl = new PodTopologySpread(h.handle);
    const pi = new PodInfo(makePod('new', { labels: { app: 'web' }, spec: spread(1, 'ScheduleAnyway') }));
    const st = new CycleState();
    assert.equal(pl.preScore(st, pi, h.cache.list()), null);
    const scores = h.cache.list().map((n) => ({ name: n.name, score: pl.score(st, pi, n) }));
    pl.normalizeScore(st, pi, scores);
    const by = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    assert.ok(by.b! > by.a!, JSON.stringify(by));
  });

  it('system defaults apply to pods of a ReplicaSet only', () => {
    const h = testHandle([makeNode('a')]);
    const pl = new PodTopologySpread(h.handle);
    assert.equal(pl.preScore(new CycleState(), new PodInfo(makePod('lonely', { labels: { app: 'web' } })), h.cache.list())?.code, 'Skip');
  });
});

describe('ImageLocality', () => {
  it('prefers nodes with the image', () => {
    const big = 500 * 1024 * 1024;
    const h = testHandle([makeNode('with', { images: [{ names: ['docker.io/library/nginx:1.25', 'nginx:1.25'], sizeBytes: big }] }), makeNode('without')]);
    const pl = new ImageLocality(h.handle);
    const pi = new PodInfo(makePod('a', { containers: [{ name: 'c', image: 'nginx:1.25' }] }));
    const w = pl.score(new CycleState(), pi, h.cache.get('with')!);
    assert.equal(pl.score(new CycleState(), pi, h.cache.get('without')!), 0);
    const mb = 1024 * 1024;
    assert.equal(w, Math.trunc((100 * (big / 2 - 23 * mb)) / (1000 * mb - 23 * mb)));
  });
});

describe('VolumeBinding', () => {
  const podWith = (claim: string) => makePod('a', { spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] } });
  const wffc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'k8ts.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
  const immediate = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x', volumeBindingMode: 'Immediate' };
  const pvc = (name: string, cls: string, volumeName?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { storageClassName: cls, volumeName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });

  it('needs the claim to exist', () => {
    const h = testHandle([makeNode('n')]);
    const pl = new VolumeBinding(h.handle);
    assert.equal(text(pl.preFilter(new CycleState(), new PodInfo(podWith('data'))).status), 'UnschedulableAndUnresolvable: persistentvolumeclaim "data" not found');
    assert.equal(pl.preFilter(new CycleState(), new PodInfo(makePod('b'))).status?.code, 'Skip');
  });

  it('rejects unbound Immediate claims', () => {
    const h = testHandle([makeNode('n')]);
    h.seed(STORAGECLASSES, immediate);
    h.seed(PERSISTENTVOLUMECLAIMS, pvc('data', 'fast'));
    const pl = new VolumeBinding(h.handle);
    assert.equal(text(pl.preFilter(new CycleState(), new PodInfo(podWith('data'))).status), 'UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims');
  });

  it('bound claims follow the PV node affinity', () => {
    const h = testHandle([makeNode('n1'), makeNode('n2')]);
    h.seed(PERSISTENTVOLUMECLAIMS, pvc('data', 'local-path', 'pv1'));
    h.seed(PERSISTENTVOLUMES, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } },
    } as never);
    const pl = new VolumeBinding(h.handle);
    const st = new CycleState();
    const pi = new PodInfo(podWith('data'));
    assert.equal(pl.preFilter(st, pi).status ?? null, null);
    assert.equal(text(pl.filter(st, pi, h.cache.get('n1')!)), 'ok');
    assert.equal(text(pl.filter(st, pi, h.cache.get('n2')!)), 'UnschedulableAndUnresolvable: node(s) had volume node affinity conflict');
  });

  it('WaitForFirstConsumer: provisions, annotates the selected node in PreBind and waits for the binding', async () => {
    const h = testHandle([makeNode('n1')]);
    h.seed(STORAGECLASSES, wffc);
    h.seed(PERSISTENTVOLUMECLAIMS, pvc('data', 'local-path'));
    const pl = new VolumeBinding(h.handle, { bindTimeoutMs: 1000 });
    const st = new CycleState();
    const pi = new PodInfo(podWith('data'));
    assert.equal(pl.preFilter(st, pi).status ?? null, null);
    assert.equal(text(pl.filter(st, pi, h.cache.get('n1')!)), 'ok');
    assert.equal(pl.reserve(st, pi, 'n1'), null);
    const done = pl.preBind(st, pi, 'n1', new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.client.writes(), ['patch persistentvolumeclaims default/data']);
    const annotated = h.client.stored<ReturnType<typeof pvc> & { metadata: { annotations?: Record<string, string> } }>(PERSISTENTVOLUMECLAIMS, 'default', 'data')!;
    assert.equal(annotated.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'n1');
    // The PV controller provisions and binds.
    h.seed(PERSISTENTVOLUMES, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-1' }, spec: {} } as never);
    h.seed(PERSISTENTVOLUMECLAIMS, { ...annotated, spec: { ...annotated.spec, volumeName: 'pvc-1' } });
    assert.equal(await done, null);
  });

  it('WaitForFirstConsumer without a provisioner needs a matching static PV', () => {
    const h = testHandle([makeNode('n1')]);
    h.seed(STORAGECLASSES, { ...wffc, metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' });
    h.seed(PERSISTENTVOLUMECLAIMS, pvc('data', 'manual'));
    const pl = new VolumeBinding(h.handle);
    const st = new CycleState();
    const pi = new PodInfo(podWith('data'));
    pl.preFilter(st, pi);
    assert.equal(text(pl.filter(st, pi, h.cache.get('n1')!)), "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind");
    h.seed(PERSISTENTVOLUMES, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { storageClassName: 'manual', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] }, status: { phase: 'Available' } } as never);
    assert.equal(text(pl.filter(st, pi, h.cache.get('n1')!)), 'ok');
  });
});
