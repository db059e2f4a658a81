import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeName, rootRequirement } from './node-agent.js';

test('a real node needs root unless it uses an existing CRI socket', () => {
  assert.equal(rootRequirement(0, undefined), undefined);
  assert.equal(rootRequirement(1000, 'unix:///run/containerd/containerd.sock'), undefined);
  assert.match(rootRequirement(1000, undefined) ?? '', /needs root: run k8ts as root, or pass --disable-agent \(control plane only\) or --simulated-nodes N$/);
});

test('each data dir has its own bridge name within the 15 characters Linux allows', () => {
  const a = bridgeName('/var/lib/k8ts');
  const b = bridgeName('/tmp/other');
  assert.notEqual(a, b);
  assert.match(a, /^k8ts[0-9a-f]{8}$/);
  assert.ok(a.length <= 15);
  assert.equal(bridgeName('/var/lib/k8ts'), a);
});
