// The official Python client (Debian's python3-kubernetes), unchanged against bin/k8ts: it
// loads the kubeconfig the server wrote, lists, creates and watches pods. The Python side is
// python_client.py, which prints what it saw as JSON.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NOT_BUILT, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { apiFor, podManifest } from './api.js';
import type { Api } from './api.js';

// Debian's python3 explicitly: another python (without the package) may be first on the PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'python_client.py');
const NS = 'python-client';

const NO_CLIENT =
  spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0
    ? false
    : `${PYTHON} cannot import kubernetes: install python3-kubernetes (scripts/setup.sh)`;

/** Runs python_client.py; resolves with its JSON output, rejects with its stderr on failure. */
function runPython<T>(server: Server, action: 'list' | 'create' | 'watch'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, server.kubeconfig, NS, action], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`python_client.py ${action} exited with ${signal ?? `code ${String(code)}`}\nstderr: ${stderr}\nstdout: ${stdout}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch (e) {
        reject(new Error(`python_client.py ${action} printed no JSON: ${stdout}\nstderr: ${stderr}`, { cause: e }));
      }
    });
  });
}

describe('Python kubernetes client against k8ts', { skip: NOT_BUILT || NO_CLIENT }, () => {
  let server: Server;
  let api: Api;

  before(async () => {
    server = await startServer();
    api = apiFor(server);
    await api.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });

  after(async () => {
    api?.close();
    await server?.dispose();
  });

  it('lists pods', async () => {
    for (const name of ['list-a', 'list-b']) await api.ok('POST', `/api/v1/namespaces/${NS}/pods`, podManifest(name, { test: 'list' }));
    await api.ok('POST', `/api/v1/namespaces/${NS}/pods`, podManifest('list-other', { test: 'other' }));

    const out = await runPython<{
      names: string[];
      namespaces: string[];
      images: string[];
      timestampsParsed: boolean;
      resourceVersion: string;
      allNamespaces: string[];
      pageSize: number;
      continue: string | null;
    }>(server, 'list');
    assert.deepEqual(out.names, ['list-a', 'list-b']);
    assert.deepEqual(out.namespaces, [NS]);
    assert.deepEqual(out.images, ['busybox']);
    assert.equal(out.timestampsParsed, true, 'creationTimestamp is parsed into a datetime');
    assert.match(out.resourceVersion, /^\d+$/);
    assert.deepEqual(out.allNamespaces, [`${NS}/list-a`, `${NS}/list-b`, `${NS}/list-other`]);
    assert.equal(out.pageSize, 1);
    assert.ok(out.continue, 'a limited list returns a continue token');
  });

  it('creates a pod', async () => {
    const out = await runPython<{
      name: string;
      namespace: string;
      uid: string;
      resourceVersion: string;
      creationTimestamp: string;
      restartPolicy: string;
      dnsPolicy: string;
      imagePullPolicy: string;
      phase: string;
      readUid: string;
      conflict: { status: number; kind: string; reason: string } | null;
    }>(server, 'create');
    assert.equal(out.name, 'py-create');
    assert.equal(out.namespace, NS);
    assert.ok(out.uid, 'the server assigned a uid');
    assert.match(out.resourceVersion, /^\d+$/);
    assert.ok(!Number.isNaN(Date.parse(out.creationTimestamp)), `creationTimestamp ${out.creationTimestamp}`);
    assert.equal(out.restartPolicy, 'Always');
    assert.equal(out.dnsPolicy, 'ClusterFirst');
    assert.equal(out.imagePullPolicy, 'Always');
    assert.equal(out.phase, 'Pending');
    assert.equal(out.readUid, out.uid);
    assert.deepEqual(out.conflict, { status: 409, kind: 'Status', reason: 'AlreadyExists' });

    // The pod is really there, seen by another client.
    const pod = (await api.ok('GET', `/api/v1/namespaces/${NS}/pods/py-create`)) as { metadata?: { uid?: string } };
    assert.equal(pod.metadata?.uid, out.uid);
  });

  it('watches pods: ADDED on create, DELETED on delete', async () => {
    const out = await runPython<{ events: { type: string; name: string; kind: string; resourceVersion: string }[]; errors: string[] }>(server, 'watch');
    assert.deepEqual(out.errors, []);
    const mine = out.events.filter((e) => e.name === 'py-watch');
    assert.ok(mine.length >= 2, `events: ${JSON.stringify(out.events)}`);
    assert.equal(mine[0]!.type, 'ADDED');
    assert.equal(mine[mine.length - 1]!.type, 'DELETED');
    assert.deepEqual(mine.filter((e) => !['ADDED', 'MODIFIED', 'DELETED'].includes(e.type)), []);
    for (const e of mine) {
      assert.equal(e.kind, 'V1Pod', 'watch events are deserialized into V1Pod');
      assert.match(e.resourceVersion, /^\d+$/);
    }
    // resourceVersions only grow along the watch.
    const rvs = mine.map((e) => Number(e.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    // And the pod is gone.
    const gone = await api.request('GET', `/api/v1/namespaces/${NS}/pods/py-watch`);
    assert.equal(gone.status, 404);
  });
});
