// networking.k8s.io/v1 and discovery.k8s.io/v1 kinds: upstream printIngress, printIngressClass,
// printNetworkPolicy, printEndpointSlice.

import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Printer } from './types.js';
import { AGE, NAME, col } from './columns.js';
import { age, formatLabelSelector, listWithMore, name } from './format.js';
import { loadBalancerIngress } from './core.js';


/** Upstream formatHosts: the first three non-empty hosts, `*` for none, `+ N more...` counting all rules. */
export function formatHosts(rules: readonly { host?: string }[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  const all = rules ?? [];
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${all.length - max} more...` : ret;
}

export const ingressPrinter: Printer<Ingress> = {
  columns: [
    NAME,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE,
  ],
  cells: (obj, now) => [
    name(obj),
    obj.spec?.ingressClassName ?? '<none>',
    formatHosts(obj.spec?.rules),
    loadBalancerIngress(obj.status?.loadBalancer?.ingress),
    (obj.spec?.tls ?? []).length !== 0 ? '80, 443' : '80',
    age(obj, now),
  ],
};

export const ingressClassPrinter: Printer<IngressClass> = {
  columns: [
    NAME,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE,
  ],
  cells(obj, now) {
    const p = obj.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name}`;
    return [name(obj), obj.spec?.controller ?? '', parameters, age(obj, now)];
  },
};

export const networkPolicyPrinter: Printer<NetworkPolicy> = {
  columns: [NAME, col('Pod-Selector', 'string', 'networking/v1/NetworkPolicySpec.podSelector'), AGE],
  // The pod selector is required on the wire; an absent one is the empty selector.
  cells: (obj, now) => [name(obj), formatLabelSelector(obj.spec?.podSelector ?? {}), age(obj, now)],
};

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [
    NAME,
    col('AddressType', 'string', 'discovery/v1/EndpointSlice.addressType'),
    col('Ports', 'string', 'discovery/v1/EndpointSlice.ports'),
    col('Endpoints', 'string', 'discovery/v1/EndpointSlice.endpoints'),
    AGE,
  ],
  cells(obj, now) {
    const ports = (obj.ports ?? []).map((p) =>
      p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? p.name : '*',
    );
    const addresses: string[] = [];
    for (const ep of obj.endpoints ?? []) for (const a of ep.addresses ?? []) addresses.push(a);
    return [name(obj), obj.addressType ?? '', listWithMore(ports, 3), listWithMore(addresses, 3), age(obj, now)];
  },
};
