// The node IPAM controller with the range allocator (upstream pkg/controller/nodeipam,
// ipam/range_allocator.go): every node gets a pod CIDR carved from --cluster-cidr with
// --node-cidr-mask-size; ranges nodes already have are marked used at start; a deleted node's
// range goes back to the pool. The allocator state is a bitmap, so 5,000 nodes cost nothing.

import type { Node, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import type { Controller, ControllerContext } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';
import { CIDRSet, CIDRSetError } from './cidr-set.js';

export const NAME = 'node-ipam-controller';

/** Upstream's range allocator records as `cidrAllocator`. */
const EVENT_COMPONENT = 'cidrAllocator';

type NodeObject = Node & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new NodeIPAMController(ctx);
}

export interface NodeIPAMControllerOptions {
  /** Concurrent node syncs (upstream runs 30 CIDR update workers). */
  workers?: number;
}

export class NodeIPAMController implements Controller {
  readonly name = NAME;
  readonly cidrs: CIDRSet;
  private readonly client: Interface;
  private readonly nodes: Lister<NodeObject>;
  private readonly pool: WorkerPool<string>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  /** Node name → subnet index this controller reserved or saw on it. */
  private readonly owned = new Map<string, number>();

  constructor(ctx: ControllerContext, opts: NodeIPAMControllerOptions = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.recorder = ctx.recorder(EVENT_COMPONENT);
    this.cidrs = new CIDRSet(ctx.config.clusterCIDR, ctx.config.nodeCIDRMaskSize);
    // Upstream filterOutServiceRange: service addresses never become pod ranges.
    if (ctx.config.serviceCIDR && CIDRSet.overlaps(ctx.config.clusterCIDR, ctx.config.serviceCIDR)) this.cidrs.occupy(ctx.config.serviceCIDR);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 4, sync: (k, s) => this.sync(k, s) });
    const informer = ctx.informers.forResource<NodeObject>(NODES);
    this.nodes = informer.lister();
    const enqueue = (n: NodeObject): void => {
      if (n.metadata?.name) this.pool.queue.add(n.metadata.name);
    };
    informer.addEventHandler({
      onAdd: enqueue,
      // Only nodes that still need a range (or lost it) matter on update.
      onUpdate: (_old, n) => {
        if (!n.spec?.podCIDRs?.length) enqueue(n);
      },
      onDelete: enqueue,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.occupyExisting();
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Marks the ranges of every cached node as used (upstream does this before handling events). */
  occupyExisting(): void {
    for (const n of this.nodes.list()) this.occupyNode(n);
  }

  private occupyNode(node: NodeObject): void {
    const cidr = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
    const name = node.metadata?.name ?? '';
    if (!cidr) return;
    try {
      const { begin } = this.cidrs.indicesOf(cidr);
      this.cidrs.occupy(cidr);
      const prev = this.owned.get(name);
      if (prev !== undefined && prev !== begin) this.cidrs.releaseIndex(prev);
      this.owned.set(name, begin);
    } catch (e) {
      // A range outside the cluster CIDR (or garbage) cannot be tracked; upstream fails loudly at start.
      this.log.error({ node: name, cidr, err: e instanceof Error ? e.message : String(e) }, 'node pod CIDR is not in the cluster CIDR');
    }
  }

  async sync(name: string, signal: AbortSignal): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) {
      // Deleted: its range goes back to the pool.
      const idx = this.owned.get(name);
      if (idx !== undefined) {
        this.cidrs.releaseIndex(idx);
        this.owned.delete(name);
      }
      return;
    }
    if (node.spec?.podCIDRs?.length || node.spec?.podCIDR) {
      this.occupyNode(node);
      return;
    }
    // A range reserved earlier whose patch has not shown up in the cache yet is reused.
    let idx = this.owned.get(name);
    if (idx === undefined) {
      try {
        idx = this.cidrs.allocateNext();
      } catch (e) {
        if (e instanceof CIDRSetError && e.code === 'CIDRRangeFull') {
          recordNodeStatusChange(this.recorder, node, 'CIDRNotAvailable');
          throw new Error(`failed to allocate cidr from cluster cidr at idx:0: ${e.message}`, { cause: e });
        }
        throw e;
      }
      this.owned.set(name, idx);
    }
    const cidr = this.cidrs.cidrAt(idx);
    try {
      await this.client.resource<NodeObject>(NODES).patch(name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, { signal });
      this.log.info({ node: name, cidr }, 'set node PodCIDR');
    } catch (e) {
      // Release so the next attempt starts clean (upstream does the same unless the call timed out).
      this.cidrs.releaseIndex(idx);
      this.owned.delete(name);
      throw e;
    }
  }
}

/** Upstream nodeutil.RecordNodeStatusChange: a Normal event `<status>` "Node <name> status is now: <status>". */
function recordNodeStatusChange(recorder: EventRecorder, node: NodeObject, status: string): void {
  const ref: ObjectReference = { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name, uid: node.metadata?.uid };
  recorder.event(ref, 'Normal', status, `Node ${node.metadata?.name ?? ''} status is now: ${status}`);
}
