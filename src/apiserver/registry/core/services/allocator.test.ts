import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAllocator, PortAllocator, AllocationError } from './allocator.js';

test('cluster IPs come from the range and are never handed out twice', () => {
  const a = new IPAllocator('10.43.0.0/24');
  assert.equal(a.nth(1), '10.43.0.1');
  a.allocate('10.43.0.1');
  assert.throws(() => a.allocate('10.43.0.1'), { message: 'failed to allocate IP 10.43.0.1: provided IP is already allocated' });
  assert.throws(() => a.allocate('10.44.0.1'), {
    message: 'failed to allocate IP 10.44.0.1: the provided IP (10.44.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/24',
  });
  assert.throws(() => a.allocate('10.43.0.0'), AllocationError);
  assert.throws(() => a.allocate('10.43.0.255'), AllocationError);
  const seen = new Set<string>(['10.43.0.1']);
  for (let i = 0; i < 253; i++) {
    const ip = a.allocateNext();
    assert.ok(!seen.has(ip), ip);
    seen.add(ip);
  }
  assert.throws(() => a.allocateNext(), { message: 'failed to allocate a serviceIP: range is full' });
  a.release('10.43.0.7');
  assert.equal(a.allocateNext(), '10.43.0.7');
});

test('dry-run allocation takes nothing', () => {
  const a = new IPAllocator('10.43.0.0/16');
  a.allocate('10.43.0.5', true);
  assert.equal(a.has('10.43.0.5'), false);
});

test('node ports: upstream messages for taken and out-of-range ports', () => {
  const p = new PortAllocator();
  p.allocate(30080);
  assert.throws(() => p.allocate(30080), { message: 'provided port is already allocated' });
  assert.throws(() => p.allocate(80), { message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' });
  const n = p.allocateNext();
  assert.ok(n >= 30000 && n <= 32767 && n !== 30080);
});
