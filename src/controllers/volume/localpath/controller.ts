// The node-local volume provisioner (after rancher/local-path-provisioner, the one k3s ships, driven
// the way sig-storage-lib-external-provisioner drives external provisioners): for a claim handed to
// `k8ts.io/local-path` with a selected node it creates a hostPath PersistentVolume below the data
// directory on that node, pinned there by node affinity and pre-bound to the claim; Released
// volumes with reclaim policy Delete are deleted. The directory itself is the node's business:
// its kubelet creates it (DirectoryOrCreate) when a pod mounts it and removes it when it is gone.

import { posix } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Lister } from '../../../client/cache/informer.js';
import type { Interface } from '../../../client/clientset.js';
import type { EventRecorder } from '../../../client/record/recorder.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { isAlreadyExists, isNotFound } from '../../../client/rest/errors.js';
import { NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, STORAGECLASSES } from '../../../client/resources.js';
import { splitKey } from '../../../client/cache/indexer.js';
import type { DeepMutable } from '../../../util/mutable.js';
import type { Controller, ControllerContext } from '../../shared/types.js';
import { WorkerPool } from '../../shared/workers.js';

export const NAME = 'local-path-provisioner';
/** The provisioner name StorageClasses refer to. */
export const PROVISIONER_NAME = 'k8ts.io/local-path';

export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** The node label the volume's affinity uses (rancher's KeyNode). */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

type PVObject = PersistentVolume & KubeObject;
type PVCObject = PersistentVolumeClaim & KubeObject;
type StorageClassObject = StorageClass & KubeObject;
type NodeObject = Node & KubeObject;

/** The StorageClass k8ts creates at bootstrap, the default for claims that name none (as k3s's). */
export const DEFAULT_STORAGE_CLASS: StorageClass & KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: PROVISIONER_NAME,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

export function create(ctx: ControllerContext): Controller {
  return new LocalPathProvisioner(ctx);
}

/** Why a claim cannot be provisioned here; becomes the ProvisioningFailed message. */
class ProvisionError extends Error {
  readonly code = 'ProvisionError';
}

