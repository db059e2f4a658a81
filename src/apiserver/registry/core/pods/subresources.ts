// Pod subresources served by the API server itself: binding (the scheduler's write), eviction
// (the disruption-budget-aware delete) and the streaming ones, served by the pod's kubelet.

import type { Pod as WirePod, Binding } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../../../util/mutable.js';
type Pod = DeepMutable<WirePod>;
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { StatusError, newBadRequest, newConflict, newInvalid, newNotFound, newServiceUnavailable, newTooManyRequests, type StatusCause } from '../../../../machinery/errors.js';
import { kubeletLocation, proxyKubeletUpgrade, streamKubeletGet, type KubeletClientConfig } from '../../../proxy/kubelet.js';
import { isGlobalUnicast, proxyHTTP, proxyPath, splitSchemeNamePort } from '../../../proxy/http.js';
import { selectorFromLabelSelector } from '../../../../machinery/labels.js';
import type { ApiObject } from '../../../../api/scheme.js';
import { type HandlerContext, type SubresourceHandler } from '../../../endpoints/resource.js';
import { parseBody, isPlainObject } from '../../../endpoints/codec.js';
import { writeBody, successStatus } from '../../../endpoints/response.js';
import type { GenericStore, RequestContext } from '../../generic/store.js';
import { nowTime } from '../../generic/store.js';

/** Assigns a pod to a node (upstream pkg/registry/core/pod/storage BindingREST.setPodHostAndAnnotations). */
export async function bindPod(pods: GenericStore, hc: HandlerContext, podName: string, binding: Binding): Promise<void> {
  const ctx = hc.requestContext(hc.query.getAll('dryRun').includes('All'));
  const target = binding.target?.name;
  if (!target) throw new StatusError(422, 'Invalid', `Binding "${podName}" is invalid: target.name: Required value`, { name: podName, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  if (binding.target?.kind && binding.target.kind !== 'Node') {
    throw new StatusError(422, 'Invalid', `Binding "${podName}" is invalid: target.kind: Unsupported value: "${binding.target.kind}": supported values: "Node"`, { name: podName, kind: 'Binding' });
  }
  await pods.update(
    ctx,
    podName,
    (current) => {
      if (!current) throw newNotFound({ group: '', resource: 'pods' }, podName);
      // The stored pod itself (maybe frozen): the bound pod is built from copies of what changes.
      const pod = current as Readonly<Pod>;
      if (pod.metadata?.deletionTimestamp) throw newConflict({ group: '', resource: 'pods/binding' }, podName, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw newConflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata?.uid) throw newConflict({ group: '', resource: 'pods/binding' }, podName, 'Precondition failed: UID mismatch');
      const added = binding.metadata?.annotations;
      const metadata = { ...pod.metadata, ...(added && Object.keys(added).length ? { annotations: { ...pod.metadata?.annotations, ...added } } : {}) };
      const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as undefined, lastTransitionTime: nowTime() });
      return { ...pod, metadata, spec: { ...pod.spec!, nodeName: target }, status: { ...(pod.status ?? {}), conditions: conds } } as ApiObject;
    },
    { bypassStrategy: 'binding', readsCurrentOnly: true },
  );
  writeBody(hc.res, 201, successStatus(), 'json');
}

export function podBindingHandler(pods: GenericStore): SubresourceHandler {
  return {
    async handle(hc) {
      if (hc.ri.verb !== 'create') throw new StatusError(405, 'MethodNotAllowed', `${hc.ri.verb} is not supported on resources of kind "pods/binding"`);
      const body = parseBody(await hc.readBody(), 'json');
      if (!isPlainObject(body)) throw newBadRequest('the body of a binding must be an object');
      await bindPod(pods, hc, hc.ri.name, body as Binding);
    },
  };
}

/** POST /api/v1/namespaces/{ns}/bindings (the older form: pod name in metadata.name). */
export async function handleBindingsResource(pods: GenericStore, hc: HandlerContext): Promise<void> {
  const body = parseBody(await hc.readBody(), 'json');
  if (!isPlainObject(body)) throw newBadRequest('the body of a binding must be an object');
  const name = (body as Binding).metadata?.name;
  if (!name) throw newBadRequest('metadata.name: Required value');
  await bindPod(pods, hc, name, body as Binding);
}

/**
 * Eviction (upstream pkg/registry/core/pod/storage/eviction.go): deletes the pod unless a
 * PodDisruptionBudget covering it allows no disruption (429).
 */
