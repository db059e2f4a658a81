// A container's environment (upstream kubelet_pods.go makeEnvironmentVariables): envFrom
// first, then env in order — `$(VAR)` expanded against what is defined so far and the service
// variables, valueFrom resolved from ConfigMaps, Secrets and the downward API — and last the
// service variables the container did not define itself.
import type { ConfigMap, Container, Node, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Interface, KubeObject } from '../../client/index.js';
import { CONFIGMAPS, NODES, SECRETS, SERVICES, isNotFound } from '../../client/index.js';
import { ContainerConfigError, type EnvironmentBuilder as EnvironmentBuilderContract } from '../container/runtime.js';
import { podFieldValue, resourceFieldValue, type Allocatable, type EnvVar } from './downward.js';
import { fromServices, isServiceIPSet } from './envvars.js';
import { expandVars } from './expand.js';

export interface EnvironmentBuilderOptions {
  client: Interface;
  nodeName: string;
  /** The node's allocatable cpu/memory/ephemeral-storage: the default of unset limits in resourceFieldRef. */
  nodeAllocatable: () => Allocatable;
  /** Services of a namespace from an informer; without it services are listed through the client. */
  serviceLister?: (namespace: string) => Service[];
  /** The node's host IPs for status.hostIP(s); without it they are read from the Node object. */
  hostIPs?: () => string[];
  /** Where the `kubernetes` service lives. */
  masterServiceNamespace?: string;
}

const MASTER_SERVICES = new Set(['kubernetes']);

const CONFIG_ERROR = 'CreateContainerConfigError';

function configError(err: unknown): ContainerConfigError {
  if (err instanceof ContainerConfigError) return err;
  return new ContainerConfigError(CONFIG_ERROR, err instanceof Error ? err.message : String(err));
}

