import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PODDISRUPTIONBUDGETS, PODS } from '../../../client/resources.js';
import { NodeToStatus, Status } from '../../framework/status.js';
import { PodInfo } from '../../framework/types.js';
import { makeNode, makePod, type PodObject } from '../../testing/fixtures.js';
import { testHandle } from '../../testing/handle.js';
import { DefaultPreemption, pickOneNodeForPreemption, type Candidate } from './default-preemption.js';

function setup(pods: PodObject[], pdbs: object[] = []) {
  const h = testHandle([makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })]);
  for (const p of pods) {
    h.cache.addPod(p);
    h.client.apply(PODS, p);
  }
  for (const pdb of pdbs) h.seed(PODDISRUPTIONBUDGETS, pdb as never);
  const fw = h.framework();
  const pl = fw.postFilter[0] as DefaultPreemption;
  return { h, fw, pl };
}

async function preempt(pods: PodObject[], preemptor: PodObject, pdbs: object[] = []) {
  const { h, fw, pl } = setup(pods, pdbs);
  const st = fw.newCycleState();
  const pi = new PodInfo(preemptor);
  fw.runPreFilterPlugins(st, pi, h.cache.list());
  const m = new NodeToStatus();
  for (const ni of h.cache.list()) {
    const s = fw.runFilterPlugins(st, pi, ni);
    if (s) m.set(ni.name, s);
  }
  const r = await pl.postFilter(st, pi, m, new AbortController().signal);
  return { r, h };
}

describe('DefaultPreemption', () => {
  it('picks the node with the lowest-priority victims and evicts only what is needed', async () => {
    const pods = [
      makePod('n1-a', { cpu: '1', priority: 10, nodeName: 'n1' }),
      makePod('n1-b', { cpu: '1', priority: 10, nodeName: 'n1' }),
      makePod('n2-a', { cpu: '1', priority: 1, nodeName: 'n2' }),
      makePod('n2-b', { cpu: '1', priority: 5, nodeName: 'n2' }),
    ];
    const { r, h } = await preempt(pods, makePod('p', { cpu: '1', priority: 100 }));
    assert.equal(r.status, null);
    assert.equal(r.result?.nominatedNodeName, 'n2');
    assert.deepEqual(h.client.writes(), ['patch pods/status default/n2-a', 'delete pods default/n2-a']);
    assert.ok(h.recorder.lines()[0]!.startsWith('Normal Preempted Preempted by pod '));
    assert.ok(h.recorder.lines()[0]!.endsWith(' on node n2'));
  });

  it('prefers victims whose PDB allows the disruption', async () => {
    const pods = [makePod('n1-a', { cpu: '2', priority: 1, nodeName: 'n1', labels: { app: 'guarded' } }), makePod('n2-a', { cpu: '2', priority: 1, nodeName: 'n2' })];
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'g', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'guarded' } } }, status: { disruptionsAllowed: 0 } };
    const { r } = await preempt(pods, makePod('p', { cpu: '1', priority: 100 }), [pdb]);
    assert.equal(r.result?.nominatedNodeName, 'n2');
  });

  it('reports why preemption cannot help', async () => {
    const pods = [makePod('n1-a', { cpu: '1', priority: 1000, nodeName: 'n1' })];
    const { r } = await preempt(pods, makePod('p', { cpu: '3', priority: 100 }));
    assert.equal(r.status?.message(), 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    const { r: r2 } = await preempt([makePod('n1-a', { cpu: '2', priority: 1000, nodeName: 'n1' }), makePod('n2-a', { cpu: '2', priority: 1000, nodeName: 'n2' })], makePod('p', { cpu: '1', priority: 100 }));
    assert.equal(r2.status?.message(), 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    const never = makePod('p', { cpu: '1', priority: 100, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '3' } } }], preemptionPolicy: 'Never' } });
    const { r: r3 } = await preempt([], never);
    assert.equal(r3.status?.message(), 'preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('pickOneNodeForPreemption: fewest PDB violations, then lowest top priority, then fewest victims', () => {
    const v = (...prios: number[]) => prios.map((p, i) => new PodInfo(makePod(`v${i}`, { priority: p })));
    const cs: Candidate[] = [
      { nodeName: 'a', victims: { pods: v(5), numPDBViolations: 1 } },
      { nodeName: 'b', victims: { pods: v(7, 1), numPDBViolations: 0 } },
      { nodeName: 'c', victims: { pods: v(7), numPDBViolations: 0 } },
      { nodeName: 'd', victims: { pods: v(9), numPDBViolations: 0 } },
    ];
    assert.equal(pickOneNodeForPreemption(cs).nodeName, 'c');
    assert.equal(Status.unschedulable('x').isRejected(), true);
  });
});
