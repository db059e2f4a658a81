// The child process of SimulatedFleet (fleet.ts): runs simulated nodes against a server, as
// kwok or kubemark's hollow nodes run outside the control plane they load. It loads the
// simulated nodes and the client from the compiled dist/ of the server's checkout, so a
// before/after run (K8TS_BENCH_SERVER_ROOT) uses that checkout's node code too.
//
//   node --import tsx bench/lib/fleet-child.ts SERVER_ROOT KUBECONFIG COUNT [cpu=4,memory=16Gi]
//
// Prints "ready" once every node has registered; SIGTERM stops the nodes and exits.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, kubeconfig, countArg, capacityArg] = process.argv.slice(2);
const count = Number(countArg);
if (!root || !kubeconfig || !Number.isInteger(count) || count <= 0) {
  process.stderr.write('usage: fleet-child.ts SERVER_ROOT KUBECONFIG COUNT [CAPACITY]\n');
  process.exit(2);
}
const dist = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;

// The dist/ modules' own types: this file compiles against src/, which dist/ is built from.
type ClientModule = typeof import('../../src/client/index.js');
type SimulatedModule = typeof import('../../src/kubelet/simulated/index.js');
type LoggingModule = typeof import('../../src/logging/index.js');
const { createClient, configFromKubeconfig, EventBroadcaster } = (await import(dist('client/index.js'))) as ClientModule;
const { SimulatedNodes, simulatedNodeNames } = (await import(dist('kubelet/simulated/index.js'))) as SimulatedModule;
const { createLogger } = (await import(dist('logging/index.js'))) as LoggingModule;

const capacity = capacityArg ? Object.fromEntries(capacityArg.split(',').map((kv) => kv.split('=') as [string, string])) : undefined;
const client = createClient(configFromKubeconfig(readFileSync(kubeconfig, 'utf8')));
const logger = createLogger({ level: 'error' });
const events = new EventBroadcaster(client, { logger });
const abort = new AbortController();
const nodes = new SimulatedNodes({
  client,
  logger,
  recorder: (component, host) => events.newRecorder({ component, host }),
  nodes: simulatedNodeNames(count).map((name) => ({ name, capacity })),
});
await nodes.start(abort.signal);
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  abort.abort();
  void (async () => {
    await nodes.close();
    await events.close();
    client.close();
    process.exit(0);
  })();
});
