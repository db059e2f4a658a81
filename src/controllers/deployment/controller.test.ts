import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupVersionResource, KubeObject } from '../../client/rest/resource.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../client/resources.js';
import type { SharedInformer } from '../../client/cache/informer.js';
import { objectKey } from '../shared/podutil.js';
import { testContext } from '../shared/testing.js';
import { DeploymentController, NAME } from './controller.js';
import { computeHash } from '../shared/hash.js';
import { getDeploymentCondition, type DeploymentObject, type ReplicaSetObject } from './util.js';

const NS = 'default';
const KEY = `${NS}/web`;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const DUID = 'uid-web';

function template(image: string) {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } };
}

interface DeploymentOpts {
  image?: string;
  replicas?: number;
  strategy?: DeploymentObject['spec'] extends infer S ? (S extends { strategy?: infer X } ? X : never) : never;
  paused?: boolean;
  generation?: number;
  annotations?: Record<string, string>;
  status?: DeploymentObject['status'];
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
}

function deployment(o: DeploymentOpts = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, uid: DUID, generation: o.generation ?? 1, annotations: o.annotations, creationTimestamp: '2025-12-31T00:00:00Z' },
    spec: {
      replicas: o.replicas ?? 4,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'nginx:1'),
      strategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: 600,
      paused: o.paused,
      minReadySeconds: o.minReadySeconds,
    },
    status: o.status,
  };
}

interface RSOpts {
  image: string;
  revision: number;
  replicas: number;
  available?: number;
  actual?: number;
  minute?: number;
  desired?: number;
  max?: number;
  extraAnnotations?: Record<string, string>;
}

function replicaSet(o: RSOpts): ReplicaSetObject {
  const hash = computeHash(template(o.image));
  const tpl = template(o.image);
  tpl.metadata.labels = { ...tpl.metadata.labels, 'pod-template-hash': hash } as typeof tpl.metadata.labels;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: NS,
      uid: `uid-rs-${o.revision}`,
      generation: 1,
      creationTimestamp: new Date(T0 - 3_600_000 + (o.minute ?? o.revision) * 60_000).toISOString().replace('.000Z', 'Z'),
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/revision': String(o.revision),
        'deployment.kubernetes.io/desired-replicas': String(o.desired ?? 4),
        'deployment.kubernetes.io/max-replicas': String(o.max ?? 5),
        ...o.extraAnnotations,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DUID, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: tpl },
    status: { replicas: o.actual ?? o.replicas, readyReplicas: o.available ?? o.replicas, availableReplicas: o.available ?? o.replicas, observedGeneration: 1 },
  };
}

function setup() {
  const t = testContext({ now: T0 });
  const controller = new DeploymentController(t.ctx);
  const dInf = t.informers.forResource<DeploymentObject>(DEPLOYMENTS);
  const rsInf = t.informers.forResource<ReplicaSetObject>(REPLICASETS);
  const podInf = t.informers.forResource(PODS);
  const signal = new AbortController().signal;

  /** Mirrors the fake API's deployments and ReplicaSets into the informers, as a watch would. */
  const reflect = (): void => {
    const pairs: [GroupVersionResource, SharedInformer<KubeObject>][] = [
      [DEPLOYMENTS, dInf as unknown as SharedInformer<KubeObject>],
      [REPLICASETS, rsInf as unknown as SharedInformer<KubeObject>],
    ];
    for (const [gvr, inf] of pairs) {
      const stored = t.client.all(gvr);
      const keys = new Set(stored.map(objectKey));
      for (const o of inf.lister().list()) if (!keys.has(objectKey(o))) inf.delete(o);
      for (const o of stored) inf.add(structuredClone(o));
    }
  };
  const seed = (gvr: GroupVersionResource, obj: KubeObject): void => {
    t.client.seed(gvr, obj);
  };
  /** Replaces a stored object (new resourceVersion), as another writer would. */
  const restore = (gvr: GroupVersionResource, obj: KubeObject): void => {
    const o = structuredClone(obj);
    o.metadata = { ...o.metadata, resourceVersion: undefined };
    t.client.seed(gvr, o);
  };
  const sync = async () => {
    try {
      return await controller.sync(KEY, signal);
    } finally {
      reflect();
    }
  };
  const storedD = () => t.client.stored<DeploymentObject>(DEPLOYMENTS, NS, 'web')!;
  const rss = () => t.client.all<ReplicaSetObject>(REPLICASETS).sort((a, b) => (a.metadata!.creationTimestamp! < b.metadata!.creationTimestamp! ? -1 : 1));
  const clearActions = () => {
    t.client.actions.length = 0;
    t.recorder.events.length = 0;
  };
  return { ...t, controller, dInf, rsInf, podInf, reflect, seed, restore, sync, storedD, rss, clearActions };
}

