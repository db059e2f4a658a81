// The resolv.conf of a pod's sandbox (upstream pkg/kubelet/network/dns/dns.go): ClusterFirst
// pods resolve through the cluster DNS with the `<ns>.svc.<domain> svc.<domain> <domain>`
// search path and ndots:5; Default pods get the node's resolv.conf; None pods only their
// dnsConfig, which every policy merges in last.

import { readFile } from 'node:fs/promises';
import type { Pod, PodDNSConfig } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { DNSConfig } from '../cri/types.js';

/** Upstream validation limits applied when forming the config. */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const DEFAULT_DNS_OPTIONS = ['ndots:5'];

export interface DNSConfigurerOptions {
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf (for dnsPolicy Default); '' means none (localhost resolver). */
  resolvConf: string;
  /** The node's IPs (the localhost resolver's family when resolvConf is ''). */
  nodeIPs?: string[];
  recorder?: EventRecorder;
}

/** Parses resolv.conf text: nameservers, the last search line, merged options (upstream parseResolvConf). */
export function parseResolvConf(text: string): DNSConfig {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const f = line.split(/\s+/).filter(Boolean);
    if (f.length === 0) continue;
    if (f[0] === 'nameserver' && f.length >= 2) servers.push(f[1]!);
    else if (f[0] === 'search') searches = f.slice(1).filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    else if (f[0] === 'options') options = mergeDNSOptions(options, f.slice(1));
  }
  return { servers, searches, options };
}

export class DNSConfigurer {
  private host: DNSConfig = { servers: [], searches: [], options: [] };

  constructor(private readonly opts: DNSConfigurerOptions) {}

  get clusterDomain(): string {
    return this.opts.clusterDomain;
  }

  /** Reads the node's resolv.conf (call at start and now and then; a missing file counts as empty). */
  async loadHostResolvConf(): Promise<void> {
    if (!this.opts.resolvConf) return;
    try {
      this.host = parseResolvConf(await readFile(this.opts.resolvConf, 'utf8'));
    } catch {
      this.host = { servers: [], searches: [], options: [] };
    }
  }

  getPodDNS(pod: Pod): DNSConfig {
    let cfg: DNSConfig = { servers: [...this.host.servers], searches: [...this.host.searches], options: [...this.host.options] };
    let type = podDNSType(pod);
    if (type === 'cluster' && this.opts.clusterDNS.length === 0) {
      const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
      this.opts.recorder?.event(
        pod,
        'Warning',
        'MissingClusterDNS',
        `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
      );
      type = 'host';
    }
    if (type === 'none') cfg = { servers: [], searches: [], options: [] };
    else if (type === 'cluster') {
      cfg.servers = [...this.opts.clusterDNS];
      cfg.searches = this.clusterSearches(cfg.searches, pod);
      cfg.options = [...DEFAULT_DNS_OPTIONS];
    } else if (!this.opts.resolvConf) {
      // No resolv.conf: the resolver on the local machine, with no search path.
      const ips = this.opts.nodeIPs ?? [];
      cfg.servers = ips.length > 0 ? ips.map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1')) : ['127.0.0.1'];
      cfg.searches = ['.'];
    }
    if (pod.spec?.dnsConfig) cfg = appendDNSConfig(cfg, pod.spec.dnsConfig);
    return this.fitLimits(cfg, pod);
  }

  private clusterSearches(hostSearch: string[], pod: Pod): string[] {
    const domain = this.opts.clusterDomain;
    if (!domain) return hostSearch;
    const ns = pod.metadata?.namespace ?? 'default';
    return omitDuplicates([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearch]);
  }

  private fitLimits(cfg: DNSConfig, pod: Pod): DNSConfig {
    if (cfg.servers.length > MAX_DNS_NAMESERVERS) {
      cfg.servers = cfg.servers.slice(0, MAX_DNS_NAMESERVERS);
      this.opts.recorder?.event(pod, 'Warning', 'DNSConfigForming', `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.servers.join(' ')}`);
    }
    let searches = cfg.searches.slice(0, MAX_DNS_SEARCH_PATHS);
    while (searches.length > 0 && searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) searches = searches.slice(0, -1);
    if (searches.length !== cfg.searches.length) {
      cfg.searches = searches;
      this.opts.recorder?.event(pod, 'Warning', 'DNSConfigForming', `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}`);
    }
    return cfg;
  }
}

type PodDNSType = 'cluster' | 'host' | 'none';

function podDNSType(pod: Pod): PodDNSType {
  switch (pod.spec?.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    default:
      // ClusterFirst falls back to the node's DNS for host-network pods.
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
  }
}

function appendDNSConfig(cfg: DNSConfig, pod: PodDNSConfig): DNSConfig {
  return {
    servers: omitDuplicates([...cfg.servers, ...(pod.nameservers ?? [])]),
    searches: omitDuplicates([...cfg.searches, ...(pod.searches ?? [])]),
    options: mergeDNSOptions(cfg.options, (pod.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? '')))),
  };
}

/** Options by name, later ones overriding earlier (upstream mergeDNSOptions). */
export function mergeDNSOptions(existing: string[], more: string[]): string[] {
  const m = new Map<string, string>();
  for (const o of [...existing, ...more]) {
    if (!o) continue;
    const name = o.split(':')[0]!;
    m.set(name, o);
  }
  return [...m.values()];
}

function omitDuplicates(xs: string[]): string[] {
  return [...new Set(xs)];
}
