// What the runtime asks the kubelet while it builds a container (upstream RuntimeHelper on the
// Kubelet: GenerateRunContainerOptions, GetPodDNS, GetPodDir): the environment, the volume
// mounts plus the kubelet-managed /etc/hosts, the hostname, and the pod's directories.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Container, HostAlias, Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from './cri/types.js';
import {
  ContainerConfigError,
  type EnvironmentBuilder,
  type MountedVolume,
  type RunContainerOptions,
  type RuntimeHelper,
  type VolumeManager,
} from './container/runtime.js';
import type { DNSConfigurer } from './dns/dns.js';
import { expandVars } from './envvars/expand.js';

export const ETC_HOSTS_PATH = '/etc/hosts';
const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';
const HOSTNAME_MAX_LEN = 63;
const CONFIG_ERROR = 'CreateContainerConfigError';

export interface KubeletRuntimeHelperOptions {
  env: EnvironmentBuilder;
  volumes: Pick<VolumeManager, 'mountPodVolumes'>;
  dns: Pick<DNSConfigurer, 'getPodDNS' | 'clusterDomain'>;
  /** The kubelet's root directory; pods live in `<rootDir>/pods/<uid>`. */
  rootDir: string;
  /** The volumes the pod worker mounted for this pod, if it did (else they are mounted here). */
  mountedVolumes?: (podUID: string) => Map<string, MountedVolume> | undefined;
  /** The node's hosts file, copied for host-network pods (default /etc/hosts). */
  nodeHostsFile?: string;
}

export class KubeletRuntimeHelper implements RuntimeHelper {
  constructor(private readonly opts: KubeletRuntimeHelperOptions) {}

  getPodDir(podUID: string): string {
    return join(this.opts.rootDir, 'pods', podUID);
  }

  /** `<podDir>/containers/<name>`: where the termination message file of the container lives. */
  getPodContainerDir(podUID: string, containerName: string): string {
    return join(this.getPodDir(podUID), 'containers', containerName);
  }

  getPodDNS(pod: Pod): DNSConfig {
    return this.opts.dns.getPodDNS(pod);
  }

  async generateRunContainerOptions(pod: Pod, container: Container, podIP: string, podIPs: string[]): Promise<RunContainerOptions> {
    const uid = pod.metadata?.uid ?? '';
    const { hostname, hostDomain } = podHostnameAndDomain(pod, this.opts.dns.clusterDomain);
    const volumes = this.opts.mountedVolumes?.(uid) ?? (await this.opts.volumes.mountPodVolumes(pod));
    const envs = await this.opts.env.makeEnvironmentVariables(pod, container, podIP, podIPs);
    const envMap = new Map(envs.map((e) => [e.name, e.value]));

    const mounts: RunContainerOptions['mounts'] = [];
    let mountEtcHosts = podIPs.length > 0 || Boolean(pod.spec?.hostNetwork);
    for (const m of container.volumeMounts ?? []) {
      if (m.mountPath === ETC_HOSTS_PATH) mountEtcHosts = false;
      const vol = volumes.get(m.name);
      if (!vol) throw new ContainerConfigError(CONFIG_ERROR, `cannot find volume "${m.name}" to mount into container "${container.name}"`);
      let subPath = m.subPath ?? '';
      if (m.subPathExpr) subPath = expandVars(m.subPathExpr, (n) => envMap.get(n));
      if (subPath) {
        if (isAbsolute(subPath)) throw new ContainerConfigError(CONFIG_ERROR, `error SubPath \`${subPath}\` must not be an absolute path`);
        if (subPath.split('/').includes('..')) throw new ContainerConfigError(CONFIG_ERROR, `unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      }
      const mount: RunContainerOptions['mounts'][number] = {
        name: m.name,
        containerPath: m.mountPath,
        hostPath: vol.hostPath,
        readOnly: Boolean(m.readOnly) || vol.readOnly,
      };
      if (subPath) mount.subPath = subPath;
      mounts.push(mount);
    }
    if (mountEtcHosts) {
      const podDir = this.getPodDir(uid);
      await mkdir(podDir, { recursive: true });
      const hostsPath = join(podDir, 'etc-hosts');
      const content = pod.spec?.hostNetwork
        ? MANAGED_HOSTS_HEADER_HOST_NETWORK + (await readFile(this.opts.nodeHostsFile ?? ETC_HOSTS_PATH, 'utf8')) + hostAliasEntries(pod.spec.hostAliases)
        : managedHostsFileContent(podIPs, hostname, hostDomain, pod.spec?.hostAliases);
      await writeFile(hostsPath, content, { mode: 0o644 });
      mounts.push({ name: 'k8s-managed-etc-hosts', containerPath: ETC_HOSTS_PATH, hostPath: hostsPath, readOnly: false });
    }

    let podContainerDir = '';
    if (container.terminationMessagePath) {
      podContainerDir = this.getPodContainerDir(uid, container.name);
      await mkdir(podContainerDir, { recursive: true, mode: 0o750 });
    }
    return { envs, mounts, hostname, podContainerDir };
  }
}

/** Upstream GeneratePodHostNameAndDomain: spec.hostname or the pod name (≤ 63 chars), `<subdomain>.<ns>.svc.<domain>`. */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; hostDomain: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || '';
  if (hostname.length > HOSTNAME_MAX_LEN) hostname = hostname.slice(0, HOSTNAME_MAX_LEN).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  return { hostname, hostDomain: sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '' };
}

/** Upstream managedHostsFileContent. */
export function managedHostsFileContent(podIPs: readonly string[], hostname: string, hostDomain: string, aliases: readonly HostAlias[] | undefined): string {
  let s = MANAGED_HOSTS_HEADER;
  s += '127.0.0.1\tlocalhost\n';
  s += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  s += 'fe00::0\tip6-localnet\n';
  s += 'fe00::0\tip6-mcastprefix\n';
  s += 'fe00::1\tip6-allnodes\n';
  s += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) s += hostDomain ? `${ip}\t${hostname}.${hostDomain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return s + hostAliasEntries(aliases);
}

function hostAliasEntries(aliases: readonly HostAlias[] | undefined): string {
  if (!aliases || aliases.length === 0) return '';
  let s = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) s += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return s;
}