export class LocalPathProvisioner implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly baseDir: string;
  private readonly claims: Lister<PVCObject>;
  private readonly volumes: Lister<PVObject>;
  private readonly classes: Lister<StorageClassObject>;
  private readonly nodes: Lister<NodeObject>;
  /** Keys `claim/<ns>/<name>` and `volume/<name>`. */
  readonly pool: WorkerPool<string>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    // Events come from the provisioner itself, as an external provisioner's do.
    this.recorder = ctx.recorder(`${PROVISIONER_NAME}_${NAME}`);
    this.baseDir = ctx.config.localVolumeDir;
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: 2, sync: (k, s) => this.sync(k, s) });
    const pvcInf = ctx.informers.forResource<PVCObject>(PERSISTENTVOLUMECLAIMS);
    const pvInf = ctx.informers.forResource<PVObject>(PERSISTENTVOLUMES);
    this.claims = pvcInf.lister();
    this.volumes = pvInf.lister();
    this.classes = ctx.informers.forResource<StorageClassObject>(STORAGECLASSES).lister();
    this.nodes = ctx.informers.forResource<NodeObject>(NODES).lister();
    const claim = (c: PVCObject): void => this.pool.queue.add(`claim/${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`);
    const volume = (v: PVObject): void => this.pool.queue.add(`volume/${v.metadata?.name ?? ''}`);
    pvcInf.addEventHandler({ onAdd: claim, onUpdate: (_o, n) => claim(n) });
    pvInf.addEventHandler({ onAdd: volume, onUpdate: (_o, n) => volume(n) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  async sync(key: string, signal: AbortSignal): Promise<void> {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const rest = key.slice(slash + 1);
    if (kind === 'claim') {
      const { namespace = '', name } = splitKey(rest);
      const c = this.claims.get(namespace, name);
      if (c) await this.syncClaim(c, signal);
    } else if (kind === 'volume') {
      const v = this.volumes.get(undefined, rest);
      if (v) await this.syncVolume(v, signal);
    }
  }

  /** The claims this provisioner handles (the library's shouldProvision). */
  private shouldProvision(claim: PVCObject): StorageClassObject | undefined {
    if (claim.spec?.volumeName) return undefined;
    if (claim.metadata?.deletionTimestamp) return undefined;
    const a = claim.metadata?.annotations ?? {};
    const requested = a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
    if (requested !== PROVISIONER_NAME) return undefined;
    const cls = this.classes.get(undefined, claimClass(claim));
    if (!cls || cls.provisioner !== PROVISIONER_NAME) return undefined;
    // Delayed binding: only once the scheduler picked the node.
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !a[ANN_SELECTED_NODE]) return undefined;
    return cls;
  }

  private async syncClaim(claim: PVCObject, signal: AbortSignal): Promise<void> {
    const cls = this.shouldProvision(claim);
    if (!cls) return;
    const pvName = `pvc-${claim.metadata?.uid ?? ''}`;
    // Provisioned before (the binder has not caught up yet).
    if (this.volumes.get(undefined, pvName)) return;
    const claimName = `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
    this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimName}"`);
    let pv: DeepMutable<PVObject>;
    try {
      pv = this.provision(claim, cls, pvName);
    } catch (e) {
      if (!(e instanceof ProvisionError)) throw e;
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', e.message);
      throw e;
    }
    try {
      await this.client.resource<PVObject>(PERSISTENTVOLUMES).create(pv as PVObject, { signal });
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata?.name ?? ''}": ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    }
    this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  /** The volume for a claim on its selected node (rancher's Provision). */
  private provision(claim: PVCObject, cls: StorageClassObject, pvName: string): DeepMutable<PVObject> {
    const className = cls.metadata?.name ?? '';
    const fail = (why: string): ProvisionError => new ProvisionError(`failed to provision volume with StorageClass "${className}": ${why}`);
    if (claim.spec?.selector) throw fail('claim.Spec.Selector is not supported');
    for (const m of claim.spec?.accessModes ?? []) {
      if (m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod') throw fail('NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes');
    }
    const nodeName = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (!nodeName) throw fail('configuration error, no node was specified');
    const node = this.nodes.get(undefined, nodeName);
    if (!node) throw new ProvisionError(`failed to get target node: nodes "${nodeName}" not found`);
    const storage = claim.spec?.resources?.requests?.storage;
    if (storage === undefined) throw fail('claim has no storage request');
    const ns = claim.metadata?.namespace ?? '';
    const path = posix.join(this.baseDir, `${pvName}_${ns}_${claim.metadata?.name ?? ''}`);
    const pv: DeepMutable<PVObject> = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: PROVISIONER_NAME } },
      spec: {
        capacity: { storage: String(storage) },
        accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
        storageClassName: className,
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        volumeMode: 'Filesystem',
        hostPath: { path, type: 'DirectoryOrCreate' },
        // Pre-bound: the binder finishes the binding.
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_HOSTNAME, operator: 'In', values: [node.metadata?.labels?.[LABEL_HOSTNAME] ?? nodeName] }] }] },
        },
      },
    };
    if (cls.mountOptions?.length) pv.spec!.mountOptions = [...cls.mountOptions];
    return pv;
  }

  /** Deletes Released volumes of this provisioner whose policy says so (the library's shouldDelete). */
  private async syncVolume(pv: PVObject, signal: AbortSignal): Promise<void> {
    if (pv.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== PROVISIONER_NAME) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    if (pv.metadata?.deletionTimestamp) return;
    try {
      await this.client.resource<PVObject>(PERSISTENTVOLUMES).delete(pv.metadata?.name ?? '', { signal, preconditions: { uid: pv.metadata?.uid } });
    } catch (e) {
      if (isNotFound(e)) return;
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
}

function claimClass(claim: PersistentVolumeClaim): string {
  return claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? claim.spec?.storageClassName ?? '';
}
