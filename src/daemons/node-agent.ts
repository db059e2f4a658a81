// The composition root of one real node: a private containerd (or an existing CRI socket), the
// images k8ts builds and the tarballs in <data-dir>/agent/images, node registration and Lease,
// the kubelet (pod workers, runtime manager, volumes, probes, hooks, environment) and its HTTPS
// server. `k8ts server` runs one for its own machine; `k8ts agent` runs one after joining.
// Everything reaches the cluster through the client it is given (the node's credentials).

import { createHash } from 'node:crypto';
import { readdir, mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Interface } from '../client/clientset.js';
import type { EventBroadcaster } from '../client/record/recorder.js';
import { CRIClient } from '../kubelet/cri/client.js';
import { ContainerdSupervisor } from '../kubelet/containerd/supervisor.js';
import { cleanupInstance, unmountAllUnder } from '../kubelet/containerd/cleanup.js';
import { instancePaths } from '../kubelet/containerd/config.js';
import { BUSYBOX_IMAGE_NAMES, PAUSE_IMAGE } from '../kubelet/images/busybox.js';
import { ensureDefaultImages, imagesDir, importImages } from '../kubelet/images/import.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { ImageGCManager } from '../kubelet/images/gc.js';
import { KubeGenericRuntimeManager } from '../kubelet/kuberuntime/manager.js';
import { VolumeManager } from '../kubelet/volumes/index.js';
import { ProbeManager } from '../kubelet/prober/prober-manager.js';
import { HookRunner } from '../kubelet/lifecycle/handlers.js';
import { EnvironmentBuilder } from '../kubelet/envvars/environment.js';
import { NodeStatusManager } from '../kubelet/nodestatus/manager.js';
import { SummaryProvider } from '../kubelet/stats/summary.js';
import { KubeletServer } from '../kubelet/server/server.js';
import type { RuntimeHelper } from '../kubelet/container/runtime.js';
import type { Logger } from '../logging/index.js';
import type { NodeConfig } from './config.js';

export interface NodeAgentOptions {
  /** A client with the node's own credentials (CN system:node:<name>). */
  client: Interface;
  events: EventBroadcaster;
  node: NodeConfig;
  dataDir: string;
  clusterDNS: string;
  clusterDomain: string;
  /** The kubelet's serving certificate and the CA its clients (the API server) are verified with. */
  tls: { certPem: string; keyPem: string; clientCAPem: string };
  kubeletVersion: string;
  logger: Logger;
  /** Called when a part fails after start (containerd keeps dying, the kubelet stops). */
  onFailure: (reason: string) => void;
}

/** A name unique to the data dir (several instances on one machine must not share a bridge). */
export function instanceSuffix(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
}

/** The CNI bridge of the instance on `dataDir` (Linux allows 15 characters). */
export function bridgeName(dataDir: string): string {
  return `k8ts${instanceSuffix(dataDir)}`;
}

/** Why this process cannot run its own containerd, or undefined when it can. */
export function rootRequirement(uid: number | undefined, containerRuntimeEndpoint: string | undefined): string | undefined {
  if (containerRuntimeEndpoint || uid === undefined || uid === 0) return undefined;
  return 'the node agent runs containers (containerd, runc, network namespaces) and needs root: run k8ts as root, or pass --disable-agent (control plane only) or --simulated-nodes N';
}

export class NodeAgent {
  private readonly abort = new AbortController();
  private containerd: ContainerdSupervisor | undefined;
  private cri: CRIClient | undefined;
  private nodeStatus: NodeStatusManager | undefined;
  private kubelet: Kubelet | undefined;
  private imageGC: ImageGCManager | undefined;
  private server: KubeletServer | undefined;
  private closing: Promise<void> | undefined;
  private readonly log: Logger;
  kubeletPort = 0;

  constructor(private readonly opts: NodeAgentOptions) {
    this.log = opts.logger.child({ component: 'node', node: opts.node.nodeName });
  }

  get agentDir(): string {
    return join(this.opts.dataDir, 'agent');
  }

