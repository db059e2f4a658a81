// The composition root of `k8ts server`: storage → API server → (later) controllers,
// scheduler and agent, each started behind the readiness of what it needs.

import { mkdir, access, constants as fsConstants, readFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Gauge, Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';
import { stringify as toYaml } from 'yaml';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { loadOrCreatePKI, defaultServingSANs, issueCertificate, type PKI } from '../util/pki/index.js';
import { ComponentsThread } from './components-thread.js';
import type { ComponentCredentials, ComponentsConfig } from './components.js';
import { SqliteBackend, createStorage, createCacher, type Cacher, type Backend } from '../storage/index.js';
import { APIRegistry } from '../apiserver/registry/index.js';
import { APIServer } from '../apiserver/server.js';
import { VERSION } from './version.js';
export { VERSION } from './version.js';
import { ResourceHandler } from '../apiserver/endpoints/resource.js';
import { ClientCertAuthenticator, UnionAuthenticator } from '../apiserver/filters/authentication.js';
import { ServiceAccountTokenAuthenticator } from '../apiserver/filters/serviceaccount-token.js';
import { serviceAccountTokenHandler } from '../apiserver/registry/core/serviceaccounts/token.js';
import { DEFAULT_ISSUER, OpenIDMetadata, TokenIssuer, loadOrCreateServiceAccountKey, storeTokenGetter } from '../apiserver/serviceaccount/index.js';
import { MetricsAPI, type MetricsSummary } from '../apiserver/metricsapi/index.js';
import { kubeletGetJSON, kubeletLocation } from '../apiserver/proxy/kubelet.js';
import { LegacyTokensController } from '../apiserver/serviceaccount/legacy-tokens.js';
import { printers, defaultPrinter } from '../apiserver/printers/index.js';
import { podBindingHandler, podEvictionHandler, podStreamHandler, handleBindingsResource } from '../apiserver/registry/core/pods/subresources.js';
import { namespaceFinalizeHandler } from '../apiserver/registry/core/namespaces/finalize.js';
import { serviceProxyHandler } from '../apiserver/registry/core/services/proxy.js';
import { nodeProxyHandler } from '../apiserver/registry/core/nodes/proxy.js';
import { createOpenAPIService, schemaValidator } from './openapi.js';
import type { NodeConfig, ServerConfig } from './config.js';
import type { NodeAgent } from './node-agent.js';
import { createClient, type Clientset } from '../client/index.js';
import { EventBroadcaster } from '../client/record/recorder.js';
import { atomicWrite } from './files.js';
import { NodeJoin, formatToken, issueNodeCredentials, newSecret, parseToken } from './join.js';
import type { Logger } from '../logging/index.js';
import type { RequestContext } from '../apiserver/registry/generic/store.js';
import { decodeToHub } from '../apiserver/registry/versioning.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/scheduling/v1/index.js';
import { DEFAULT_STORAGE_CLASS } from '../controllers/volume/localpath/controller.js';
import type { ApiObject } from '../api/scheme.js';


export type ControlPlaneState = 'new' | 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ControlPlane {
  state: ControlPlaneState = 'new';
  private backend: Backend | undefined;
  private cachers: Cacher[] = [];
  private server: APIServer | undefined;
  private pki: PKI | undefined;
  private readonly abort = new AbortController();
  private components: ComponentsThread | undefined;
  private fatal: (reason: string) => void = () => undefined;
  private node: NodeAgent | undefined;
  private nodeClient: Clientset | undefined;
  private nodeEvents: EventBroadcaster | undefined;
  /** Resolves with the reason when a component fails while the server runs (the CLI exits). */
  readonly failed: Promise<string> = new Promise((r) => (this.fatal = r));
  private metrics: MetricsRegistry | undefined;
  port = 0;

  constructor(
    readonly config: ServerConfig,
    private readonly log: Logger,
  ) {}

  get kubeconfigPath(): string {
    return join(this.config.dataDir, 'kubeconfig.yaml');
  }

  /** Starts every component in order; resolves once the API is ready and kubeconfig.yaml is written. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`control plane cannot start from state ${this.state}`);
    this.state = 'starting';
    const cfg = this.config;
    const t0 = performance.now();
    try {
      await mkdir(cfg.dataDir, { recursive: true, mode: 0o700 });
      await access(cfg.dataDir, fsConstants.W_OK | fsConstants.R_OK).catch(() => {
        throw new Error(`data dir ${cfg.dataDir} is not readable and writable`);
      });

      const sans = defaultServingSANs();
      const first = cfg.serviceCIDR.split('/')[0]!.split('.').map(Number);
      sans.ips.push([first[0], first[1], first[2], first[3]! + 1].join('.'));
      sans.dns.push(hostname());
      // Agents join over any of this machine's addresses (k3s adds them too), and --tls-san.
      for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) sans.ips.push(a.address);
      if (cfg.bindAddress !== '0.0.0.0') sans.ips.push(cfg.bindAddress);
      if (cfg.node) sans.ips.push(cfg.node.nodeIP);
      for (const san of cfg.tlsSANs) (isIP(san) ? sans.ips : sans.dns).push(san);
      sans.ips = [...new Set(sans.ips)];
      sans.dns = [...new Set(sans.dns)];
      this.pki = await loadOrCreatePKI(join(cfg.dataDir, 'tls'), { serverSANs: sans });
      if (this.pki.generated.length) this.log.info({ generated: this.pki.generated }, 'certificates written');

      if (cfg.datastore.kind !== 'sqlite') throw new Error('only the sqlite datastore is available');
      const backend = new SqliteBackend({ path: cfg.datastore.path, logger: this.log.child({ component: 'sqlite' }) });
      await backend.start();
      this.backend = backend;
      const storage = createStorage(backend, { logger: this.log.child({ component: 'storage' }) });

      const registry = new APIRegistry({
        serviceCIDR: cfg.serviceCIDR,
        storageFor: (info, prefix) => {
          const c = createCacher(storage, { prefix, logger: this.log.child({ component: 'cacher', resource: info.resource }) });
          this.cachers.push(c);
          return c;
        },
      });
      await Promise.all(this.cachers.map((c) => c.start()));

      const pods = registry.store('', 'pods');
      const nodes = registry.store('', 'nodes');
      // How the API server reaches kubelets (logs, exec, port-forward, stats): its own client
      // certificate, kubelets' serving certificates verified against the server CA.
      const kubeletClient = { ...(await this.credentials('kube-apiserver-kubelet-client', ['system:masters'])), caPem: this.pki.serverCA.certPem };
      // ServiceAccount tokens: one signing key kept with the certificates, the TokenRequest
      // subresource, bearer-token authentication, and the filler of legacy token Secrets.
      const saKey = await loadOrCreateServiceAccountKey(join(cfg.dataDir, 'tls'));
      const issuer = new TokenIssuer({ key: saKey });
      const saStores = { serviceAccounts: registry.store('', 'serviceaccounts'), pods, secrets: registry.store('', 'secrets'), nodes };
      const handler = new ResourceHandler({
        registry,
        printers,
        defaultPrinter,
        schema: schemaValidator(),
        subresources: {
          'pods/binding': podBindingHandler(pods),
          'pods/eviction': podEvictionHandler(pods, registry.store('policy', 'poddisruptionbudgets')),
          'pods/log': podStreamHandler(pods, 'log', nodes, kubeletClient),
          'pods/exec': podStreamHandler(pods, 'exec', nodes, kubeletClient),
          'pods/attach': podStreamHandler(pods, 'attach', nodes, kubeletClient),
          'pods/portforward': podStreamHandler(pods, 'portforward', nodes, kubeletClient),
          'pods/proxy': podStreamHandler(pods, 'proxy', nodes, kubeletClient),
          'services/proxy': serviceProxyHandler({ services: registry.store('', 'services'), endpoints: registry.store('', 'endpoints'), pods }),
          'nodes/proxy': nodeProxyHandler(nodes, kubeletClient),
          'namespaces/finalize': namespaceFinalizeHandler(registry),
          'serviceaccounts/token': serviceAccountTokenHandler({ ...saStores, issuer, audiences: [DEFAULT_ISSUER] }),
        },
        virtual: {
          '/bindings': { storedAs: { group: '', version: 'v1', resource: 'pods' }, verbs: ['create'], handler: { handle: (hc) => handleBindingsResource(pods, hc) } },
        },
      });

      await this.bootstrap(registry);

      const joinSecret = await this.loadJoinSecret();
      const metrics = new MetricsRegistry();
      this.metrics = metrics;
      collectDefaultMetrics({ register: metrics });
      const openapi = createOpenAPIService();
      const server = new APIServer({
        bindAddress: cfg.bindAddress,
        port: cfg.httpsPort,
        tls: { cert: this.pki.serving.certPem, key: this.pki.serving.keyPem, clientCA: this.pki.clientCA.certPem },
        authenticator: new UnionAuthenticator([new ClientCertAuthenticator(), new ServiceAccountTokenAuthenticator({ keys: [saKey], getter: storeTokenGetter(saStores) })]),
        resources: handler,
        openapi,
        version: VERSION,
        logger: this.log.child({ component: 'apiserver' }),
        metrics,
        ready: () => this.state === 'ready' || this.state === 'starting',
        join: new NodeJoin(this.pki, joinSecret),
        resourceMetrics: new MetricsAPI({
          listNodes: async () => (await nodes.list(systemContext(undefined), {})).items as Node[],
          listPods: async (namespace) => (await pods.list(systemContext(namespace), {})).items as Pod[],
          fetchSummary: (node, signal) => kubeletGetJSON<MetricsSummary>(kubeletClient, kubeletLocation(node), '/stats/summary', signal),
          logger: this.log.child({ component: 'metrics-api' }),
        }),
        openid: new OpenIDMetadata({ issuer: DEFAULT_ISSUER, externalAddress: (): string => `${cfg.bindAddress === "0.0.0.0" ? "127.0.0.1" : cfg.bindAddress}:${this.port}`, keys: [saKey] }),
      });
      this.server = server;
      this.port = await server.start();
      const legacyTokens = new LegacyTokensController({ secrets: saStores.secrets, serviceAccounts: saStores.serviceAccounts, issuer, rootCAPem: this.pki.serverCA.certPem, logger: this.log.child({ component: 'tokens-controller' }) });
      void legacyTokens.run(this.abort.signal).catch((e: unknown) => {
        if (!this.abort.signal.aborted) this.fatal(`the tokens controller failed: ${(e as Error).message}`);
      });
      await this.startComponents();
      await this.writeKubeconfig();
      await this.writeToken(joinSecret);
      if (cfg.node) await this.startNode(cfg.node);
      this.state = 'ready';
      this.log.info({ port: this.port, kubeconfig: this.kubeconfigPath, ms: Math.round(performance.now() - t0) }, 'k8ts server ready');
    } catch (e) {
      this.state = 'failed';
      await this.closeParts();
      throw e;
    }
  }

  /** A client certificate for one component, as each upstream component has its own kubeconfig. */
  private async credentials(commonName: string, organizations: string[]): Promise<ComponentCredentials> {
    const cert = await issueCertificate(this.pki!.clientCA, { commonName, organizations, usages: 'client', validityDays: 365 });
    return { certPem: cert.certPem, keyPem: cert.keyPem };
  }

  /**
   * The controller manager, the scheduler and the simulated nodes run on their own thread and
   * reach the API like any client: over HTTPS with their own certificates (in system:masters
   * until authorization lands).
   */
  private async startComponents(): Promise<void> {
    const cfg = this.config;
    const host = cfg.bindAddress === '0.0.0.0' ? '127.0.0.1' : cfg.bindAddress;
    const pki = this.pki!;
    const config: ComponentsConfig = {
      server: `https://${host}:${this.port}`,
      caPem: pki.serverCA.certPem,
      rootCA: pki.serverCA.certPem,
      controllerManager: await this.credentials('system:kube-controller-manager', ['system:masters']),
      scheduler: await this.credentials('system:kube-scheduler', ['system:masters']),
      controllers: {
        clusterCIDR: cfg.clusterCIDR,
        serviceCIDR: cfg.serviceCIDR,
        nodeMonitorGracePeriodMs: cfg.nodeMonitorGracePeriodMs,
        localVolumeDir: join(cfg.dataDir, 'storage'),
      },
    };
    if (cfg.simulatedNodes > 0) {
      const capacity = Object.keys(cfg.simulatedNodeCapacity).length ? cfg.simulatedNodeCapacity : undefined;
      config.simulatedNodes = { ...(await this.credentials('system:node:simulated', ['system:nodes', 'system:masters'])), count: cfg.simulatedNodes, capacity };
    }
    const thread = new ComponentsThread();
    this.components = thread;
    await thread.start(config, cfg.logLevel);
    void thread.failed.then((reason) => {
      if (this.state === 'stopping' || this.state === 'stopped') return;
      this.log.error({ reason }, 'a component failed');
      this.fatal(reason);
    });
    if (this.metrics) registerSchedulerMetrics(this.metrics, thread);
  }

  /**
   * This machine's node: a kubelet with containerd, reaching the API with a node certificate as
   * any joined agent does. Its failure after start stops the server.
   */
  private async startNode(node: NodeConfig): Promise<void> {
    const cfg = this.config;
    const pki = this.pki!;
    const host = cfg.bindAddress === '0.0.0.0' ? '127.0.0.1' : cfg.bindAddress;
    const creds = await issueNodeCredentials(pki, node.nodeName, { ips: [...new Set([node.nodeIP, '127.0.0.1'])], dnsNames: [hostname(), 'localhost'] });
    const client = createClient({ server: `https://${host}:${this.port}`, caPem: pki.serverCA.certPem, certPem: creds.certPem, keyPem: creds.keyPem });
    this.nodeClient = client;
    const events = new EventBroadcaster(client, { logger: this.log.child({ component: 'events' }) });
    this.nodeEvents = events;
    // Loaded here, not at the top: a server without its own node never needs the kubelet.
    const { NodeAgent } = await import('./node-agent.js');
    const agent = new NodeAgent({
      client,
      events,
      node,
      dataDir: cfg.dataDir,
      clusterDNS: cfg.clusterDNS,
      clusterDomain: cfg.clusterDomain,
      tls: { certPem: creds.servingCertPem!, keyPem: creds.servingKeyPem!, clientCAPem: pki.clientCA.certPem },
      kubeletVersion: VERSION.gitVersion,
      logger: this.log,
      onFailure: (reason) => this.fatal(reason),
    });
    this.node = agent;
    await agent.start();
  }

  /** The objects every cluster has: system namespaces and the `kubernetes` service. */
  private async bootstrap(registry: APIRegistry): Promise<void> {
    const ctx = (namespace?: string): RequestContext => ({ user: { name: 'system:apiserver', groups: ['system:masters'] }, namespace, dryRun: false, warnings: [] });
    const namespaces = registry.store('', 'namespaces');
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await namespaces.create(ctx(), decodeToHub({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, namespaces.info, 'v1'));
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
      }
    }
    const priorityClasses = registry.store('scheduling.k8s.io', 'priorityclasses');
    for (const pc of SYSTEM_PRIORITY_CLASSES) {
      try {
        await priorityClasses.create(ctx(), decodeToHub(structuredClone(pc) as ApiObject, priorityClasses.info, 'v1'));
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
      }
    }
    // The default StorageClass, as k3s deploys local-path: created when absent, never overwritten.
    const storageClasses = registry.store('storage.k8s.io', 'storageclasses');
    try {
      await storageClasses.create(ctx(), decodeToHub(structuredClone(DEFAULT_STORAGE_CLASS) as ApiObject, storageClasses.info, 'v1'));
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
    }
    const services = registry.store('', 'services');
    const first = registry.serviceIPs.nth(1);
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: first,
        sessionAffinity: 'None',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    };
    const exists = await services.get(ctx('default'), 'kubernetes').then(
      () => true,
      (e: unknown) => {
        if ((e as { code?: number }).code === 404) return false;
        throw e;
      },
    );
    if (!exists) await services.create(ctx('default'), decodeToHub(svc as ApiObject, services.info, 'v1'));
  }

  private async writeKubeconfig(): Promise<void> {
    const pki = this.pki!;
    const host = this.config.bindAddress === '0.0.0.0' ? '127.0.0.1' : this.config.bindAddress;
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const kc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'default', cluster: { server: `https://${host}:${this.port}`, 'certificate-authority-data': b64(pki.serverCA.certPem) } }],
      users: [{ name: 'default', user: { 'client-certificate-data': b64(pki.admin.certPem), 'client-key-data': b64(pki.admin.keyPem) } }],
      contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
      'current-context': 'default',
      preferences: {},
    };
    await atomicWrite(this.kubeconfigPath, toYaml(kc), 0o600);
  }

  /**
   * The join token (`K10<CA hash>::server:<secret>`, see join.ts): from --token (a bare secret
   * or a full token), else the one already in <data-dir>/token, else a new secret.
   */
  private async loadJoinSecret(): Promise<string> {
    if (this.config.token) return parseToken(this.config.token).secret;
    try {
      return parseToken(await readFile(join(this.config.dataDir, 'token'), 'utf8')).secret;
    } catch {
      return newSecret();
    }
  }

  private async writeToken(secret: string): Promise<void> {
    await atomicWrite(join(this.config.dataDir, 'token'), `${formatToken(this.pki!.serverCA.certPem, secret)}\n`, 0o600);
  }

  /** Graceful, idempotent stop in reverse order. */
  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.closeParts();
    this.state = 'stopped';
  }

  private async closeParts(): Promise<void> {
    this.abort.abort();
    await this.node?.close();
    await this.nodeEvents?.close();
    this.nodeClient?.close();
    await this.components?.stop();
    await this.server?.close();
    await Promise.all(this.cachers.map((c) => c.close()));
    await this.backend?.close();
  }
}

