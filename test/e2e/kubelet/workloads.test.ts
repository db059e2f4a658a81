// The seeds' pods on a real node (containerd, runc, CNI): a busybox pod Running, seed 002's
// counting Job and Secret pods, a ConfigMap as env and files (updated in place), seed 000's exec
// liveness probe verbatim, and its init container + postStart/preStop hooks on a shared emptyDir.
// The two slow scenarios (liveness restarts) start first and are checked last.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_BUILT, kubectl, kubectlOk, waitFor, type Server } from '../harness.js';
import { agentSkipReason, eventsOf, podRow, startNodeServer, waitPod } from './util.js';

const LIVENESS_EXEC = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: busybox
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`;

// Seed 000's lifecycle demo with its init container, hooks and emptyDir verbatim; the main
// container is busybox with the exec liveness probe in place of the kube-app image.
const LIFECYCLE = `apiVersion: v1
kind: Pod
metadata:
  name: lifecycle
spec:
  initContainers:
  - name: init
    image: busybox
    command: ['sh', '-c', 'echo $(date +%s): INIT >> /tmp/timing && sleep 10s']
    volumeMounts:
    - mountPath: /tmp
      name: timing
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600']
    livenessProbe:
      exec:
        command: [cat, /tmp/healthy]
      initialDelaySeconds: 5
      periodSeconds: 5
    lifecycle:
      postStart:
        exec:
          command: ['sh', '-c', 'echo $(date +%s): POST-START >> /tmp/timing']
      preStop:
        exec:
          command: ['sh', '-c', 'echo $(date +%s): PRE-HOOK >> /tmp/timing']
    volumeMounts:
    - mountPath: /tmp
      name: timing
  volumes:
  - name: timing
    emptyDir: {}
`;

describe('pods on a real node', { skip: NOT_BUILT || agentSkipReason() }, () => {
  let server: Server;
  before(async () => {
    server = await startNodeServer();
    assert.equal(await kubectlOk(server, ['apply', '-f', '-'], { input: LIVENESS_EXEC }), 'pod/liveness-exec created\n');
    assert.equal(await kubectlOk(server, ['apply', '-f', '-'], { input: LIFECYCLE }), 'pod/lifecycle created\n');
    // The init container sleeps 10 s: kubectl shows Init:0/1 meanwhile.
    await waitPod(server, 'lifecycle', (r) => r.STATUS === 'Init:0/1' && r.READY === '0/1', 'Init:0/1', { timeoutMs: 20_000 });
  });

  it('runs the book\'s busybox pod in its namespace: 1/1 Running 0', async () => {
    const manifest = `apiVersion: v1
kind: Namespace
metadata: {name: development}
---
apiVersion: v1
kind: Pod
metadata: {name: busybox, namespace: development}
spec:
  containers:
  - image: busybox
    command: ["sleep", "3600"]
    name: busybox
