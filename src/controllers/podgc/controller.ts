// The pod garbage collector (upstream pkg/controller/podgc/gc_controller.go). Every 20 s:
// terminated pods beyond --terminated-pod-gc-threshold are deleted oldest first; pods bound to
// a node that no longer exists are deleted once the node has stayed missing through a 40 s
// quarantine (checked against the API, not the cache); terminating pods never bound to a node
// and terminating pods on a NotReady node tainted out-of-service are force-deleted. Pods not
// yet terminal are marked Failed (with DisruptionTarget for orphans) before deletion.

import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { isPodTerminal } from '../shared/podutil.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { sleep } from '../../util/sleep.js';

export const NAME = 'pod-garbage-collector-controller';

/** Upstream gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;
/** Upstream quarantineTime: how long a node must stay missing before its pods go. */
export const QUARANTINE_MS = 40_000;
/** Pod deletions in flight at once. */
const DELETE_CONCURRENCY = 20;

const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

type NodeObject = Node & KubeObject;
type PodObject = Pod & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new PodGCController(ctx);
}

type State = 'new' | 'running' | 'closing' | 'closed';

export class PodGCController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly pods: Lister<PodObject>;
  private readonly nodes: Lister<NodeObject>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly threshold: number;
  /** Missing node name → when it was first found missing. */
  private readonly quarantine = new Map<string, number>();
  private state: State = 'new';
  private readonly ac = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.threshold = ctx.config.terminatedPodGCThreshold;
    this.pods = ctx.informers.forResource<PodObject>(PODS).lister();
    this.nodes = ctx.informers.forResource<NodeObject>(NODES).lister();
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    signal.addEventListener('abort', () => void this.close(), { once: true });
    this.loop = this.periodic(this.ac.signal);
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return this.loop;
    this.state = 'closing';
    this.ac.abort();
    await this.loop;
    this.state = 'closed';
  }

  private async periodic(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.gc(signal);
      } catch (e) {
        if (!signal.aborted) this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'pod GC pass failed');
      }
      await sleep(GC_CHECK_PERIOD_MS, signal);
    }
  }

  /** One pass over the cached pods and nodes (upstream gc()). */
  async gc(signal: AbortSignal): Promise<void> {
    const pods = this.pods.list();
    const failures: unknown[] = [];
    const run = async (list: PodObject[], condition?: PodCondition): Promise<void> => {
      failures.push(...(await this.deletePods(list, signal, condition)));
    };
    if (this.threshold > 0) await run(this.terminatedToDelete(pods));
    await run(this.terminatingOnOutOfServiceNodes(pods));
    await run(await this.orphaned(pods, signal), {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByPodGC',
      message: 'PodGC: node no longer exists',
    });
    await run(pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName));
    if (failures.length) throw new AggregateError(failures, `${failures.length} pod deletions failed`);
  }

  /** Terminated pods above the threshold, evicted first, then oldest first (upstream gcTerminated). */
  private terminatedToDelete(pods: PodObject[]): PodObject[] {
    const terminated = pods.filter((p) => isPodTerminal(p));
    const count = terminated.length - this.threshold;
    if (count <= 0) return [];
    terminated.sort((a, b) => {
      const ea = a.status?.reason === 'Evicted' ? 0 : 1;
      const eb = b.status?.reason === 'Evicted' ? 0 : 1;
      if (ea !== eb) return ea - eb;
      const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
      const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
      if (ta !== tb) return ta - tb;
      return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
    });
    this.log.info({ count, threshold: this.threshold }, 'garbage collecting terminated pods');
    return terminated.slice(0, count);
  }

  /** Terminating pods on NotReady nodes with the out-of-service taint (upstream gcTerminating). */
  private terminatingOnOutOfServiceNodes(pods: PodObject[]): PodObject[] {
    const out: PodObject[] = [];
    for (const p of pods) {
      if (!p.metadata?.deletionTimestamp || !p.spec?.nodeName) continue;
      const node = this.nodes.get(undefined, p.spec.nodeName);
      if (!node || isNodeReady(node)) continue;
      if (node.spec?.taints?.some((t) => t.key === OUT_OF_SERVICE_TAINT)) out.push(p);
    }
    return out;
  }

  /** Pods bound to nodes that stayed missing through the quarantine (upstream gcOrphaned). */
  private async orphaned(pods: PodObject[], signal: AbortSignal): Promise<PodObject[]> {
    const now = this.now();
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !missing.has(n) && !this.nodes.get(undefined, n)) missing.add(n);
    }
    for (const n of this.quarantine.keys()) if (!missing.has(n)) this.quarantine.delete(n);
    const deleted = new Set<string>();
    for (const n of missing) {
      const since = this.quarantine.get(n);
      if (since === undefined) {
        this.quarantine.set(n, now);
        continue;
      }
      if (now - since < QUARANTINE_MS) continue;
      // The cache may lag: ask the API server before deleting anything.
      try {
        await this.client.resource<NodeObject>(NODES).get(n, { signal });
        this.quarantine.delete(n);
      } catch (e) {
        if (isNotFound(e)) deleted.add(n);
        else this.log.warn({ node: n, err: e instanceof Error ? e.message : String(e) }, 'cannot check whether node exists');
      }
    }
    if (!deleted.size) return [];
    for (const n of deleted) this.quarantine.delete(n);
    return pods.filter((p) => p.spec?.nodeName && deleted.has(p.spec.nodeName));
  }

  /** Upstream markFailedAndDeletePodWithCondition for each pod, a bounded number at a time. */
  private async deletePods(pods: PodObject[], signal: AbortSignal, condition?: PodCondition): Promise<unknown[]> {
    const failures: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pods.length && !signal.aborted) {
        const p = pods[next++]!;
        try {
          await this.markFailedAndDelete(p, signal, condition);
        } catch (e) {
          if (!isNotFound(e)) failures.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, pods.length) }, worker));
    return failures;
  }

  private async markFailedAndDelete(pod: PodObject, signal: AbortSignal, condition?: PodCondition): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const client = this.client.resource<PodObject>(PODS);
    this.log.info({ pod: `${namespace}/${name}`, node: pod.spec?.nodeName }, 'garbage collecting pod');
    if (!isPodTerminal(pod)) {
      const status: Record<string, unknown> = { phase: 'Failed' };
      if (condition) status.conditions = [{ ...condition, lastTransitionTime: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') }];
      await client.patch(name, 'strategic', { status }, { namespace, subresource: 'status', signal });
    }
    await client.delete(name, { namespace, gracePeriodSeconds: 0, signal });
  }
}

function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
