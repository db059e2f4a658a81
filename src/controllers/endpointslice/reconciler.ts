// The EndpointSlice reconciler (upstream staging k8s.io/endpointslice reconciler.go): compares
// the endpoints a service's pods call for with the slices that exist and changes as few slices
// as it can — endpoints are updated in place, emptied slices deleted, partial slices filled
// before new ones are created, and creates turned into updates of slices about to be deleted.

import type { Node } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { isNotFound } from '../../client/rest/errors.js';
import { ENDPOINTSLICES } from '../../client/resources.js';
import { isStatusError } from '../../machinery/errors.js';
import type { DeepMutable } from '../../util/mutable.js';
import { isPodReady } from '../shared/podutil.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_HEADLESS,
  findPort,
  formatRFC3339Nano,
  isIPv6,
  isServiceIPSet,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type PodObject,
  type ServiceObject,
} from '../shared/endpoints-util.js';

export type AddressType = 'IPv4' | 'IPv6';
export type SliceObject = EndpointSlice & KubeObject;
export type MutableSlice = DeepMutable<EndpointSlice> & KubeObject;
type MEndpoint = DeepMutable<Endpoint>;
type MPort = DeepMutable<EndpointPort>;

/** Upstream discovery.LabelServiceName / LabelManagedBy. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Upstream v1.LabelTopologyZone. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/**
 * Remembers the resourceVersion of every slice this controller wrote (upstream
 * EndpointSliceTracker, which uses generations), so a sync that sees an older cache waits for
 * it instead of acting on stale slices, and the informer events of our own writes cause no sync.
 */
export class EndpointSliceTracker {
  /** service key → slice uid → resourceVersion written, or DELETION_EXPECTED */
  private readonly byService = new Map<string, Map<string, number>>();
  private static readonly DELETION_EXPECTED = -1;

  private forSlice(slice: SliceObject, create: boolean): Map<string, number> | undefined {
    const key = `${slice.metadata?.namespace ?? ''}/${slice.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ''}`;
    let m = this.byService.get(key);
    if (!m && create) this.byService.set(key, (m = new Map()));
    return m;
  }

  has(slice: SliceObject): boolean {
    return this.forSlice(slice, false)?.has(slice.metadata?.uid ?? '') ?? false;
  }

  /** Whether an informer event about `slice` is news (not our own write). */
  shouldSync(slice: SliceObject): boolean {
    const m = this.forSlice(slice, false);
    const rv = m?.get(slice.metadata?.uid ?? '');
    return rv === undefined || rvOf(slice) > rv;
  }

  /** True when the cache lags behind our writes for this service. */
  staleSlices(service: ServiceObject, slices: readonly SliceObject[]): boolean {
    const m = this.byService.get(`${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`);
    if (!m) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      const uid = s.metadata?.uid ?? '';
      seen.add(uid);
      const rv = m.get(uid);
      if (rv !== undefined && (rv === EndpointSliceTracker.DELETION_EXPECTED || rv > rvOf(s))) return true;
    }
    for (const [uid, rv] of m) if (rv !== EndpointSliceTracker.DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  update(slice: SliceObject): void {
    this.forSlice(slice, true)!.set(slice.metadata?.uid ?? '', rvOf(slice));
  }

  expectDeletion(slice: SliceObject): void {
    this.forSlice(slice, true)!.set(slice.metadata?.uid ?? '', EndpointSliceTracker.DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; true when we expected the deletion. */
  handleDeletion(slice: SliceObject): boolean {
    const m = this.forSlice(slice, false);
    const uid = slice.metadata?.uid ?? '';
    const rv = m?.get(uid);
    m?.delete(uid);
    return rv === EndpointSliceTracker.DELETION_EXPECTED;
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
  }
}

function rvOf(o: KubeObject): number {
  const n = Number(o.metadata?.resourceVersion ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/** The address types a service wants slices of (upstream getAddressTypesForService). */
export function addressTypesForService(svc: ServiceObject): Set<AddressType> {
  const out = new Set<AddressType>();
  for (const f of svc.spec?.ipFamilies ?? []) {
    if (f === 'IPv4') out.add('IPv4');
    if (f === 'IPv6') out.add('IPv6');
  }
  if (out.size) return out;
  if (isServiceIPSet(svc)) return new Set([isIPv6(svc.spec!.clusterIP!) ? 'IPv6' : 'IPv4']);
  return new Set(['IPv4', 'IPv6']);
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? null, p.port ?? null, p.protocol ?? null, p.appProtocol ?? null]);
}

/** Identifies a set of ports regardless of order (upstream NewPortMapKey). */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return (ports ?? []).map(portKey).sort().join('|');
}

/** What identifies one endpoint across syncs (upstream hashEndpoint): addresses, hostname, target. */
function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Everything not in the key, target resourceVersion ignored (upstream EndpointsEqualBeyondHash). */
function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ta = a.targetRef;
  const tb = b.targetRef;
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    (ta === undefined) === (tb === undefined) &&
    (!ta || !tb || (ta.kind === tb.kind && ta.namespace === tb.namespace && ta.name === tb.name && ta.uid === tb.uid && ta.apiVersion === tb.apiVersion && ta.fieldPath === tb.fieldPath))
  );
}