  async start(): Promise<void> {
    const o = this.opts;
    const node = o.node;
    const signal = this.abort.signal;
    const dir = this.agentDir;
    const notRoot = rootRequirement(process.getuid?.(), node.containerRuntimeEndpoint);
    if (notRoot) throw new Error(notRoot);
    await mkdir(dir, { recursive: true, mode: 0o700 });

    let endpoint = node.containerRuntimeEndpoint;
    if (!endpoint) {
      // The images k8ts builds (busybox, pause) must be in the store before the first sandbox.
      await ensureDefaultImages(o.dataDir);
      const containerd = new ContainerdSupervisor({
        dir: join(dir, 'containerd'),
        sandboxImage: PAUSE_IMAGE,
        bridge: bridgeName(o.dataDir),
        networkName: 'k8ts',
        ipMasq: false,
        logger: this.log,
        onFailure: (err) => this.log.error({ err }, 'containerd failed; restarting it'),
      });
      this.containerd = containerd;
      await containerd.start(signal);
      endpoint = containerd.endpoint;
      const tarballs = (await readdir(imagesDir(o.dataDir))).filter((f) => f.endsWith('.tar')).sort();
      const imported = await importImages(
        tarballs.map((f) => join(imagesDir(o.dataDir), f)),
        { address: containerd.paths.socket, signal },
      );
      this.log.info({ images: imported.flatMap((r) => r.images) }, 'images imported');
    }
    const cri = CRIClient.connect(endpoint, { timeoutMs: 2 * 60_000 });
    this.cri = cri;
    await cri.waitForReady(30_000);

    const rootDir = join(dir, 'kubelet');
    await mkdir(rootDir, { recursive: true, mode: 0o700 });
    // Static pods: manifests in <data-dir>/agent/pod-manifests (k3s's place), mirrored in the API.
    const manifests = join(dir, 'pod-manifests');
    await mkdir(manifests, { recursive: true, mode: 0o755 });
    const recorder = o.events.newRecorder({ component: 'kubelet', host: node.nodeName });

    // The kubelet's server first: the Node object carries its port.
    let kubelet: Kubelet | undefined;
    const stats = new SummaryProvider({ runtime: cri, nodeName: node.nodeName, rootDir });
    const server = new KubeletServer({
      port: node.kubeletPort,
      tls: { certPem: o.tls.certPem, keyPem: o.tls.keyPem, clientCAPem: o.tls.clientCAPem },
      runtime: cri,
      pods: {
        getPod: (ns, name) => kubelet?.getPod(ns, name),
        listPods: () => kubelet?.listPods() ?? [],
        apiStatus: (uid) => kubelet?.apiStatus(uid),
      },
      stats: () => stats.summary(),
      logger: this.log.child({ component: 'kubelet-server' }),
    });
    this.server = server;
    this.kubeletPort = await server.start();

    const nodeStatus = new NodeStatusManager({
      client: o.client,
      nodeName: node.nodeName,
      runtime: cri,
      kubeletPort: this.kubeletPort,
      // As k3s passes --hostname-override: the kubernetes.io/hostname label and the Hostname
      // address are the node name (nodeSelectors on kubernetes.io/hostname name nodes).
      addresses: { internalIP: node.nodeIP, hostname: node.nodeName },
      labels: node.nodeLabels,
      taints: node.nodeTaints,
      rootDir,
      logger: this.log.child({ component: 'node-status' }),
      recorder,
      kubeletVersion: o.kubeletVersion,
    });
    this.nodeStatus = nodeStatus;
    await nodeStatus.start(signal);
    // The pod network exists once the node IPAM controller has given the node a CIDR.
    void nodeStatus.podCIDR().then(
      async (cidr) => {
        await this.containerd?.setPodCIDR(cidr);
        await cri.updateRuntimeConfig({ networkConfig: { podCidr: cidr } });
        this.log.info({ podCIDR: cidr }, 'pod network configured');
      },
      (err: unknown) => {
        if (!signal.aborted) o.onFailure(`configuring the pod network failed: ${(err as Error).message}`);
      },
    );

    const volumes = new VolumeManager({
      client: o.client,
      podsDir: join(rootDir, 'pods'),
      nodeName: node.nodeName,
      logger: this.log.child({ component: 'volumes' }),
      onRemountError: (pod, _volume, message) => recorder.event(pod, 'Warning', 'FailedMount', message),
    });
    const probes = new ProbeManager({
      runtime: cri,
      recorder,
      logger: this.log.child({ component: 'prober' }),
      statusOf: (uid) => kubelet?.apiStatus(uid),
    });
    const env = new EnvironmentBuilder({ client: o.client, nodeName: node.nodeName, nodeAllocatable: () => nodeStatus.allocatable(), hostIPs: () => [node.nodeIP] });
    // The runtime and the kubelet need each other: the runtime asks the kubelet's helper.
    const helper: RuntimeHelper = {
      generateRunContainerOptions: (pod, container, podIP, podIPs) => kubelet!.runtimeHelper.generateRunContainerOptions(pod, container, podIP, podIPs),
      getPodDNS: (pod) => kubelet!.runtimeHelper.getPodDNS(pod),
      getPodDir: (uid) => kubelet!.runtimeHelper.getPodDir(uid),
    };
    const runtime = new KubeGenericRuntimeManager({
      runtime: cri,
      images: cri,
      helper,
      probes,
      hooks: new HookRunner({ runtime: cri, logger: this.log.child({ component: 'hooks' }), recorder }),
      recorder,
      logger: this.log.child({ component: 'kuberuntime' }),
      podLogsDir: join(dir, 'logs', 'pods'),
      cgroupParent: `/k8ts-${instanceSuffix(o.dataDir)}`,
      seccompProfileRoot: join(rootDir, 'seccomp'),
    });
    // Unused images go when containerd's filesystem fills past 85 % (upstream's thresholds).
    const imageFs = endpoint === this.containerd?.endpoint ? this.containerd!.paths.root : dir;
    const imageGC = new ImageGCManager({
      images: cri,
      runtime: cri,
      recorder,
      nodeRef: { kind: 'Node', name: node.nodeName },
      logger: this.log.child({ component: 'image-gc' }),
      // The sandbox image, as upstream; and the busybox k8ts builds, which an air-gapped node
      // could not pull back before its next start.
      pinned: (image) => image.repoTags.some((t) => t === PAUSE_IMAGE || BUSYBOX_IMAGE_NAMES.includes(t)),
      capacityBytes: async () => {
        const st = await statfs(imageFs);
        return st.blocks * st.bsize;
      },
      availableBytes: async () => {
        const st = await statfs(imageFs);
        return st.bavail * st.bsize;
      },
    });
    this.imageGC = imageGC;
    kubelet = new Kubelet({
      client: o.client,
      nodeName: node.nodeName,
      runtime,
      volumes,
      probes,
      env,
      recorder,
      logger: this.log.child({ component: 'kubelet' }),
      rootDir,
      clusterDNS: [o.clusterDNS],
      clusterDomain: o.clusterDomain,
      nodeIPs: [node.nodeIP],
      staticPodPath: manifests,
    });
    this.kubelet = kubelet;
    await kubelet.start(signal);
    imageGC.start(signal);
    this.log.info({ kubeletPort: this.kubeletPort, endpoint }, 'node agent running');
  }