/** The API server's own identity for reads it makes on behalf of its built-in APIs. */
function systemContext(namespace: string | undefined): RequestContext {
  return { user: { name: 'system:apiserver', groups: ['system:masters'] }, namespace, dryRun: false, warnings: [] };
}

/**
 * The scheduler's figures on /metrics: upstream's scheduler_schedule_attempts_total and
 * scheduler_pending_pods, and the quantiles of one scheduling attempt over the last attempts.
 */
function registerSchedulerMetrics(registry: MetricsRegistry, thread: ComponentsThread): void {
  new Gauge({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result.',
    labelNames: ['result', 'profile'],
    registers: [registry],
    async collect() {
      const f = await thread.schedulerFigures();
      if (!f) return;
      this.set({ result: 'scheduled', profile: f.name }, f.metrics.attempts.scheduled);
      this.set({ result: 'unschedulable', profile: f.name }, f.metrics.attempts.unschedulable);
      this.set({ result: 'error', profile: f.name }, f.metrics.attempts.error);
    },
  });
  new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type.',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const q = (await thread.schedulerFigures())?.metrics.queue;
      if (!q) return;
      this.set({ queue: 'active' }, q.active);
      this.set({ queue: 'backoff' }, q.backoff);
      this.set({ queue: 'unschedulable' }, q.unschedulable);
    },
  });
  new Gauge({
    name: 'k8ts_scheduler_attempt_duration_seconds',
    help: 'Scheduling attempt (one scheduling cycle) duration quantiles over the last 16384 attempts.',
    labelNames: ['quantile'],
    registers: [registry],
    async collect() {
      const l = (await thread.schedulerFigures())?.metrics.latencyMs;
      if (!l?.count) return;
      this.set({ quantile: '0.5' }, l.p50 / 1000);
      this.set({ quantile: '0.99' }, l.p99 / 1000);
      this.set({ quantile: '1' }, l.max / 1000);
    },
  });
}
