// The PersistentVolume binder (upstream pkg/controller/volume/persistentvolume pv_controller.go):
// binds claims to matching volumes, hands claims of provisioning classes to their provisioner,
// waits for the scheduler with WaitForFirstConsumer classes, and releases (or marks for
// deletion) volumes whose claims are gone. Claims and volumes each have their own queue.

import type { ObjectReference, PersistentVolumeClaimStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../../client/cache/informer.js';
import type { Interface } from '../../../client/clientset.js';
import type { EventRecorder } from '../../../client/record/recorder.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { isNotFound } from '../../../client/rest/errors.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, STORAGECLASSES } from '../../../client/resources.js';
import { splitKey } from '../../../client/cache/indexer.js';
import type { DeepMutable } from '../../../util/mutable.js';
import type { Controller, ControllerContext } from '../../shared/types.js';
import { WorkerPool } from '../../shared/workers.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  checkVolumeSatisfyClaim,
  claimClass,
  claimHasClass,
  defaultClass,
  findMatchingVolume,
  isVolumeBoundToClaim,
  storageOf,
  volumeModeMismatch,
  type PVCObject,
  type PVObject,
  type StorageClassObject,
} from './util.js';

export const NAME = 'persistentvolume-binder-controller';
/** The event source upstream's binder records with. */
export const COMPONENT = 'persistentvolume-controller';
/** Upstream --pvclaimbinder-sync-period. */
export const RESYNC_PERIOD_MS = 15_000;

type PodObject = Pod & KubeObject;
type MPV = DeepMutable<PVObject> & KubeObject;
type MPVC = DeepMutable<PVCObject> & KubeObject;
type ClaimPhase = 'Pending' | 'Bound' | 'Lost';
type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

/** Pods by the claims their volumes use (`namespace/claim`). */
const POD_CLAIM_INDEX = 'persistentvolume-binder:claim';

export function create(ctx: ControllerContext): Controller {
  return new PersistentVolumeController(ctx);
}

