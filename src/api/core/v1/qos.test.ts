import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeQOSClass } from './qos.js';

const pod = (...resources: ({ requests?: Record<string, string>; limits?: Record<string, string> } | undefined)[]): Pod => ({
  spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) },
});

test('QoS classes as upstream GetPodQOS computes them', () => {
  assert.equal(computeQOSClass(pod(undefined)), 'BestEffort');
  assert.equal(computeQOSClass(pod({ requests: { 'nvidia.com/gpu': '1' } })), 'BestEffort', 'other resources do not count');
  assert.equal(computeQOSClass(pod({ requests: { cpu: '0' } })), 'BestEffort', 'zero quantities do not count');
  // Defaulting copies limits into missing requests before the class is computed; undefaulted,
  // limits alone are Burstable as in upstream.
  assert.equal(computeQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' } })), 'Burstable');
  assert.equal(computeQOSClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  assert.equal(computeQOSClass(pod({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } })), 'Guaranteed', 'equal by value');
  assert.equal(computeQOSClass(pod({ requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } })), 'Burstable');
  assert.equal(computeQOSClass(pod({ limits: { cpu: '1' } })), 'Burstable', 'memory limit missing');
  assert.equal(computeQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' } }, undefined)), 'Burstable', 'one container without limits');
});
