// Tests of the e2e harness itself: against a small fake `k8ts server` (a plain-HTTP /version
// endpoint that writes a kubeconfig), and against the real bin/k8ts once it is built.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NOT_BUILT, haveKubectl, kubectl, kubectlOk, startServer, waitFor } from './harness.js';

const NO_KUBECTL = haveKubectl() ? false : 'kubectl is not on the PATH';

/**
 * The fake server: flags as `k8ts server` gets them, plus behaviour switches through the
 * environment (FAKE_MODE = fail | never-ready | ignore-sigterm). It spawns a `sleep` child so
 * the tests can check that stop() reaches the whole process group.
 */
const FAKE_SERVER = `#!/usr/bin/env node
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
const dataDir = args[args.indexOf('--data-dir') + 1];
const mode = process.env.FAKE_MODE ?? '';
process.stdout.write('fake starting ' + args.join(' ') + '\\n');
if (mode === 'fail') { process.stderr.write('boom: bad flag\\n'); process.exit(3); }
const sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
writeFileSync(join(dataDir, 'sleeper.pid'), String(sleeper.pid));
if (mode === 'ignore-sigterm') process.on('SIGTERM', () => process.stdout.write('ignoring SIGTERM\\n'));
else process.on('SIGTERM', () => { sleeper.unref(); server.close(); process.exit(0); });
const server = createServer((req, res) => {
  if (req.url.startsWith('/version')) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0-fake', platform: 'linux/amd64' }));
  } else {
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'fake: not found', reason: 'NotFound', code: 404 }));
  }
});
server.listen(0, '127.0.0.1', () => {
  if (mode === 'never-ready') return;
  const port = server.address().port;
  const tmp = join(dataDir, 'kubeconfig.yaml.tmp');
  writeFileSync(tmp, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: fake, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
    'users: [{name: fake, user: {}}]',
    'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
    'current-context: fake', ''].join('\\n'));
  renameSync(tmp, join(dataDir, 'kubeconfig.yaml'));
});
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('e2e harness with a fake server', () => {
  let fakeDir = '';
  let bin = '';
  before(() => {
    fakeDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-fake-'));
    bin = join(fakeDir, 'fake-k8ts.mjs');
    writeFileSync(bin, FAKE_SERVER);
    chmodSync(bin, 0o755);
  });
  after(() => rmSync(fakeDir, { recursive: true, force: true }));

  it('starts, reads the port from the kubeconfig, stops the whole process group, restarts', async (t) => {
    const server = await startServer({ t, bin, args: ['--extra-flag'] });
    assert.ok(server.dataDir.startsWith(join(tmpdir(), 'k8ts-e2e-')));
    assert.equal(server.kubeconfig, join(server.dataDir, 'kubeconfig.yaml'));
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.match(
      server.logs(),
      new RegExp(`fake starting server --disable-agent --https-port 0 --data-dir ${server.dataDir} --extra-flag`),
    );
    const res = await fetch(`${server.url}/version`);
    assert.equal(((await res.json()) as { minor: string }).minor, '32');

    const sleeper = Number(readFileSync(join(server.dataDir, 'sleeper.pid'), 'utf8'));
    assert.ok(alive(sleeper));
    const stopped = await server.stop();
    assert.deepEqual(stopped, { code: 0, signal: null, killed: false });
    await waitFor(() => !alive(sleeper), { timeoutMs: 2000, description: 'the sleeper to die' });
    assert.deepEqual(await server.stop(), stopped, 'stop is idempotent');

    await server.restart();
    assert.ok(server.port > 0);
    const again = await fetch(`${server.url}/version`);
    assert.equal(again.status, 200);
    await server.dispose();
    assert.equal(existsSync(server.dataDir), false);
  });

  it('reports the server output when it exits before it is ready', async (t) => {
    await assert.rejects(startServer({ t, bin, env: { FAKE_MODE: 'fail' } }), (err: Error) => {
      assert.match(err.message, /exited before it was ready \(exit code 3\)/);
      assert.match(err.message, /boom: bad flag/);
      return true;
    });
  });

  it('times out when no kubeconfig appears, and kills the server', async (t) => {
    const started = Date.now();
    let dataDir = '';
    await assert.rejects(
      startServer({ t, bin, env: { FAKE_MODE: 'never-ready' }, timeoutMs: 1000 }),
      (err: Error) => {
        assert.match(err.message, /timed out after 1000 ms waiting for .*kubeconfig\.yaml to appear/);
        dataDir = /fake starting .* --data-dir (\S+)/.exec(err.message)?.[1] ?? '';
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    assert.notEqual(dataDir, '');
    assert.equal(existsSync(dataDir), false, 'the data dir of a failed start is removed');
  });

  it('kills a server that ignores SIGTERM after the grace period', async (t) => {
    const server = await startServer({ t, bin, env: { FAKE_MODE: 'ignore-sigterm' }, stopGraceMs: 300 });
    const pid = server.pid;
    assert.ok(pid);
    const result = await server.stop();
    assert.equal(result.killed, true);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(alive(pid), false);
    assert.match(server.logs(), /ignoring SIGTERM/);
  });

  it('runs kubectl with the kubeconfig and a fresh cache dir', { skip: NO_KUBECTL }, async (t) => {
    const server = await startServer({ t, bin });
    const version = JSON.parse(await kubectlOk(server, ['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string };
    };
    assert.equal(version.serverVersion.gitVersion, 'v1.32.0-fake');

    const missing = await kubectl(server, ['get', '--raw', '/nothing-here']);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.timedOut, false);
    assert.match(missing.stderr, /NotFound|not found/i);
    await assert.rejects(kubectlOk(server, ['get', '--raw', '/nothing-here']), /kubectl get --raw \/nothing-here exited with code 1/);
    // KUBECONFIG from the environment never wins over the server's kubeconfig.
    assert.match(await kubectlOk(server, ['get', '--raw', '/version'], { env: { KUBECONFIG: '/nonexistent' } }), /v1\.32\.0-fake/);
  });
});

describe('waitFor', () => {
  it('resolves with the first usable value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), { intervalMs: 1 });
    assert.equal(value, 'after 3');
  });

  it('times out with the last error', async () => {
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('still broken');
        },
        { timeoutMs: 50, intervalMs: 10, description: 'a miracle' },
      ),
      /timed out after 50 ms waiting for a miracle: still broken/,
    );
  });
});

describe('e2e harness with the real k8ts server', () => {
  it('starts, answers kubectl over TLS with the admin certificate, stops cleanly, restarts', { skip: NOT_BUILT || NO_KUBECTL }, async (t) => {
    const server = await startServer({ t });
    assert.match(server.url, /^https:\/\//);
    const kubeconfig = readFileSync(server.kubeconfig, 'utf8');
    assert.match(kubeconfig, /client-certificate-data:/);
    const version = JSON.parse(await kubectlOk(server, ['version', '-o', 'json'])) as {
      serverVersion: { major: string; minor: string };
    };
    assert.deepEqual([version.serverVersion.major, version.serverVersion.minor], ['1', '32']);
    assert.equal((await kubectlOk(server, ['get', '--raw', '/readyz'])).trim(), 'ok');

    const stopped = await server.stop();
    assert.deepEqual(stopped, { code: 0, signal: null, killed: false }, server.logs());
    await server.restart();
    assert.equal((await kubectlOk(server, ['get', '--raw', '/readyz'])).trim(), 'ok');
  });
});