  /** Stops the kubelet (pods keep running in containerd until it stops), then containerd with its containers. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.abort.abort();
    await this.imageGC?.close();
    await this.kubelet?.close().catch((err: unknown) => this.log.warn({ err }, 'closing the kubelet failed'));
    await this.nodeStatus?.close().catch((err: unknown) => this.log.warn({ err }, 'closing node status failed'));
    await this.server?.close().catch((err: unknown) => this.log.warn({ err }, 'closing the kubelet server failed'));
    this.cri?.close();
    const report = await this.containerd?.close().catch((err: unknown) => {
      this.log.warn({ err }, 'stopping containerd failed');
      return undefined;
    });
    if (report) this.log.info({ report }, 'containerd stopped');
    // Nothing runs any more: the pods' tmpfs volumes go too (set up again at the next start).
    const volumes = await unmountAllUnder(join(this.agentDir, 'kubelet'));
    if (volumes.errors.length) this.log.warn({ errors: volumes.errors }, 'unmounting pod volumes failed');
  }
}

/** `k8ts cleanup`: removes what a killed instance on `dataDir` left (containers, shims, mounts, netns, bridge). */
export async function cleanupNode(dataDir: string): Promise<void> {
  const report = await cleanupInstance(instancePaths(join(dataDir, 'agent', 'containerd')), { bridge: bridgeName(dataDir) });
  const volumes = await unmountAllUnder(join(dataDir, 'agent', 'kubelet'));
  const errors = [...report.errors, ...volumes.errors];
  if (errors.length) throw new Error(`cleanup incomplete: ${errors.join('; ')}`);
}
