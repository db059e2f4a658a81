// kubectl's streams and the failure states a user sees, on a real node: exec (exit codes,
// stdin), port-forward, cp both ways, logs -f and -p; OOMKilled, CrashLoopBackOff with growing
// delays, ErrImagePull/ImagePullBackOff, a readiness probe moving a pod out of and back into its
// Service's endpoints, and kubectl top.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectl, kubectlOk, waitFor, type Server } from '../harness.js';
import { agentSkipReason, eventsOf, startNodeServer, waitPod } from './util.js';

const pod = (name: string, script: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  containers:
  - name: main
    image: busybox:1.35
    command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Runs kubectl in the background; resolves with it once `ready` matches its stdout. */
function background(server: Server, args: string[], ready: RegExp): Promise<{ out: () => string; stop: () => void; match: RegExpExecArray }> {
  const cache = mkdtempSync(join(tmpdir(), 'k8ts-e2e-bg-'));
  const child = spawn('kubectl', [...args, '--kubeconfig', server.kubeconfig, '--cache-dir', cache], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const stop = (): void => {
    child.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`kubectl ${args.join(' ')}: no ${String(ready)} within 30 s; stdout: ${out} stderr: ${err}`));
    }, 30_000);
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ out: () => out, stop, match: m });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl ${args.join(' ')} exited with ${String(code)}: ${err}`));
    });
  });
}

describe('kubectl streams and failure states on a real node', { skip: NOT_BUILT || agentSkipReason() }, () => {
  let server: Server;
  const local = mkdtempSync(join(tmpdir(), 'k8ts-e2e-cp-'));
  after(() => rmSync(local, { recursive: true, force: true }));
  before(async () => {
    server = await startNodeServer();
    // Started first: the back-off scenario needs a minute of restarts.
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('crasher', 'echo started; sleep 1; exit 1') });
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('web', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www') });
    await waitPod(server, 'web', (r) => r.STATUS === 'Running' && r.READY === '1/1', 'Running');
  });

  it('exec runs a command, returns its exit code and pipes stdin', async () => {
    assert.equal(await kubectlOk(server, ['exec', 'web', '--', 'cat', '/www/index.html']), 'hello-from-web\n');
    const r = await kubectl(server, ['exec', '-it', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /out/);
    const piped = await kubectl(server, ['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo done'], { input: 'piped line\n' });
    assert.equal(piped.stdout, 'piped line\ndone\n');
    assert.equal(piped.code, 0);
    const missing = await kubectl(server, ['exec', 'web', '--', 'no-such-command']);
    assert.notEqual(missing.code, 0);
  });

  it('port-forward serves the pod port on loopback', async () => {
    const pf = await background(server, ['port-forward', 'pod/web', ':8080'], /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
    try {
      assert.equal(await httpGet(`http://127.0.0.1:${pf.match[1]}/index.html`), 'hello-from-web\n');
      assert.equal(await httpGet(`http://127.0.0.1:${pf.match[1]}/index.html`), 'hello-from-web\n');
    } finally {
      pf.stop();
    }
  });

  it('reaches the pod, its Service and the node through the API server proxy', async () => {
    assert.equal(await kubectlOk(server, ['get', '--raw', '/api/v1/namespaces/default/pods/web:8080/proxy/index.html']), 'hello-from-web\n');
    await kubectlOk(server, ['expose', 'pod', 'web', '--port', '80', '--target-port', '8080']);
    await waitFor(async () => (await kubectl(server, ['get', '--raw', '/api/v1/namespaces/default/services/web:80/proxy/index.html'])).stdout === 'hello-from-web\n', {
      timeoutMs: 30_000,
      description: 'the service proxy to answer',
    });
    const node = (await kubectlOk(server, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    assert.equal(await kubectlOk(server, ['get', '--raw', `/api/v1/nodes/${node}/proxy/healthz`]), 'ok');
    const summary = JSON.parse(await kubectlOk(server, ['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`])) as { node: { nodeName: string } };
    assert.equal(summary.node.nodeName, node);
  });

  it('cp copies files into and out of a container', async () => {
    const src = join(local, 'in.txt');
    writeFileSync(src, 'copied in\n');
    await kubectlOk(server, ['cp', src, 'web:/tmp/in.txt']);
    assert.equal(await kubectlOk(server, ['exec', 'web', '--', 'cat', '/tmp/in.txt']), 'copied in\n');
    await kubectlOk(server, ['cp', 'web:/www/index.html', join(local, 'out.html')]);
    assert.equal(readFileSync(join(local, 'out.html'), 'utf8'), 'hello-from-web\n');
  });

  it('logs -f streams new lines as they are written', async () => {
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('ticker', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done') });
    await waitPod(server, 'ticker', (r) => r.STATUS === 'Running', 'Running');
    const f = await background(server, ['logs', '-f', 'ticker'], /tick 0\n/);
    try {
      await waitFor(() => /tick 3\n/.test(f.out()), { timeoutMs: 15_000, description: 'four ticks through logs -f' });
    } finally {
      f.stop();
    }
    const tail = await kubectlOk(server, ['logs', 'ticker', '--tail=1', '--timestamps']);
    assert.match(tail, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+\n$/);
  });

  it('goes to CrashLoopBackOff with growing delays; logs -p shows the previous instance', async () => {
    await waitPod(server, 'crasher', (r) => Number(r.RESTARTS.split(' ')[0]) >= 3 && r.STATUS === 'CrashLoopBackOff', 'CrashLoopBackOff after 3 restarts', { timeoutMs: 150_000 });
    assert.equal(await kubectlOk(server, ['logs', '-p', 'crasher']), 'started\n');
    const events = await eventsOf(server, 'crasher');
    assert.ok(events.some((e) => e.startsWith('Warning BackOff Back-off restarting failed container main in pod crasher_default(')), events.join('\n'));
    const st = JSON.parse(await kubectlOk(server, ['get', 'pod', 'crasher', '-o', 'json'])) as {
      status: { containerStatuses: { state: { waiting?: { reason: string; message: string } }; lastState: { terminated?: { exitCode: number; reason: string } } }[] };
    };
    const cs = st.status.containerStatuses[0]!;
    assert.equal(cs.state.waiting?.reason, 'CrashLoopBackOff');
    assert.match(cs.state.waiting?.message ?? '', /^back-off (20|40|80)s restarting failed container=main pod=crasher_default\(/);
    assert.deepEqual([cs.lastState.terminated?.exitCode, cs.lastState.terminated?.reason], [1, 'Error']);
  });

  it('reports a container over its memory limit as OOMKilled', async () => {
    const extra = `    resources:\n      limits: {memory: 32Mi}\n  restartPolicy: Never\n`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('hog', 'tail /dev/zero', extra) });
    const row = await waitPod(server, 'hog', (r) => r.STATUS === 'OOMKilled', 'OOMKilled');
    assert.equal(row.READY, '0/1');
    const st = JSON.parse(await kubectlOk(server, ['get', 'pod', 'hog', '-o', 'json'])) as { status: { phase: string; containerStatuses: { state: { terminated?: { exitCode: number; reason: string } } }[] } };
    assert.equal(st.status.phase, 'Failed');
    assert.deepEqual([st.status.containerStatuses[0]!.state.terminated?.reason, st.status.containerStatuses[0]!.state.terminated?.exitCode], ['OOMKilled', 137]);
  });

  it('reports an image that is not present as ErrImagePull, then ImagePullBackOff', async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers:
  - name: main
    image: k8ts.invalid/none:1
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: manifest });
    await waitPod(server, 'noimage', (r) => r.STATUS === 'ImagePullBackOff', 'ImagePullBackOff');
    const events = await eventsOf(server, 'noimage');
    assert.ok(events.some((e) => e === 'Normal Pulling Pulling image "k8ts.invalid/none:1"'), events.join('\n'));
    assert.ok(events.some((e) => e.startsWith('Warning Failed Failed to pull image "k8ts.invalid/none:1": ')), events.join('\n'));
    assert.ok(events.some((e) => e === 'Warning Failed Error: ErrImagePull'), events.join('\n'));
    assert.ok(events.some((e) => e === 'Normal BackOff Back-off pulling image "k8ts.invalid/none:1"'), events.join('\n'));
  });

  it('keeps a pod whose readiness probe fails out of its Service endpoints, and returns it', async () => {
    const extra = `    readinessProbe:\n      exec: {command: [cat, /tmp/ready]}\n      periodSeconds: 1\n      failureThreshold: 1\n`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('ready', 'touch /tmp/ready; exec sleep 3600', extra) });
    await kubectlOk(server, ['expose', 'pod', 'ready', '--port', '80']);
    await waitPod(server, 'ready', (r) => r.STATUS === 'Running', 'Running');
    const ip = (await kubectlOk(server, ['get', 'pod', 'ready', '-o', 'jsonpath={.status.podIP}'])).trim();
    // Ready addresses, and the ones kept aside while the pod is not ready.
    const endpoints = async (): Promise<string> => kubectlOk(server, ['get', 'endpoints', 'ready', '-o', 'jsonpath={.subsets[*].addresses[*].ip}/{.subsets[*].notReadyAddresses[*].ip}']);
    await waitFor(async () => (await endpoints()) === `${ip}/`, { timeoutMs: 60_000, description: 'the ready pod in the endpoints' });
    await kubectlOk(server, ['exec', 'ready', '--', 'rm', '/tmp/ready']);
    await waitPod(server, 'ready', (r) => r.READY === '0/1' && r.STATUS === 'Running', 'not ready');
    await waitFor(async () => (await endpoints()) === `/${ip}`, { timeoutMs: 30_000, description: 'the pod among the not-ready addresses' });
    await kubectlOk(server, ['exec', 'ready', '--', 'touch', '/tmp/ready']);
    await waitFor(async () => (await endpoints()) === `${ip}/`, { timeoutMs: 30_000, description: 'the pod back in the endpoints' });
  });

  it('kubectl top pods shows CPU and memory of a busy container', async () => {
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod('busy', 'while true; do :; done') });
    await waitPod(server, 'busy', (r) => r.STATUS === 'Running', 'Running');
    const line = await waitFor(
      async () => {
        const r = await kubectl(server, ['top', 'pod', 'busy', '--no-headers']);
        const m = /^busy\s+(\d+)m\s+(\d+)Mi\s*$/.exec(r.stdout.trim());
        return m && Number(m[1]) > 0 && Number(m[2]) >= 0 ? m : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000, description: 'kubectl top pod busy' },
    );
    assert.ok(Number(line[1]) >= 100, `a busy loop uses a good part of a core: ${line[0]}`);
    const nodes = await kubectlOk(server, ['top', 'nodes', '--no-headers']);
    assert.match(nodes, /^\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  });
});
