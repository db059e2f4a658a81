import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery, type ExtraDiscoveryGroup } from './discovery.js';
import { metricsDiscoveryGroup } from '../metricsapi/index.js';

interface GroupList {
  groups: { name: string }[];
}
interface AggList {
  items: { metadata: { name?: string } }[];
}

test('without extra groups only the catalogue is discovered', () => {
  const d = new Discovery();
  const names = (JSON.parse(d.apiGroupList()) as GroupList).groups.map((g) => g.name);
  assert.ok(names.includes('apps'));
  assert.ok(!names.includes('metrics.k8s.io'));
  assert.equal(d.apiGroup('metrics.k8s.io'), undefined);
  assert.equal(d.apiResourceList('metrics.k8s.io', 'v1beta1'), undefined);
  const agg = JSON.parse(d.aggregated('apis', 'v2')) as AggList;
  assert.ok(!agg.items.some((i) => i.metadata.name === 'metrics.k8s.io'));
});

test('an extra group follows the catalogue in every document', () => {
  const plain = new Discovery();
  const d = new Discovery([metricsDiscoveryGroup()]);
  const groups = (JSON.parse(d.apiGroupList()) as GroupList).groups;
  assert.deepEqual(groups.slice(0, -1), (JSON.parse(plain.apiGroupList()) as GroupList).groups);
  assert.equal(groups.at(-1)!.name, 'metrics.k8s.io');
  assert.deepEqual(JSON.parse(d.apiGroup('metrics.k8s.io')!), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'metrics.k8s.io',
    versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
    preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
  });
  const rl = JSON.parse(d.apiResourceList('metrics.k8s.io', 'v1beta1')!) as { kind: string; resources: { name: string }[] };
  assert.equal(rl.kind, 'APIResourceList');
  assert.deepEqual(rl.resources.map((r) => r.name), ['nodes', 'pods']);
  assert.equal(d.apiResourceList('metrics.k8s.io', 'v1'), undefined);
  assert.equal(d.apiResourceList('metrics.k8s.io', 'toString'), undefined);
  for (const v of ['v2', 'v2beta1'] as const) {
    const items = (JSON.parse(d.aggregated('apis', v)) as AggList).items;
    assert.equal(items.at(-1)!.metadata.name, 'metrics.k8s.io');
    assert.equal(items.length, (JSON.parse(plain.aggregated('apis', v)) as AggList).items.length + 1);
  }
  // The core document never carries a named group.
  assert.equal(d.aggregated('api', 'v2'), plain.aggregated('api', 'v2'));
  // Built-in groups are unchanged.
  assert.equal(d.apiResourceList('apps', 'v1'), plain.apiResourceList('apps', 'v1'));
});

test('an extra group may not shadow a served group', () => {
  const clash: ExtraDiscoveryGroup = { ...metricsDiscoveryGroup(), name: 'apps' };
  assert.throws(() => new Discovery([clash]), /"apps" is empty or already served/);
  assert.throws(() => new Discovery([{ ...metricsDiscoveryGroup(), name: '' }]), /empty/);
});
