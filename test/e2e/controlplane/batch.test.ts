// Jobs and CronJobs on simulated nodes (pods finish after `k8ts.io/simulated-duration` with
// `k8ts.io/simulated-exit-code`): completions with parallelism, backoffLimit, and a CronJob
// every minute keeping its history limit.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_BUILT, kubectl, kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { parseTable, rowOf } from '../api/util.js';
import { getJson, pods, squash } from './util.js';

const job = (name: string, spec: string, annotations: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec}
  template:
    metadata:
      annotations: {${annotations}}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: [sh, -c, "exit 0"]}]
`;

describe('Jobs and CronJobs', { skip: NOT_BUILT }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ agent: true, args: ['--simulated-nodes', '2'] });
  });

  it('completes a Job of 3 completions, 2 at a time', async () => {
    await kubectlOk(server, ['create', '-f', '-'], { input: job('count', '  completions: 3\n  parallelism: 2', 'k8ts.io/simulated-duration: 2s') });
    // Never more than 2 active at once.
    let maxActive = 0;
    await waitFor(
      async () => {
        const ps = (await pods(server, 'job-name=count')).filter((p) => p.phase === 'Running' || p.phase === 'Pending');
        maxActive = Math.max(maxActive, ps.length);
        const j = await getJson<{ status: { succeeded?: number } }>(server, ['get', 'job', 'count']);
        return j.status.succeeded === 3;
      },
      { timeoutMs: 90_000, intervalMs: 200, description: 'job count to succeed 3 times' },
    );
    assert.ok(maxActive <= 2, `at most 2 pods at once (saw ${maxActive})`);
    assert.equal((await kubectlOk(server, ['wait', '--for=condition=complete', 'job/count', '--timeout=30s'])).trim(), 'job.batch/count condition met');
    const table = parseTable(await kubectlOk(server, ['get', 'jobs']));
    assert.deepEqual(table.headers, ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    const row = rowOf(table, 'count');
    assert.deepEqual([row.STATUS, row.COMPLETIONS], ['Complete', '3/3']);
    const done = await pods(server, 'job-name=count');
    assert.equal(done.filter((p) => p.phase === 'Succeeded').length, 3);
    assert.match(parseTable(await kubectlOk(server, ['get', 'pods', '-l', 'job-name=count'])).rows[0]!.STATUS!, /^Completed$/);
  });

  it('stops a failing Job at its backoffLimit', async () => {
    await kubectlOk(server, ['create', '-f', '-'], { input: job('fail', '  backoffLimit: 1', 'k8ts.io/simulated-duration: 1s, k8ts.io/simulated-exit-code: "1"') });
    assert.equal((await kubectlOk(server, ['wait', '--for=condition=failed', 'job/fail', '--timeout=120s'])).trim(), 'job.batch/fail condition met');
    const j = await getJson<{ status: { failed?: number; conditions: { type: string; status: string; reason: string; message: string }[] } }>(server, ['get', 'job', 'fail']);
    const failed = j.status.conditions.find((c) => c.type === 'Failed');
    assert.deepEqual([failed?.status, failed?.reason, failed?.message], ['True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    assert.equal(j.status.failed, 2);
    assert.equal(rowOf(parseTable(await kubectlOk(server, ['get', 'jobs'])), 'fail').STATUS, 'Failed');
    assert.match(squash(await kubectlOk(server, ['describe', 'job', 'fail'])), /Warning BackoffLimitExceeded .* job-controller Job has reached the specified backoff limit/);
  });

  it('runs a CronJob every minute and keeps its history limit', { timeout: 240_000 }, async () => {
    await kubectlOk(server, ['create', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {k8ts.io/simulated-duration: 1s}
        spec:
          restartPolicy: OnFailure
          containers: [{name: main, image: busybox}]
`,
    });
    const cj = parseTable(await kubectlOk(server, ['get', 'cronjobs']));
    assert.deepEqual(cj.headers, ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    // Two scheduled runs: the second one's completion leaves only one successful Job.
    const created = await waitFor(
      async () => {
        const out = squash(await kubectlOk(server, ['describe', 'cronjob', 'tick']));
        const names = [...out.matchAll(/SuccessfulCreate .* Created job (tick-\d+)/g)].map((m) => m[1]!);
        return names.length >= 2 && /SuccessfulDelete .* Deleted job tick-\d+/.test(out) ? names : undefined;
      },
      { timeoutMs: 200_000, intervalMs: 2_000, description: 'two runs of the CronJob and a history clean-up' },
    );
    for (const name of created) assert.match(name, /^tick-\d{8}$/);
    const jobs = await waitFor(
      async () => {
        const list = await getJson<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }>(server, ['get', 'jobs']);
        const complete = list.items.filter((i) => i.metadata.name.startsWith('tick-') && i.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));
        return complete.length === 1 ? complete : undefined;
      },
      { timeoutMs: 30_000, description: 'history limited to one successful job' },
    );
    assert.equal(jobs.length, 1);
    assert.notEqual(rowOf(parseTable(await kubectlOk(server, ['get', 'cronjobs'])), 'tick')['LAST SCHEDULE'], '<none>');
    await kubectl(server, ['delete', 'cronjob', 'tick']);
  });
});
