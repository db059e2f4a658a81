// The composition root of `k8ts agent`: join the server (token → CA check → node client
// certificate and kubelet serving certificate, kept under <data-dir>/agent/), then run the
// node: a real one (node-agent.ts: containerd and the kubelet) or, with --simulated, a
// simulated one.

import { request } from 'node:https';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { createClient, type Clientset } from '../client/index.js';
import { EventBroadcaster } from '../client/record/recorder.js';
import { SimulatedNodes } from '../kubelet/simulated/index.js';
import { NodeAgent } from './node-agent.js';
import { VERSION } from './version.js';
import type { Logger } from '../logging/index.js';
import type { AgentConfig } from './config.js';
import { caHash, parseToken } from './join.js';
import { atomicWrite } from './files.js';

export type AgentState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

interface Credentials {
  certPem: string;
  keyPem: string;
  caPem: string;
  /** A real node's kubelet serving certificate and the client CA it verifies the API server with. */
  servingCertPem?: string;
  servingKeyPem?: string;
  clientCAPem?: string;
}

/** A one-line failure to join (bad token, unreachable server, refused credentials). */
export class JoinError extends Error {
  readonly code = 'JoinError';
  constructor(message: string) {
    super(message);
    this.name = 'JoinError';
  }
}

export class Agent {
  state: AgentState = 'new';
  private fatal: (reason: string) => void = () => undefined;
  /** Resolves with the reason when a part fails after start (the CLI then exits non-zero). */
  readonly failed: Promise<string> = new Promise((r) => (this.fatal = r));
  private readonly abort = new AbortController();
  private client: Clientset | undefined;
  private events: EventBroadcaster | undefined;
  private nodes: SimulatedNodes | undefined;
  private node: NodeAgent | undefined;

  constructor(
    readonly config: AgentConfig,
    private readonly log: Logger,
  ) {}

