// The book's ReplicationController (seed 004's nginx-1.12): scaling, a deleted pod replaced,
// a relabelled pod released and replaced, and orphaning deletion that leaves the pods.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { parseTable, rowOf } from '../api/util.js';
import { pods, waitRunning } from './util.js';

const RC = `apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx-1.12
spec:
  replicas: 2
  selector:
    project: chapter3
    service: web
  template:
    metadata:
      labels:
        project: chapter3
        service: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.12.0
        ports:
        - containerPort: 80
`;

describe('ReplicationController (seed 004)', { skip: NOT_BUILT }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '2'] });
  });

  it('keeps its replicas, releases relabelled pods, and orphans on request', async () => {
    assert.equal((await kubectlOk(server, ['create', '-f', '-'], { input: RC })).trim(), 'replicationcontroller/nginx-1.12 created');
    await waitRunning(server, 'service=web', 2);
    const table = parseTable(await kubectlOk(server, ['get', 'rc']));
    assert.deepEqual(table.headers, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    assert.deepEqual(
      (({ DESIRED, CURRENT, READY }) => [DESIRED, CURRENT, READY])(rowOf(table, 'nginx-1.12')),
      ['2', '2', '2'],
    );

    assert.equal((await kubectlOk(server, ['scale', 'rc', 'nginx-1.12', '--replicas=3'])).trim(), 'replicationcontroller/nginx-1.12 scaled');
    const three = await waitRunning(server, 'service=web', 3);
    for (const p of three) assert.match(p.name, /^nginx-1\.12-[a-z0-9]{5}$/);

    // A deleted pod is replaced.
    const victim = three[0]!.name;
    await kubectlOk(server, ['delete', 'pod', victim]);
    const replaced = await waitRunning(server, 'service=web', 3);
    assert.ok(!replaced.some((p) => p.name === victim));

    // A pod relabelled out of the selector is released and replaced.
    const moved = replaced[0]!.name;
    assert.equal((await kubectlOk(server, ['label', 'pod', moved, 'service=debug', '--overwrite'])).trim(), `pod/${moved} labeled`);
    await waitFor(async () => (await kubectlOk(server, ['get', 'pod', moved, '-o', 'jsonpath={.metadata.ownerReferences}'])).trim() === '', {
      timeoutMs: 30_000,
      description: `${moved} released by the RC`,
    });
    const again = await waitRunning(server, 'service=web', 3);
    assert.ok(!again.some((p) => p.name === moved));
    assert.equal((await pods(server, 'service=debug')).length, 1);

    // Orphaning deletion leaves the pods, without owners.
    assert.equal((await kubectlOk(server, ['delete', 'rc', 'nginx-1.12', '--cascade=orphan'])).trim(), 'replicationcontroller "nginx-1.12" deleted');
    const orphans = await waitFor(
      async () => {
        const ps = (await pods(server, 'service=web')).filter((p) => !p.deleting);
        return ps.length === 3 && ps.every((p) => p.owners.length === 0) ? ps : undefined;
      },
      { timeoutMs: 30_000, description: 'three orphaned pods' },
    );
    assert.deepEqual(orphans.map((p) => p.name).sort(), again.map((p) => p.name).sort());
  });
});