`;
    assert.equal(await kubectlOk(server, ['create', '-f', '-'], { input: manifest }), 'namespace/development created\npod/busybox created\n');
    const row = await waitPod(server, 'busybox', (r) => r.STATUS === 'Running' && r.READY === '1/1', 'Running 1/1', { namespace: 'development' });
    assert.equal(row.RESTARTS, '0');
    const pod = JSON.parse(await kubectlOk(server, ['get', 'pod', 'busybox', '-n', 'development', '-o', 'json'])) as {
      status: { podIP: string; hostIP: string; qosClass: string; containerStatuses: { containerID: string; imageID: string; started: boolean; state: { running?: { startedAt: string } } }[]; conditions: { type: string; status: string }[] };
    };
    assert.match(pod.status.podIP, /^10\.\d+\.\d+\.\d+$/);
    assert.ok(pod.status.hostIP);
    assert.equal(pod.status.qosClass, 'BestEffort');
    const cs = pod.status.containerStatuses[0]!;
    assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(cs.state.running?.startedAt);
    assert.equal(cs.started, true);
    assert.deepEqual(
      pod.status.conditions.map((c) => `${c.type}=${c.status}`).sort(),
      ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True'],
    );
    const events = await eventsOf(server, 'busybox', 'development');
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) assert.ok(events.some((e) => e.startsWith(`Normal ${reason} `)), `${reason} in ${events.join('\n')}`);
  });

  it("runs seed 002's Job to completion: logs 9…1, COMPLETIONS 1/1, pod Completed", async () => {
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: job-demo
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: counter
        image: busybox
        command:
        - "bin/sh"
        - "-c"
        - "for i in 9 8 7 6 5 4 3 2 1; do echo $i; done"
`;
    assert.equal(await kubectlOk(server, ['apply', '-f', '-'], { input: job }), 'job.batch/job-demo created\n');
    assert.equal((await kubectlOk(server, ['wait', '--for=condition=complete', 'job/job-demo', '--timeout=90s'])).trim(), 'job.batch/job-demo condition met');
    assert.equal(await kubectlOk(server, ['logs', 'job/job-demo']), '9\n8\n7\n6\n5\n4\n3\n2\n1\n');
    const pods = await kubectlOk(server, ['get', 'pods', '-l', 'job-name=job-demo', '--no-headers']);
    assert.match(pods, /^job-demo-\w+\s+0\/1\s+Completed\s+0\s+/);
  });

  it("gives seed 002's Secret to pods as env and as files", async () => {
    const manifests = `apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
data:
  username: YWRtaW4=
  password: YWRtaW4zMjE=
---
apiVersion: v1
kind: Pod
metadata:
  name: secret1-pod
spec:
  containers:
  - name: secret1
    image: busybox
    command: [ "/bin/sh", "-c", "env" ]
    env:
    - name: USERNAME
      valueFrom:
        secretKeyRef:
          name: mysecret
          key: username
    - name: PASSWORD
      valueFrom:
        secretKeyRef:
          name: mysecret
          key: password
---
apiVersion: v1
kind: Pod
metadata:
  name: secret2-pod
spec:
  containers:
  - name: secret2
    image: busybox
    command: ["/bin/sh", "-c", "ls /etc/secrets"]
    volumeMounts:
    - name: secrets
      mountPath: /etc/secrets
  volumes:
  - name: secrets
    secret:
      secretName: mysecret
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: manifests });
    const env = await waitFor(async () => {
      const r = await kubectl(server, ['logs', 'secret1-pod']);
      return r.code === 0 && r.stdout.includes('PASSWORD') ? r.stdout : undefined;
    }, { timeoutMs: 60_000, description: 'secret1-pod logs' });
    const lines = env.split('\n');
    assert.ok(lines.includes('USERNAME=admin'), env);
    assert.ok(lines.includes('PASSWORD=admin321'), env);
    assert.ok(lines.some((l) => /^KUBERNETES_SERVICE_HOST=10\.\d+\.\d+\.1$/.test(l)), env);
    assert.ok(lines.includes('KUBERNETES_SERVICE_PORT=443'), env);
    const files = await waitFor(async () => {
      const r = await kubectl(server, ['logs', 'secret2-pod']);
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    }, { timeoutMs: 60_000, description: 'secret2-pod logs' });
    assert.equal(files, 'password\nusername\n');
    // Bare pods restart their finished container: Completed → CrashLoopBackOff, RESTARTS rising.
    const row = await waitPod(server, 'secret2-pod', (r) => r.STATUS === 'CrashLoopBackOff', 'CrashLoopBackOff');
    assert.ok(Number(row.RESTARTS.split(' ')[0]) >= 1, row.RESTARTS);
  });

  it('gives a ConfigMap as env ($(VAR) expanded) and as files, the files updated after apply', async () => {
    const cm = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: httpd-config
data:
  run.args: ${value}
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: cm('sleep 3600') });
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: cm-pod
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh","-c"]
    args: ["$(RUN_ARGS)"]
    env:
    - name: RUN_ARGS
      valueFrom:
        configMapKeyRef:
          name: httpd-config
          key: run.args
    volumeMounts:
    - name: cfg
      mountPath: /etc/cfg
  volumes:
  - name: cfg
    configMap:
      name: httpd-config
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod });
    await waitPod(server, 'cm-pod', (r) => r.STATUS === 'Running', 'Running');
    // sh -c "$(RUN_ARGS)" became sh -c "sleep 3600", and busybox sh execs its single command.
    assert.equal(await kubectlOk(server, ['exec', 'cm-pod', '--', 'cat', '/proc/1/cmdline']), 'sleep\x003600\x00');
    assert.equal(await kubectlOk(server, ['exec', 'cm-pod', '--', 'cat', '/etc/cfg/run.args']), 'sleep 3600');
    await kubectlOk(server, ['apply', '-f', '-'], { input: cm('sleep 7200') });
    await waitFor(async () => (await kubectlOk(server, ['exec', 'cm-pod', '--', 'cat', '/etc/cfg/run.args'])) === 'sleep 7200', {
      timeoutMs: 90_000,
      intervalMs: 1000,
      description: 'the ConfigMap file to show the new value',
    });
    // The environment is fixed at container start.
    assert.match(await kubectlOk(server, ['exec', 'cm-pod', '--', 'sh', '-c', 'echo $RUN_ARGS']), /^sleep 3600\n$/);
  });

  it('reports a missing ConfigMap key as CreateContainerConfigError', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: bad-ref}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: X
      valueFrom:
        configMapKeyRef: {name: nosuch, key: k}
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod });
    const row = await waitPod(server, 'bad-ref', (r) => r.STATUS === 'CreateContainerConfigError', 'CreateContainerConfigError');
    assert.equal(row.READY, '0/1');
    const events = await eventsOf(server, 'bad-ref');
    assert.ok(events.some((e) => e === 'Warning Failed Error: configmap "nosuch" not found'), events.join('\n'));
  });

  it('runs a static pod from the manifest folder with a mirror pod that comes back when deleted (seed 003 S13)', async () => {
    const node = (await kubectlOk(server, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const file = join(server.dataDir, 'agent', 'pod-manifests', 'static-web.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\nspec:\n  containers:\n  - name: web\n    image: busybox\n    command: ["sleep", "3600"]\n');
    const name = `static-web-${node}`;
    await waitPod(server, name, (r) => r.STATUS === 'Running' && r.READY === '1/1', 'the mirror pod Running', { timeoutMs: 60_000 });
    const mirror = JSON.parse(await kubectlOk(server, ['get', 'pod', name, '-o', 'json'])) as { metadata: { uid: string; annotations: Record<string, string>; ownerReferences: { kind: string; name: string }[] } };
    assert.equal(mirror.metadata.annotations['kubernetes.io/config.source'], 'file');
    assert.ok(mirror.metadata.annotations['kubernetes.io/config.mirror']);
    assert.deepEqual(mirror.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`), [`Node/${node}`]);
    assert.equal(await kubectlOk(server, ['exec', name, '--', 'cat', '/proc/1/cmdline']), 'sleep\x003600\x00');
    await kubectlOk(server, ['delete', 'pod', name, '--wait=false']);
    await waitFor(
      async () => {
        const r = await kubectl(server, ['get', 'pod', name, '-o', 'jsonpath={.metadata.uid} {.status.phase}']);
        const [uid, phase] = r.stdout.split(' ');
        return r.code === 0 && uid !== mirror.metadata.uid && phase === 'Running';
      },
      { timeoutMs: 60_000, description: 'the mirror pod recreated' },
    );
    rmSync(file);
    await waitFor(async () => (await kubectl(server, ['get', 'pod', name])).code === 1, { timeoutMs: 60_000, description: 'the mirror pod gone with its file' });
  });

  it("restarts seed 000's liveness-exec pod after its probe fails, with Unhealthy and Killing events", async () => {
    const row = await waitPod(server, 'liveness-exec', (r) => Number(r.RESTARTS.split(' ')[0]) >= 1, 'RESTARTS ≥ 1', { timeoutMs: 180_000 });
    assert.equal(row.READY, '1/1');
    const events = await eventsOf(server, 'liveness-exec');
    assert.ok(
      events.some((e) => e.startsWith("Warning Unhealthy Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory")),
      events.join('\n'),
    );
    assert.ok(events.some((e) => e === 'Normal Killing Container liveness failed liveness probe, will be restarted'), events.join('\n'));
    const describe = await kubectlOk(server, ['describe', 'pod', 'liveness-exec']);
    assert.match(describe, /Liveness:\s+exec \[cat \/tmp\/healthy\] delay=5s timeout=1s period=5s #success=1 #failure=3/);
    assert.match(describe, /Last State:\s+Terminated/);
  });

  it("runs seed 000's init container and hooks in order on the shared emptyDir", async () => {
    await waitPod(server, 'lifecycle', (r) => Number(r.RESTARTS.split(' ')[0]) >= 1 && r.STATUS === 'Running', 'a restart', { timeoutMs: 240_000 });
    const timing = await waitFor(
      async () => {
        const text = await kubectlOk(server, ['exec', 'lifecycle', '-c', 'main', '--', 'cat', '/tmp/timing']);
        return text.split('\n').filter(Boolean).length >= 4 ? text : undefined;
      },
      { timeoutMs: 30_000, description: 'four lines in /tmp/timing' },
    );
    const lines = timing.trim().split('\n').map((l) => /^(\d+): (\S+)$/.exec(l));
    assert.ok(lines.every(Boolean), timing);
    assert.deepEqual(lines.slice(0, 4).map((m) => m![2]), ['INIT', 'POST-START', 'PRE-HOOK', 'POST-START']);
    const times = lines.map((m) => Number(m![1]));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, timing);
    assert.ok(times[1]! - times[0]! >= 10, `INIT → POST-START ≥ 10 s: ${timing}`);
    const row = await podRow(server, 'lifecycle');
    assert.equal(row.READY, '1/1');
  });
});
