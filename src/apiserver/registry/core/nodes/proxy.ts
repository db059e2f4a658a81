// nodes/proxy (upstream pkg/registry/core/node/rest ProxyREST + node ResourceLocation):
// `/api/v1/nodes/[scheme:]NAME[:PORT]/proxy/PATH` goes to the node's kubelet (no port, or the
// kubelet's port: HTTPS with the API server's kubelet client certificate), or to another port of
// the node's address (plain proxy transport, the scheme asked for).

import dns from 'node:dns/promises';
import net from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { newBadRequest } from '../../../../machinery/errors.js';
import type { SubresourceHandler } from '../../../endpoints/resource.js';
import type { GenericStore } from '../../generic/store.js';
import { kubeletLocation, type KubeletClientConfig } from '../../../proxy/kubelet.js';
import { isGlobalUnicast, proxyHTTP, proxyPath, splitSchemeNamePort, type ProxyTarget } from '../../../proxy/http.js';

export interface NodeProxyOptions {
  /** Which addresses a non-kubelet port may be proxied to (default upstream IsProxyableHostname: global unicast). */
  allowAddress?: (ip: string) => boolean;
  /** Resolves a node hostname to its addresses for that check (default DNS). */
  lookup?: (host: string) => Promise<string[]>;
}

async function dnsLookup(host: string): Promise<string[]> {
  return (await dns.lookup(host, { all: true })).map((a) => a.address);
}

/**
 * Where a node proxy request goes. Without `kubelet` only other ports can be reached (the kubelet
 * needs the client certificate).
 */
export async function nodeLocation(node: Node, id: { scheme: '' | 'http' | 'https'; port: string }, kubelet: KubeletClientConfig | undefined, opts: NodeProxyOptions = {}): Promise<ProxyTarget> {
  const loc = kubeletLocation(node, kubelet?.defaultPort);
  if (id.port === '' || id.port === String(loc.port)) {
    if (!kubelet) throw newBadRequest(`the API server has no kubelet client certificate: node "${node.metadata?.name ?? ''}" cannot be proxied to`);
    return { scheme: 'https', host: loc.host, port: loc.port, tls: { cert: kubelet.certPem, key: kubelet.keyPem, ca: kubelet.caPem } };
  }
  const allow = opts.allowAddress ?? isGlobalUnicast;
  const addrs = net.isIP(loc.host) ? [loc.host] : await (opts.lookup ?? dnsLookup)(loc.host).catch(() => []);
  if (addrs.length === 0) throw newBadRequest(`no addresses for hostname`);
  if (!addrs.every((a) => allow(a))) throw newBadRequest('address not allowed');
  if (!/^\d+$/.test(id.port) || Number(id.port) < 1 || Number(id.port) > 65535) throw newBadRequest(`invalid port ${JSON.stringify(id.port)}`);
  return { scheme: id.scheme || 'http', host: loc.host, port: Number(id.port) };
}

/** The nodes/proxy subresource handler (kubectl get --raw /api/v1/nodes/n1/proxy/stats/summary). */
export function nodeProxyHandler(nodes: GenericStore, kubelet: KubeletClientConfig | undefined, opts: NodeProxyOptions & { dialTimeoutMs?: number } = {}): SubresourceHandler {
  return {
    async handle(hc) {
      const id = splitSchemeNamePort(hc.ri.name);
      if (!id) throw newBadRequest(`invalid node request ${JSON.stringify(hc.ri.name)}`);
      const node = (await nodes.get({ ...hc.requestContext(false), namespace: undefined }, id.name)) as Node;
      const target = await nodeLocation(node, id, kubelet, opts);
      const { path, prefix } = proxyPath(hc.req.url ?? '/', hc.ri);
      await proxyHTTP(target, hc.req, hc.res, { path, prefix, dialTimeoutMs: opts.dialTimeoutMs ?? kubelet?.dialTimeoutMs });
    },
  };
}