/** What the replicaset controller would report: all pods exist; those that existed before are available. */
function simulateReplicaSets(s: ReturnType<typeof setup>, opts: { instantAvailable?: boolean } = {}): void {
  for (const rs of s.client.all<ReplicaSetObject>(REPLICASETS)) {
    const spec = rs.spec?.replicas ?? 1;
    const prev = rs.status?.replicas ?? 0;
    const available = opts.instantAvailable ? spec : Math.min(spec, prev);
    s.restore(REPLICASETS, { ...rs, status: { replicas: spec, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata?.generation ?? 1 } });
  }
  s.reflect();
}

test('NAME is upstream’s controller name', () => {
  assert.equal(NAME, 'deployment-controller');
});

test('a new deployment gets a ReplicaSet named by its template hash, with labels, selector and annotations', async () => {
  const s = setup();
  s.seed(DEPLOYMENTS, deployment({ annotations: { 'kubernetes.io/change-cause': 'first', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }));
  s.reflect();
  await s.sync();

  const hash = computeHash(template('nginx:1'));
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  const name = `web-${hash}`;
  assert.deepEqual(s.client.writes(), [`create replicasets ${NS}/${name}`, `update deployments/status ${NS}/web`, `update deployments/status ${NS}/web`]);
  const rs = s.client.stored<ReplicaSetObject>(REPLICASETS, NS, name)!;
  assert.deepEqual(rs.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs.spec?.replicas, 4);
  assert.deepEqual(rs.metadata?.annotations, {
    'kubernetes.io/change-cause': 'first',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '4',
    'deployment.kubernetes.io/max-replicas': '5',
  });
  assert.deepEqual(rs.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DUID, controller: true, blockOwnerDeletion: true }]);

  const d = s.storedD();
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(d.status?.observedGeneration, 1);
  assert.equal(d.status?.unavailableReplicas, 4);
  const progressing = getDeploymentCondition(d.status, 'Progressing')!;
  assert.equal(progressing.status, 'True');
  assert.equal(progressing.reason, 'NewReplicaSetCreated');
  assert.equal(progressing.message, `Created new replica set "${name}"`);
  const available = getDeploymentCondition(d.status, 'Available')!;
  assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
  assert.deepEqual(s.recorder.lines(), [`Normal ScalingReplicaSet Scaled up replica set ${name} from 0 to 4`]);

  // Once the pods are available the rollout is complete.
  simulateReplicaSets(s, { instantAvailable: true });
  s.clearActions();
  await s.sync();
  const done = s.storedD();
  assert.equal(done.status?.availableReplicas, 4);
  assert.equal(done.status?.updatedReplicas, 4);
  assert.equal(done.status?.unavailableReplicas, undefined);
  assert.deepEqual(
    done.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`],
    ],
  );
  // Nothing more to do: a further sync writes nothing.
  s.clearActions();
  await s.sync();
  assert.deepEqual(s.client.writes(), []);
});

test('a rolling update of 4 replicas with maxSurge 1 / maxUnavailable 1 stays within 5 pods and 3 available', async () => {
  const s = setup();
  const v1 = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4 });
  s.seed(REPLICASETS, v1);
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();

  let steps = 0;
  for (; steps < 30; steps++) {
    s.clock.now += 1000;
    await s.sync();
    const all = s.rss();
    const specTotal = all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    assert.ok(specTotal <= 5, `step ${steps}: ${specTotal} replicas wanted`);
    simulateReplicaSets(s);
    const after = s.rss();
    const pods = after.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
    const available = after.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    assert.ok(pods <= 5, `step ${steps}: ${pods} pods`);
    assert.ok(available >= 3, `step ${steps}: only ${available} available`);
    const d = s.storedD();
    if (getDeploymentCondition(d.status, 'Progressing')?.reason === 'NewReplicaSetAvailable') break;
  }
  assert.ok(steps < 30, 'the rollout completed');
  const [old, cur] = s.rss();
  assert.equal(old!.spec?.replicas, 0);
  assert.equal(cur!.spec?.replicas, 4);
  assert.equal(cur!.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  const d = s.storedD();
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal(d.status?.updatedReplicas, 4);
  assert.equal(d.status?.observedGeneration, 2);
  // The first moves: surge one new pod, drop one old.
  const lines = s.recorder.lines().filter((l) => l.includes('ScalingReplicaSet'));
  assert.equal(lines[0], `Normal ScalingReplicaSet Scaled up replica set ${cur!.metadata?.name} from 0 to 1`);
  assert.equal(lines[1], `Normal ScalingReplicaSet Scaled down replica set ${old!.metadata?.name} from 4 to 3`);
  assert.ok(lines.includes(`Normal ScalingReplicaSet Scaled down replica set ${old!.metadata?.name} from 1 to 0`));
});

test('maxSurge/maxUnavailable as percentages resolve as upstream fenceposts', async () => {
  const s = setup();
  // 10 replicas, 25% surge → 3 (up), 25% unavailable → 2 (down).
  s.seed(REPLICASETS, replicaSet({ image: 'nginx:1', revision: 1, replicas: 10, desired: 10, max: 13 }));
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  await s.sync();
  // The new ReplicaSet starts at the surge (3); with 13 pods and 10 available the old one may
  // lose 13 - 8 (min available) - 3 (new, unavailable) = 2.
  const [old, cur] = s.rss();
  assert.equal(cur!.spec?.replicas, 3);
  assert.equal(old!.spec?.replicas, 8);
  assert.equal(cur!.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '13');
});

test('Recreate scales old ReplicaSets to zero and creates the new one only after the old pods are gone', async () => {
  const s = setup();
  const v1 = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4, max: 4 });
  s.seed(REPLICASETS, v1);
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', strategy: { type: 'Recreate' }, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  const pods = [0, 1].map((i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: NS, uid: `pod-${i}`, labels: v1.metadata!.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: v1.metadata!.name!, uid: v1.metadata!.uid!, controller: true }] },
    status: { phase: 'Running' },
  }));
  for (const p of pods) s.podInf.add(p);

  await s.sync();
  assert.deepEqual(s.client.writes().filter((w) => w.includes('replicasets')), [`update replicasets ${NS}/${v1.metadata!.name}`]);
  assert.equal(s.rss()[0]!.spec?.replicas, 0);
  assert.deepEqual(s.recorder.lines(), [`Normal ScalingReplicaSet Scaled down replica set ${v1.metadata!.name} from 4 to 0`]);

  // The ReplicaSet reports 0 but its pods are still terminating: wait.
  simulateReplicaSets(s);
  s.clearActions();
  await s.sync();
  assert.deepEqual(s.client.writes().filter((w) => w.includes('replicasets')), []);

  for (const p of pods) s.podInf.delete(p);
  s.clearActions();
  await s.sync();
  const hash = computeHash(template('nginx:2'));
  assert.deepEqual(s.client.writes().filter((w) => w.includes('replicasets')), [`create replicasets ${NS}/web-${hash}`]);
  const created = s.client.stored<ReplicaSetObject>(REPLICASETS, NS, `web-${hash}`)!;
  assert.equal(created.spec?.replicas, 4);
  // Recreate has no surge.
  assert.equal(created.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(s.storedD().metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.deepEqual(s.recorder.lines(), [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 4`]);
});

