// Helpers for the control-plane e2e tests: a server with simulated nodes, JSON reads through
// kubectl, and waiting on what kubectl shows.
import type { Server } from '../harness.js';
import { kubectlOk, waitFor } from '../harness.js';

export interface PodView {
  name: string;
  phase: string;
  node: string;
  ready: boolean;
  deleting: boolean;
  labels: Record<string, string>;
  owners: { kind: string; name: string }[];
  creationTimestamp: string;
  readySince: string | undefined;
}

interface RawPod {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp: string;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

export function podView(p: RawPod): PodView {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    name: p.metadata.name,
    phase: p.status?.phase ?? '',
    node: p.spec.nodeName ?? '',
    ready: ready?.status === 'True',
    deleting: Boolean(p.metadata.deletionTimestamp),
    labels: p.metadata.labels ?? {},
    owners: (p.metadata.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name })),
    creationTimestamp: p.metadata.creationTimestamp,
    readySince: ready?.status === 'True' ? ready.lastTransitionTime : undefined,
  };
}

/** Pods matching `selector` (kubectl -l syntax) in `namespace`, as kubectl returns them. */
export async function pods(server: Server, selector: string, namespace = 'default'): Promise<PodView[]> {
  const out = await kubectlOk(server, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']);
  return (JSON.parse(out) as { items: RawPod[] }).items.map(podView);
}

/** Any object as JSON. */
export async function getJson<T = Record<string, unknown>>(server: Server, args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk(server, [...args, '-o', 'json'])) as T;
}

/** Waits until `n` pods of `selector` run, are ready and not being deleted; returns them. */
export function waitRunning(server: Server, selector: string, n: number, opts: { namespace?: string; timeoutMs?: number } = {}): Promise<PodView[]> {
  return waitFor(
    async () => {
      const all = (await pods(server, selector, opts.namespace)).filter((p) => !p.deleting);
      return all.length === n && all.every((p) => p.phase === 'Running' && p.ready) ? all : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 60_000, description: `${n} running pods with ${selector}` },
  );
}

/** `kubectl describe` of an object, waiting until its text matches `pattern`. */
export function waitDescribe(server: Server, args: string[], pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    async () => {
      const out = await kubectlOk(server, ['describe', ...args]);
      return pattern.test(out) ? out : undefined;
    },
    { timeoutMs, description: `describe ${args.join(' ')} to match ${String(pattern)}` },
  );
}

/** Whitespace-collapsed text (kubectl describe aligns columns with runs of spaces). */
export function squash(s: string): string {
  return s.replace(/[ \t]+/g, ' ');
}

export interface AgentProcess {
  /** Everything the agent printed. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `bin/k8ts agent --simulated` joining `server` with the token from its data dir, in a
 * temporary data dir; stopped and removed by `stop()` and, as a last resort, at process exit.
 */
export async function startSimulatedAgent(server: Server, nodeName: string, extra: string[] = []): Promise<AgentProcess> {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { K8TS_BIN } = await import('../harness.js');
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-agent-'));
  const token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim();
  const child = spawn(K8TS_BIN, ['agent', '--simulated', '--server', server.url, '--token', token, '--node-name', nodeName, '--data-dir', dir, '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', kill);
  return {
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
