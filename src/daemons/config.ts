// Server configuration: options (what the user gave) → completed config (defaults applied and
// validated, errors naming the flag). Runtime code sees only ServerConfig.

import { homedir, hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';

export interface ServerOptions {
  dataDir?: string;
  bindAddress?: string;
  httpsPort?: number | string;
  datastoreEndpoint?: string;
  disableAgent?: boolean;
  simulatedNodes?: number | string;
  clusterCIDR?: string;
  serviceCIDR?: string;
  clusterDNS?: string;
  clusterDomain?: string;
  token?: string;
  logLevel?: string;
  /** Capacity of each simulated node, `cpu=4,memory=16Gi,pods=110`. */
  simulatedNodeCapacity?: string;
  /** kube-controller-manager's --node-monitor-grace-period (Go duration, default 40s). */
  nodeMonitorGracePeriod?: string;
  /** The server's own node (unless --disable-agent). */
  nodeName?: string;
  nodeLabels?: string[];
  nodeTaints?: string[];
  nodeIP?: string;
  kubeletPort?: number | string;
  containerRuntimeEndpoint?: string;
  /** Further names and addresses for the API server's certificate (k3s --tls-san). */
  tlsSANs?: string[];
}

export type Datastore = { kind: 'sqlite'; path: string } | { kind: 'etcd'; endpoints: string[] };

export interface ServerConfig {
  dataDir: string;
  bindAddress: string;
  httpsPort: number;
  datastore: Datastore;
  disableAgent: boolean;
  simulatedNodes: number;
  clusterCIDR: string;
  serviceCIDR: string;
  clusterDNS: string;
  clusterDomain: string;
  token: string | undefined;
  logLevel: LogLevel;
  simulatedNodeCapacity: Record<string, string>;
  nodeMonitorGracePeriodMs: number;
  /** The server's own real node; undefined with --disable-agent or --simulated-nodes. */
  node: NodeConfig | undefined;
  tlsSANs: string[];
}

/** A real node: its kubelet, containerd and addresses. */
export interface NodeConfig {
  nodeName: string;
  nodeLabels: Record<string, string>;
  nodeTaints: NodeTaint[];
  /** The node's InternalIP (the API server reaches the kubelet there). */
  nodeIP: string;
  /** The kubelet's HTTPS port (10250; 0 picks a free one). */
  kubeletPort: number;
  /** An existing CRI socket instead of the agent's own containerd. */
  containerRuntimeEndpoint: string | undefined;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface AgentOptions {
  server?: string;
  token?: string;
  dataDir?: string;
  nodeName?: string;
  simulated?: boolean;
  nodeLabels?: string[];
  nodeTaints?: string[];
  /** Capacity of a simulated node, `cpu=4,memory=16Gi,pods=110`. */
  capacity?: string;
  logLevel?: string;
  nodeIP?: string;
  kubeletPort?: number | string;
  containerRuntimeEndpoint?: string;
  clusterDNS?: string;
  clusterDomain?: string;
}

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface AgentConfig {
  server: string;
  token: string;
  dataDir: string;
  nodeName: string;
  simulated: boolean;
  nodeLabels: Record<string, string>;
  nodeTaints: NodeTaint[];
  capacity: Record<string, string>;
  logLevel: LogLevel;
  /** The real node (undefined for --simulated). */
  node: NodeConfig | undefined;
  clusterDNS: string;
  clusterDomain: string;
}

/** A bad flag or value; the CLI prints the message and exits non-zero. */
export class ConfigError extends Error {
  readonly code = 'ConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function checkCIDR(flag: string, v: string): string {
  const m = CIDR.exec(v);
  if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 32) throw new ConfigError(`invalid value "${v}" for flag --${flag}: not an IPv4 CIDR`);
  return v;
}

function checkIP(flag: string, v: string): string {
  const m = IPV4.exec(v);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new ConfigError(`invalid value "${v}" for flag --${flag}: not an IPv4 address`);
  return v;
}

function checkInt(flag: string, v: number | string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`invalid value "${v}" for flag --${flag}: must be an integer between ${min} and ${max}`);
  return n;
}

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts');
}