test('scaling mid-rollout resizes the active ReplicaSets proportionally', async () => {
  const s = setup();
  const old = replicaSet({ image: 'nginx:1', revision: 1, replicas: 3 });
  const cur = replicaSet({ image: 'nginx:2', revision: 2, replicas: 2, available: 0 });
  s.seed(REPLICASETS, old);
  s.seed(REPLICASETS, cur);
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', replicas: 8, annotations: { 'deployment.kubernetes.io/revision': '2' } }));
  s.reflect();
  await s.sync();
  const [o, c] = s.rss();
  // 9 allowed (8 + surge 1) for 5 existing: old 3·9/5 → 5, new 2·9/5 → 4.
  assert.equal(o!.spec?.replicas, 5);
  assert.equal(c!.spec?.replicas, 4);
  for (const rs of [o!, c!]) {
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '8');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '9');
  }
  assert.deepEqual(s.recorder.lines(), [
    `Normal ScalingReplicaSet Scaled up replica set ${old.metadata!.name} from 3 to 5`,
    `Normal ScalingReplicaSet Scaled up replica set ${cur.metadata!.name} from 2 to 4`,
  ]);
});

test('scaling a settled deployment resizes its only active ReplicaSet', async () => {
  const s = setup();
  const rs = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4 });
  s.seed(REPLICASETS, rs);
  s.seed(DEPLOYMENTS, deployment({ replicas: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  await s.sync();
  assert.equal(s.rss()[0]!.spec?.replicas, 2);
  assert.deepEqual(s.recorder.lines(), [`Normal ScalingReplicaSet Scaled down replica set ${rs.metadata!.name} from 4 to 2`]);
});

test('rollback to an old template reuses its ReplicaSet with a new revision and revision-history', async () => {
  const s = setup();
  const v1 = replicaSet({ image: 'nginx:1', revision: 1, replicas: 0, extraAnnotations: { 'kubernetes.io/change-cause': 'one' } });
  const v2 = replicaSet({ image: 'nginx:2', revision: 2, replicas: 4 });
  s.seed(REPLICASETS, v1);
  s.seed(REPLICASETS, v2);
  // What `kubectl rollout undo` writes: v1's template and annotations back onto the deployment.
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:1', generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'one' } }));
  s.reflect();
  await s.sync();
  assert.deepEqual(s.client.writes().filter((w) => w.includes('create')), []);
  let reused = s.client.stored<ReplicaSetObject>(REPLICASETS, NS, v1.metadata!.name!)!;
  assert.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(reused.spec?.replicas, 1);

  await s.sync();
  assert.equal(s.storedD().metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');

  // Rolling back again to v2 appends to that ReplicaSet's history the same way.
  const d = s.storedD();
  s.restore(DEPLOYMENTS, { ...d, metadata: { ...d.metadata, generation: 4 }, spec: { ...d.spec, template: template('nginx:2') } });
  s.reflect();
  await s.sync();
  const v2now = s.client.stored<ReplicaSetObject>(REPLICASETS, NS, v2.metadata!.name!)!;
  assert.equal(v2now.metadata?.annotations?.['deployment.kubernetes.io/revision'], '4');
  assert.equal(v2now.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '2');
  reused = s.client.stored<ReplicaSetObject>(REPLICASETS, NS, v1.metadata!.name!)!;
  assert.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('a paused deployment does not roll out but scales, and reports DeploymentPaused / DeploymentResumed', async () => {
  const s = setup();
  const v1 = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4 });
  s.seed(REPLICASETS, v1);
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', paused: true, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  await s.sync();
  assert.equal(s.rss().length, 1, 'no new ReplicaSet while paused');
  let cond = getDeploymentCondition(s.storedD().status, 'Progressing')!;
  assert.deepEqual([cond.status, cond.reason, cond.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);

  // Scaling still happens.
  let d = s.storedD();
  s.restore(DEPLOYMENTS, { ...d, spec: { ...d.spec, replicas: 6 } });
  s.reflect();
  await s.sync();
  assert.equal(s.rss()[0]!.spec?.replicas, 6);
  assert.equal(s.rss().length, 1);

  // Resume: the condition says so and the rollout starts.
  simulateReplicaSets(s, { instantAvailable: true });
  d = s.storedD();
  s.restore(DEPLOYMENTS, { ...d, spec: { ...d.spec, paused: false } });
  s.reflect();
  s.clearActions();
  await s.sync();
  assert.equal(s.rss().length, 2);
  cond = getDeploymentCondition(s.storedD().status, 'Progressing')!;
  assert.equal(cond.status, 'True');
  assert.ok(s.client.actions.some((a) => a.subresource === 'status' && JSON.stringify(a.object).includes('DeploymentResumed')));
});

test('no progress within progressDeadlineSeconds: requeued for the deadline, then ProgressDeadlineExceeded', async () => {
  const s = setup();
  const cur = replicaSet({ image: 'nginx:2', revision: 2, replicas: 4, available: 0 });
  const t0 = '2026-01-01T00:00:00Z';
  s.seed(REPLICASETS, cur);
  s.seed(
    DEPLOYMENTS,
    deployment({
      image: 'nginx:2',
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      status: {
        observedGeneration: 1,
        replicas: 4,
        updatedReplicas: 4,
        unavailableReplicas: 4,
        conditions: [
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: t0, lastTransitionTime: t0 },
          { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${cur.metadata!.name}" is progressing.`, lastUpdateTime: t0, lastTransitionTime: t0 },
        ],
      },
    }),
  );
  s.reflect();
  s.clock.now = T0 + 300_000;
  const r = await s.sync();
  assert.deepEqual(s.client.writes(), []);
  assert.deepEqual(r, { requeueAfterMs: 301_000 });

  s.clock.now = T0 + 601_000;
  await s.sync();
  const cond = getDeploymentCondition(s.storedD().status, 'Progressing')!;
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${cur.metadata!.name}" has timed out progressing.`]);
  assert.equal(cond.lastTransitionTime, '2026-01-01T00:10:01Z');

  // Timed out stays timed out; no further requeue.
  s.clearActions();
  assert.equal(await s.sync(), undefined);
  assert.deepEqual(s.client.writes(), []);
});

test('ReplicaFailure of the new ReplicaSet is copied to the deployment', async () => {
  const s = setup();
  const cur = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4, available: 0, actual: 0 });
  (cur.status as { conditions?: unknown[] }).conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T00:00:00Z' }];
  s.seed(REPLICASETS, cur);
  s.seed(DEPLOYMENTS, deployment({ annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  await s.sync();
  const cond = getDeploymentCondition(s.storedD().status, 'ReplicaFailure')!;
  assert.deepEqual([cond.status, cond.reason, cond.message], ['True', 'FailedCreate', 'pods "web-x" is forbidden: exceeded quota']);
});

test('old ReplicaSets beyond revisionHistoryLimit are deleted, oldest revisions first, only when empty', async () => {
  const s = setup();
  const olds = [1, 2, 3, 4].map((rev) => replicaSet({ image: `nginx:${rev}`, revision: rev, replicas: 0, actual: rev === 1 ? 1 : 0 }));
  const cur = replicaSet({ image: 'nginx:5', revision: 5, replicas: 4 });
  for (const rs of [...olds, cur]) s.seed(REPLICASETS, rs);
  s.seed(
    DEPLOYMENTS,
    deployment({ image: 'nginx:5', revisionHistoryLimit: 2, annotations: { 'deployment.kubernetes.io/revision': '5' }, status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 4, readyReplicas: 4 } }),
  );
  s.reflect();
  await s.sync();
  // Two too many: revision 1 still has a pod, so only revision 2 goes.
  assert.deepEqual(
    s.client.writes().filter((w) => w.startsWith('delete')),
    [`delete replicasets ${NS}/${olds[1]!.metadata!.name}`],
  );
});

test('orphaned ReplicaSets matching the selector are adopted after re-reading the deployment', async () => {
  const s = setup();
  const orphan = replicaSet({ image: 'nginx:1', revision: 1, replicas: 4 });
  delete orphan.metadata!.ownerReferences;
  s.seed(REPLICASETS, orphan);
  s.seed(DEPLOYMENTS, deployment({ annotations: { 'deployment.kubernetes.io/revision': '1' } }));
  s.reflect();
  await s.sync();
  const verbs = s.client.actions.map((a) => `${a.verb} ${a.resource}`);
  assert.ok(verbs.indexOf('get deployments') >= 0 && verbs.indexOf('get deployments') < verbs.indexOf('patch replicasets'));
  assert.equal(s.client.stored<ReplicaSetObject>(REPLICASETS, NS, orphan.metadata!.name!)!.metadata?.ownerReferences?.[0]?.uid, DUID);
  // The adopted ReplicaSet is the new one: no other is created.
  assert.ok(!s.client.writes().some((w) => w.startsWith('create')));
});

test('a hash collision with another template bumps status.collisionCount and retries', async () => {
  const s = setup();
  const clash = replicaSet({ image: 'nginx:9', revision: 1, replicas: 0 });
  const hash = computeHash(template('nginx:2'));
  clash.metadata!.name = `web-${hash}`;
  s.seed(REPLICASETS, clash);
  s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2' }));
  s.reflect();
  await assert.rejects(s.sync(), /already exists/);
  assert.equal(s.storedD().status?.collisionCount, 1);
  s.clearActions();
  await s.sync();
  const other = computeHash(template('nginx:2'), 1);
  assert.notEqual(other, hash);
  assert.ok(s.client.writes().includes(`create replicasets ${NS}/web-${other}`));
});

test('an empty selector selects everything: warned about and left alone', async () => {
  const s = setup();
  const d = deployment({ generation: 2 });
  d.spec!.selector = {};
  s.seed(DEPLOYMENTS, d);
  s.reflect();
  await s.sync();
  assert.deepEqual(s.recorder.lines(), ['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
  assert.deepEqual(s.client.writes(), [`update deployments/status ${NS}/web`]);
  assert.equal(s.storedD().status?.observedGeneration, 2);
});

test('a deployment being deleted only has its status synced; a missing one is done', async () => {
  const s = setup();
  const d = deployment();
  d.metadata = { ...d.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
  s.seed(DEPLOYMENTS, d);
  s.reflect();
  await s.sync();
  assert.deepEqual(s.client.writes(), [`update deployments/status ${NS}/web`]);
  await s.controller.sync(`${NS}/gone`, new AbortController().signal);
});

test('a failing ReplicaSet creation reports ReplicaSetCreateError', async () => {
  const s = setup();
  s.seed(DEPLOYMENTS, deployment());
  s.reflect();
  const { StatusError } = await import('../../machinery/errors.js');
  s.client.reactor = (a) => (a.verb === 'create' && a.resource === 'replicasets' ? new StatusError(403, 'Forbidden', 'exceeded quota') : undefined);
  await assert.rejects(s.sync(), /exceeded quota/);
  const hash = computeHash(template('nginx:1'));
  assert.deepEqual(s.recorder.lines(), [`Warning ReplicaSetCreateError Failed to create new replica set "web-${hash}": exceeded quota`]);
  const cond = getDeploymentCondition(s.storedD().status, 'Progressing')!;
  assert.deepEqual([cond.status, cond.reason], ['False', 'ReplicaSetCreateError']);
});

test('informer events drive syncs: deployments, and the last old pod of a Recreate deployment going away', async () => {
  const s = setup();
  const ac = new AbortController();
  await s.controller.run(ac.signal);
  try {
    // Recreate, old ReplicaSet already at zero, one pod still terminating.
    const v1 = replicaSet({ image: 'nginx:1', revision: 1, replicas: 0, max: 4 });
    s.seed(REPLICASETS, v1);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p0', namespace: NS, uid: 'pod-0', labels: v1.metadata!.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: v1.metadata!.name!, uid: v1.metadata!.uid!, controller: true }] },
      status: { phase: 'Running' },
    };
    s.podInf.add(pod);
    s.seed(DEPLOYMENTS, deployment({ image: 'nginx:2', strategy: { type: 'Recreate' }, annotations: { 'deployment.kubernetes.io/revision': '1' } }));
    s.reflect(); // deployment added → synced by a worker
    await waitFor(() => s.client.writes().some((w) => w.startsWith('update deployments/status')));
    assert.ok(!s.client.writes().some((w) => w.startsWith('create replicasets')), 'old pod still there');
    s.reflect();
    // Let the syncs that reflect() triggered finish; they still see the pod.
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!s.client.writes().some((w) => w.startsWith('create replicasets')));
    s.podInf.delete(pod); // the last old pod is gone → synced again
    await waitFor(() => s.client.writes().some((w) => w.startsWith('create replicasets')));
  } finally {
    ac.abort();
    await s.controller.close();
  }
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
