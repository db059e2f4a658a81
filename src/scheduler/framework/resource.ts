// Resource arithmetic on plain numbers (upstream framework.Resource): CPU in millicores, every
// other resource in its base unit. Quantity strings are parsed once and memoised, since the
// same few strings ("100m", "128Mi") repeat across thousands of pods and nodes.

import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../machinery/quantity.js';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Scoring defaults for containers without requests (upstream DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type QuantityMap = Readonly<Record<string, unknown>> | undefined;

const milliMemo = new Map<string, number>();
const valueMemo = new Map<string, number>();

/** Millicores of a CPU quantity (0 when malformed). */
export function milliValue(q: unknown): number {
  if (q === undefined || q === null) return 0;
  const s = String(q);
  let v = milliMemo.get(s);
  if (v === undefined) {
    v = Quantity.tryParse(s.trim())?.milliValue() ?? 0;
    if (milliMemo.size < 10_000) milliMemo.set(s, v);
  }
  return v;
}

/** Base units of a quantity, rounded up (0 when malformed). */
export function value(q: unknown): number {
  if (q === undefined || q === null) return 0;
  const s = String(q);
  let v = valueMemo.get(s);
  if (v === undefined) {
    v = Quantity.tryParse(s.trim())?.value() ?? 0;
    if (valueMemo.size < 10_000) valueMemo.set(s, v);
  }
  return v;
}

function quantityOf(name: string, q: unknown): number {
  return name === CPU ? milliValue(q) : value(q);
}

/** Resources counted by the scheduler. `scalar` holds extended and hugepages resources. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar: Map<string, number> | undefined;

  static from(list: QuantityMap): Resource {
    const r = new Resource();
    if (list) for (const [k, v] of Object.entries(list)) r.set(k, quantityOf(k, v));
    return r;
  }

  get(name: string): number {
    switch (name) {
      case CPU:
        return this.milliCPU;
      case MEMORY:
        return this.memory;
      case EPHEMERAL_STORAGE:
        return this.ephemeralStorage;
      case PODS:
        return this.allowedPodNumber;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  set(name: string, v: number): void {
    switch (name) {
      case CPU:
        this.milliCPU = v;
        break;
      case MEMORY:
        this.memory = v;
        break;
      case EPHEMERAL_STORAGE:
        this.ephemeralStorage = v;
        break;
      case PODS:
        this.allowedPodNumber = v;
        break;
      default:
        if (isScalarResourceName(name)) (this.scalar ??= new Map()).set(name, v);
    }
  }

  add(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) (this.scalar ??= new Map()).set(k, (this.scalar.get(k) ?? 0) + sign * v);
  }

  /** Each field to the larger of the two. */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    if (o.scalar) for (const [k, v] of o.scalar) (this.scalar ??= new Map()).set(k, Math.max(this.scalar.get(k) ?? 0, v));
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    if (this.scalar) r.scalar = new Map(this.scalar);
    return r;
  }

  isZero(): boolean {
    if (this.milliCPU || this.memory || this.ephemeralStorage) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v) return false;
    return true;
  }
}

/** Extended (`example.com/gpu`), hugepages-*, and attachable-volumes-* resources. */
export function isScalarResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || (name.includes('/') && !name.startsWith('kubernetes.io/'));
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.from(c.resources?.requests as QuantityMap);
  if (nonZero) {
    const req = c.resources?.requests as Record<string, unknown> | undefined;
    if (req?.[CPU] === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.[MEMORY] === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * What a pod asks for (upstream resourcehelper.PodRequests): the sum of its containers, raised to
 * the largest init container (plus the restartable "sidecar" init containers started before
 * it), sidecars counted with the containers, plus the pod overhead. `nonZero` fills missing CPU
 * and memory requests with the scoring defaults (100m, 200Mi) per container.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const reqs = new Resource();
  for (const c of pod.spec?.containers ?? []) reqs.add(containerRequests(c, nonZero));
  const restartable = new Resource();
  const initMax = new Resource();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      reqs.add(r);
      restartable.add(r);
    } else {
      const t = r.clone();
      t.add(restartable);
      initMax.setMax(t);
    }
  }
  reqs.setMax(initMax);
  const overhead = pod.spec?.overhead as QuantityMap;
  if (overhead) reqs.add(Resource.from(overhead));
  return reqs;
}
