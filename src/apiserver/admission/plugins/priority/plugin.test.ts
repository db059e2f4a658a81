import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { StatusError } from '../../../../machinery/errors.js';
import { create, NAME, SYSTEM_PRIORITY_CLASSES } from './plugin.js';

function pc(name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra };
}

function plugin(classes: PriorityClass[]) {
  return create({
    getPriorityClass: async (name) => classes.find((c) => c.metadata?.name === name),
    listPriorityClasses: async () => classes,
  });
}

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'x', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

async function forbidden(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(e.message, message);
    return true;
  });
}

test('plugin name and system classes', () => {
  assert.equal(NAME, 'Priority');
  const byName = Object.fromEntries(SYSTEM_PRIORITY_CLASSES.map((c) => [c.metadata?.name, c.value]));
  assert.deepEqual(byName, { 'system-cluster-critical': 2000000000, 'system-node-critical': 2000001000 });
});

test('no class and no global default: priority 0 and PreemptLowerPriority', async () => {
  const p = pod();
  await plugin([pc('other', 5)]).admitPod('CREATE', p);
  assert.equal(p.spec?.priority, 0);
  assert.equal(p.spec?.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(p.spec?.priorityClassName, undefined);
});

test('a named class gives its value and policy', async () => {
  const p = pod({ priorityClassName: 'system-node-critical' });
  await plugin([...SYSTEM_PRIORITY_CLASSES.map((c) => ({ ...c, preemptionPolicy: 'PreemptLowerPriority' }))]).admitPod('CREATE', p);
  assert.equal(p.spec?.priority, 2000001000);
  assert.equal(p.spec?.preemptionPolicy, 'PreemptLowerPriority');

  const q = pod({ priorityClassName: 'batch' });
  await plugin([pc('batch', 7, { preemptionPolicy: 'Never' })]).admitPod('CREATE', q);
  assert.equal(q.spec?.priority, 7);
  assert.equal(q.spec?.preemptionPolicy, 'Never');
});

test('the global default class (lowest value among several) names itself on the pod', async () => {
  const p = pod();
  await plugin([pc('a', 10, { globalDefault: true }), pc('b', 3, { globalDefault: true, preemptionPolicy: 'Never' }), pc('c', 1)]).admitPod('CREATE', p);
  assert.equal(p.spec?.priorityClassName, 'b');
  assert.equal(p.spec?.priority, 3);
  assert.equal(p.spec?.preemptionPolicy, 'Never');
});

test('an unknown class is Forbidden with the upstream message', async () => {
  await forbidden(plugin([]).admitPod('CREATE', pod({ priorityClassName: 'foo' })), 'pods "x" is forbidden: no PriorityClass with name foo was found');
});

test('a pod that sets a different priority or policy is Forbidden; an equal one passes', async () => {
  await forbidden(
    plugin([pc('hi', 100)]).admitPod('CREATE', pod({ priorityClassName: 'hi', priority: 5 })),
    'pods "x" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name',
  );
  await forbidden(
    plugin([]).admitPod('CREATE', pod({ priority: 1 })),
    'pods "x" is forbidden: the integer value of priority (1) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
  );
  await forbidden(
    plugin([]).admitPod('CREATE', pod({ preemptionPolicy: 'Never' })),
    'pods "x" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
  );
  const ok = pod({ priorityClassName: 'hi', priority: 100, preemptionPolicy: 'PreemptLowerPriority' });
  await plugin([pc('hi', 100)]).admitPod('CREATE', ok);
  assert.equal(ok.spec?.priority, 100);
});

test('a class without a policy leaves the pod policy alone', async () => {
  const p = pod({ priorityClassName: 'old', preemptionPolicy: 'Never' });
  await plugin([pc('old', 4, { preemptionPolicy: undefined })]).admitPod('CREATE', p);
  assert.equal(p.spec?.priority, 4);
  assert.equal(p.spec?.preemptionPolicy, 'Never');
});

test('a lookup failure is an internal error', async () => {
  const p = create({
    getPriorityClass: async () => Promise.reject(new Error('etcd down')),
    listPriorityClasses: async () => [],
  });
  await assert.rejects(p.admitPod('CREATE', pod({ priorityClassName: 'z' })), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 500);
    assert.match(e.message, /failed to get PriorityClass with name z: etcd down/);
    return true;
  });
});

test('an update keeps the priority of the old pod', async () => {
  const p = pod();
  await plugin([]).admitPod('UPDATE', p, pod({ priority: 9, preemptionPolicy: 'Never' }));
  assert.equal(p.spec?.priority, 9);
  assert.equal(p.spec?.preemptionPolicy, 'Never');
});

test('only one PriorityClass may be the global default', async () => {
  const classes = [pc('def', 1, { globalDefault: true })];
  const p = plugin(classes);
  await forbidden(
    p.validatePriorityClass('CREATE', pc('new', 2, { globalDefault: true })),
    'priorityclasses.scheduling.k8s.io "new" is forbidden: PriorityClass def is already marked as default. Only one default can exist',
  );
  await forbidden(
    p.validatePriorityClass('UPDATE', pc('other', 2, { globalDefault: true })),
    'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass def is already marked as default. Only one default can exist',
  );
  await p.validatePriorityClass('UPDATE', pc('def', 1, { globalDefault: true }));
  await p.validatePriorityClass('CREATE', pc('plain', 2));
  await plugin([]).validatePriorityClass('CREATE', pc('first', 2, { globalDefault: true }));
});
