// metrics.k8s.io/v1beta1 as metrics-server serves it, computed on request from the kubelets'
// /stats/summary: NodeMetrics for nodes, PodMetrics for running pods. Nodes that cannot be
// reached (and simulated nodes, which have no kubelet) have no metrics and are left out, as
// metrics-server leaves out nodes it failed to scrape.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import { StatusError, newBadRequest, newMethodNotSupported, newNotFound } from '../../machinery/errors.js';
import { parseFieldSelector, type FieldSelector } from '../../machinery/fields.js';
import { parseSelector, type Selector } from '../../machinery/labels.js';
import { Quantity } from '../../machinery/quantity.js';
import { writeBody, writeError, type Req, type Res } from '../endpoints/response.js';
import type { RequestInfo } from '../request-info.js';
import { METRICS_API_VERSION, METRICS_GROUP, type ContainerMetrics, type MetricsList, type MetricsSummary, type NodeMetrics, type PodMetrics, type ResourceUsage } from './types.js';

/** Nodes carrying this annotation are simulated: no kubelet, no metrics. */
export const ANNOTATION_SIMULATED = 'k8ts.io/simulated';
/** What metrics-server reports as the window of its samples here. */
export const METRICS_WINDOW = '10s';

export interface MetricsAPIOptions {
  /** Every Node (from the watch cache or storage). */
  listNodes(): Promise<readonly Node[]>;
  /** Every Pod of a namespace, or of all namespaces when undefined. */
  listPods(namespace: string | undefined): Promise<readonly Pod[]>;
  /** The node's kubelet /stats/summary (HTTPS with the API server's kubelet client certificate). */
  fetchSummary(node: Node, signal: AbortSignal): Promise<MetricsSummary>;
  logger: Logger;
  now?: () => number;
  /** A kubelet that has not answered in this long is left out (default 10 s, metrics-server's scrape timeout). */
  summaryTimeoutMs?: number;
  /** Summaries fetched at once (default 16). */
  maxConcurrentFetches?: number;
}

const NODE_METRICS = { group: METRICS_GROUP, resource: 'nodemetrics' };
const POD_METRICS = { group: METRICS_GROUP, resource: 'podmetrics' };

/** Quantities as metrics-server builds them: CPU from nanocores (DecimalSI), memory from bytes (BinarySI). */
export function usageOf(nanoCores: number, workingSetBytes: number): ResourceUsage {
  return {
    cpu: Quantity.fromScaled(Math.round(nanoCores), -9, 'DecimalSI').toString(),
    memory: Quantity.fromInt(Math.round(workingSetBytes), 'BinarySI').toString(),
  };
}

export function isSimulatedNode(node: Node): boolean {
  return node.metadata?.annotations?.[ANNOTATION_SIMULATED] === 'true';
}