  get dir(): string {
    return join(this.config.dataDir, 'agent');
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`agent cannot start from state ${this.state}`);
    this.state = 'starting';
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const creds = await this.credentials();
      this.client = createClient({ server: this.config.server, caPem: creds.caPem, certPem: creds.certPem, keyPem: creds.keyPem });
      const events = new EventBroadcaster(this.client, { logger: this.log.child({ component: 'events' }) });
      this.events = events;
      const cfg = this.config;
      if (cfg.node) {
        const node = new NodeAgent({
          client: this.client,
          events,
          node: cfg.node,
          dataDir: cfg.dataDir,
          clusterDNS: cfg.clusterDNS,
          clusterDomain: cfg.clusterDomain,
          tls: { certPem: creds.servingCertPem!, keyPem: creds.servingKeyPem!, clientCAPem: creds.clientCAPem! },
          kubeletVersion: VERSION.gitVersion,
          logger: this.log,
          onFailure: (reason) => this.fatal(reason),
        });
        this.node = node;
        await node.start();
        this.state = 'running';
        this.log.info({ node: cfg.nodeName, server: cfg.server }, 'node joined');
        return;
      }
      this.nodes = new SimulatedNodes({
        client: this.client,
        logger: this.log.child({ component: 'simulated-node' }),
        recorder: (component, host) => events.newRecorder({ component, host }),
        nodes: [{ name: cfg.nodeName, labels: cfg.nodeLabels, taints: cfg.nodeTaints, capacity: Object.keys(cfg.capacity).length ? cfg.capacity : undefined }],
      });
      await this.nodes.start(this.abort.signal);
      this.state = 'running';
      this.log.info({ node: cfg.nodeName, server: cfg.server }, 'simulated node joined');
    } catch (e) {
      this.state = 'failed';
      await this.closeParts();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.closeParts();
    this.state = 'stopped';
  }

  private async closeParts(): Promise<void> {
    this.abort.abort();
    await this.node?.close();
    await this.nodes?.close();
    await this.events?.close();
    this.client?.close();
  }

  /** Stored credentials for this node and server, or new ones from the server. */
  private async credentials(): Promise<Credentials> {
    const token = parseToken(this.config.token);
    const files = {
      cert: join(this.dir, 'client.crt'),
      key: join(this.dir, 'client.key'),
      ca: join(this.dir, 'server-ca.crt'),
      servingCert: join(this.dir, 'serving.crt'),
      servingKey: join(this.dir, 'serving.key'),
      clientCA: join(this.dir, 'client-ca.crt'),
    };
    const real = this.config.node;
    try {
      const [certPem, keyPem, caPem] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8'), readFile(files.ca, 'utf8')]);
      const cert = new X509Certificate(certPem);
      const fresh = Date.parse(cert.validTo) - Date.now() > 30 * 86_400_000;
      if (cert.subject.includes(`CN=system:node:${this.config.nodeName}`) && fresh && (!token.caHash || caHash(caPem) === token.caHash)) {
        if (!real) return { certPem, keyPem, caPem };
        const [servingCertPem, servingKeyPem, clientCAPem] = await Promise.all([readFile(files.servingCert, 'utf8'), readFile(files.servingKey, 'utf8'), readFile(files.clientCA, 'utf8')]);
        if (new X509Certificate(servingCertPem).checkIP(real.nodeIP)) return { certPem, keyPem, caPem, servingCertPem, servingKeyPem, clientCAPem };
      }
    } catch {
      // none yet (or not for this node's address): join below
    }
    const caPem = await this.fetchCA(token.caHash);
    const body = JSON.stringify(real ? { nodeName: this.config.nodeName, ips: [real.nodeIP], hostnames: [hostname()] } : { nodeName: this.config.nodeName });
    const answer = await httpsRequest(`${this.config.server}/v1-k8ts/node-credentials`, { method: 'POST', ca: caPem, headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' }, body });
    if (answer.status === 401) throw new JoinError(`the server at ${this.config.server} refused the token`);
    if (answer.status !== 200) throw new JoinError(`joining ${this.config.server} failed: HTTP ${answer.status}: ${messageOf(answer.body)}`);
    const creds = JSON.parse(answer.body) as Credentials;
    await atomicWrite(files.key, creds.keyPem, 0o600);
    await atomicWrite(files.cert, creds.certPem, 0o644);
    await atomicWrite(files.ca, creds.caPem, 0o644);
    if (creds.servingCertPem && creds.servingKeyPem && creds.clientCAPem) {
      await atomicWrite(files.servingKey, creds.servingKeyPem, 0o600);
      await atomicWrite(files.servingCert, creds.servingCertPem, 0o644);
      await atomicWrite(files.clientCA, creds.clientCAPem, 0o644);
    } else if (real) {
      throw new JoinError(`the server at ${this.config.server} issued no kubelet serving certificate: it is older than this agent`);
    }
    await atomicWrite(join(this.dir, 'kubeconfig.yaml'), this.kubeconfig(creds), 0o600);
    this.log.info({ node: this.config.nodeName }, 'node credentials written');
    return creds;
  }

  /** The server CA, verified against the token's hash (or trusted on first use without one). */
  private async fetchCA(expectedHash: string | undefined): Promise<string> {
    const answer = await httpsRequest(`${this.config.server}/cacerts`, { method: 'GET', insecure: true });
    if (answer.status !== 200) throw new JoinError(`fetching the CA from ${this.config.server}/cacerts failed: HTTP ${answer.status}`);
    const pem = answer.body;
    if (expectedHash && caHash(pem) !== expectedHash) {
      throw new JoinError(`the CA of ${this.config.server} does not match the token's hash: not the server the token belongs to`);
    }
    if (!expectedHash) this.log.warn({ server: this.config.server }, 'the token carries no CA hash: trusting the server CA on first use');
    return pem;
  }

  private kubeconfig(c: Credentials): string {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'default', cluster: { server: this.config.server, 'certificate-authority-data': b64(c.caPem) } }],
      users: [{ name: 'default', user: { 'client-certificate-data': b64(c.certPem), 'client-key-data': b64(c.keyPem) } }],
      contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
      'current-context': 'default',
    });
  }
}

function messageOf(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string };
    if (s.message) return s.message;
  } catch {
    // not a Status
  }
  return body.slice(0, 200);
}

interface HttpsOptions {
  method: string;
  ca?: string;
  /** Skip server verification (only for /cacerts, whose answer is checked against the token). */
  insecure?: boolean;
  headers?: Record<string, string>;
  body?: string;
}

function httpsRequest(url: string, o: HttpsOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method, ca: o.ca, rejectUnauthorized: !o.insecure, headers: o.headers, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new JoinError(`no answer from ${url} within 15s`)));
    req.on('error', (e) => reject(e instanceof JoinError ? e : new JoinError(`cannot reach ${url}: ${e.message}`)));
    req.end(o.body);
  });
}
