// The k8ts command line: argv → options → a daemon. The only code that reads process.argv or
// calls process.exit.

import { Command, CommanderError } from 'commander';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ControlPlane, ConfigError, VERSION, completeAgentConfig, completeServerConfig, createLogger, defaultDataDir, loadNodeParts, type AgentOptions, type ServerOptions } from '../daemons/index.js';

function fail(message: string): never {
  process.stderr.write(`k8ts: ${message}\n`);
  process.exit(1);
}

/** Stops `daemon` on SIGINT/SIGTERM and exits 0 once it has stopped (1 if stopping failed). */
function stopOnSignals(daemon: { close(): Promise<void> }, log: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    daemon.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function runServer(opts: ServerOptions): Promise<void> {
  let config;
  try {
    config = completeServerConfig(opts);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  const cp = new ControlPlane(config, log);
  stopOnSignals(cp, log);
  try {
    await cp.start();
  } catch (e) {
    fail((e as Error).message);
  }
  process.stderr.write(`k8ts: API server ready on port ${cp.port}; to use kubectl: export KUBECONFIG=${cp.kubeconfigPath}\n`);
  // A component that dies while the server runs takes the process down, loudly.
  void cp.failed.then(async (reason) => {
    await cp.close().catch(() => undefined);
    fail(reason);
  });
}

async function runAgent(opts: AgentOptions): Promise<void> {
  let config;
  try {
    config = completeAgentConfig(opts, hostname());
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  const { Agent, JoinError } = await loadNodeParts();
  const agent = new Agent(config, log);
  stopOnSignals(agent, log);
  try {
    await agent.start();
  } catch (e) {
    fail(e instanceof JoinError ? e.message : `agent failed to start: ${(e as Error).message}`);
  }
  process.stderr.write(`k8ts: node ${config.nodeName} joined ${config.server}\n`);
  void agent.failed.then(async (reason) => {
    await agent.close().catch(() => undefined);
    fail(reason);
  });
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = new Command();
program.name('k8ts').description('Kubernetes, rebuilt in TypeScript').version(`${VERSION.gitVersion}`, '--version');
program.exitOverride();

program
  .command('server')
  .description('run the whole cluster on this machine')
  .option('--data-dir <dir>', 'state directory (default /var/lib/k8ts for root, else ~/.k8ts)')
  .option('--bind-address <ip>', 'address the API server listens on', '0.0.0.0')
  .option('--https-port <port>', 'API server port (0 picks a free port)', '6443')
  .option('--datastore-endpoint <url>', 'sqlite://PATH (default) or etcd://host:port,...')
  .option('--disable-agent', 'run the control plane only, without a node agent')
  .option('--simulated-nodes <n>', 'run N simulated nodes')
  .option('--cluster-cidr <cidr>', 'pod network', '10.42.0.0/16')
  .option('--service-cidr <cidr>', 'service cluster IP range', '10.43.0.0/16')
  .option('--cluster-dns <ip>', 'cluster DNS service IP', '10.43.0.10')
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .option('--token <token>', 'shared secret agents use to join')
  .option('--tls-san <name>', "a further host name or IP address for the API server's certificate (repeatable)", collect)
  .option('--simulated-node-capacity <list>', 'capacity of each simulated node (default cpu=4,memory=16Gi,pods=110,ephemeral-storage=100Gi)')
  .option('--node-monitor-grace-period <duration>', 'how long a node may miss heartbeats before it is marked unhealthy', '40s')
  .option('--node-name <name>', "this machine's node name (default: the host name)")
  .option('--node-label <key=value>', 'a label for this node (repeatable)', collect)
  .option('--node-taint <key=value:Effect>', 'a taint for this node (repeatable)', collect)
  .option('--node-ip <ip>', "the node's InternalIP (default: the first non-loopback IPv4 address)")
  .option('--kubelet-port <port>', "the kubelet's HTTPS port (0 picks a free port)", '10250')
  .option('--container-runtime-endpoint <socket>', "an existing CRI socket instead of k8ts's own containerd")
  .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info')
  .action(async (o: Record<string, unknown>) => {
    await runServer({
      simulatedNodeCapacity: o.simulatedNodeCapacity as string | undefined,
      nodeMonitorGracePeriod: o.nodeMonitorGracePeriod as string,
      dataDir: o.dataDir as string | undefined,
      bindAddress: o.bindAddress as string,
      httpsPort: o.httpsPort as string,
      datastoreEndpoint: o.datastoreEndpoint as string | undefined,
      disableAgent: Boolean(o.disableAgent),
      simulatedNodes: o.simulatedNodes as string | undefined,
      clusterCIDR: o.clusterCidr as string,
      serviceCIDR: o.serviceCidr as string,
      clusterDNS: o.clusterDns as string,
      clusterDomain: o.clusterDomain as string,
      token: o.token as string | undefined,
      logLevel: o.logLevel as string,
      nodeName: o.nodeName as string | undefined,
      nodeLabels: o.nodeLabel as string[] | undefined,
      nodeTaints: o.nodeTaint as string[] | undefined,
      tlsSANs: o.tlsSan as string[] | undefined,
      nodeIP: o.nodeIp as string | undefined,
      kubeletPort: o.kubeletPort as string,
      containerRuntimeEndpoint: o.containerRuntimeEndpoint as string | undefined,
    });
  });

program
  .command('agent')
  .description('run a node agent that joins a server')
  .option('--server <url>', 'the server to join, e.g. https://10.0.0.1:6443')
  .option('--token <token>', "the server's join token (<data-dir>/token on the server)")
  .option('--data-dir <dir>', 'state directory (default /var/lib/k8ts for root, else ~/.k8ts)')
  .option('--node-name <name>', 'node name (default: the host name)')
  .option('--node-label <key=value>', 'a label for the node (repeatable)', collect)
  .option('--node-taint <key=value:Effect>', 'a taint for the node (repeatable)', collect)
  .option('--simulated', 'run a simulated node (no containers) instead of a kubelet')
  .option('--capacity <list>', 'capacity of a simulated node, e.g. cpu=4,memory=16Gi,pods=110')
  .option('--node-ip <ip>', "the node's InternalIP (default: the first non-loopback IPv4 address)")
  .option('--kubelet-port <port>', "the kubelet's HTTPS port (0 picks a free port)", '10250')
  .option('--container-runtime-endpoint <socket>', "an existing CRI socket instead of k8ts's own containerd")
  .option('--cluster-dns <ip>', 'cluster DNS service IP', '10.43.0.10')
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info')
  .action(async (o: Record<string, unknown>) => {
    await runAgent({
      clusterDNS: o.clusterDns as string,
      clusterDomain: o.clusterDomain as string,
      server: o.server as string | undefined,
      token: o.token as string | undefined,
      dataDir: o.dataDir as string | undefined,
      nodeName: o.nodeName as string | undefined,
      nodeLabels: o.nodeLabel as string[] | undefined,
      nodeTaints: o.nodeTaint as string[] | undefined,
      simulated: Boolean(o.simulated),
      capacity: o.capacity as string | undefined,
      logLevel: o.logLevel as string,
      nodeIP: o.nodeIp as string | undefined,
      kubeletPort: o.kubeletPort as string,
      containerRuntimeEndpoint: o.containerRuntimeEndpoint as string | undefined,
    });
  });

program
  .command('cleanup')
  .description('remove what a stopped or killed k8ts left on this machine: containers, shims, mounts, network namespaces, the pod bridge')
  .option('--data-dir <dir>', 'state directory (default /var/lib/k8ts for root, else ~/.k8ts)')
  .action(async (o: Record<string, unknown>) => {
    const dataDir = resolve((o.dataDir as string | undefined) ?? defaultDataDir());
    try {
      await (await loadNodeParts()).cleanupNode(dataDir);
    } catch (e) {
      fail((e as Error).message);
    }
  });

program
  .command('images')
  .description('manage the node image store')
  .command('import')
  .description('load OCI-layout or docker-archive tarballs into the node image store')
  .argument('<files...>')
  .option('--data-dir <dir>', 'state directory (default /var/lib/k8ts for root, else ~/.k8ts)')
  .action(async (files: string[], o: Record<string, unknown>) => {
    const dataDir = resolve((o.dataDir as string | undefined) ?? defaultDataDir());
    let report;
    try {
      report = await (await loadNodeParts()).importImageFiles(dataDir, files);
    } catch (e) {
      fail((e as Error).message);
    }
    for (const r of report.imported) for (const image of r.images) process.stdout.write(`imported ${image}\n`);
    if (!report.live) process.stdout.write(`k8ts is not running on ${dataDir}: ${report.kept.length} tarball(s) kept in ${dirname(report.kept[0]!)} and imported at the next start\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  fail((e as Error).message);
}