export function podEvictionHandler(pods: GenericStore, pdbs: GenericStore): SubresourceHandler {
  return {
    async handle(hc) {
      if (hc.ri.verb !== 'create') throw new StatusError(405, 'MethodNotAllowed', `${hc.ri.verb} is not supported on resources of kind "pods/eviction"`);
      const body = parseBody(await hc.readBody(), 'json');
      if (!isPlainObject(body)) throw newBadRequest('the body of an eviction must be an object');
      const ctx = hc.requestContext(Boolean(body.deleteOptions?.dryRun?.includes('All')) || hc.query.getAll('dryRun').includes('All'));
      const pod = (await pods.get(ctx, hc.ri.name)) as Pod;
      // Terminal or already-deleting pods are deleted without consulting budgets.
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.status?.phase === 'Pending';
      if (!terminal && !pod.metadata?.deletionTimestamp) {
        const list = await pdbs.list(ctx, {});
        const matching = (list.items as PodDisruptionBudget[]).filter((b) => {
          if (!b.spec?.selector) return false;
          const sel = selectorFromLabelSelector(b.spec.selector);
          return !sel.empty() && sel.matches(pod.metadata?.labels ?? {});
        });
        if (matching.length > 1) {
          throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
        }
        const pdb = matching[0];
        if (pdb) await checkAndDecrement(pdbs, ctx, pdb.metadata?.name ?? '', hc.ri.name);
      }
      await pods.delete(ctx, hc.ri.name, { ...(body.deleteOptions ?? {}) });
      writeBody(hc.res, 201, successStatus(), 'json');
    },
  };
}

/** Upstream MaxDisruptedPodSize: evictions the disruption controller has not confirmed yet. */
const MAX_DISRUPTED_PODS = 2000;

function budgetError(message: string, cause: string): StatusError {
  const err = newTooManyRequests(message, 0);
  err.details!.causes = [{ reason: 'DisruptionBudget', message: cause }];
  return err;
}

/**
 * Takes one disruption from the budget before the pod is deleted (upstream checkAndDecrement):
 * the budget must be up to date and allow a disruption; the pod is recorded in
 * status.disruptedPods and disruptionsAllowed goes down by one, under optimistic concurrency, so
 * concurrent evictions (kubectl drain) can never exceed the budget. A dry run changes nothing.
 */
async function checkAndDecrement(pdbs: GenericStore, ctx: RequestContext, pdbName: string, podName: string): Promise<void> {
  await pdbs.update(
    ctx,
    pdbName,
    (current) => {
      if (!current) throw new StatusError(404, 'NotFound', `poddisruptionbudgets.policy "${pdbName}" not found`, { name: pdbName, group: 'policy', kind: 'poddisruptionbudgets' });
      const pdb = structuredClone(current) as ApiObject & { status?: { observedGeneration?: number; disruptionsAllowed?: number; desiredHealthy?: number; currentHealthy?: number; disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; observedGeneration?: number }[] } };
      const status = (pdb.status ??= {});
      const generation = (pdb.metadata?.generation as number | undefined) ?? 0;
      if ((status.observedGeneration ?? 0) < generation) {
        throw budgetError("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${pdbName} is still being processed by the server.`);
      }
      const allowed = status.disruptionsAllowed ?? 0;
      if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
      if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
        throw new StatusError(403, 'Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
      }
      if (allowed === 0) {
        throw budgetError("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
      }
      status.disruptionsAllowed = allowed - 1;
      if (status.disruptionsAllowed === 0) {
        const now = nowTime();
        const conds = (status.conditions ??= []);
        const c = conds.find((x) => x.type === 'DisruptionAllowed');
        const next = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration };
        if (c) {
          if (c.status !== 'False') c.lastTransitionTime = now;
          Object.assign(c, next);
        } else conds.push({ ...next, lastTransitionTime: now });
      }
      status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: nowTime() };
      return pdb;
    },
    { subresource: 'status' },
  );
}

/** What each streaming subresource is called in the simulated-node error. */
const STREAM_NOUN: Record<StreamSubresource, string> = {
  log: 'logs are',
  exec: 'exec is',
  attach: 'attach is',
  portforward: 'port-forward is',
  proxy: 'proxy is',
};

export type StreamSubresource = 'log' | 'exec' | 'attach' | 'portforward' | 'proxy';

/**
 * logs/exec/attach/portforward reach the pod's kubelet (upstream pkg/registry/core/pod/rest
 * LogREST, ExecREST, AttachREST, PortForwardREST): the container is validated, the node found,
 * and the kubelet's answer streamed (logs) or the client's upgrade proxied to it byte for byte.
 * Pods on simulated nodes (annotation `k8ts.io/simulated: "true"`, read through `nodes`) have no
 * containers: a 400 says so. Without `kubelet` (no client certificate), a 503. pods/proxy is podProxyHandler.
 */