export function completeServerConfig(o: ServerOptions): ServerConfig {
  const dataDir = resolve(o.dataDir ?? defaultDataDir());
  let datastore: Datastore = { kind: 'sqlite', path: join(dataDir, 'db', 'state.db') };
  if (o.datastoreEndpoint) {
    const ep = o.datastoreEndpoint;
    if (ep.startsWith('sqlite://')) {
      const p = ep.slice('sqlite://'.length);
      if (!p) throw new ConfigError(`invalid value "${ep}" for flag --datastore-endpoint: sqlite:// needs a file path`);
      datastore = { kind: 'sqlite', path: resolve(p) };
    } else if (ep.startsWith('etcd://') || ep.startsWith('http://') || ep.startsWith('https://')) {
      throw new ConfigError(`--datastore-endpoint ${ep}: the etcd datastore is not available in this version of k8ts; use sqlite://PATH`);
    } else {
      throw new ConfigError(`invalid value "${ep}" for flag --datastore-endpoint: expected sqlite://PATH or etcd://host:port,...`);
    }
  }
  const level = o.logLevel ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new ConfigError(`invalid value "${level}" for flag --log-level`);
  const simulatedNodes = checkInt('simulated-nodes', o.simulatedNodes, 0, 0, 100000);
  // With simulated nodes the server runs no real node of its own (they would compete for pods).
  const node = o.disableAgent || simulatedNodes > 0 ? undefined : completeNodeConfig(o, hostname());
  return {
    dataDir,
    bindAddress: checkIP('bind-address', o.bindAddress ?? '0.0.0.0'),
    httpsPort: checkInt('https-port', o.httpsPort, 6443, 0, 65535),
    datastore,
    disableAgent: Boolean(o.disableAgent),
    simulatedNodes,
    clusterCIDR: checkCIDR('cluster-cidr', o.clusterCIDR ?? '10.42.0.0/16'),
    serviceCIDR: checkCIDR('service-cidr', o.serviceCIDR ?? '10.43.0.0/16'),
    clusterDNS: checkIP('cluster-dns', o.clusterDNS ?? '10.43.0.10'),
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    token: o.token,
    logLevel: level as LogLevel,
    simulatedNodeCapacity: parseCapacity('simulated-node-capacity', o.simulatedNodeCapacity),
    nodeMonitorGracePeriodMs: checkDuration('node-monitor-grace-period', o.nodeMonitorGracePeriod, 40_000),
    node,
    tlsSANs: (o.tlsSANs ?? []).map((san) => {
      if (!/^[a-zA-Z0-9.:-]+$/.test(san)) throw new ConfigError(`invalid value "${san}" for flag --tls-san: expected a host name or IP address`);
      return san;
    }),
  };
}

interface NodeOptions {
  nodeName?: string;
  nodeLabels?: string[];
  nodeTaints?: string[];
  nodeIP?: string;
  kubeletPort?: number | string;
  containerRuntimeEndpoint?: string;
}

function completeNodeConfig(o: NodeOptions, hostName: string): NodeConfig {
  const nodeName = (o.nodeName ?? hostName).toLowerCase();
  if (!NODE_NAME.test(nodeName) || nodeName.length > 253) throw new ConfigError(`invalid value "${nodeName}" for flag --node-name: must be a lowercase RFC 1123 subdomain`);
  const endpoint = o.containerRuntimeEndpoint;
  if (endpoint !== undefined && !/^(unix:\/\/)?\/\S+$/.test(endpoint)) {
    throw new ConfigError(`invalid value "${endpoint}" for flag --container-runtime-endpoint: expected unix:///path/to/socket`);
  }
  return {
    nodeName,
    nodeLabels: Object.fromEntries((o.nodeLabels ?? []).map(parseLabel)),
    nodeTaints: (o.nodeTaints ?? []).map(parseTaint),
    nodeIP: o.nodeIP !== undefined ? checkIP('node-ip', o.nodeIP) : defaultNodeIP(),
    kubeletPort: checkInt('kubelet-port', o.kubeletPort, 10250, 0, 65535),
    containerRuntimeEndpoint: endpoint,
  };
}

