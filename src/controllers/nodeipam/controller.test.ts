import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES } from '../../client/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { testContext } from '../shared/testing.js';
import { CIDRSet } from './cidr-set.js';
import { NAME, NodeIPAMController } from './controller.js';

const signal = new AbortController().signal;

function node(name: string, podCIDR?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '1' }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} };
}

function setup(config: { clusterCIDR?: string; nodeCIDRMaskSize?: number } = {}) {
  const t = testContext({ config });
  const controller = new NodeIPAMController(t.ctx);
  const nodes = t.informers.forResource(NODES);
  const add = (n: KubeObject): void => {
    t.client.seed(NODES, n);
    nodes.add(n);
  };
  return { ...t, controller, nodes, add };
}

test('CIDRSet hands out /24s of a /16 round-robin and refuses when full', () => {
  const s = new CIDRSet('10.42.0.0/16', 24);
  assert.equal(s.maxCIDRs, 256);
  assert.equal(s.cidrAt(s.allocateNext()), '10.42.0.0/24');
  assert.equal(s.cidrAt(s.allocateNext()), '10.42.1.0/24');
  s.release('10.42.0.0/24');
  // Round-robin: the released range is not reused before the others.
  assert.equal(s.cidrAt(s.allocateNext()), '10.42.2.0/24');
  s.occupy('10.42.3.0/24');
  assert.equal(s.cidrAt(s.allocateNext()), '10.42.4.0/24');
  const small = new CIDRSet('10.0.0.0/30', 31);
  small.allocateNext();
  small.allocateNext();
  assert.throws(() => small.allocateNext(), /no remaining CIDRs left/);
  assert.throws(() => s.occupy('192.168.0.0/24'), /out the range/);
  assert.ok(CIDRSet.overlaps('10.42.0.0/16', '10.42.128.0/17'));
  assert.ok(!CIDRSet.overlaps('10.42.0.0/16', '10.43.0.0/16'));
});

test('a node without a pod CIDR gets the next free /24 via patch', async () => {
  assert.equal(NAME, 'node-ipam-controller');
  const { controller, add, client } = setup();
  add(node('a', '10.42.0.0/24'));
  add(node('b'));
  controller.occupyExisting();
  await controller.sync('b', signal);
  assert.deepEqual(client.writes(), ['patch nodes b']);
  const stored = client.stored<KubeObject & { spec: { podCIDR: string; podCIDRs: string[] } }>(NODES, undefined, 'b')!;
  assert.equal(stored.spec.podCIDR, '10.42.1.0/24');
  assert.deepEqual(stored.spec.podCIDRs, ['10.42.1.0/24']);
});

test('a node that has a CIDR is left alone and its range marked used', async () => {
  const { controller, add, client } = setup();
  add(node('a', '10.42.0.0/24'));
  await controller.sync('a', signal);
  assert.deepEqual(client.writes(), []);
  assert.ok(controller.cidrs.isSet(0));
});

test('deleting a node releases its range', async () => {
  const { controller, add, nodes } = setup({ clusterCIDR: '10.42.0.0/23', nodeCIDRMaskSize: 24 });
  const a = node('a', '10.42.0.0/24');
  add(a);
  controller.occupyExisting();
  nodes.delete(a);
  await controller.sync('a', signal);
  assert.equal(controller.cidrs.allocatedCount, 0);
});

test('exhaustion records CIDRNotAvailable on the node and fails the sync', async () => {
  const { controller, add, recorder } = setup({ clusterCIDR: '10.42.0.0/24', nodeCIDRMaskSize: 24 });
  add(node('a', '10.42.0.0/24'));
  add(node('b'));
  controller.occupyExisting();
  await assert.rejects(controller.sync('b', signal), /no remaining CIDRs/);
  assert.deepEqual(recorder.lines(), ['Normal CIDRNotAvailable Node b status is now: CIDRNotAvailable']);
  assert.equal(recorder.events[0]!.object.kind, 'Node');
  assert.equal(recorder.events[0]!.object.name, 'b');
});

test('a failed patch releases the reservation so the retry starts clean', async () => {
  const { controller, add, client } = setup();
  add(node('b'));
  client.reactor = (a) => (a.verb === 'patch' ? new StatusError(500, 'InternalError', 'boom') : undefined);
  await assert.rejects(controller.sync('b', signal), /boom/);
  assert.equal(controller.cidrs.allocatedCount, 0);
  client.reactor = undefined;
  await controller.sync('b', signal);
  assert.equal(controller.cidrs.allocatedCount, 1);
});

test('5,000 nodes are allocated quickly', async () => {
  const { controller, add } = setup({ clusterCIDR: '10.0.0.0/8', nodeCIDRMaskSize: 24 });
  for (let i = 0; i < 5000; i++) add(node(`n${i}`));
  const start = performance.now();
  for (let i = 0; i < 5000; i++) await controller.sync(`n${i}`, signal);
  // The service range 10.43.0.0/16 (256 /24s) inside 10.0.0.0/8 is never handed out.
  assert.equal(controller.cidrs.allocatedCount, 5000 + 256);
  assert.ok(performance.now() - start < 1500);
});