export function podStreamHandler(pods: GenericStore, what: StreamSubresource, nodes?: GenericStore, kubelet?: KubeletClientConfig): SubresourceHandler {
  if (what === 'proxy') return podProxyHandler(pods, { nodes });
  return {
    async handle(hc) {
      const ctx = hc.requestContext(false);
      const pod = (await pods.get(ctx, hc.ri.name)) as Pod;
      const name = hc.ri.name;
      const nodeName = pod.spec?.nodeName;
      const node = await podNode(pod, what, ctx, nodes);
      const q = hc.query;
      const ns = pod.metadata?.namespace ?? hc.ri.namespace ?? '';
      let kubeletPath: string;
      if (what === 'log') {
        const opts = podLogOptions(q, name);
        const container = validateContainer(q.get('container') ?? '', pod);
        // Upstream LogLocation: a pod without a node has no logs yet (an empty answer).
        if (!nodeName) {
          hc.res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
          hc.res.end();
          return;
        }
        kubeletPath = `/containerLogs/${enc(ns)}/${enc(name)}/${enc(container)}${opts}`;
      } else if (what === 'exec' || what === 'attach') {
        const command = q.getAll('command');
        if (what === 'exec' && command.length === 0) throw newBadRequest('you must specify at least 1 command');
        const container = validateContainer(q.get('container') ?? '', pod);
        if (!nodeName) throw newBadRequest(`pod ${name} does not have a host assigned`);
        // Upstream streamParams: the kubelet's flag names, set to 1.
        const params = new URLSearchParams();
        if (queryBool(q, 'stdin')) params.append('input', '1');
        if (queryBool(q, 'stdout')) params.append('output', '1');
        if (queryBool(q, 'stderr')) params.append('error', '1');
        if (queryBool(q, 'tty')) params.append('tty', '1');
        if (what === 'exec') for (const c of command) params.append('command', c);
        kubeletPath = `/${what}/${enc(ns)}/${enc(name)}/${enc(container)}${search(params)}`;
      } else if (what === 'portforward') {
        if (!nodeName) throw newBadRequest(`pod ${name} does not have a host assigned`);
        const ports: string[] = [];
        for (const p of q.getAll('ports').flatMap((v) => v.split(','))) {
          const n = Number(p);
          if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw newBadRequest(`invalid port ${JSON.stringify(p)}: must be between 1 and 65535`);
          ports.push(p);
        }
        const params = new URLSearchParams();
        if (ports.length) params.append('port', ports.join(','));
        kubeletPath = `/portForward/${enc(ns)}/${enc(name)}${search(params)}`;
      } else {
        throw newBadRequest(`unknown stream subresource ${String(what)}`);
      }
      if (!kubelet || !node) {
        throw new StatusError(503, 'ServiceUnavailable', `${what} is not available: the node agent on node "${nodeName!}" does not serve streams in this version of k8ts`);
      }
      const loc = kubeletLocation(node as Node, kubelet.defaultPort);
      if (what === 'log') await streamKubeletGet(kubelet, loc, kubeletPath, hc.res, { resource: 'pods/log', name });
      else await proxyKubeletUpgrade(kubelet, loc, kubeletPath, hc.req, hc.res);
    },
  };
}

/**
 * The pod's node, read cluster-scoped; a pod on a simulated node (annotation
 * `k8ts.io/simulated: "true"`) has no containers, which a 400 says. A node that is gone is
 * undefined, as is any node without an agent.
 */
async function podNode(pod: Pod, what: StreamSubresource, ctx: RequestContext, nodes: GenericStore | undefined): Promise<ApiObject | undefined> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName || !nodes) return undefined;
  let node: ApiObject | undefined;
  try {
    node = await nodes.get({ ...ctx, namespace: undefined }, nodeName);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
  if (node?.metadata?.annotations?.['k8ts.io/simulated'] === 'true') {
    throw newBadRequest(`pod "${pod.metadata?.name ?? ''}" runs on simulated node "${nodeName}": simulated nodes run no containers, so ${STREAM_NOUN[what]} not available`);
  }
  return node;
}

export interface PodProxyOptions {
  /** Nodes, to refuse pods on simulated nodes with a clear 400. */
  nodes?: GenericStore;
  /** Which pod IPs may be proxied to (default upstream's: global unicast only; tests allow loopback). */
  allowAddress?: (ip: string) => boolean;
  dialTimeoutMs?: number;
}