/** k3s's choice: the first IPv4 address of a non-loopback interface, else loopback. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[numkMGTPE])?$/;

/** `cpu=4,memory=16Gi` → a resource list; empty → {}. */
export function parseCapacity(flag: string, v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v) return out;
  for (const part of v.split(',')) {
    const [name, qty, extra] = part.split('=');
    if (extra !== undefined || !name || !qty || !RESOURCE_NAME.test(name) || !QUANTITY.test(qty)) {
      throw new ConfigError(`invalid value "${v}" for flag --${flag}: expected name=quantity[,name=quantity…], e.g. cpu=4,memory=16Gi,pods=110`);
    }
    out[name] = qty;
  }
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

function checkDuration(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const m = DURATION.exec(v);
  if (!m) throw new ConfigError(`invalid value "${v}" for flag --${flag}: expected a duration such as 40s or 1m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < 1000) throw new ConfigError(`invalid value "${v}" for flag --${flag}: must be at least 1s`);
  return ms;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const LABEL_VALUE = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?$/;

function parseLabel(v: string): [string, string] {
  const i = v.indexOf('=');
  const key = i < 0 ? v : v.slice(0, i);
  const value = i < 0 ? '' : v.slice(i + 1);
  if (!LABEL_KEY.test(key) || key.length > 316 || !LABEL_VALUE.test(value) || value.length > 63) {
    throw new ConfigError(`invalid value "${v}" for flag --node-label: expected key=value with a valid label key and value`);
  }
  return [key, value];
}

/** k3s's --node-taint syntax: `key=value:Effect` or `key:Effect`. */
function parseTaint(v: string): NodeTaint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(v);
  if (!m || !LABEL_KEY.test(m[1]!) || (m[2] !== undefined && !LABEL_VALUE.test(m[2]))) {
    throw new ConfigError(`invalid value "${v}" for flag --node-taint: expected key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute`);
  }
  return m[2] ? { key: m[1]!, value: m[2], effect: m[3] as NodeTaint['effect'] } : { key: m[1]!, effect: m[3] as NodeTaint['effect'] };
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function completeAgentConfig(o: AgentOptions, hostName: string): AgentConfig {
  if (!o.server) throw new ConfigError('--server is required: the URL of the k8ts server to join, e.g. https://127.0.0.1:6443');
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new ConfigError(`invalid value "${o.server}" for flag --server: not a URL`);
  }
  if (url.protocol !== 'https:') throw new ConfigError(`invalid value "${o.server}" for flag --server: must be an https:// URL`);
  if (!o.token) throw new ConfigError("--token is required: the contents of the server's <data-dir>/token file");
  const nodeName = (o.nodeName ?? hostName).toLowerCase();
  if (!NODE_NAME.test(nodeName) || nodeName.length > 253) throw new ConfigError(`invalid value "${nodeName}" for flag --node-name: must be a lowercase RFC 1123 subdomain`);
  const level = o.logLevel ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new ConfigError(`invalid value "${level}" for flag --log-level`);
  return {
    server: url.origin,
    token: o.token,
    dataDir: resolve(o.dataDir ?? defaultDataDir()),
    nodeName,
    simulated: Boolean(o.simulated),
    nodeLabels: Object.fromEntries((o.nodeLabels ?? []).map(parseLabel)),
    nodeTaints: (o.nodeTaints ?? []).map(parseTaint),
    capacity: parseCapacity('capacity', o.capacity),
    logLevel: level as LogLevel,
    node: o.simulated ? undefined : completeNodeConfig({ ...o, nodeName }, hostName),
    clusterDNS: checkIP('cluster-dns', o.clusterDNS ?? '10.43.0.10'),
    clusterDomain: o.clusterDomain ?? 'cluster.local',
  };
}
