import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodInfo } from '../framework/types.js';
import { makeNode, makePod } from '../testing/fixtures.js';
import { SchedulerCache } from './cache.js';

describe('SchedulerCache', () => {
  it('keeps requested resources incrementally with assume, confirm, forget and expiry', () => {
    const clock = { now: 0 };
    const c = new SchedulerCache(1000, () => clock.now);
    c.addNode(makeNode('n1', { cpu: '4' }));
    const p = makePod('a', { cpu: '1', uid: 'ua' });
    c.assumePod(new PodInfo(p), 'n1');
    assert.equal(c.get('n1')!.requested.milliCPU, 1000);
    assert.equal(c.isAssumed('ua'), true);
    c.forgetPod('ua');
    assert.equal(c.get('n1')!.requested.milliCPU, 0);
    c.assumePod(new PodInfo(p), 'n1');
    c.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
    assert.equal(c.isAssumed('ua'), false);
    assert.equal(c.get('n1')!.requested.milliCPU, 1000);
    assert.equal(c.get('n1')!.pods.length, 1);
    const q = makePod('b', { cpu: '2', uid: 'ub' });
    c.assumePod(new PodInfo(q), 'n1');
    c.finishBinding('ub');
    clock.now = 1001;
    assert.equal(c.cleanupExpiredAssumedPods(), 1);
    assert.equal(c.get('n1')!.requested.milliCPU, 1000);
    c.removePod(p);
    assert.equal(c.get('n1')!.requested.milliCPU, 0);
  });

  it('tracks nodes, host ports, affinity pods and images', () => {
    const c = new SchedulerCache(1000, () => 0);
    c.addNode(makeNode('n1', { images: [{ names: ['nginx'], sizeBytes: 10 }] }));
    c.addNode(makeNode('n2', { images: [{ names: ['nginx:latest'], sizeBytes: 10 }] }));
    assert.equal(c.imageNumNodes('nginx:latest'), 2);
    const p = makePod('a', { uid: 'ua', nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }] }], spec: undefined });
    p.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: {} }] } };
    c.addPod(p);
    assert.equal([...c.havePodsWithRequiredAntiAffinity()].length, 1);
    assert.equal(c.get('n1')!.portInUse({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }), true);
    c.removeNode(makeNode('n2'));
    assert.equal(c.list().length, 1);
    assert.equal(c.imageNumNodes('nginx:latest'), 1);
    c.removePod(p);
    assert.equal([...c.havePodsWithRequiredAntiAffinity()].length, 0);
    assert.equal(c.get('n1')!.portInUse({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }), false);
  });
});