export class MetricsAPI {
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: MetricsAPIOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ component: 'metrics-api' });
  }

  /** Whether a request is for this API (the lead routes these here before the resource handler). */
  static matches(ri: RequestInfo): boolean {
    return ri.isResourceRequest && ri.group === METRICS_GROUP;
  }

  /** Serves a request and writes the JSON answer or a Status error. */
  async handle(_req: Req, res: Res, ri: RequestInfo, query: URLSearchParams): Promise<void> {
    try {
      writeBody(res, 200, await this.serve(ri, query));
    } catch (e) {
      writeError(res, e);
    }
  }

  /** The object a request asks for; throws StatusError (404 unknown path or object, 405 other verbs, 400 bad selectors). */
  async serve(ri: RequestInfo, query: URLSearchParams): Promise<NodeMetrics | PodMetrics | MetricsList<NodeMetrics> | MetricsList<PodMetrics>> {
    const known = ri.version === 'v1beta1' && !ri.subresource && (ri.resource === 'nodes' ? ri.namespace === undefined : ri.resource === 'pods');
    if (!known || (ri.resource === 'pods' && ri.name && ri.namespace === undefined)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    if (ri.verb !== 'get' && ri.verb !== 'list') throw newMethodNotSupported({ group: METRICS_GROUP, resource: ri.resource }, ri.verb);
    const labels = parseLabels(query.get('labelSelector'));
    const fields = parseFields(query.get('fieldSelector'));
    if (ri.resource === 'nodes') return ri.name ? this.getNode(ri.name) : this.listNodes(labels, fields);
    return ri.name ? this.getPod(ri.namespace!, ri.name) : this.listPods(ri.namespace, labels, fields);
  }

  async listNodes(labels: Selector | undefined, fields: FieldSelector | undefined): Promise<MetricsList<NodeMetrics>> {
    const nodes = (await this.opts.listNodes())
      .filter((n) => (!labels || labels.matches(n.metadata?.labels ?? {})) && (!fields || fields.matches(metaFields(n))))
      .sort((a, b) => cmp(a.metadata?.name, b.metadata?.name));
    const summaries = await this.summaries(nodes);
    const items: NodeMetrics[] = [];
    for (const n of nodes) {
      const m = this.nodeMetrics(n, summaries.get(n.metadata?.name ?? ''));
      if (m) items.push(m);
    }
    return { kind: 'NodeMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items };
  }

  async getNode(name: string): Promise<NodeMetrics> {
    const node = (await this.opts.listNodes()).find((n) => n.metadata?.name === name);
    // The lister's own NotFound, as metrics-server returns it for an unknown node.
    if (!node) throw newNotFound({ group: '', resource: 'node' }, name);
    const m = this.nodeMetrics(node, (await this.summaries([node])).get(name));
    if (!m) throw newNotFound(NODE_METRICS, name);
    return m;
  }

  async listPods(namespace: string | undefined, labels: Selector | undefined, fields: FieldSelector | undefined): Promise<MetricsList<PodMetrics>> {
    const pods = (await this.opts.listPods(namespace))
      .filter((p) => (!labels || labels.matches(p.metadata?.labels ?? {})) && (!fields || fields.matches(metaFields(p))))
      // The order the API gives pods in: namespace, then name.
      .sort((a, b) => cmp(a.metadata?.namespace, b.metadata?.namespace) || cmp(a.metadata?.name, b.metadata?.name));
    return { kind: 'PodMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items: await this.podMetrics(pods) };
  }

  async getPod(namespace: string, name: string): Promise<PodMetrics> {
    const pod = (await this.opts.listPods(namespace)).find((p) => p.metadata?.name === name);
    if (!pod) throw newNotFound({ group: '', resource: 'pod' }, name);
    const [m] = await this.podMetrics([pod]);
    if (!m) throw newNotFound(POD_METRICS, `${namespace}/${name}`);
    return m;
  }

  private async podMetrics(pods: readonly Pod[]): Promise<PodMetrics[]> {
    const running = pods.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName);
    const nodeNames = new Set(running.map((p) => p.spec!.nodeName!));
    const nodes = nodeNames.size ? (await this.opts.listNodes()).filter((n) => nodeNames.has(n.metadata?.name ?? '')) : [];
    const summaries = await this.summaries(nodes);
    const byPod = new Map<string, { containers: ContainerMetrics[]; timestamp: string }>();
    for (const s of summaries.values()) {
      for (const ps of s.pods) {
        const m = containerMetrics(ps.containers);
        if (m) byPod.set(`${ps.podRef.namespace}/${ps.podRef.name}`, m);
      }
    }
    const created = rfc3339(this.now());
    const out: PodMetrics[] = [];
    for (const p of running) {
      const m = byPod.get(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`);
      if (!m) continue;
      const metadata: PodMetrics['metadata'] = { name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '', creationTimestamp: created };
      if (p.metadata?.labels) metadata.labels = { ...p.metadata.labels };
      out.push({ kind: 'PodMetrics', apiVersion: METRICS_API_VERSION, metadata, timestamp: m.timestamp, window: METRICS_WINDOW, containers: m.containers });
    }
    return out;
  }

  private nodeMetrics(node: Node, s: MetricsSummary | undefined): NodeMetrics | undefined {
    const cpu = s?.node.cpu;
    const mem = s?.node.memory;
    if (cpu?.usageNanoCores === undefined || mem?.workingSetBytes === undefined) return undefined;
    const metadata: NodeMetrics['metadata'] = { name: node.metadata?.name ?? '', creationTimestamp: rfc3339(this.now()) };
    if (node.metadata?.labels) metadata.labels = { ...node.metadata.labels };
    return { kind: 'NodeMetrics', apiVersion: METRICS_API_VERSION, metadata, timestamp: cpu.time, window: METRICS_WINDOW, usage: usageOf(cpu.usageNanoCores, mem.workingSetBytes) };
  }

  /** Summaries of the reachable, real nodes among `nodes`, by node name; failures are logged and left out. */
  private async summaries(nodes: readonly Node[]): Promise<Map<string, MetricsSummary>> {
    const out = new Map<string, MetricsSummary>();
    const todo = nodes.filter((n) => !isSimulatedNode(n) && n.metadata?.name);
    const limit = Math.max(1, this.opts.maxConcurrentFetches ?? 16);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const node = todo[next++]!;
        const name = node.metadata!.name!;
        // A referenced timer (AbortSignal.timeout's is not): the request stays alive until it ends.
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(new Error(`no summary from node ${name} within ${this.opts.summaryTimeoutMs ?? 10_000} ms`)), this.opts.summaryTimeoutMs ?? 10_000);
        try {
          out.set(name, await raceAbort(this.opts.fetchSummary(node, ac.signal), ac.signal));
        } catch (e) {
          this.log.warn({ node: name, err: e }, 'failed to fetch the node summary');
        } finally {
          clearTimeout(timer);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
    return out;
  }
}

/** Every container with both CPU rate and working set, or nothing (a pod with partial metrics is left out). */
function containerMetrics(containers: MetricsSummary['pods'][number]['containers']): { containers: ContainerMetrics[]; timestamp: string } | undefined {
  if (!containers.length) return undefined;
  const out: ContainerMetrics[] = [];
  let timestamp = '';
  for (const c of containers) {
    if (c.cpu?.usageNanoCores === undefined || c.memory?.workingSetBytes === undefined) return undefined;
    out.push({ name: c.name, usage: usageOf(c.cpu.usageNanoCores, c.memory.workingSetBytes) });
    if (c.cpu.time > timestamp) timestamp = c.cpu.time;
  }
  return { containers: out, timestamp };
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('summary request timed out'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function parseLabels(s: string | null): Selector | undefined {
  if (!s) return undefined;
  try {
    return parseSelector(s);
  } catch (e) {
    throw newBadRequest(e instanceof Error ? e.message : String(e));
  }
}

function parseFields(s: string | null): FieldSelector | undefined {
  if (!s) return undefined;
  try {
    return parseFieldSelector(s);
  } catch (e) {
    throw newBadRequest(e instanceof Error ? e.message : String(e));
  }
}

/** generic.AddObjectMetaFieldsSet with namespace: metadata.name and metadata.namespace. */
function metaFields(o: { metadata?: { name?: string; namespace?: string } }): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': o.metadata?.name ?? '' };
  if (o.metadata?.namespace !== undefined) f['metadata.namespace'] = o.metadata.namespace;
  return f;
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