function decodeSecretValue(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

export class EnvironmentBuilder implements EnvironmentBuilderContract {
  private readonly masterNamespace: string;

  constructor(private readonly opts: EnvironmentBuilderOptions) {
    this.masterNamespace = opts.masterServiceNamespace ?? 'default';
  }

  async makeEnvironmentVariables(pod: Pod, container: Container, podIP: string, podIPs: string[]): Promise<EnvVar[]> {
    try {
      return await this.build(pod, container, podIP, podIPs);
    } catch (err) {
      throw configError(err);
    }
  }

  /** getServiceEnvVarMap: the pod's namespace (with enableServiceLinks) plus the master services of `default`. */
  async serviceEnv(namespace: string, enableServiceLinks: boolean): Promise<Map<string, string>> {
    const byName = new Map<string, Service>();
    const master = await this.listServices(this.masterNamespace);
    for (const s of master) if (isServiceIPSet(s) && MASTER_SERVICES.has(s.metadata?.name ?? '')) byName.set(s.metadata!.name!, s);
    if (enableServiceLinks) {
      const local = namespace === this.masterNamespace ? master : await this.listServices(namespace);
      // A service of the pod's namespace wins over a master service of the same name.
      for (const s of local) if (isServiceIPSet(s)) byName.set(s.metadata?.name ?? '', s);
    }
    const m = new Map<string, string>();
    for (const e of fromServices([...byName.values()])) m.set(e.name, e.value);
    return m;
  }

  private async listServices(namespace: string): Promise<Service[]> {
    if (this.opts.serviceLister) return this.opts.serviceLister(namespace);
    try {
      return (await this.opts.client.resource<Service & KubeObject>(SERVICES).list({ namespace })).items;
    } catch (cause) {
      throw new Error('failed to list services when setting up env vars', { cause });
    }
  }

  private async build(pod: Pod, container: Container, podIP: string, podIPs: string[]): Promise<EnvVar[]> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const serviceEnv = await this.serviceEnv(namespace, pod.spec?.enableServiceLinks ?? true);
    const configMaps = new Map<string, ConfigMap>();
    const secrets = new Map<string, Secret>();
    const env = new Map<string, string>();

    const getConfigMap = async (name: string, optional: boolean): Promise<ConfigMap | undefined> => {
      const cached = configMaps.get(name);
      if (cached) return cached;
      try {
        const cm = await this.opts.client.resource<ConfigMap & KubeObject>(CONFIGMAPS).get(name, { namespace });
        configMaps.set(name, cm);
        return cm;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (optional) return undefined;
        throw new Error(`configmap ${JSON.stringify(name)} not found`, { cause: err });
      }
    };
    const getSecret = async (name: string, optional: boolean): Promise<Secret | undefined> => {
      const cached = secrets.get(name);
      if (cached) return cached;
      try {
        const s = await this.opts.client.resource<Secret & KubeObject>(SECRETS).get(name, { namespace });
        secrets.set(name, s);
        return s;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (optional) return undefined;
        throw new Error(`secret ${JSON.stringify(name)} not found`, { cause: err });
      }
    };

    // envFrom first; env overrides it. Upstream (1.32) no longer skips keys that are not valid
    // variable names: the API accepts them and the runtime passes them on.
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      if (from.configMapRef) {
        const cm = await getConfigMap(from.configMapRef.name ?? '', from.configMapRef.optional === true);
        if (!cm) continue;
        for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
      } else if (from.secretRef) {
        const s = await getSecret(from.secretRef.name ?? '', from.secretRef.optional === true);
        if (!s) continue;
        for (const [k, v] of Object.entries(s.data ?? {})) env.set(prefix + k, decodeSecretValue(v));
      }
    }

    // MappingFuncFor(tmpEnv, serviceEnv): what is defined so far, then the service variables.
    const mapping = (name: string) => env.get(name) ?? serviceEnv.get(name);
    let hostIPs: Promise<string[]> | undefined;
    const fieldCtx = { podIP, podIPs, hostIPs: () => (hostIPs ??= this.hostIPs()) };

    for (const e of container.env ?? []) {
      let value = e.value ?? '';
      if (value !== '') {
        value = expandVars(value, mapping);
      } else if (e.valueFrom) {
        const vf = e.valueFrom;
        if (vf.fieldRef) {
          value = await podFieldValue(vf.fieldRef, pod, fieldCtx);
        } else if (vf.resourceFieldRef) {
          value = resourceFieldValue(vf.resourceFieldRef, pod, container, this.opts.nodeAllocatable());
        } else if (vf.configMapKeyRef) {
          const ref = vf.configMapKeyRef;
          const optional = ref.optional === true;
          const cm = await getConfigMap(ref.name ?? '', optional);
          if (!cm) continue;
          const v = cm.data?.[ref.key];
          if (v === undefined) {
            if (optional) continue;
            throw new Error(`couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name ?? ''}`);
          }
          value = v;
        } else if (vf.secretKeyRef) {
          const ref = vf.secretKeyRef;
          const optional = ref.optional === true;
          const s = await getSecret(ref.name ?? '', optional);
          if (!s) continue;
          const v = s.data?.[ref.key];
          if (v === undefined) {
            if (optional) continue;
            throw new Error(`couldn't find key ${ref.key} in Secret ${namespace}/${ref.name ?? ''}`);
          }
          value = decodeSecretValue(v);
        }
      }
      env.set(e.name, value);
    }

    const out: EnvVar[] = [...env].map(([name, value]) => ({ name, value }));
    for (const [name, value] of serviceEnv) if (!env.has(name)) out.push({ name, value });
    return out;
  }

  /** getHostIPsAnyWay: InternalIPs before ExternalIPs, the first of each IP family. */
  private async hostIPs(): Promise<string[]> {
    if (this.opts.hostIPs) {
      const ips = this.opts.hostIPs();
      if (ips.length === 0) throw new Error('host IP unknown; known addresses: []');
      return ips;
    }
    const node = await this.opts.client.resource<Node & KubeObject>(NODES).get(this.opts.nodeName);
    const addrs = node.status?.addresses ?? [];
    const all = [...addrs.filter((a) => a.type === 'InternalIP'), ...addrs.filter((a) => a.type === 'ExternalIP')].map((a) => a.address);
    if (all.length === 0) throw new Error(`host IP unknown; known addresses: [${addrs.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
    const first = all[0]!;
    const other = all.find((ip) => ip.includes(':') !== first.includes(':'));
    return other ? [first, other] : [first];
  }
}