function ownedBy(slice: SliceObject, svc: ServiceObject): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

function isReservedLabel(k: string): boolean {
  return k === LABEL_SERVICE_NAME || k === LABEL_MANAGED_BY || k === LABEL_HEADLESS;
}

/**
 * The labels a slice of `svc` carries: the service's own (reserved keys excepted), the headless
 * marker, the service name and the manager. `changed` reports whether the copied service labels
 * differ from the slice's (upstream setEndpointSliceLabels: the reserved ones do not count).
 */
export function sliceLabels(slice: SliceObject | undefined, svc: ServiceObject, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const have: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata?.labels ?? {})) if (!isReservedLabel(k)) have[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!isReservedLabel(k)) labels[k] = v;
  const hk = Object.keys(have);
  const changed = hk.length !== Object.keys(labels).length || hk.some((k) => have[k] !== labels[k]);
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = controllerName;
  return { labels, changed };
}

/** Ports of the service resolved against one pod (upstream getEndpointPorts). */
export function endpointPorts(svc: ServiceObject, pod: PodObject): MPort[] {
  const out: MPort[] = [];
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0 && svc.spec?.clusterIP === 'None') return out;
  for (const sp of ports) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const p: MPort = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** One pod as an endpoint of the given address type (upstream podToEndpoint). */
export function podToEndpoint(pod: PodObject, node: Node | undefined, svc: ServiceObject, addressType: AddressType): MEndpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  // Ready is never true for a terminating pod unless publishNotReadyAddresses says so.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip ?? '').filter(Boolean) : pod.status?.podIP ? [pod.status.podIP] : [];
  const ep: MEndpoint = {
    addresses: ips.filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
  return ep;
}

interface EndpointMeta {
  addressType: AddressType;
  ports: MPort[];
}

export interface ReconcilerOptions {
  client: Interface;
  nodes: Lister<Node & KubeObject>;
  /** Upstream --max-endpoints-per-slice (100). */
  maxEndpointsPerSlice: number;
  tracker: EndpointSliceTracker;
  /** The managed-by label value. */
  controllerName: string;
}

export class Reconciler {
  constructor(private readonly o: ReconcilerOptions) {}

