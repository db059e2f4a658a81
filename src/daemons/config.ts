// Server configuration: options (what the user gave) → completed config (defaults applied and
// validated, errors naming the flag). Runtime code sees only ServerConfig.

import { homedir } from 'node:os';
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
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
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
  if (simulatedNodes > 0) throw new ConfigError('--simulated-nodes: simulated nodes are not available in this version of k8ts');
  if (!o.disableAgent) {
    throw new ConfigError('the node agent is not available in this version of k8ts; start the control plane alone with --disable-agent');
  }
  return {
    dataDir,
    bindAddress: checkIP('bind-address', o.bindAddress ?? '0.0.0.0'),
    httpsPort: checkInt('https-port', o.httpsPort, 6443, 0, 65535),
    datastore,
    disableAgent: true,
    simulatedNodes,
    clusterCIDR: checkCIDR('cluster-cidr', o.clusterCIDR ?? '10.42.0.0/16'),
    serviceCIDR: checkCIDR('service-cidr', o.serviceCIDR ?? '10.43.0.0/16'),
    clusterDNS: checkIP('cluster-dns', o.clusterDNS ?? '10.43.0.10'),
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    token: o.token,
    logLevel: level as ServerConfig['logLevel'],
  };
}
