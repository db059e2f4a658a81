import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS } from '../../client/resources.js';
import type { DeepMutable } from '../../util/mutable.js';
import { testContext } from '../shared/testing.js';
import type { PodObject } from '../shared/podutil.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevisionObject } from '../shared/history.js';
import { DaemonSetsController, NAME } from './controller.js';
import type { DaemonSetObject, NodeObject } from './util.js';

const signal = new AbortController().signal;

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): NodeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } };
}

function daemonSet(over: { nodeSelector?: Record<string, string>; strategy?: 'OnDelete' | 'RollingUpdate'; maxSurge?: number | string; maxUnavailable?: number | string; historyLimit?: number } = {}): DaemonSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 1, resourceVersion: '1' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      revisionHistoryLimit: over.historyLimit ?? 10,
      updateStrategy:
        over.strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: over.maxUnavailable ?? 1, maxSurge: over.maxSurge ?? 0 } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { nodeSelector: over.nodeSelector, containers: [{ name: 'agent', image: 'agent:1' }] },
      },
    },
  };
}

function setup(ds: DaemonSetObject, nodes: NodeObject[]) {
  const t = testContext();
  const controller = new DaemonSetsController(t.ctx);
  t.client.seed(DAEMONSETS, ds);
  for (const n of nodes) t.client.seed(NODES, n);
  const resources: GroupVersionResource[] = [DAEMONSETS, NODES, PODS, CONTROLLERREVISIONS];
  const refresh = (): void => {
    for (const gvr of resources) {
      const objs = t.client.all(gvr).map((o) => {
        const c = structuredClone(o) as DeepMutable<KubeObject> & { status?: { phase?: string } };
        if (gvr === PODS && !c.status?.phase) c.status = { ...(c.status ?? {}), phase: 'Pending' };
        return c as KubeObject;
      });
      t.informers.forResource(gvr).replace(objs, '1');
    }
  };
  refresh();
  let last: { requeueAfterMs?: number } | void = undefined;
  const step = async (opts: { refresh?: boolean } = {}): Promise<string[]> => {
    const before = t.client.actions.length;
    last = await controller.sync('kube-system/agent', signal);
    const writes = t.client.actions
      .slice(before)
      .filter((a) => a.verb !== 'get' && a.verb !== 'list')
      .map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.name ?? ''}`);
    if (opts.refresh !== false) refresh();
    return writes;
  };
  const pods = () => t.client.all<PodObject>(PODS);
  const podsOn = (n: string) => pods().filter((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] === n);
  /** Binds every pod to its node and makes it Running and Ready. */
  const runAll = (): void => {
    for (const p of pods() as DeepMutable<PodObject>[]) {
      const target = p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchFields![0]!.values![0]!;
      p.spec!.nodeName = target;
      if (p.status?.phase !== 'Failed') p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] };
    }
    refresh();
  };
  const stored = () => t.client.stored<DaemonSetObject>(DAEMONSETS, 'kube-system', 'agent')!;
  const updateDs = (fn: (d: DeepMutable<DaemonSetObject>) => void): void => {
    const d = t.client.stored<DeepMutable<DaemonSetObject>>(DAEMONSETS, 'kube-system', 'agent')!;
    fn(d);
    d.metadata!.generation = (d.metadata!.generation ?? 1) + 1;
    refresh();
  };
  return { ...t, controller, step, pods, podsOn, runAll, stored, updateDs, refresh, lastResult: () => last };
}

test('one pod per eligible node, pinned by node-name affinity, with the daemon tolerations and the revision hash', async () => {
  assert.equal(NAME, 'daemonset-controller');
  const s = setup(daemonSet({ nodeSelector: { role: 'worker' } }), [
    node('n1', { role: 'worker' }),
    node('n2', { role: 'worker' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
    node('n3', { role: 'other' }),
    node('n4', { role: 'worker' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]),
  ]);
  const w = await s.step();
  const revs = s.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS);
  assert.equal(revs.length, 1);
  const hash = revs[0]!.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL]!;
  assert.equal(revs[0]!.metadata!.name, `agent-${hash}`);
  assert.equal(revs[0]!.revision, 1);
  assert.deepEqual(w.filter((x) => x.startsWith('create pods')).length, 2);
  assert.deepEqual(s.podsOn('n1').length, 1);
  assert.deepEqual(s.podsOn('n4').length, 1, 'the unschedulable taint is tolerated');
  assert.deepEqual(s.podsOn('n2').length, 0, 'untolerated NoSchedule taint');
  assert.deepEqual(s.podsOn('n3').length, 0, 'nodeSelector');
  const pod = s.podsOn('n1')[0]!;
  assert.equal(pod.metadata?.generateName, 'agent-');
  assert.equal(pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL], hash);
  assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, 'ds-uid');
  assert.deepEqual(pod.spec?.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } });
  assert.deepEqual(
    pod.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`),
    [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ],
  );
  assert.ok(s.recorder.lines().every((l) => l.startsWith('Normal SuccessfulCreate Created pod: agent-')));
  assert.equal(s.stored().status?.desiredNumberScheduled, 2);
  assert.equal(s.stored().status?.currentNumberScheduled, 0, 'the informer has not seen the new pods yet');
  assert.deepEqual((await s.step()).filter((x) => !x.startsWith('update daemonsets/status')), []);
  let st = s.stored().status!;
  assert.equal(st.desiredNumberScheduled, 2);
  assert.equal(st.currentNumberScheduled, 2);
  assert.equal(st.observedGeneration, 1);
  s.runAll();
  await s.step();
  st = s.stored().status!;
  assert.equal(st.numberReady, 2);
  assert.equal(st.numberAvailable, 2);
  assert.equal(st.numberUnavailable, 0);
  assert.equal(st.updatedNumberScheduled, 2);
  assert.equal(st.numberMisscheduled, 0);
});