  /** A new, empty slice of `svc` (upstream newEndpointSlice). */
  newSlice(svc: ServiceObject, meta: EndpointMeta): MutableSlice {
    const name = svc.metadata?.name ?? '';
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${name}-`.length <= 253 ? `${name}-` : name,
        namespace: svc.metadata?.namespace,
        labels: sliceLabels(undefined, svc, this.o.controllerName).labels,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      addressType: meta.addressType,
      endpoints: [],
      ports: meta.ports,
    };
  }

  /** Brings the slices of `svc` in line with `pods`; throws (an AggregateError) if anything failed. */
  async reconcile(svc: ServiceObject, pods: readonly PodObject[], existing: readonly SliceObject[], triggerTime: number, signal: AbortSignal): Promise<void> {
    const errs: Error[] = [];
    const types = addressTypesForService(svc);
    const toDelete: SliceObject[] = [];
    const byType = new Map<string, SliceObject[]>();
    for (const s of existing) {
      if (!types.has(s.addressType as AddressType)) {
        toDelete.push(s);
        continue;
      }
      const list = byType.get(s.addressType) ?? [];
      list.push(s);
      byType.set(s.addressType, list);
    }
    for (const t of types) {
      try {
        await this.reconcileByAddressType(svc, pods, byType.get(t) ?? [], triggerTime, t, signal);
      } catch (e) {
        errs.push(asError(e));
      }
    }
    for (const s of toDelete) {
      try {
        await this.deleteSlice(svc, s, signal);
      } catch (e) {
        errs.push(new Error(`error deleting ${s.metadata?.name ?? ''} EndpointSlice for Service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}: ${asError(e).message}`, { cause: e }));
      }
    }
    throwAll(errs);
  }

  private async deleteSlice(svc: ServiceObject, slice: SliceObject, signal: AbortSignal): Promise<void> {
    try {
      await this.o.client.resource(ENDPOINTSLICES).delete(slice.metadata?.name ?? '', { namespace: svc.metadata?.namespace, signal });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.o.tracker.expectDeletion(slice);
  }

  private async reconcileByAddressType(svc: ServiceObject, pods: readonly PodObject[], existing: readonly SliceObject[], triggerTime: number, addressType: AddressType, signal: AbortSignal): Promise<void> {
    const errs: Error[] = [];
    let toCreate: MutableSlice[] = [];
    const toUpdate: MutableSlice[] = [];
    const toDelete: SliceObject[] = [];

    const existingByPortMap = new Map<string, SliceObject[]>();
    for (const s of existing) {
      if (!ownedBy(s, svc)) {
        toDelete.push(s);
        continue;
      }
      const k = portMapKey(s.ports);
      const list = existingByPortMap.get(k) ?? [];
      list.push(s);
      existingByPortMap.set(k, list);
    }

    const desiredMeta = new Map<string, EndpointMeta>();
    const desiredByPortMap = new Map<string, Map<string, MEndpoint>>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(svc, pod);
      const k = portMapKey(ports);
      let set = desiredByPortMap.get(k);
      if (!set) {
        desiredByPortMap.set(k, (set = new Map()));
        desiredMeta.set(k, { addressType, ports });
      }
      const nodeName = pod.spec?.nodeName ?? '';
      const node = nodeName ? this.o.nodes.get(undefined, nodeName) : undefined;
      if (!node && svc.spec?.publishNotReadyAddresses !== true) {
        // Retried later; the slices are updated without this pod meanwhile (upstream does the same).
        errs.push(new Error(`skipping Pod ${pod.metadata?.name ?? ''} for Service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}: Node ${nodeName} Not Found`));
        continue;
      }
      const ep = podToEndpoint(pod, node, svc, addressType);
      if (ep.addresses.length > 0) set.set(endpointKey(ep), ep);
    }

    for (const [k, desired] of desiredByPortMap) {
      const r = this.reconcileByPortMapping(svc, existingByPortMap.get(k) ?? [], desired, desiredMeta.get(k)!);
      toCreate.push(...r.create);
      toUpdate.push(...r.update);
      toDelete.push(...r.remove);
    }
    for (const [k, slices] of existingByPortMap) if (!desiredByPortMap.has(k)) toDelete.push(...slices);

    // With no slices left, a placeholder without endpoints stands for the service.
    if (existing.length === toDelete.length && toCreate.length < 1) {
      const placeholder = this.newSlice(svc, { addressType, ports: [] });
      if (toDelete.length === 1 && isPlaceholderOf(toDelete[0]!, placeholder)) toDelete.length = 0;
      else toCreate.push(placeholder);
    }

    // Without topology-aware routing no endpoint carries hints (upstream RemoveHintsFromSlices).
    for (const s of [...toCreate, ...toUpdate]) for (const ep of s.endpoints) delete ep.hints;

    try {
      toCreate = await this.finalize(svc, toCreate, toUpdate, toDelete, triggerTime, signal);
    } catch (e) {
      errs.push(asError(e));
    }
    throwAll(errs);
  }

  /**
   * One group of slices with the same ports (upstream reconcileByPortMapping): 1. keep desired
   * endpoints where they are (updating changed ones), 2. fill the slices being updated anyway,
   * 3. put the rest into the unchanged slice closest to full, else new slices.
   */
  private reconcileByPortMapping(svc: ServiceObject, existing: readonly SliceObject[], desired: Map<string, MEndpoint>, meta: EndpointMeta): { create: MutableSlice[]; update: MutableSlice[]; remove: SliceObject[] } {
    const max = this.o.maxEndpointsPerSlice;
    const byName = new Map<string, MutableSlice | SliceObject>();
    const unchanged = new Set<string>();
    const update = new Set<string>();
    const remove = new Set<string>();
    for (const s of existing) {
      const name = s.metadata?.name ?? '';
      byName.set(name, s);
      const kept: MEndpoint[] = [];
      let endpointUpdated = false;
      for (const ep of s.endpoints ?? []) {
        const k = endpointKey(ep);
        const want = desired.get(k);
        if (!want) continue;
        kept.push(want);
        if (!endpointsEqualBeyondKey(want, ep)) endpointUpdated = true;
        desired.delete(k);
      }
      const { labels, changed } = sliceLabels(s, svc, this.o.controllerName);
      if (endpointUpdated || (s.endpoints ?? []).length !== kept.length) {
        if (kept.length === 0) remove.add(name);
        else {
          const copy = structuredClone(s) as MutableSlice;
          copy.endpoints = kept;
          copy.metadata!.labels = labels;
          byName.set(name, copy);
          update.add(name);
        }
      } else if (changed) {
        const copy = structuredClone(s) as MutableSlice;
        copy.metadata!.labels = labels;
        byName.set(name, copy);
        update.add(name);
      } else {
        unchanged.add(name);
      }
    }

    const pop = (): MEndpoint => {
      const [k, ep] = desired.entries().next().value as [string, MEndpoint];
      desired.delete(k);
      return ep;
    };

    // 2. Fill the slices that are written anyway, fullest first.
    if (desired.size > 0 && update.size > 0) {
      const slices = [...update].map((n) => byName.get(n) as MutableSlice).sort((a, b) => b.endpoints.length - a.endpoints.length);
      for (const s of slices) while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(pop());
    }

    // 3. The rest into the unchanged slice that ends closest to full, else new slices.
    const create: MutableSlice[] = [];
    while (desired.size > 0) {
      let fill: MutableSlice | undefined;
      if (desired.size < max && unchanged.size > 0) {
        const candidate = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
        if (candidate) {
          fill = structuredClone(candidate) as MutableSlice;
          byName.set(fill.metadata?.name ?? '', fill);
        }
      }
      fill ??= this.newSlice(svc, meta);
      while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(pop());
      const name = fill.metadata?.name;
      if (name) {
        update.add(name);
        unchanged.delete(name);
      } else {
        create.push(fill);
      }
    }
    return {
      create,
      update: [...update].map((n) => byName.get(n) as MutableSlice),
      remove: [...remove].map((n) => byName.get(n) as SliceObject),
    };
  }

  /** Writes the changes; returns the slices it created. */
  private async finalize(svc: ServiceObject, toCreate: MutableSlice[], toUpdate: MutableSlice[], toDelete: SliceObject[], triggerTime: number, signal: AbortSignal): Promise<MutableSlice[]> {
    // Creates become updates of slices that would be deleted (same owner and address type).
    for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
      const del = toDelete[i]!;
      const slice = toCreate[toCreate.length - 1]!;
      if (del.addressType === slice.addressType && ownedBy(del, svc)) {
        const meta = slice.metadata as DeepMutable<ObjectMeta>;
        meta.name = del.metadata?.name;
        delete meta.generateName;
        meta.resourceVersion = del.metadata?.resourceVersion;
        meta.uid = del.metadata?.uid;
        toCreate.pop();
        toUpdate.push(slice);
        toDelete.splice(i, 1);
      } else {
        i++;
      }
    }
    const namespace = svc.metadata?.namespace;
    const rc = this.o.client.resource<SliceObject>(ENDPOINTSLICES);
    const svcKey = `${namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    // No new slices for a service being deleted: the garbage collector is removing them.
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of toCreate) {
        setTriggerTime(s, triggerTime);
        try {
          this.o.tracker.update(await rc.create(s, { namespace, signal }));
        } catch (e) {
          if (isStatusError(e) && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return toCreate;
          throw new Error(`failed to create EndpointSlice for Service ${svcKey}: ${asError(e).message}`, { cause: e });
        }
      }
    }
    for (const s of toUpdate) {
      setTriggerTime(s, triggerTime);
      try {
        this.o.tracker.update(await rc.update(s, { namespace, signal }));
      } catch (e) {
        throw new Error(`failed to update ${s.metadata?.name ?? ''} EndpointSlice for Service ${svcKey}: ${asError(e).message}`, { cause: e });
      }
    }
    for (const s of toDelete) {
      try {
        await this.deleteSlice(svc, s, signal);
      } catch (e) {
        throw new Error(`failed to delete ${s.metadata?.name ?? ''} EndpointSlice for Service ${svcKey}: ${asError(e).message}`, { cause: e });
      }
    }
    return toCreate;
  }
}

