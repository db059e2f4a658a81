// Simulated nodes in a process of their own (fleet-child.ts), for benchmarks that measure the
// control plane under a node fleet: upstream measures its API server with kubemark's hollow
// nodes or kwok outside the control plane's processes, so the server's CPU figure counts the
// server's work and not the kubelets'. `k8ts server --simulated-nodes N` instead runs the nodes
// on the server's components thread (what a user starts for scheduler work on one machine);
// the benchmarks report which of the two they measured.
//
// The fleet authenticates with the server's admin kubeconfig (system:masters), as the
// in-process nodes' `system:node:simulated` identity is also a member of system:masters.

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchServer } from './server.js';
import { REPO_ROOT, SERVER_ROOT, settlesWithin, sleep } from './server.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fleet-child.ts');
const STOP_GRACE_MS = 10_000;
const MAX_LOG_CHARS = 16 * 1024;

export interface FleetOptions {
  /** `cpu=4,memory=16Gi,…` for every node (default: the simulated nodes' default capacity). */
  capacity?: string;
  /** Registration time-out, ms (default 300 s). */
  timeoutMs?: number;
}

export class SimulatedFleet {
  private output = '';
  private readonly exited: Promise<string>;
  private exitInfo: string | undefined;

  private constructor(private readonly child: ChildProcess) {
    const append = (chunk: string): void => {
      this.output = (this.output + chunk).slice(-MAX_LOG_CHARS);
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    this.exited = new Promise<string>((resolve) => {
      child.on('error', (e) => resolve(`spawn failed: ${e.message}`));
      child.on('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    }).then((info) => (this.exitInfo = info));
    live.add(this);
  }

  /** Starts `count` simulated nodes against `server`; resolves once all have registered. */
  static async start(server: BenchServer, count: number, opts: FleetOptions = {}): Promise<SimulatedFleet> {
    const envFlags = (process.env.K8TS_BENCH_FLEET_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const args = ['--max-semi-space-size=32', ...envFlags, '--import', 'tsx', CHILD, SERVER_ROOT, join(server.dataDir, 'kubeconfig.yaml'), String(count)];
    if (opts.capacity) args.push(opts.capacity);
    const fleet = new SimulatedFleet(spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    const deadline = performance.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      if (/^ready$/m.test(fleet.output)) return fleet;
      if (fleet.exitInfo) throw new Error(`the simulated fleet exited before it was ready (${fleet.exitInfo})\n${fleet.output}`);
      if (performance.now() > deadline) {
        await fleet.stop();
        throw new Error(`the simulated fleet did not register ${count} nodes in time\n${fleet.output}`);
      }
      await sleep(50);
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the simulated fleet did not start');
    return this.child.pid;
  }

  /** SIGTERM, SIGKILL after a grace period. Idempotent. */
  async stop(): Promise<void> {
    if (!this.exitInfo) {
      signal(this.child, 'SIGTERM');
      await settlesWithin(this.exited, STOP_GRACE_MS);
      signal(this.child, 'SIGKILL');
      await this.exited;
    }
    live.delete(this);
  }

  killSync(): void {
    signal(this.child, 'SIGKILL');
  }
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

/** Starts a fleet, runs fn, and always stops the fleet. */
export async function withFleet<T>(server: BenchServer, count: number, fn: (fleet: SimulatedFleet) => Promise<T>, opts?: FleetOptions): Promise<T> {
  const fleet = await SimulatedFleet.start(server, count, opts);
  try {
    return await fn(fleet);
  } finally {
    await fleet.stop();
  }
}

// Last-resort cleanup: fleets never outlive the benchmark process.
const live = new Set<SimulatedFleet>();
process.on('exit', () => {
  for (const f of live) f.killSync();
});
