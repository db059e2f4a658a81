// An in-process control plane plus a client and controller manager built from its kubeconfig.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane, completeServerConfig } from '../../../src/daemons/index.js';
import { nopLogger } from '../../../src/logging/index.js';
import { configFromKubeconfig, createClient, type Clientset, type GroupVersionResource, type KubeObject } from '../../../src/client/index.js';
import { ControllerManager } from '../../../src/controllers/index.js';

export interface Cluster {
  client: Clientset;
  manager: ControllerManager;
  close(): Promise<void>;
}

/** Starts everything; on failure, whatever started is stopped before rethrowing. */
export async function startCluster(controllers?: string[]): Promise<Cluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-ctrl-it-'));
  const logger = nopLogger();
  const cp = new ControlPlane(completeServerConfig({ dataDir, httpsPort: 0, disableAgent: true, logLevel: 'silent', bindAddress: '127.0.0.1' }), logger);
  let client: Clientset | undefined;
  let manager: ControllerManager | undefined;
  const ac = new AbortController();
  const close = async (): Promise<void> => {
    ac.abort();
    try {
      await manager?.close();
    } finally {
      client?.close();
      try {
        await cp.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  };
  try {
    await cp.start();
    const cfg = configFromKubeconfig(await readFile(cp.kubeconfigPath, 'utf8'));
    client = createClient(cfg);
    manager = new ControllerManager({ client, logger, controllers });
    await manager.start(ac.signal);
    return { client, manager, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function exists(client: Clientset, gvr: GroupVersionResource, name: string, namespace?: string): Promise<KubeObject | undefined> {
  try {
    return await client.resource(gvr).get(name, { namespace });
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}
