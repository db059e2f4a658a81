// services/proxy (upstream pkg/registry/core/service/storage REST.ResourceLocation + ProxyREST):
// `…/services/[scheme:]NAME[:PORT]/proxy/PATH` goes to one ready address of the service's
// Endpoints that serves the port, chosen at random.

import type { Endpoints, EndpointAddress, Pod, Service } from 'kubernetes-types/core/v1.js';
import { StatusError, newBadRequest, newServiceUnavailable } from '../../../../machinery/errors.js';
import type { SubresourceHandler } from '../../../endpoints/resource.js';
import type { GenericStore, RequestContext } from '../../generic/store.js';
import { proxyHTTP, proxyPath, splitSchemeNamePort, type ProxyTarget } from '../../../proxy/http.js';

export interface ServiceProxyStores {
  services: GenericStore;
  endpoints: GenericStore;
  /** Endpoint addresses are checked against their pods (upstream isValidAddress). */
  pods: GenericStore;
}

export interface ServiceProxyOptions {
  /** Random source in [0, 1) for the choice of subset and address (default Math.random). */
  random?: () => number;
  dialTimeoutMs?: number;
}

/**
 * Where a service proxy request goes (upstream ResourceLocation): a port number is translated to
 * the service port's name (none: 503 `no service port N found`); subsets are searched from a random
 * one for a port of that name, addresses from a random one; an address counts only when its target
 * pod (same namespace) still has that IP. Nothing found: 503 `no endpoints available`.
 */
export async function serviceLocation(stores: ServiceProxyStores, ctx: RequestContext, id: string, random: () => number = Math.random): Promise<ProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw newBadRequest(`invalid service request ${JSON.stringify(id)}`);
  const { name } = parsed;
  let portName = parsed.port;
  if (/^[+-]?\d+$/.test(portName)) {
    const svc = (await stores.services.get(ctx, name)) as Service;
    const match = (svc.spec?.ports ?? []).find((p) => p.port === Number(portName));
    if (!match) throw newServiceUnavailable(`no service port ${Number(portName)} found for service ${JSON.stringify(name)}`);
    portName = match.name ?? '';
  }
  const eps = (await stores.endpoints.get(ctx, name)) as Endpoints;
  const subsets = eps.subsets ?? [];
  if (subsets.length === 0) throw newServiceUnavailable(`no endpoints available for service ${JSON.stringify(name)}`);
  const pick = (n: number): number => Math.min(n - 1, Math.floor(random() * n));
  const ssSeed = pick(subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(ssSeed + i) % subsets.length]!;
    const addresses = ss.addresses ?? [];
    if (addresses.length === 0) continue;
    for (const port of ss.ports ?? []) {
      if ((port.name ?? '') !== portName) continue;
      const addrSeed = pick(addresses.length);
      for (let t = 0; t < addresses.length; t++) {
        const addr = addresses[(addrSeed + t) % addresses.length]!;
        if (!(await isValidAddress(stores.pods, ctx, addr))) continue;
        return { scheme: parsed.scheme || 'http', host: addr.ip, port: port.port };
      }
    }
  }
  throw newServiceUnavailable(`no endpoints available for service ${JSON.stringify(id)}`);
}

/** Upstream isValidAddress: the address names a pod of the request's namespace that has this IP. */
async function isValidAddress(pods: GenericStore, ctx: RequestContext, addr: EndpointAddress): Promise<boolean> {
  const ref = addr.targetRef;
  if (!ref || (ref.kind !== undefined && ref.kind !== 'Pod') || !ref.name) return false;
  if ((ref.namespace ?? '') !== (ctx.namespace ?? '')) return false;
  let pod: Pod;
  try {
    pod = (await pods.get(ctx, ref.name)) as Pod;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return false;
    throw e;
  }
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.includes(addr.ip);
}

/** The services/proxy subresource handler. */
export function serviceProxyHandler(stores: ServiceProxyStores, opts: ServiceProxyOptions = {}): SubresourceHandler {
  return {
    async handle(hc) {
      const target = await serviceLocation(stores, hc.requestContext(false), hc.ri.name, opts.random);
      const { path, prefix } = proxyPath(hc.req.url ?? '/', hc.ri);
      await proxyHTTP(target, hc.req, hc.res, { path, prefix, dialTimeoutMs: opts.dialTimeoutMs });
    },
  };
}
