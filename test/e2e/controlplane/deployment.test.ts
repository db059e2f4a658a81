// Seed 000's Deployment lifecycle on simulated nodes: create, scale, set image, rollout history
// (with --revision), undo, undo --to-revision (an unknown revision rejected), a rolling update's
// bounds seen by a watch, the deploy/rs columns, and cascading deletion.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_BUILT, kubectl, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { FIXTURES, parseTable, rowOf, openWatch, AGE } from '../api/util.js';
import { getJson, pods, waitRunning, podView } from './util.js';

const SEED = readFileSync(join(FIXTURES, 'seed-000', 'kube-app-deployment.yaml'), 'utf8');
const HASH = '[bcdfghjklmnpqrstvwxz2456789]{1,10}';

describe('Deployment lifecycle (seed 000)', { skip: NOT_BUILT }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '3'] });
  });

  it('runs the seed manifest, scales, updates, and walks the history', async () => {
    assert.equal((await kubectlOk(server, ['apply', '-f', '-'], { input: SEED })).trim(), 'deployment.extensions/kube-app created');
    assert.match(await kubectlOk(server, ['rollout', 'status', 'deployment/kube-app', '--timeout=60s']), /deployment "kube-app" successfully rolled out/);
    const deploy = parseTable(await kubectlOk(server, ['get', 'deployments']));
    assert.deepEqual(deploy.headers, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    const row = rowOf(deploy, 'kube-app');
    assert.deepEqual([row.READY, row['UP-TO-DATE'], row.AVAILABLE], ['1/1', '1', '1']);
    assert.match(row.AGE!, AGE);
    const podTable = parseTable(await kubectlOk(server, ['get', 'pods']));
    assert.equal(podTable.rows.length, 1);
    assert.match(podTable.rows[0]!.NAME!, new RegExp(`^kube-app-${HASH}-[a-z0-9]{5}$`));
    assert.deepEqual([podTable.rows[0]!.READY, podTable.rows[0]!.STATUS, podTable.rows[0]!.RESTARTS], ['1/1', 'Running', '0']);

    assert.equal((await kubectlOk(server, ['scale', 'deployments/kube-app', '--replicas=3'])).trim(), 'deployment.apps/kube-app scaled');
    await waitRunning(server, 'run=kube-app', 3);

    const rs = parseTable(await kubectlOk(server, ['get', 'rs', '-o', 'wide']));
    assert.deepEqual(rs.headers, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.equal(rs.rows.length, 1);
    assert.deepEqual([rs.rows[0]!.DESIRED, rs.rows[0]!.CURRENT, rs.rows[0]!.READY], ['3', '3', '3']);
    assert.match(rs.rows[0]!.SELECTOR!, new RegExp(`^pod-template-hash=${HASH},run=kube-app$`));

    assert.equal((await kubectlOk(server, ['set', 'image', 'deployments/kube-app', 'kube-app=busybox:2.0.3'])).trim(), 'deployment.apps/kube-app image updated');
    await kubectlOk(server, ['rollout', 'status', 'deployment/kube-app', '--timeout=90s']);
    await waitFor(
      async () => {
        const list = await getJson<{ items: { metadata: { deletionTimestamp?: string }; spec: { containers: { image: string }[] } }[] }>(server, ['get', 'pods', '-l', 'run=kube-app']);
        const images = list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0]!.image);
        return images.length === 3 && images.every((i) => i === 'busybox:2.0.3');
      },
      { timeoutMs: 60_000, description: 'three pods with the new image' },
    );

    const history = await kubectlOk(server, ['rollout', 'history', 'deployments/kube-app']);
    assert.match(history, /^deployment\.apps\/kube-app\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const rev1 = await kubectlOk(server, ['rollout', 'history', 'deployments/kube-app', '--revision=1']);
    assert.match(rev1, /deployment\.apps\/kube-app with revision #1/);
    assert.match(rev1, /Image:\s+registry\.cn-hangzhou\.aliyuncs\.com\/k8s-mirrors\/kube-app:2\.0\.2/);

    assert.equal((await kubectlOk(server, ['rollout', 'undo', 'deployments/kube-app'])).trim(), 'deployment.apps/kube-app rolled back');
    await kubectlOk(server, ['rollout', 'status', 'deployment/kube-app', '--timeout=90s']);
    // The old ReplicaSet is reused with a new revision: history is now 2, 3.
    assert.match(await kubectlOk(server, ['rollout', 'history', 'deployments/kube-app']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    assert.equal((await kubectlOk(server, ['get', 'deploy', 'kube-app', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim(), 'registry.cn-hangzhou.aliyuncs.com/k8s-mirrors/kube-app:2.0.2');
    assert.equal(parseTable(await kubectlOk(server, ['get', 'rs'])).rows.length, 2);

    const gone = await kubectl(server, ['rollout', 'undo', 'deployments/kube-app', '--to-revision=1']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'error: unable to find specified revision 1 in history');
    assert.equal((await kubectlOk(server, ['rollout', 'undo', 'deployments/kube-app', '--to-revision=2'])).trim(), 'deployment.apps/kube-app rolled back');
    await kubectlOk(server, ['rollout', 'status', 'deployment/kube-app', '--timeout=90s']);
    assert.match(await kubectlOk(server, ['rollout', 'history', 'deployments/kube-app']), /REVISION\s+CHANGE-CAUSE\n3\s+<none>\n4\s+<none>\n/);
    assert.equal((await kubectlOk(server, ['get', 'deploy', 'kube-app', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim(), 'busybox:2.0.3');
  });

  it('keeps a rolling update of 4 replicas within maxSurge 1 and maxUnavailable 1', async () => {
    const manifest = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 4
  selector: {matchLabels: {app: roll}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata:
      labels: {app: roll}
      annotations: {k8ts.io/simulated-ready-after: 1s}
    spec: {containers: [{name: c, image: ${image}}]}
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: manifest('busybox:1') });
    await kubectlOk(server, ['rollout', 'status', 'deployment/roll', '--timeout=60s']);
    await waitRunning(server, 'app=roll', 4);
    const list = JSON.parse(await kubectlOk(server, ['get', '--raw', '/api/v1/namespaces/default/pods?labelSelector=app%3Droll'])) as { metadata: { resourceVersion: string } };
    const watch = openWatch(server, `/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Droll&resourceVersion=${list.metadata.resourceVersion}`);
    assert.equal(await watch.response, 200);
    try {
      const state = new Map<string, ReturnType<typeof podView>>();
      for (const p of await pods(server, 'app=roll')) state.set(p.name, p);
      await kubectlOk(server, ['apply', '-f', '-'], { input: manifest('busybox:2') });
      await kubectlOk(server, ['rollout', 'status', 'deployment/roll', '--timeout=120s']);
      let maxPods = 0;
      let minAvailable = Infinity;
      for (const ev of watch.events) {
        const p = podView(ev.object as unknown as Parameters<typeof podView>[0]);
        if (ev.type === 'DELETED') state.delete(p.name);
        else state.set(p.name, p);
        const live = [...state.values()].filter((x) => !x.deleting);
        maxPods = Math.max(maxPods, live.length);
        minAvailable = Math.min(minAvailable, live.filter((x) => x.ready).length);
      }
      assert.ok(watch.events.length > 8, `the watch saw the rollout (${watch.events.length} events)`);
      assert.ok(maxPods <= 5, `never more than 5 pods (saw ${maxPods})`);
      assert.ok(minAvailable >= 3, `never fewer than 3 available (saw ${minAvailable})`);
    } finally {
      watch.close();
    }
  });

  it('pauses, resumes and restarts a rollout', async () => {
    await kubectlOk(server, ['create', 'deployment', 'pz', '--image=busybox:1', '--replicas=2']);
    await kubectlOk(server, ['rollout', 'status', 'deployment/pz', '--timeout=60s']);
    const replicaSets = async () => parseTable(await kubectlOk(server, ['get', 'rs', '-l', 'app=pz'])).rows.length;
    assert.equal((await kubectlOk(server, ['rollout', 'pause', 'deployment/pz'])).trim(), 'deployment.apps/pz paused');
    await kubectlOk(server, ['set', 'image', 'deployment/pz', 'busybox=busybox:2']);
    const paused = await waitFor(
      async () => {
        const d = await getJson<{ status: { conditions?: { type: string; reason: string }[] } }>(server, ['get', 'deployment', 'pz']);
        return d.status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
      },
      { timeoutMs: 30_000, description: 'Progressing condition DeploymentPaused' },
    );
    assert.ok(paused);
    assert.equal(await replicaSets(), 1, 'a paused deployment does not roll out');
    assert.equal((await kubectlOk(server, ['rollout', 'resume', 'deployment/pz'])).trim(), 'deployment.apps/pz resumed');
    await kubectlOk(server, ['rollout', 'status', 'deployment/pz', '--timeout=60s']);
    assert.equal(await replicaSets(), 2);
    assert.equal((await kubectlOk(server, ['rollout', 'restart', 'deployment/pz'])).trim(), 'deployment.apps/pz restarted');
    await kubectlOk(server, ['rollout', 'status', 'deployment/pz', '--timeout=60s']);
    assert.equal(await replicaSets(), 3);
    assert.match(await kubectlOk(server, ['get', 'deployment', 'pz', '-o', 'jsonpath={.spec.template.metadata.annotations}']), /kubectl\.kubernetes\.io\/restartedAt/);
    assert.match(await kubectlOk(server, ['rollout', 'history', 'deployment/pz']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>\n/);
    await waitRunning(server, 'app=pz', 2);
    await kubectlOk(server, ['delete', 'deployment', 'pz']);
  });

  it('deletes a Deployment with its ReplicaSets and pods', async () => {
    assert.equal((await kubectlOk(server, ['delete', 'deployment', 'roll'])).trim(), 'deployment.apps "roll" deleted');
    await waitFor(async () => (await pods(server, 'app=roll')).length === 0, { timeoutMs: 60_000, description: 'pods of roll gone' });
    assert.equal((await kubectl(server, ['get', 'rs', '-l', 'app=roll'])).stderr.trim(), 'No resources found in default namespace.');
  });
});
