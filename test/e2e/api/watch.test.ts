// `kubectl get -w` prints rows as objects change: spawned here (not through kubectl()) so the
// test can act while it runs, with the harness's kubeconfig and a fresh cache dir.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startServer, waitFor } from '../harness.js';
import type { Server } from '../harness.js';

interface Watcher {
  output(): string;
  stop(): Promise<void>;
}

function watchWith(server: Server, args: string[]): Watcher {
  const cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-watch-cache-'));
  const child = spawn('kubectl', [...args, '--kubeconfig', server.kubeconfig, '--cache-dir', cacheDir], {
    env: { ...process.env, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => out + (err ? `\n[stderr] ${err}` : ''),
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Rows of a watch table, split on whitespace (each row is aligned on its own while watching). */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('[stderr]'))
    .map((l) => l.trim().split(/\s+/));
}

describe('kubectl get -w', () => {
  let server: Server;
  const watchers: Watcher[] = [];
  before(async () => {
    server = await startServer();
    await kubectlOk(server, ['run', 'w1', '--image=busybox', '--restart=Never']);
  });
  after(async () => {
    for (const w of watchers) await w.stop();
  });

  const pod = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });

  it('prints the current rows, then a row per change', async () => {
    const w = watchWith(server, ['get', 'pods', '-w']);
    watchers.push(w);
    await waitFor(() => rows(w.output()).some((r) => r[0] === 'w1'), { timeoutMs: 15_000, description: `the w1 row in:\n${w.output()}` });
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('w2') });
    await waitFor(() => rows(w.output()).some((r) => r[0] === 'w2'), { timeoutMs: 15_000, description: `the w2 row in:\n${w.output()}` });
    await kubectlOk(server, ['label', 'pod', 'w2', 'changed=yes']);
    await waitFor(() => rows(w.output()).filter((r) => r[0] === 'w2').length >= 2, { timeoutMs: 15_000, description: `a second w2 row in:\n${w.output()}` });
    await kubectlOk(server, ['delete', 'pod', 'w2']);
    await waitFor(() => rows(w.output()).filter((r) => r[0] === 'w2').length >= 3, { timeoutMs: 15_000, description: `a third w2 row in:\n${w.output()}` });
    await w.stop();

    const all = rows(w.output());
    assert.deepEqual(all[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], w.output());
    assert.equal(all.filter((r) => r[0] === 'NAME').length, 1, `one header only:\n${w.output()}`);
    const w1 = all[1] ?? [];
    assert.deepEqual(w1.slice(0, 4), ['w1', '0/1', 'Pending', '0'], w.output());
    const w2 = all.filter((r) => r[0] === 'w2');
    assert.deepEqual(w2[0]?.slice(0, 4), ['w2', '0/1', 'Pending', '0'], w.output());
    assert.match(w2[0]?.[4] ?? '', /^\d+s$/);
    assert.ok(all.every((r) => r.length === 5), `every row has 5 cells:\n${w.output()}`);
  });

  it('--output-watch-events labels each row ADDED, MODIFIED or DELETED', async () => {
    const w = watchWith(server, ['get', 'pods', '-w', '--output-watch-events']);
    watchers.push(w);
    await waitFor(() => rows(w.output()).some((r) => r[1] === 'w1'), { timeoutMs: 15_000, description: `the w1 row in:\n${w.output()}` });
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('w3') });
    await kubectlOk(server, ['annotate', 'pod', 'w3', 'example.com/x=1']);
    await kubectlOk(server, ['delete', 'pod', 'w3']);
    await waitFor(() => rows(w.output()).some((r) => r[0] === 'DELETED' && r[1] === 'w3'), {
      timeoutMs: 15_000,
      description: `DELETED w3 in:\n${w.output()}`,
    });
    await w.stop();
    const all = rows(w.output());
    assert.deepEqual(all[0], ['EVENT', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], w.output());
    assert.deepEqual(all[1]?.slice(0, 5), ['ADDED', 'w1', '0/1', 'Pending', '0'], w.output());
    const w3 = all.filter((r) => r[1] === 'w3').map((r) => r[0]);
    assert.equal(w3[0], 'ADDED', w.output());
    assert.ok(w3.includes('MODIFIED'), w.output());
    assert.equal(w3[w3.length - 1], 'DELETED', w.output());
    assert.ok(w3.indexOf('MODIFIED') < w3.lastIndexOf('DELETED'));
  });

  it('-w with a label selector shows only matching changes', async () => {
    const w = watchWith(server, ['get', 'pods', '-w', '-l', 'team=blue', '-o', 'name']);
    watchers.push(w);
    await new Promise((r) => setTimeout(r, 1500));
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('w4') });
    await kubectlOk(server, ['label', 'pod', 'w4', 'team=blue']);
    await waitFor(() => w.output().includes('pod/w4'), { timeoutMs: 15_000, description: `pod/w4 in:\n${w.output()}` });
    await kubectlOk(server, ['create', '-f', '-'], { input: pod('w5') });
    await new Promise((r) => setTimeout(r, 1000));
    await w.stop();
    assert.ok(!w.output().includes('w5'), w.output());
    assert.ok(!w.output().includes('w1'), w.output());
    assert.match(w.output(), /^(pod\/w4\n)+$/);
  });
});
