// The contract between the controller manager and each controller.

import type { Interface } from '../../client/clientset.js';
import type { SharedInformerFactory } from '../../client/cache/factory.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { Logger } from '../../logging/index.js';

/** Cluster settings controllers need (kube-controller-manager flags of the same names). */
export interface ControllerConfig {
  /** --cluster-cidr: where node IPAM carves pod CIDRs from. */
  clusterCIDR: string;
  /** --node-cidr-mask-size (24 for IPv4 upstream). */
  nodeCIDRMaskSize: number;
  /** --service-cluster-ip-range. */
  serviceCIDR: string;
  /** Node lifecycle: --node-monitor-grace-period (40 s upstream), ms. */
  nodeMonitorGracePeriodMs: number;
  /** Node lifecycle: --node-monitor-period (5 s upstream), ms. */
  nodeMonitorPeriodMs: number;
  /** Pod GC: --terminated-pod-gc-threshold (12500 upstream). */
  terminatedPodGCThreshold: number;
  /** Data dir of the node-local volume provisioner (hostPath volumes go below it). */
  localVolumeDir: string;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  clusterCIDR: '10.42.0.0/16',
  nodeCIDRMaskSize: 24,
  serviceCIDR: '10.43.0.0/16',
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  terminatedPodGCThreshold: 12_500,
  localVolumeDir: '/var/lib/k8ts/storage',
};

export interface ControllerContext {
  client: Interface;
  /** Shared by every controller of the manager: ask for informers here, never build your own. */
  informers: SharedInformerFactory;
  /** Already bound to `{ controller: NAME }`. */
  logger: Logger;
  /** PEM of the CA that verifies the API server's serving certificate (what pods are given to trust). */
  rootCA?: string;
  /** A recorder whose events carry `source.component = component` (e.g. `replicaset-controller`). */
  recorder(component: string): EventRecorder;
  config: ControllerConfig;
  /** Wall clock in ms (tests pin it). */
  now(): number;
}

/**
 * One control loop. The manager calls, in order: the factory (register informers and event
 * handlers), `prepare` (optional async set-up such as discovery, may register more informers),
 * starts the informers and waits for their caches, `run` (start workers; resolve once running),
 * and finally `close` (stop workers and await them; idempotent).
 */
export interface Controller {
  readonly name: string;
  prepare?(signal: AbortSignal): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** What `sync` may ask of the queue besides success (no value) or failure (throw). */
export interface SyncResult {
  /** Process the key again after this delay (not counted as a failure). */
  requeueAfterMs?: number;
}
