// VolumeBinding (upstream plugins/volumebinding): the pod's PersistentVolumeClaims must exist;
// bound claims restrict nodes by their PV's node affinity; unbound claims of an Immediate
// StorageClass make the pod wait for the PV controller; unbound WaitForFirstConsumer claims
// are matched to a static PV usable on the node, or left to the class's provisioner. In
// PreBind the choice is written (PV claimRef, or the PVC's selected-node annotation) and the
// binding cycle waits until the PV controller has bound every claim, as bindPodVolumes does.

import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Lister, SharedInformer } from '../../../client/cache/informer.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, STORAGECLASSES } from '../../../client/resources.js';
import { selectorFromLabelSelector } from '../../../machinery/labels.js';
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/interface.js';
import { matchNodeSelector } from '../../framework/helpers.js';
import { value } from '../../framework/resource.js';
import { Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** Upstream --bind-timeout-seconds default. */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

const STATE_KEY = `PreFilter${NAME}`;

type PVC = PersistentVolumeClaim & KubeObject;
type PV = PersistentVolume & KubeObject;
type SC = StorageClass & KubeObject;

interface PodVolumes {
  staticBindings: { pvc: PVC; pv: PV }[];
  provisions: PVC[];
}

class State {
  /** Chosen per node by Filter. */
  byNode = new Map<string, PodVolumes>();
  constructor(
    readonly bound: { pvc: PVC; pv: PV | undefined }[],
    readonly toBind: { pvc: PVC; sc: SC }[],
  ) {}
}

/** Names of the claims a pod uses (ephemeral volumes make `<pod>-<volume>` claims). */
export function podClaimNames(pod: Pod): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata?.name ?? ''}-${v.name}`, ephemeral: true });
  }
  return out;
}

function pvcKey(pvc: PVC): string {
  return `${pvc.metadata?.namespace ?? ''}/${pvc.metadata?.name ?? ''}`;
}

export interface VolumeBindingOptions {
  bindTimeoutMs?: number;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = NAME;
  private readonly pvcInformer: SharedInformer<PVC>;
  private readonly pvcs: Lister<PVC>;
  private readonly pvInformer: SharedInformer<PV>;
  private readonly pvs: Lister<PV>;
  private readonly classes: Lister<SC>;
  /** PVs promised to a claim by a pod in its binding cycle: pv name → `ns/claim`. */
  private readonly assumedPVs = new Map<string, string>();
  private readonly bindTimeoutMs: number;

  constructor(
    private readonly h: Handle,
    opts: VolumeBindingOptions = {},
  ) {
    this.pvcInformer = h.informers.forResource<PVC>(PERSISTENTVOLUMECLAIMS);
    this.pvcs = this.pvcInformer.lister();
    this.pvInformer = h.informers.forResource<PV>(PERSISTENTVOLUMES);
    this.pvs = this.pvInformer.lister();
    this.classes = h.informers.forResource<SC>(STORAGECLASSES).lister();
    this.bindTimeoutMs = opts.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS;
  }

  events(): readonly ClusterEvent[] {
    return ['PersistentVolumeClaimChange', 'PersistentVolumeChange', 'StorageClassChange', 'NodeAdd', 'NodeUpdate'];
  }

  preFilter(state: CycleState, pod: PodInfo): { status?: Status | null } {
    const claims = podClaimNames(pod.pod);
    if (claims.length === 0) return { status: Status.skip() };
    const ns = pod.pod.metadata?.namespace ?? '';
    const bound: State['bound'] = [];
    const toBind: State['toBind'] = [];
    let immediate = false;
    for (const c of claims) {
      const pvc = this.pvcs.get(ns, c.name);
      if (!pvc) {
        if (c.ephemeral) return { status: Status.unresolvable(`waiting for ephemeral volume controller to create the persistentvolumeclaim "${c.name}"`) };
        return { status: Status.unresolvable(`persistentvolumeclaim "${c.name}" not found`) };
      }
      if (pvc.metadata?.deletionTimestamp) return { status: Status.unresolvable(`persistentvolumeclaim "${c.name}" is being deleted`) };
      if (c.ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.uid)) {
        return { status: Status.unresolvable(`PVC ${ns}/${c.name} was not created for pod ${ns}/${pod.pod.metadata?.name ?? ''} (pod is not owner)`) };
      }
      if (pvc.spec?.volumeName) {
        bound.push({ pvc, pv: this.pvs.get(undefined, pvc.spec.volumeName) });
        continue;
      }
      const className = pvc.spec?.storageClassName ?? '';
      const sc = className ? this.classes.get(undefined, className) : undefined;
      if (!sc) {
        if (className) return { status: Status.unresolvable(`storageclass.storage.k8s.io "${className}" not found`) };
        immediate = true;
        continue;
      }
      if (sc.volumeBindingMode === 'WaitForFirstConsumer') toBind.push({ pvc, sc });
      else immediate = true;
    }
    if (immediate) return { status: Status.unresolvable(ERR_UNBOUND_IMMEDIATE) };
    state.write(STATE_KEY, new State(bound, toBind));
    return {};
  }

  filter(state: CycleState, _pod: PodInfo, ni: NodeInfo): Status | null {
    const s = state.read<State>(STATE_KEY);
    if (!s) return null;
    const node = ni.node;
    if (!node) return Status.error(new Error('node not found'));
    const reasons = new Set<string>();
    for (const { pv } of s.bound) {
      if (!pv) {
        reasons.add(ERR_REASON_PV_NOT_EXIST);
        continue;
      }
      const req = pv.spec?.nodeAffinity?.required;
      if (req && !matchNodeSelector(req, node)) reasons.add(ERR_REASON_NODE_CONFLICT);
    }
    const chosen: PodVolumes = { staticBindings: [], provisions: [] };
    if (s.toBind.length && reasons.size === 0) {
      const taken = new Set<string>();
      for (const { pvc, sc } of s.toBind) {
        const pv = this.findMatchingPV(pvc, node, taken);
        if (pv) {
          taken.add(pv.metadata?.name ?? '');
          chosen.staticBindings.push({ pvc, pv });
          continue;
        }
        if (!sc.provisioner || sc.provisioner === NO_PROVISIONER || !this.allowedTopology(sc, node)) {
          reasons.add(ERR_REASON_BIND_CONFLICT);
          break;
        }
        chosen.provisions.push(pvc);
      }
    }
    if (reasons.size) return Status.unresolvable(...reasons);
    s.byNode.set(ni.name, chosen);
    return null;
  }

  private allowedTopology(sc: SC, node: Parameters<typeof matchNodeSelector>[1]): boolean {
    const terms = sc.allowedTopologies ?? [];
    if (terms.length === 0) return true;
    const labels = node.metadata?.labels ?? {};
    return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(labels[e.key] ?? '\u0000')));
  }

  /** The smallest available PV of the claim's class that satisfies it and can be used on the node. */
  private findMatchingPV(pvc: PVC, node: Parameters<typeof matchNodeSelector>[1], taken: Set<string>): PV | undefined {
    const className = pvc.spec?.storageClassName ?? '';
    const want = value((pvc.spec?.resources?.requests as Record<string, unknown> | undefined)?.storage);
    const modes = pvc.spec?.accessModes ?? [];
    const mode = pvc.spec?.volumeMode ?? 'Filesystem';
    let sel: ReturnType<typeof selectorFromLabelSelector> | undefined;
    if (pvc.spec?.selector) {
      try {
        sel = selectorFromLabelSelector(pvc.spec.selector);
      } catch {
        return undefined;
      }
    }
    let best: PV | undefined;
    let bestSize = Infinity;
    for (const pv of this.pvs.list()) {
      const name = pv.metadata?.name ?? '';
      if (taken.has(name) || pv.metadata?.deletionTimestamp) continue;
      if ((pv.spec?.storageClassName ?? '') !== className) continue;
      const ref = pv.spec?.claimRef;
      const mine = ref && ref.namespace === pvc.metadata?.namespace && ref.name === pvc.metadata?.name && (!ref.uid || ref.uid === pvc.metadata?.uid);
      if (ref && !mine) continue;
      const assumedFor = this.assumedPVs.get(name);
      if (assumedFor && assumedFor !== pvcKey(pvc)) continue;
      if (!mine && pv.status?.phase && pv.status.phase !== 'Available') continue;
      if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
      const pvModes = pv.spec?.accessModes ?? [];
      if (!modes.every((m) => pvModes.includes(m))) continue;
      const size = value((pv.spec?.capacity as Record<string, unknown> | undefined)?.storage);
      if (size < want) continue;
      if (sel && !sel.matches(pv.metadata?.labels ?? {})) continue;
      const req = pv.spec?.nodeAffinity?.required;
      if (req && !matchNodeSelector(req, node)) continue;
      if (mine) return pv;
      if (size < bestSize) {
        best = pv;
        bestSize = size;
      }
    }
    return best;
  }

  reserve(state: CycleState, _pod: PodInfo, nodeName: string): Status | null {
    const s = state.read<State>(STATE_KEY);
    const chosen = s?.byNode.get(nodeName);
    if (!chosen) return null;
    for (const b of chosen.staticBindings) this.assumedPVs.set(b.pv.metadata?.name ?? '', pvcKey(b.pvc));
    return null;
  }

  unreserve(state: CycleState, _pod: PodInfo, nodeName: string): void {
    const chosen = state.read<State>(STATE_KEY)?.byNode.get(nodeName);
    if (!chosen) return;
    for (const b of chosen.staticBindings) {
      const n = b.pv.metadata?.name ?? '';
      if (this.assumedPVs.get(n) === pvcKey(b.pvc)) this.assumedPVs.delete(n);
    }
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
    const s = state.read<State>(STATE_KEY);
    const chosen = s?.byNode.get(nodeName);
    if (!s || !chosen || (chosen.staticBindings.length === 0 && chosen.provisions.length === 0)) return null;
    try {
      const pvClient = this.h.client.resource<PV>(PERSISTENTVOLUMES);
      const pvcClient = this.h.client.resource<PVC>(PERSISTENTVOLUMECLAIMS);
      for (const { pvc, pv } of chosen.staticBindings) {
        const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata?.namespace, name: pvc.metadata?.name, uid: pvc.metadata?.uid, resourceVersion: pvc.metadata?.resourceVersion };
        await pvClient.patch(pv.metadata?.name ?? '', 'merge', { spec: { claimRef } });
      }
      for (const pvc of chosen.provisions) {
        await pvcClient.patch(pvc.metadata?.name ?? '', 'merge', { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } }, { namespace: pvc.metadata?.namespace });
      }
      const claims = [...chosen.staticBindings.map((b) => b.pvc), ...chosen.provisions];
      await this.waitBound(claims, chosen.provisions, nodeName, signal);
      return null;
    } catch (e) {
      return Status.error(e);
    } finally {
      this.unreserve(state, pod, nodeName);
    }
  }

  /** Resolves once every claim is bound to a PV usable on the node; rejects on timeout or a failed provisioning. */
  private waitBound(claims: PVC[], provisioned: PVC[], nodeName: string, signal: AbortSignal): Promise<void> {
    const provisionedKeys = new Set(provisioned.map(pvcKey));
    const check = (): boolean => {
      for (const c of claims) {
        const cur = this.pvcs.get(c.metadata?.namespace, c.metadata?.name ?? '');
        if (!cur) throw new Error(`PVC ${pvcKey(c)} was deleted while binding`);
        if (!cur.spec?.volumeName) {
          // The informer may not have seen our annotation yet: only a newer version without it means the provisioner gave up.
          const stale = cur.metadata?.resourceVersion === c.metadata?.resourceVersion;
          if (provisionedKeys.has(pvcKey(c)) && !stale && !cur.metadata?.annotations?.[ANN_SELECTED_NODE]) {
            throw new Error(`provisioning failed for PVC "${cur.metadata?.name ?? ''}"`);
          }
          return false;
        }
        const pv = this.pvs.get(undefined, cur.spec.volumeName);
        if (!pv) return false;
        const node = this.h.nodes.get(nodeName)?.node;
        const req = pv.spec?.nodeAffinity?.required;
        if (node && req && !matchNodeSelector(req, node)) throw new Error(`pv "${cur.spec.volumeName}" node affinity doesn't match node "${nodeName}"`);
      }
      return true;
    };
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reg.remove();
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const recheck = (): void => {
        try {
          if (check()) finish();
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      };
      const onAbort = (): void => finish(new Error('scheduler stopped while binding volumes'));
      const timer = setTimeout(() => finish(new Error('binding volumes: context deadline exceeded')), this.bindTimeoutMs);
      timer.unref();
      const handler = { onUpdate: () => queueMicrotask(recheck), onAdd: (_o: unknown, initial: boolean) => initial || queueMicrotask(recheck) };
      const regs = [this.pvcInformer.addEventHandler(handler), this.pvInformer.addEventHandler(handler)];
      const reg = { remove: () => regs.forEach((r) => r.remove()) };
      signal.addEventListener('abort', onAbort, { once: true });
      recheck();
    });
  }
}

export function create(h: Handle, opts?: VolumeBindingOptions): VolumeBinding {
  return new VolumeBinding(h, opts);
}
