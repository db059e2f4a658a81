// Helpers for the kubelet e2e tests: a server with its real node agent (private containerd,
// busybox image, CNI bridge on a pod CIDR of its own), pods as kubectl shows them, and events.
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';
import { kubectlOk, startServer, waitFor, type Server } from '../harness.js';
import { parseTable } from '../api/util.js';

/** Root and the Debian packages the agent needs; the reason to skip otherwise. */
export function agentSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (containerd, runc, CNI bridge)';
  return false;
}

/** A server with the node agent, a cluster CIDR unlikely to meet another instance's, and a free kubelet port. */
export async function startNodeServer(opts: { t?: TestContext; args?: string[] } = {}): Promise<Server> {
  const second = randomInt(100, 200);
  const server = await startServer({
    agent: true,
    t: opts.t,
    timeoutMs: 120_000,
    args: ['--cluster-cidr', `10.${second}.0.0/16`, '--kubelet-port', '0', ...(opts.args ?? [])],
  });
  await waitFor(
    async () => {
      const out = await kubectlOk(server, ['get', 'nodes', '--no-headers']);
      return /\sReady\s/.test(out) ? out : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, description: 'the node to be Ready' },
  );
  return server;
}

export interface PodRow {
  NAME: string;
  READY: string;
  STATUS: string;
  RESTARTS: string;
}

/** One pod's row of `kubectl get pod NAME` (READY, STATUS, RESTARTS as kubectl prints them). */
export async function podRow(server: Server, name: string, namespace = 'default'): Promise<PodRow> {
  const t = parseTable(await kubectlOk(server, ['get', 'pod', name, '-n', namespace]));
  return t.rows[0] as unknown as PodRow;
}

/** Waits until the pod's row satisfies `pred`; returns it. */
export function waitPod(server: Server, name: string, pred: (r: PodRow) => boolean, what: string, opts: { namespace?: string; timeoutMs?: number } = {}): Promise<PodRow> {
  return waitFor(
    async () => {
      const r = await podRow(server, name, opts.namespace);
      return pred(r) ? r : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 90_000, intervalMs: 500, description: `pod ${name}: ${what}` },
  );
}

/** Events of one object as `Type Reason Message` lines, oldest first. */
export async function eventsOf(server: Server, name: string, namespace = 'default'): Promise<string[]> {
  const out = await kubectlOk(server, ['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  const items = (JSON.parse(out) as { items: { type: string; reason: string; message: string; count?: number; lastTimestamp?: string; eventTime?: string }[] }).items;
  return items
    .sort((a, b) => (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}
