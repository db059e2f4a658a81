// Every kubectl write command once, as a user sees it with kubectl 1.32: the line kubectl prints,
// its exit code, and the object afterwards (read back with `kubectl get -o json`).
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { stringify as stringifyYaml } from 'yaml';
import { kubectl, kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { LAST_APPLIED, expectKubectl, getJson, lines, managedEntry, ownsPath, tempDir, writeFiles } from './util.js';
import type { Obj } from './util.js';

const NS = 'writes';

function deployment(name: string, containers: string[], replicas = 1): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: containers.map((c) => ({ name: c, image: 'busybox:1' })) } },
    },
  };
}

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

const yaml = (...objs: Obj[]): string => objs.map((o) => stringifyYaml(o)).join('---\n');

describe('kubectl write commands', () => {
  let server: Server;
  let dir: string;
  // `-n NS` goes before a `--` (after it, kubectl run passes everything to the container).
  const k = (args: string[], expected: Parameters<typeof expectKubectl>[2], options?: Parameters<typeof expectKubectl>[3]) => {
    const dashes = args.indexOf('--');
    const full = dashes === -1 ? [...args, '-n', NS] : [...args.slice(0, dashes), '-n', NS, ...args.slice(dashes)];
    return expectKubectl(server, full, expected, options);
  };
  const get = (args: string[], managedFields = false): Promise<Obj> => getJson(server, [...args, '-n', NS], { managedFields });

  before(async () => {
    server = await startServer();
    dir = tempDir();
    await kubectlOk(server, ['create', 'namespace', NS]);
    const objects: Obj[] = [
      deployment('web', ['web', 'sidecar']),
      deployment('setter', ['app', 'helper']),
      deployment('scaler', ['main']),
      deployment('edited', ['main']),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'setter-svc', namespace: NS },
        spec: { selector: { app: 'setter' }, ports: [{ port: 80, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: NS },
        spec: {
          schedule: '0 3 * * *',
          suspend: true,
          jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox', args: ['true'] }] } } } },
        },
      },
      { ...configMap('labelled', { a: '1' }), metadata: { name: 'labelled', namespace: NS } },
      { ...configMap('rep', { v: '1' }), metadata: { name: 'rep', namespace: NS } },
    ];
    await kubectlOk(server, ['create', '-f', '-'], { input: yaml(...objects) });
  });

  it('apply -f FILE, -f DIR (every file, in name order) and -f - create: "created"', async () => {
    const file = join(dir, 'from-file.yaml');
    writeFileSync(file, yaml(configMap('from-file', { k: 'v' })));
    await k(['apply', '-f', file], { stdout: ['configmap/from-file created'] });
    const cm = await get(['configmap', 'from-file']);
    assert.deepEqual(cm['data'], { k: 'v' });
    assert.ok(cm['metadata']['annotations'][LAST_APPLIED]);

    const manifests = writeFiles(tempDir(), {
      'a-svc.yaml': yaml({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dir-svc' }, spec: { selector: { app: 'dir' }, ports: [{ port: 80 }] } }),
      'b-cm.yaml': yaml(configMap('dir-cm', { x: '1' })),
    });
    await k(['apply', '-f', manifests], { stdout: ['service/dir-svc created', 'configmap/dir-cm created'] });
    const svc = await get(['service', 'dir-svc']);
    assert.deepEqual(svc['spec']['ports'], [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.deepEqual((await get(['configmap', 'dir-cm']))['data'], { x: '1' });

    await k(['apply', '-f', '-'], { stdout: ['configmap/from-stdin created'] }, { input: yaml(configMap('from-stdin', { s: 'in' })) });
    assert.deepEqual((await get(['configmap', 'from-stdin']))['data'], { s: 'in' });
  });

  it('apply --prune -l app=x: an object dropped from the directory is "pruned"; objects not created by apply stay', async () => {
    await kubectlOk(server, ['create', '-n', NS, '-f', '-'], { input: yaml(configMap('prune-manual', { m: '1' }, { app: 'x' })) });
    const pdir = writeFiles(tempDir(), {
      'a.yaml': yaml(configMap('prune-a', { v: 'a' }, { app: 'x' })),
      'b.yaml': yaml(configMap('prune-b', { v: 'b' }, { app: 'x' })),
      'c.yaml': yaml(configMap('prune-c', { v: 'c' }, { app: 'x' })),
    });
    const prune = ['apply', '--prune', '-l', 'app=x', '-f', pdir];
    await k(prune, { stdout: ['configmap/prune-a created', 'configmap/prune-b created', 'configmap/prune-c created'] });
    rmSync(join(pdir, 'c.yaml'));
    await k(prune, { stdout: ['configmap/prune-a unchanged', 'configmap/prune-b unchanged', 'configmap/prune-c pruned'] });
    const gone = await kubectl(server, ['get', 'configmap', 'prune-c', '-n', NS]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, 'Error from server (NotFound): configmaps "prune-c" not found\n');
    assert.deepEqual((await get(['configmap', 'prune-manual']))['data'], { m: '1' });
    assert.deepEqual((await get(['configmap', 'prune-a']))['data'], { v: 'a' });
  });

  it('apply -k: a kustomization with namePrefix and a configMapGenerator', async () => {
    const kdir = writeFiles(tempDir(), {
      'kustomization.yaml': 'namePrefix: dev-\nresources:\n- base.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - mode=fast\n',
      'base.yaml': yaml(configMap('base', { x: '1' })),
    });
    // The generated name carries kustomize's content hash; kubectl kustomize names it.
    const rendered = (await kubectlOk(server, ['kustomize', kdir])).split('\n---\n');
    const generated = rendered.map((doc) => /\n {2}name: (dev-settings-[a-z0-9]+)\n/.exec(`\n${doc}`)?.[1]).find((n) => n !== undefined);
    assert.ok(generated, `a generated ConfigMap in ${rendered.join('---')}`);
    const result = await k(['apply', '-k', kdir], {});
    assert.deepEqual(lines(result).sort(), ['configmap/dev-base created', `configmap/${generated} created`]);
    assert.deepEqual((await get(['configmap', 'dev-base']))['data'], { x: '1' });
    assert.deepEqual((await get(['configmap', generated]))['data'], { mode: 'fast' });
  });

  it('apply --server-side: "serverside-applied"; a second manager conflicts (exit 1) until --force-conflicts', async () => {
    const ssa = (a: string): string => yaml({ ...configMap('ssa', { a, b: 'same' }), metadata: { name: 'ssa' } });
    await k(['apply', '--server-side', '-f', '-'], { stdout: ['configmap/ssa serverside-applied'] }, { input: ssa('1') });
    let cm = await get(['configmap', 'ssa'], true);
    assert.deepEqual(cm['data'], { a: '1', b: 'same' });
    assert.ok(ownsPath(managedEntry(cm, 'kubectl', 'Apply'), ['f:data', 'f:a']));
    assert.equal(cm['metadata']['annotations'], undefined, 'server-side apply keeps no last-applied annotation');

    await k(['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      code: 1,
      stdout: [],
      stderr: /^error: Apply failed with 1 conflict: conflict with "kubectl": \.data\.a\nPlease review the fields above--they currently have other managers\./,
    }, { input: ssa('2') });
    assert.deepEqual((await get(['configmap', 'ssa']))['data'], { a: '1', b: 'same' });

    await k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { stdout: ['configmap/ssa serverside-applied'] }, { input: ssa('2') });
    cm = await get(['configmap', 'ssa'], true);
    assert.deepEqual(cm['data'], { a: '2', b: 'same' });
    const other = managedEntry(cm, 'other', 'Apply');
    assert.ok(ownsPath(other, ['f:data', 'f:a']) && ownsPath(other, ['f:data', 'f:b']));
    // Shared ownership of b (same value); a moved to the forcing manager.
    const kubectlEntry = managedEntry(cm, 'kubectl', 'Apply');
    assert.ok(!ownsPath(kubectlEntry, ['f:data', 'f:a']));
    assert.ok(ownsPath(kubectlEntry, ['f:data', 'f:b']));
  });

  it('edit through KUBE_EDITOR: "edited", and the change is stored', async () => {
    const editor = join(dir, 'editor.sh');
    // The first `replicas: 1` in the buffer is spec.replicas (status comes after spec).
    writeFileSync(editor, "#!/bin/sh\nsed -i '0,/replicas: 1$/s//replicas: 2/' \"$1\"\n");
    chmodSync(editor, 0o755);
    await k(['edit', 'deployment/edited'], { stdout: ['deployment.apps/edited edited'] }, { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    const d = await get(['deployment', 'edited'], true);
    assert.equal(d['spec']['replicas'], 2);
    assert.ok(ownsPath(managedEntry(d, 'kubectl-edit', 'Update'), ['f:spec', 'f:replicas']));
  });

  it('diff: exit 0 and no output when the same, exit 1 with a unified diff when different; nothing is written', async () => {
    const file = join(dir, 'diff-cm.yaml');
    writeFileSync(file, yaml(configMap('diff-cm', { a: '1' })));
    await k(['apply', '-f', file], { stdout: ['configmap/diff-cm created'] });
    const before = await get(['configmap', 'diff-cm']);
    await k(['diff', '-f', file], { code: 0, stdout: [] });
    writeFileSync(file, yaml(configMap('diff-cm', { a: '2' })));
    const result = await k(['diff', '-f', file], { code: 1 });
    const out = lines(result);
    assert.ok(out.some((l) => /^diff -u -N \S+\/LIVE-\d+\/v1\.ConfigMap\.writes\.diff-cm \S+\/MERGED-\d+\/v1\.ConfigMap\.writes\.diff-cm$/.test(l)), result.stdout);
    assert.ok(out.includes('-  a: "1"'), result.stdout);
    assert.ok(out.includes('+  a: "2"'), result.stdout);
    assert.ok(!result.stdout.includes('managedFields'), 'diff hides managedFields');
    const after = await get(['configmap', 'diff-cm']);
    assert.equal(after['metadata']['resourceVersion'], before['metadata']['resourceVersion']);
    assert.deepEqual(after['data'], { a: '1' });
  });

  it('replace: "replaced" in place; replace --force: deleted and created again (new uid)', async () => {
    const before = await get(['configmap', 'rep']);
    await k(['replace', '-f', '-'], { stdout: ['configmap/rep replaced'] }, { input: yaml(configMap('rep', { v: '2' })) });
    const replaced = await get(['configmap', 'rep']);
    assert.deepEqual(replaced['data'], { v: '2' });
    assert.equal(replaced['metadata']['uid'], before['metadata']['uid']);

    await k(['replace', '--force', '-f', '-'], { stdout: ['configmap "rep" deleted', 'configmap/rep replaced'] }, { input: yaml(configMap('rep', { v: '3' })) });
    const forced = await get(['configmap', 'rep']);
    assert.deepEqual(forced['data'], { v: '3' });
    assert.notEqual(forced['metadata']['uid'], before['metadata']['uid']);
  });

  it('patch --type strategic (containers merged by name), merge, json; a no-op patch says "(no change)"', async () => {
    await k(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}}}'], {
      stdout: ['deployment.apps/web patched'],
    });
    let d = await get(['deployment', 'web']);
    assert.deepEqual(
      (d['spec']['template']['spec']['containers'] as Obj[]).map((c) => [c['name'], c['image']]),
      [['web', 'busybox:1'], ['sidecar', 'busybox:2']],
    );

    await k(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}'], { stdout: ['deployment.apps/web patched'] });
    d = await get(['deployment', 'web']);
    assert.deepEqual(d['metadata']['labels'], { tier: 'front' });

    await k(['patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:3"}]'], {
      stdout: ['deployment.apps/web patched'],
    });
    d = await get(['deployment', 'web']);
    assert.deepEqual(
      (d['spec']['template']['spec']['containers'] as Obj[]).map((c) => c['image']),
      ['busybox:3', 'busybox:2'],
    );

    await k(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}'], { stdout: ['deployment.apps/web patched (no change)'] });
  });

  it('set image | env | resources | serviceaccount on a deployment', async () => {
    const container = (d: Obj, name: string): Obj => (d['spec']['template']['spec']['containers'] as Obj[]).find((c) => c['name'] === name)!;

    await k(['set', 'image', 'deployment/setter', 'app=busybox:9'], { stdout: ['deployment.apps/setter image updated'] });
    let d = await get(['deployment', 'setter']);
    assert.equal(container(d, 'app')['image'], 'busybox:9');
    assert.equal(container(d, 'helper')['image'], 'busybox:1');

    await k(['set', 'env', 'deployment/setter', '-c', 'app', 'MODE=fast'], { stdout: ['deployment.apps/setter env updated'] });
    d = await get(['deployment', 'setter']);
    assert.deepEqual(container(d, 'app')['env'], [{ name: 'MODE', value: 'fast' }]);
    assert.equal(container(d, 'helper')['env'], undefined);

    await k(['set', 'resources', 'deployment/setter', '-c', 'app', '--limits=cpu=200m,memory=128Mi', '--requests=cpu=100m'], {
      stdout: ['deployment.apps/setter resource requirements updated'],
    });
    d = await get(['deployment', 'setter']);
    assert.deepEqual(container(d, 'app')['resources'], { limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '100m' } });
    assert.deepEqual(container(d, 'helper')['resources'], {});

    await k(['set', 'serviceaccount', 'deployment/setter', 'robot'], { stdout: ['deployment.apps/setter serviceaccount updated'] });
    d = await get(['deployment', 'setter']);
    assert.equal(d['spec']['template']['spec']['serviceAccountName'], 'robot');
    // v1 conversion fills the deprecated alias from serviceAccountName.
    assert.equal(d['spec']['template']['spec']['serviceAccount'], 'robot');
  });

  it('set selector on a service', async () => {
    await k(['set', 'selector', 'service/setter-svc', 'app=other'], { stdout: ['service/setter-svc selector updated'] });
    const svc = await get(['service', 'setter-svc']);
    assert.deepEqual(svc['spec']['selector'], { app: 'other' });
  });

  it('scale: "scaled"; --current-replicas must match (upstream precondition error otherwise)', async () => {
    await k(['scale', 'deployment/scaler', '--replicas=3'], { stdout: ['deployment.apps/scaler scaled'] });
    assert.equal((await get(['deployment', 'scaler']))['spec']['replicas'], 3);
    await k(['scale', 'deployment/scaler', '--current-replicas=3', '--replicas=4'], { stdout: ['deployment.apps/scaler scaled'] });
    assert.equal((await get(['deployment', 'scaler']))['spec']['replicas'], 4);
    await k(['scale', 'deployment/scaler', '--current-replicas=2', '--replicas=5'], { code: 1, stdout: [], stderr: 'error: Expected replicas to be 2, was 4\n' });
    assert.equal((await get(['deployment', 'scaler']))['spec']['replicas'], 4);
  });

  it('autoscale creates a HorizontalPodAutoscaler for the deployment', async () => {
    await k(['autoscale', 'deployment', 'scaler', '--min=2', '--max=5', '--cpu-percent=80'], { stdout: ['horizontalpodautoscaler.autoscaling/scaler autoscaled'] });
    const hpa = await get(['horizontalpodautoscalers.v2.autoscaling', 'scaler']);
    const { scaleTargetRef, minReplicas, maxReplicas, metrics } = hpa['spec'] as Obj;
    assert.deepEqual(
      { scaleTargetRef, minReplicas, maxReplicas, metrics },
      {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaler' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    );
    const v1 = await get(['horizontalpodautoscalers.v1.autoscaling', 'scaler']);
    assert.equal(v1['spec']['targetCPUUtilizationPercentage'], 80);
  });

  it('expose: a service with the deployment\'s selector and the given ports', async () => {
    await k(['expose', 'deployment', 'scaler', '--port=80', '--target-port=8080', '--name=scaler-svc'], { stdout: ['service/scaler-svc exposed'] });
    const svc = await get(['service', 'scaler-svc']);
    assert.equal(svc['spec']['type'], 'ClusterIP');
    assert.deepEqual(svc['spec']['selector'], { app: 'scaler' });
    assert.deepEqual(svc['spec']['ports'], [{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
  });

  it('run: "pod/NAME created" with the run label, image, args and restart policy', async () => {
    await k(['run', 'runner', '--image=busybox', '--restart=Never', '--', 'sleep', '3600'], { stdout: ['pod/runner created'] });
    const pod = await get(['pod', 'runner']);
    assert.deepEqual(pod['metadata']['labels'], { run: 'runner' });
    const c = pod['spec']['containers'][0] as Obj;
    assert.deepEqual([c['name'], c['image'], c['args']], ['runner', 'busybox', ['sleep', '3600']]);
    assert.equal(pod['spec']['restartPolicy'], 'Never');
  });

  it('create job --from=cronjob/NAME: a Job from the template, owned by the CronJob', async () => {
    await k(['create', 'job', 'nightly-manual', '--from=cronjob/nightly'], { stdout: ['job.batch/nightly-manual created'] });
    const cj = await get(['cronjob', 'nightly']);
    const job = await get(['job', 'nightly-manual']);
    assert.equal(job['metadata']['annotations']['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(job['metadata']['ownerReferences'], [
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: cj['metadata']['uid'], controller: true },
    ]);
    const c = job['spec']['template']['spec']['containers'][0] as Obj;
    assert.deepEqual([c['name'], c['image'], c['args']], ['main', 'busybox', ['true']]);
    assert.equal(job['spec']['template']['spec']['restartPolicy'], 'OnFailure');
  });

  it('label: add, refuse without --overwrite, --overwrite, remove with key- ("unlabeled")', async () => {
    await k(['label', 'configmap', 'labelled', 'tier=a'], { stdout: ['configmap/labelled labeled'] });
    await k(['label', 'configmap', 'labelled', 'tier=b'], { code: 1, stdout: [], stderr: "error: 'tier' already has a value (a), and --overwrite is false\n" });
    assert.deepEqual((await get(['configmap', 'labelled']))['metadata']['labels'], { tier: 'a' });
    await k(['label', '--overwrite', 'configmap', 'labelled', 'tier=b'], { stdout: ['configmap/labelled labeled'] });
    assert.deepEqual((await get(['configmap', 'labelled']))['metadata']['labels'], { tier: 'b' });
    await k(['label', 'configmap', 'labelled', 'tier-'], { stdout: ['configmap/labelled unlabeled'] });
    // An emptied map is omitted, as Go's omitempty does.
    assert.equal((await get(['configmap', 'labelled']))['metadata']['labels'], undefined);
  });

  it('annotate: add, refuse without --overwrite, --overwrite, remove with key-', async () => {
    await k(['annotate', 'configmap', 'labelled', 'note=x'], { stdout: ['configmap/labelled annotated'] });
    await k(['annotate', 'configmap', 'labelled', 'note=y'], {
      code: 1,
      stdout: [],
      stderr: "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (x)\n",
    });
    await k(['annotate', '--overwrite', 'configmap', 'labelled', 'note=y'], { stdout: ['configmap/labelled annotated'] });
    assert.deepEqual((await get(['configmap', 'labelled']))['metadata']['annotations'], { note: 'y' });
    await k(['annotate', 'configmap', 'labelled', 'note-'], { stdout: ['configmap/labelled annotated'] });
    assert.equal((await get(['configmap', 'labelled']))['metadata']['annotations'], undefined);
  });

  it('taint, cordon and uncordon a node', async () => {
    await expectKubectl(server, ['create', '-f', '-'], { stdout: ['node/writes-node created'] }, {
      input: yaml({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'writes-node', labels: { 'kubernetes.io/hostname': 'writes-node' } } }),
    });
    // Controllers may add their own node.kubernetes.io/* taints to a node no kubelet reports for.
    const ours = async (): Promise<Obj[]> =>
      (((await getJson(server, ['node', 'writes-node']))['spec']['taints'] ?? []) as Obj[]).filter((t) => t['key'] === 'dedicated');

    await expectKubectl(server, ['taint', 'nodes', 'writes-node', 'dedicated=infra:NoSchedule'], { stdout: ['node/writes-node tainted'] });
    assert.deepEqual(await ours(), [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    await expectKubectl(server, ['taint', 'nodes', 'writes-node', 'dedicated=infra:NoSchedule'], {
      code: 1,
      stdout: [],
      stderr: 'error: node writes-node already has dedicated taint(s) with same effect(s) and --overwrite is false\n',
    });
    await expectKubectl(server, ['taint', 'nodes', 'writes-node', 'dedicated:NoSchedule-'], { stdout: ['node/writes-node untainted'] });
    assert.deepEqual(await ours(), []);

    await expectKubectl(server, ['cordon', 'writes-node'], { stdout: ['node/writes-node cordoned'] });
    assert.equal((await getJson(server, ['node', 'writes-node']))['spec']['unschedulable'], true);
    await expectKubectl(server, ['cordon', 'writes-node'], { stdout: ['node/writes-node already cordoned'] });
    await expectKubectl(server, ['uncordon', 'writes-node'], { stdout: ['node/writes-node uncordoned'] });
    assert.equal((await getJson(server, ['node', 'writes-node']))['spec']['unschedulable'], undefined);
  });

  it('get -o yaml hides managedFields; --show-managed-fields shows them', async () => {
    const plain = await kubectlOk(server, ['get', 'configmap', 'from-file', '-n', NS, '-o', 'yaml']);
    assert.ok(!plain.includes('managedFields'), plain);
    const shown = await kubectlOk(server, ['get', 'configmap', 'from-file', '-n', NS, '-o', 'yaml', '--show-managed-fields']);
    assert.match(shown, /\n {2}managedFields:\n {2}- apiVersion: v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n/);
    assert.match(shown, /\n {4}manager: kubectl-client-side-apply\n {4}operation: Update\n {4}time: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/);
    assert.match(shown, /\n {8}f:k: \{\}\n/);
  });
});
