// The canonical layout of Endpoints subsets (upstream pkg/api/v1/endpoints RepackSubsets):
// addresses are grouped by the exact set of ports they serve, a not-ready address anywhere
// stays not ready, and everything is sorted so that equal content compares equal.

import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../util/mutable.js';

type Address = DeepMutable<EndpointAddress>;
type Port = DeepMutable<EndpointPort>;
export type Subset = DeepMutable<EndpointSubset>;

/** Stands for "no ports" so addresses of port-less headless services are kept (upstream's sentinel port -1). */
const NO_PORT = '\u0000';

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);
}

/** Upstream LessEndpointAddress: by IP bytes, then target UID (no target first). */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef ? (a.targetRef.uid ?? '') : undefined;
  const ub = b.targetRef ? (b.targetRef.uid ?? '') : undefined;
  if (ua === ub) return 0;
  if (ub === undefined) return 1;
  if (ua === undefined) return -1;
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function repackSubsets(subsets: readonly EndpointSubset[]): Subset[] {
  const allAddrs = new Map<string, Address>();
  // port key → (port, address key → ready)
  const byPort = new Map<string, { port: Port | undefined; addrs: Map<string, boolean> }>();
  const record = (addr: EndpointAddress, pk: string, port: Port | undefined, ready: boolean): void => {
    const ak = addressKey(addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, structuredClone(addr) as Address);
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, addrs: new Map() }));
    // Not ready always trumps ready.
    const was = entry.addrs.get(ak);
    if (was === undefined || was) entry.addrs.set(ak, ready);
  };
  for (const s of subsets) {
    const ports: (Port | undefined)[] = s.ports?.length ? s.ports.map((p) => structuredClone(p) as Port) : [undefined];
    for (const port of ports) {
      const pk = port ? portKey(port) : NO_PORT;
      for (const a of s.addresses ?? []) record(a, pk, port, true);
      for (const a of s.notReadyAddresses ?? []) record(a, pk, port, false);
    }
  }
  // Group the ports by the identical set of (address, ready) they map to.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: (Port | undefined)[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = [...addrs].map(([k, r]) => `${k}\u0000${r ? 1 : 0}`).sort().join('\u0001');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs, ports: [] }));
    g.ports.push(port);
  }
  const final: Subset[] = [];
  for (const { addrs, ports } of groups.values()) {
    const ready: Address[] = [];
    const notReady: Address[] = [];
    for (const [k, r] of addrs) (r ? ready : notReady).push(allAddrs.get(k)!);
    ready.sort(compareAddresses);
    notReady.sort(compareAddresses);
    const subset: Subset = {};
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    const real = ports.filter((p): p is Port => p !== undefined).sort((a, b) => cmpStr(portKey(a), portKey(b)));
    if (real.length) subset.ports = real;
    final.push(subset);
  }
  const keyed = final.map((s) => ({ s, k: JSON.stringify(s) }));
  keyed.sort((a, b) => cmpStr(a.k, b.k));
  return keyed.map((x) => x.s);
}