/**
 * pods/proxy (upstream pod ProxyREST + pod.ResourceLocation): `…/pods/[scheme:]NAME[:PORT]/proxy/PATH`
 * goes to the pod's primary IP. No port: the first declared container port, else the scheme's
 * default. A port may name a container port (k8ts resolves it; upstream passes the name to the
 * dialer). A pod without a proxyable IP answers 400 `address not allowed`; https backends are not
 * verified (upstream's proxy transport skips verification).
 */
export function podProxyHandler(pods: GenericStore, opts: PodProxyOptions = {}): SubresourceHandler {
  const allow = opts.allowAddress ?? isGlobalUnicast;
  return {
    async handle(hc) {
      const id = splitSchemeNamePort(hc.ri.name);
      if (!id) throw newBadRequest(`invalid pod request ${JSON.stringify(hc.ri.name)}`);
      const ctx = hc.requestContext(false);
      const pod = (await pods.get(ctx, id.name)) as Pod;
      await podNode(pod, 'proxy', ctx, opts.nodes);
      let port = id.port;
      if (port === '') {
        const first = (pod.spec?.containers ?? []).find((c) => (c.ports ?? []).length > 0);
        if (first) port = String(first.ports![0]!.containerPort);
      }
      const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '';
      if (!ip || !allow(ip)) throw newBadRequest('address not allowed');
      const scheme = id.scheme || 'http';
      let portNumber: number;
      if (port === '') portNumber = scheme === 'https' ? 443 : 80;
      else if (/^\d+$/.test(port)) portNumber = Number(port);
      else {
        const named = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].flatMap((c) => c.ports ?? []).find((p) => p.name === port);
        if (!named) throw newServiceUnavailable(`error trying to reach service: dial tcp: lookup tcp/${port}: unknown port`);
        portNumber = named.containerPort;
      }
      if (portNumber < 1 || portNumber > 65535) throw newServiceUnavailable(`error trying to reach service: dial tcp: address ${port}: invalid port`);
      const { path, prefix } = proxyPath(hc.req.url ?? '/', hc.ri);
      await proxyHTTP({ scheme, host: ip, port: portNumber }, hc.req, hc.res, { path, prefix, dialTimeoutMs: opts.dialTimeoutMs });
    },
  };
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function search(p: URLSearchParams): string {
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Query → bool as upstream's conversion does: absent false, `0`/`false` false, anything else true. */
function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw newBadRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/**
 * PodLogOptions from the query, validated as upstream ValidatePodLogOptions (422 Invalid), and
 * rendered as the kubelet's query (upstream LogLocation).
 */
export function podLogOptions(q: URLSearchParams, podName: string): string {
  const tailLines = queryInt(q, 'tailLines');
  const limitBytes = queryInt(q, 'limitBytes');
  const sinceSeconds = queryInt(q, 'sinceSeconds');
  const sinceTimeRaw = q.get('sinceTime');
  let sinceTime: string | undefined;
  if (sinceTimeRaw !== null) {
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(sinceTimeRaw) ? Date.parse(sinceTimeRaw) : NaN;
    if (Number.isNaN(ms)) throw newBadRequest(`parsing time ${JSON.stringify(sinceTimeRaw)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTimeRaw)} as RFC3339`);
    sinceTime = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  const causes: StatusCause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push({ reason: 'FieldValueInvalid', field: 'tailLines', message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ reason: 'FieldValueInvalid', field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceTime !== undefined) causes.push({ reason: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push({ reason: 'FieldValueInvalid', field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (causes.length) throw newInvalid({ group: '', kind: 'PodLogOptions' }, podName, causes);
  const p = new URLSearchParams();
  if (queryBool(q, 'follow')) p.append('follow', 'true');
  if (queryBool(q, 'previous')) p.append('previous', 'true');
  if (queryBool(q, 'timestamps')) p.append('timestamps', 'true');
  if (sinceSeconds !== undefined) p.append('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined) p.append('sinceTime', sinceTime);
  if (tailLines !== undefined) p.append('tailLines', String(tailLines));
  if (limitBytes !== undefined) p.append('limitBytes', String(limitBytes));
  return search(p);
}

/**
 * The container a stream addresses (upstream validateContainer): the named one must exist; with
 * none named, a pod's only container is chosen, otherwise the choices are listed (init,
 * regular, ephemeral, in that order, Go's `[a b]` form).
 */
export function validateContainer(container: string, pod: Pod): string {
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata?.name ?? '';
  if (!container) {
    const regular = spec?.containers ?? [];
    if (regular.length === 1) return regular[0]!.name;
    if (regular.length === 0) throw newBadRequest(`a container name must be specified for pod ${name}`);
    throw newBadRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw newBadRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

export { newNotFound };