export class PersistentVolumeController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly volumes: Lister<PVObject>;
  private readonly claims: Lister<PVCObject>;
  private readonly classes: Lister<StorageClassObject>;
  private readonly pods: Lister<PodObject>;
  readonly claimPool: WorkerPool<string>;
  readonly volumePool: WorkerPool<string>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder(COMPONENT);
    this.now = ctx.now;
    this.claimPool = new WorkerPool<string>({ name: `${NAME}-claims`, logger: ctx.logger, workers: 1, sync: (k, s) => this.syncClaimKey(k, s) });
    this.volumePool = new WorkerPool<string>({ name: `${NAME}-volumes`, logger: ctx.logger, workers: 1, sync: (k, s) => this.syncVolumeKey(k, s) });
    const pvInf = ctx.informers.forResource<PVObject>(PERSISTENTVOLUMES);
    const pvcInf = ctx.informers.forResource<PVCObject>(PERSISTENTVOLUMECLAIMS);
    const scInf = ctx.informers.forResource<StorageClassObject>(STORAGECLASSES);
    const podInf = ctx.informers.forResource<PodObject>(PODS);
    podInf.addIndexers({
      [POD_CLAIM_INDEX]: (pod) => (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [`${pod.metadata?.namespace ?? ''}/${v.persistentVolumeClaim.claimName}`] : [])),
    });
    this.volumes = pvInf.lister();
    this.claims = pvcInf.lister();
    this.classes = scInf.lister();
    this.pods = podInf.lister();
    const addVolume = (pv: PVObject): void => this.volumePool.queue.add(pv.metadata?.name ?? '');
    const addClaim = (c: PVCObject): void => this.claimPool.queue.add(`${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`);
    // The periodic resync of both informers' handlers replays every object (upstream resync()).
    pvInf.addEventHandler(
      {
        onAdd: addVolume,
        onUpdate: (_o, n) => addVolume(n),
        onDelete: (pv) => {
          // A claim bound to a deleted volume must notice (it becomes Lost).
          const ref = pv.spec?.claimRef;
          if (ref?.name) this.claimPool.queue.add(`${ref.namespace ?? ''}/${ref.name}`);
        },
      },
      RESYNC_PERIOD_MS,
    );
    pvcInf.addEventHandler(
      {
        onAdd: addClaim,
        onUpdate: (_o, n) => addClaim(n),
        // Released at once rather than at the next resync (upstream deleteClaim).
        onDelete: (c) => {
          if (c.spec?.volumeName) this.volumePool.queue.add(c.spec.volumeName);
        },
      },
      RESYNC_PERIOD_MS,
    );
  }

  async run(signal: AbortSignal): Promise<void> {
    this.volumePool.start(signal);
    this.claimPool.start(signal);
  }

  async close(): Promise<void> {
    await Promise.all([this.volumePool.close(), this.claimPool.close()]);
  }

  async syncClaimKey(key: string, signal: AbortSignal): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const claim = this.claims.get(namespace, name);
    if (!claim) return;
    if (claim.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined) await this.syncUnboundClaim(claim, signal);
    else await this.syncBoundClaim(claim, signal);
  }

  async syncVolumeKey(key: string, signal: AbortSignal): Promise<void> {
    const pv = this.volumes.get(undefined, key);
    if (pv) await this.syncVolume(pv, signal);
  }

  // ---- claims

  private isDelayBinding(claim: PVCObject): boolean {
    const cls = claimClass(claim);
    if (!cls) return false;
    return this.classes.get(undefined, cls)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  private async syncUnboundClaim(claim: PVCObject, signal: AbortSignal): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? '';
    if (!volumeName) {
      const delayBinding = this.isDelayBinding(claim);
      const volume = findMatchingVolume(claim, this.volumes.list(), delayBinding);
      if (volume) {
        await this.bind(volume as PVObject, claim, signal);
        return;
      }
      // No volume: give the claim the default class if it has none (retroactive default class), then provision.
      if (await this.assignDefaultStorageClass(claim, signal)) return;
      if (delayBinding && claim.metadata?.annotations?.[ANN_SELECTED_NODE] === undefined) {
        this.emitEventForUnboundDelayBindingClaim(claim);
      } else if (claimClass(claim) !== '') {
        await this.provisionClaim(claim, signal);
        return;
      } else {
        this.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    // The user asked for a particular volume.
    const volume = this.volumes.get(undefined, volumeName);
    if (!volume) {
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    if (!volume.spec?.claimRef) {
      const why = checkVolumeSatisfyClaim(volume, claim);
      if (why) {
        this.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      } else {
        await this.bind(volume, claim, signal);
      }
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) {
      await this.bind(volume, claim, signal);
      return;
    }
    this.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    if (claim.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined) {
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    const ref = volume.spec.claimRef;
    throw new Error(`invalid binding of claim "${claimKey(claim)}" to volume "${volumeName}": volume already claimed by "${ref.namespace ?? ''}/${ref.name ?? ''}"`);
  }

  private async syncBoundClaim(claim: PVCObject, signal: AbortSignal): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? '';
    if (!volumeName) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!', signal);
      return;
    }
    const volume = this.volumes.get(undefined, volumeName);
    if (!volume) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!', signal);
      return;
    }
    if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata?.uid) {
      // Bind again (or confirm): a no-op when everything is already in place.
      await this.bind(volume, claim, signal);
      return;
    }
    await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly', signal);
  }

  /** Upstream emitEventForUnboundDelayBindingClaim. */
  private emitEventForUnboundDelayBindingClaim(claim: PVCObject): void {
    const pods = this.pods
      .byIndex(POD_CLAIM_INDEX, claimKey(claim))
      .filter((p) => !p.spec?.nodeName)
      .map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`);
    if (pods.length === 0) this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    else if (pods.length === 1) this.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pod ${pods[0]!} to be scheduled`);
    else this.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pods ${pods.join(',')} to be scheduled`);
  }

  /** Gives a class-less claim the default class (upstream assignDefaultStorageClass). True when it wrote. */
  private async assignDefaultStorageClass(claim: PVCObject, signal: AbortSignal): Promise<boolean> {
    if (claimHasClass(claim)) return false;
    const cls = defaultClass(this.classes.list());
    if (!cls?.metadata?.name) return false;
    const next = structuredClone(claim) as MPVC;
    next.spec ??= {};
    next.spec.storageClassName = cls.metadata.name;
    try {
      await this.client.resource<PVCObject>(PERSISTENTVOLUMECLAIMS).update(next, { namespace: claim.metadata?.namespace, signal });
    } catch (e) {
      throw new Error(`can't update PersistentVolumeClaim["${claimKey(claim)}"]: ${errText(e)}`, { cause: e });
    }
    return true;
  }

  /**
   * Hands the claim to its class's provisioner (upstream provisionClaim +
   * provisionClaimOperationExternal: every provisioner is external here).
   */
  private async provisionClaim(claim: PVCObject, signal: AbortSignal): Promise<void> {
    const className = claimClass(claim);
    const cls = this.classes.get(undefined, className);
    if (!cls) {
      const msg = `storageclass.storage.k8s.io "${className}" not found`;
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', msg);
      throw new Error(msg);
    }
    const provisioner = cls.provisioner;
    // No in-tree provisioners here: a kubernetes.io/ name (such as kubernetes.io/no-provisioner) matches no plugin.
    if (provisioner.startsWith('kubernetes.io/')) {
      const msg = `no volume plugin matched name: ${provisioner}`;
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', msg);
      throw new Error(msg);
    }
    let current: PVCObject = claim;
    if (claim.metadata?.annotations?.[ANN_BETA_STORAGE_PROVISIONER] !== provisioner || claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      const next = structuredClone(claim) as MPVC;
      next.metadata!.annotations = { ...next.metadata?.annotations, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
      try {
        current = await this.client.resource<PVCObject>(PERSISTENTVOLUMECLAIMS).update(next, { namespace: claim.metadata?.namespace, signal });
      } catch (e) {
        this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `Error saving claim: ${errText(e)}`);
        throw e;
      }
    }
    this.recorder.event(
      current,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  // ---- volumes

  private async syncVolume(volume: PVObject, signal: AbortSignal): Promise<void> {
    const ref = volume.spec?.claimRef;
    if (!ref || !ref.uid) {
      // Unused, or reserved for a claim that has not bound yet (its sync does the work).
      await this.updateVolumePhase(volume, 'Available', '', signal);
      return;
    }
    let claim: PVCObject | undefined = this.claims.get(ref.namespace ?? '', ref.name ?? '');
    const phase = volume.status?.phase;
    if (!claim && phase !== 'Released' && phase !== 'Failed') {
      // The claim may be newer than our cache (an external provisioner or the scheduler bound it): ask the API.
      claim = await this.getClaim(ref, signal);
    }
    if (claim && claim.metadata?.uid !== ref.uid) {
      // Maybe the cache is old; the API has the truth.
      claim = await this.getClaim(ref, signal);
      if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
    }
    if (!claim) {
      let v = volume;
      if (phase !== 'Released' && phase !== 'Failed') v = await this.updateVolumePhase(volume, 'Released', '', signal);
      await this.reclaimVolume(v, signal);
      return;
    }
    if (!claim.spec?.volumeName) {
      if (volumeModeMismatch(claim, volume)) {
        this.recorder.event(volume, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata?.name ?? ''}" due to incompatible volumeMode.`);
        this.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${volume.metadata?.name ?? ''}" to requested PersistentVolumeClaim due to incompatible volumeMode.`);
        return;
      }
      // Binding not finished: the claim's sync finishes it.
      this.claimPool.queue.add(claimKey(claim));
      return;
    }
    if (claim.spec.volumeName === volume.metadata?.name) {
      await this.updateVolumePhase(volume, 'Bound', '', signal);
      return;
    }
    // The claim got bound to another volume.
    if (volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== undefined && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      let v = volume;
      if (phase !== 'Released' && phase !== 'Failed') v = await this.updateVolumePhase(volume, 'Released', '', signal);
      await this.reclaimVolume(v, signal);
      return;
    }
    await this.unbindVolume(volume, signal);
  }

  private async getClaim(ref: ObjectReference, signal: AbortSignal): Promise<PVCObject | undefined> {
    try {
      return await this.client.resource<PVCObject>(PERSISTENTVOLUMECLAIMS).get(ref.name ?? '', { namespace: ref.namespace, signal });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * Applies the reclaim policy of a released volume (upstream reclaimVolume). Retain keeps it;
   * Delete of a dynamically provisioned volume is its provisioner's work; other volumes have no
   * deleter here (upstream's in-tree deleters are cloud and /tmp hostPath plugins).
   */
  private async reclaimVolume(volume: PVObject, signal: AbortSignal): Promise<void> {
    switch (volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Retain':
        return;
      case 'Delete':
        if (volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== undefined) return;
        await this.updateVolumePhaseWithEvent(
          volume,
          'Failed',
          'VolumeFailedDelete',
          `Error getting deleter volume plugin for volume "${volume.metadata?.name ?? ''}": no deletable volume plugin matched`,
          signal,
        );
        return;
      case 'Recycle':
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!', signal);
        return;
      default:
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy', signal);
    }
  }

  /** Upstream unbindVolume: forget a claim the controller chose; keep a user's pre-binding but its uid. */
  private async unbindVolume(volume: PVObject, signal: AbortSignal): Promise<void> {
    const next = structuredClone(volume) as MPV;
    if (volume.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      delete next.spec!.claimRef;
      const annotations = { ...next.metadata?.annotations };
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      if (Object.keys(annotations).length) next.metadata!.annotations = annotations;
      else delete next.metadata!.annotations;
    } else {
      delete next.spec!.claimRef!.uid;
    }
    const updated = await this.client.resource<PVObject>(PERSISTENTVOLUMES).update(next, { signal });
    await this.updateVolumePhase(updated, 'Available', '', signal);
  }

  // ---- binding

  /** Volume → claim, volume Bound, claim → volume, claim Bound (upstream bind); each step only if needed. */
  private async bind(volume: PVObject, claim: PVCObject, signal: AbortSignal): Promise<void> {
    let v = await this.bindVolumeToClaim(volume, claim, signal);
    v = await this.updateVolumePhase(v, 'Bound', '', signal);
    const c = await this.bindClaimToVolume(claim, v, signal);
    await this.updateClaimStatus(c, 'Bound', v, signal);
  }

  private async bindVolumeToClaim(volume: PVObject, claim: PVCObject, signal: AbortSignal): Promise<PVObject> {
    const byController = !isVolumeBoundToClaim(volume, claim);
    const ref = volume.spec?.claimRef;
    const next = structuredClone(volume) as MPV;
    let dirty = false;
    if (!ref || ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace || ref.uid !== claim.metadata?.uid) {
      next.spec ??= {};
      next.spec.claimRef = {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        apiVersion: 'v1',
        resourceVersion: claim.metadata?.resourceVersion,
      };
      dirty = true;
    }
    if (byController && next.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined) {
      next.metadata!.annotations = { ...next.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      dirty = true;
    }
    if (!dirty) return volume;
    return this.client.resource<PVObject>(PERSISTENTVOLUMES).update(next, { signal });
  }

  private async bindClaimToVolume(claim: PVCObject, volume: PVObject, signal: AbortSignal): Promise<PVCObject> {
    const next = structuredClone(claim) as MPVC;
    let dirty = false;
    const annotations = { ...next.metadata?.annotations };
    if (volume.metadata?.name !== claim.spec?.volumeName) {
      next.spec ??= {};
      next.spec.volumeName = volume.metadata?.name;
      annotations[ANN_BOUND_BY_CONTROLLER] ??= 'yes';
      dirty = true;
    }
    if (annotations[ANN_BIND_COMPLETED] === undefined) {
      annotations[ANN_BIND_COMPLETED] = 'yes';
      dirty = true;
    }
    if (!dirty) return claim;
    next.metadata!.annotations = annotations;
    return this.client.resource<PVCObject>(PERSISTENTVOLUMECLAIMS).update(next, { namespace: claim.metadata?.namespace, signal });
  }

  /** Upstream updateClaimStatus: phase, and access modes and capacity from the volume (cleared without one). */
  private async updateClaimStatus(claim: PVCObject, phase: ClaimPhase, volume: PVObject | undefined, signal: AbortSignal): Promise<PVCObject> {
    const next = structuredClone(claim) as MPVC;
    const status: DeepMutable<PersistentVolumeClaimStatus> = (next.status ??= {});
    let dirty = false;
    if (claim.status?.phase !== phase) {
      status.phase = phase;
      dirty = true;
    }
    if (!volume) {
      if (status.accessModes !== undefined) {
        delete status.accessModes;
        dirty = true;
      }
      if (status.capacity !== undefined) {
        delete status.capacity;
        dirty = true;
      }
    } else {
      const modes = volume.spec?.accessModes ?? [];
      if (JSON.stringify(claim.status?.accessModes ?? []) !== JSON.stringify(modes)) {
        status.accessModes = [...modes];
        dirty = true;
      }
      // Capacity is taken when the claim becomes Bound, never overwritten later (a resize may differ on purpose).
      if (claim.status?.phase !== phase) {
        if (volume.spec?.capacity?.storage === undefined) throw new Error(`PersistentVolume "${volume.metadata?.name ?? ''}" is without a storage capacity`);
        const have = claim.status?.capacity?.storage;
        if (have === undefined || storageOf(volume.spec.capacity).cmp(storageOf(claim.status?.capacity)) !== 0) {
          status.capacity = { ...volume.spec.capacity };
          dirty = true;
        }
      }
    }
    if (!dirty) return claim;
    return this.client.resource<PVCObject>(PERSISTENTVOLUMECLAIMS).updateStatus(next, { namespace: claim.metadata?.namespace, signal });
  }

  private async updateClaimStatusWithEvent(claim: PVCObject, phase: ClaimPhase, reason: string, message: string, signal: AbortSignal): Promise<void> {
    if (claim.status?.phase === phase) return;
    const updated = await this.updateClaimStatus(claim, phase, undefined, signal);
    this.recorder.event(updated, 'Warning', reason, message);
  }

  /** Upstream updateVolumePhase (with lastPhaseTransitionTime, GA in 1.31). */
  private async updateVolumePhase(volume: PVObject, phase: VolumePhase, message: string, signal: AbortSignal): Promise<PVObject> {
    if (volume.status?.phase === phase) return volume;
    const next = structuredClone(volume) as MPV;
    next.status = { ...next.status, phase, lastPhaseTransitionTime: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') };
    if (message) next.status.message = message;
    else delete next.status.message;
    return this.client.resource<PVObject>(PERSISTENTVOLUMES).updateStatus(next, { signal });
  }

  private async updateVolumePhaseWithEvent(volume: PVObject, phase: VolumePhase, reason: string, message: string, signal: AbortSignal): Promise<void> {
    if (volume.status?.phase === phase) return;
    const updated = await this.updateVolumePhase(volume, phase, message, signal);
    this.recorder.event(updated, 'Warning', reason, message);
  }
}

function claimKey(c: PVCObject): string {
  return `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