test('expectations stop a second creation before the informer has seen the first', async () => {
  const s = setup(daemonSet(), [node('n1'), node('n2')]);
  await s.step({ refresh: false });
  const w = await s.step({ refresh: false });
  assert.deepEqual(w.filter((x) => x.startsWith('create pods')), []);
  assert.equal(s.pods().length, 2);
});

test('a new node gets a pod; a node leaving the placement loses it; NoExecute evicts, NoSchedule does not', async () => {
  const s = setup(daemonSet({ nodeSelector: { role: 'worker' } }), [node('n1', { role: 'worker' }), node('n2', { role: 'worker' })]);
  await s.step();
  s.runAll();
  s.client.seed(NODES, node('n3', { role: 'worker' }));
  s.refresh();
  let w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 1);
  assert.equal(s.podsOn('n3').length, 1);
  s.runAll();

  // n1 loses the label: its pod is deleted.
  const n1 = s.client.stored<DeepMutable<NodeObject>>(NODES, undefined, 'n1')!;
  n1.metadata!.labels = { role: 'none' };
  // n2 gets a NoSchedule taint: its pod stays (misscheduled); n3 a NoExecute taint: deleted.
  s.client.stored<DeepMutable<NodeObject>>(NODES, undefined, 'n2')!.spec!.taints = [{ key: 'x', effect: 'NoSchedule' }];
  s.client.stored<DeepMutable<NodeObject>>(NODES, undefined, 'n3')!.spec!.taints = [{ key: 'y', effect: 'NoExecute' }];
  s.refresh();
  s.recorder.events.length = 0;
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 2);
  assert.equal(s.podsOn('n1').length, 0);
  assert.equal(s.podsOn('n2').length, 1);
  assert.equal(s.podsOn('n3').length, 0);
  assert.ok(s.recorder.lines().every((l) => l.startsWith('Normal SuccessfulDelete Deleted pod: ')));
  await s.step();
  const st = s.stored().status!;
  assert.equal(st.desiredNumberScheduled, 0);
  assert.equal(st.numberMisscheduled, 1);
});

test('a failed daemon pod is deleted with FailedDaemonPod and replaced, with back-off on repeated failures', async () => {
  const s = setup(daemonSet(), [node('n1')]);
  await s.step();
  s.runAll();
  const fail = (): void => {
    const p = s.pods()[0] as DeepMutable<PodObject>;
    p.status = { phase: 'Failed' };
    s.refresh();
  };
  fail();
  let w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 1);
  assert.ok(s.recorder.lines().some((l) => /^Warning FailedDaemonPod Found failed daemon pod kube-system\/agent-\w+ on node n1, will try to kill it$/.test(l)));
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 1);
  s.runAll();
  fail();
  // Within the back-off window: the failed pod is left alone and the set comes back later.
  s.clock.now += 500;
  w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('delete pods')), []);
  assert.equal(s.lastResult()?.requeueAfterMs, 1000);
  s.clock.now += 1000;
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 1);
});