/** The slice that is closest to full after taking `n` more endpoints, if any fits (upstream getSliceToFill). */
function sliceToFill(slices: readonly (MutableSlice | SliceObject)[], n: number, max: number): MutableSlice | SliceObject | undefined {
  let closest = max;
  let best: MutableSlice | SliceObject | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = s;
      if (diff === 0) return best;
    }
  }
  return best;
}

/** Namespace, labels, owners, address type, ports and endpoints as the placeholder has them. */
function isPlaceholderOf(slice: SliceObject, placeholder: MutableSlice): boolean {
  if (slice.metadata?.namespace !== placeholder.metadata?.namespace) return false;
  const a = slice.metadata?.labels ?? {};
  const b = placeholder.metadata?.labels ?? {};
  if (Object.keys(a).length !== Object.keys(b).length || Object.keys(a).some((k) => a[k] !== b[k])) return false;
  const oa = slice.metadata?.ownerReferences ?? [];
  const ob = placeholder.metadata?.ownerReferences ?? [];
  const ref = (o: (typeof oa)[number]) => JSON.stringify([o.apiVersion, o.kind, o.name, o.uid, o.controller ?? null, o.blockOwnerDeletion ?? null]);
  if (oa.length !== ob.length || oa.some((o, i) => ref(o) !== ref(ob[i]!))) return false;
  return slice.addressType === placeholder.addressType && (slice.ports ?? []).length === 0 && (slice.endpoints ?? []).length === 0;
}

function setTriggerTime(s: MutableSlice, triggerTime: number): void {
  const annotations: Record<string, string> = { ...s.metadata?.annotations };
  if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  if (Object.keys(annotations).length) s.metadata!.annotations = annotations;
  else delete s.metadata!.annotations;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function throwAll(errs: Error[]): void {
  if (errs.length === 1) throw errs[0];
  if (errs.length > 1) throw new AggregateError(errs, errs.map((e) => e.message).join(', '));
}
