// A second machine: `k8ts agent` in a network namespace of its own (a veth pair to the host)
// joins the server with its token, registers a real node, and runs the pods scheduled to it;
// kubectl logs and exec reach them through the API server. The namespace, its links, the
// agent and everything its containerd made are removed afterwards, also when the test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { K8TS_BIN, NOT_BUILT, kubectl, kubectlOk, waitFor, type Server } from '../harness.js';
import { agentSkipReason, startNodeServer, waitPod } from './util.js';

class AgentExited extends Error {}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

describe('a second node joins with k8ts agent', { skip: NOT_BUILT || agentSkipReason() }, () => {
  const suffix = randomInt(0x1000, 0xffff).toString(16);
  const netns = `k8ts-e2e-${suffix}`;
  const hostLink = `k8tsh${suffix}`;
  const nsLink = `k8tsn${suffix}`;
  const subnet = randomInt(16, 250);
  const hostIP = `172.31.${subnet}.1`;
  const nodeIP = `172.31.${subnet}.2`;
  const agentDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-agent-'));
  let server: Server;
  let agent: ChildProcess | undefined;
  let agentLog = '';

  const teardown = (): void => {
    if (agent?.pid !== undefined) {
      try {
        process.kill(-agent.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync('nsenter', [`--net=/run/netns/${netns}`, K8TS_BIN, 'cleanup', '--data-dir', agentDir], { stdio: 'ignore', timeout: 60_000 });
    spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', hostLink], { stdio: 'ignore' });
    rmSync(agentDir, { recursive: true, force: true });
  };
  process.once('exit', teardown);

  before(async () => {
    // The link first: the server's certificate then covers the address the agent dials.
    ip(['netns', 'add', netns]);
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
    ip(['link', 'set', nsLink, 'netns', netns]);
    ip(['addr', 'add', `${hostIP}/30`, 'dev', hostLink]);
    ip(['link', 'set', hostLink, 'up']);
    ip(['netns', 'exec', netns, 'ip', 'addr', 'add', `${nodeIP}/30`, 'dev', nsLink]);
    ip(['netns', 'exec', netns, 'ip', 'link', 'set', nsLink, 'up']);
    ip(['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    server = await startNodeServer();
  });

  after(async () => {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => {
        const timer = setTimeout(r, 20_000);
        agent!.once('exit', () => {
          clearTimeout(timer);
          r(undefined);
        });
      });
    }
    teardown();
    process.removeListener('exit', teardown);
  });

  it('registers a Ready node, runs a pod on it, and serves its logs and exec', async () => {
    const token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim();
    // nsenter joins only the network namespace: `ip netns exec` would also remount /sys,
    // hiding the cgroup mounts runc needs.
    agent = spawn(
      'nsenter',
      [`--net=/run/netns/${netns}`, K8TS_BIN, 'agent', '--server', `https://${hostIP}:${server.port}`, '--token', token, '--data-dir', agentDir, '--node-name', 'e2e-node-2', '--node-ip', nodeIP, '--kubelet-port', '0'],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout!.setEncoding('utf8').on('data', (c: string) => (agentLog += c));
    agent.stderr!.setEncoding('utf8').on('data', (c: string) => (agentLog += c));
    await waitFor(
      async () => {
        if (agent!.exitCode !== null) throw new AgentExited(`the agent exited with ${agent!.exitCode}: ${agentLog.slice(-2000)}`);
        const out = await kubectlOk(server, ['get', 'node', 'e2e-node-2', '--no-headers', '-o', 'wide']);
        return /\sReady\s/.test(out) ? out : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000, description: 'node e2e-node-2 Ready', stopOn: AgentExited },
    );
    const wide = await kubectlOk(server, ['get', 'node', 'e2e-node-2', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address} {.spec.podCIDR}']);
    assert.match(wide, new RegExp(`^${nodeIP.replace(/\./g, '\\.')} 10\\.\\d+\\.\\d+\\.0/24$`));

    const pod = `apiVersion: v1
kind: Pod
metadata: {name: on-node-2}
spec:
  nodeSelector: {kubernetes.io/hostname: e2e-node-2}
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo hello from node 2; exec sleep 3600"]
`;
    await kubectlOk(server, ['apply', '-f', '-'], { input: pod });
    try {
      await waitPod(server, 'on-node-2', (r) => r.STATUS === 'Running' && r.READY === '1/1', 'Running on node 2', { timeoutMs: 120_000 });
    } catch (e) {
      const describe = await kubectl(server, ['describe', 'pod', 'on-node-2']);
      throw new Error(`${(e as Error).message}\n--- describe ---\n${describe.stdout}\n--- agent ---\n${agentLog.slice(-4000)}`);
    }
    assert.equal((await kubectlOk(server, ['get', 'pod', 'on-node-2', '-o', 'jsonpath={.spec.nodeName} {.status.hostIP}'])), `e2e-node-2 ${nodeIP}`);
    assert.equal(await kubectlOk(server, ['logs', 'on-node-2']), 'hello from node 2\n');
    assert.equal(await kubectlOk(server, ['exec', 'on-node-2', '--', 'hostname']), 'on-node-2\n');
  });
});