test('RollingUpdate with maxUnavailable replaces old pods a bounded number at a time', async () => {
  const s = setup(daemonSet({ maxUnavailable: 2 }), [node('n1'), node('n2'), node('n3')]);
  await s.step();
  s.runAll();
  await s.step();
  const oldHash = s.pods()[0]!.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL];
  s.updateDs((d) => (d.spec!.template!.spec!.containers[0]!.image = 'agent:2'));
  let w = await s.step();
  const revs = s.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS);
  assert.equal(revs.length, 2);
  assert.equal(revs.find((r) => r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== oldHash)?.revision, 2);
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 2);
  // The deleted pods' nodes get new ones; the third waits until those are available.
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 2);
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 0);
  await s.step();
  assert.equal(s.stored().status?.updatedNumberScheduled, 2);
  s.runAll();
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 1);
  await s.step();
  s.runAll();
  await s.step();
  assert.ok(s.pods().every((p) => p.spec?.containers[0]?.image === 'agent:2'));
  assert.equal(s.stored().status?.updatedNumberScheduled, 3);
});

test('RollingUpdate with maxSurge starts the new pod beside the old and removes the old once the new is available', async () => {
  const s = setup(daemonSet({ maxSurge: 1, maxUnavailable: 0 }), [node('n1'), node('n2')]);
  await s.step();
  s.runAll();
  await s.step();
  s.updateDs((d) => (d.spec!.template!.spec!.containers[0]!.image = 'agent:2'));
  let w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 1);
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 0);
  assert.equal(s.pods().length, 3);
  s.runAll();
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('delete pods')).length, 1, 'old pod goes once the new one is available');
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 1, 'then the next node surges');
});

test('OnDelete keeps old pods; deleted ones come back at the new template; old history is cleaned up', async () => {
  const s = setup(daemonSet({ strategy: 'OnDelete', historyLimit: 0 }), [node('n1')]);
  await s.step();
  s.runAll();
  s.updateDs((d) => (d.spec!.template!.spec!.containers[0]!.image = 'agent:2'));
  let w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('delete')), [], 'old revision still used by a pod');
  assert.equal(s.client.all(CONTROLLERREVISIONS).length, 2);
  await s.client.resource(PODS).delete(s.pods()[0]!.metadata!.name!, { namespace: 'kube-system' });
  s.refresh();
  w = await s.step();
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 1);
  assert.equal(s.pods()[0]!.spec?.containers[0]?.image, 'agent:2');
  assert.equal(w.filter((x) => x.startsWith('delete controllerrevisions')).length, 1);
  assert.equal(s.client.all(CONTROLLERREVISIONS).length, 1);
});

test('rolling back to an earlier template re-numbers its revision instead of creating one', async () => {
  const s = setup(daemonSet(), []);
  await s.step();
  const first = s.client.all<ControllerRevisionObject>(CONTROLLERREVISIONS)[0]!.metadata!.name;
  s.updateDs((d) => (d.spec!.template!.spec!.containers[0]!.image = 'agent:2'));
  await s.step();
  s.updateDs((d) => (d.spec!.template!.spec!.containers[0]!.image = 'agent:1'));
  const w = await s.step();
  assert.deepEqual(w.filter((x) => x.startsWith('create controllerrevisions')), []);
  assert.equal(s.client.stored<ControllerRevisionObject>(CONTROLLERREVISIONS, 'kube-system', first!)!.revision, 3);
});

test('an empty selector is refused with SelectingAll', async () => {
  const ds = daemonSet() as DeepMutable<DaemonSetObject>;
  ds.spec!.selector = {};
  const s = setup(ds as DaemonSetObject, [node('n1')]);
  const w = await s.step();
  assert.deepEqual(w, []);
  assert.deepEqual(s.recorder.lines(), ['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.']);
});

test('1,000 nodes: creations are capped per sync and the sync stays fast', async () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`));
  const s = setup(daemonSet(), nodes);
  const t0 = performance.now();
  const w = await s.step({ refresh: false });
  assert.equal(w.filter((x) => x.startsWith('create pods')).length, 250);
  assert.ok(performance.now() - t0 < 1500, `took ${performance.now() - t0} ms`);
  s.refresh();
  for (let i = 0; i < 3; i++) await s.step();
  assert.equal(s.pods().length, 1000);
  assert.equal(s.stored().status?.desiredNumberScheduled, 1000);
});
