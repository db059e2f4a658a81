// The taint eviction controller (upstream pkg/controller/tainteviction): pods on a node with
// NoExecute taints they do not tolerate are deleted at once; pods that tolerate them for
// tolerationSeconds are deleted once that long has passed since the taint was added.
// Level-triggered: each pod's sync recomputes its deadline from the cached node and pod and
// asks to be processed again at that time, so a taint (or pod) that goes away cancels the
// eviction simply by no longer being there.

import type { Node, ObjectReference, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/cache/informer.js';
import type { Interface } from '../../client/clientset.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import type { Logger } from '../../logging/index.js';
import { NODE_NAME_INDEX, ensureNodeNameIndex, objectKey } from '../shared/podutil.js';
import type { Controller, ControllerContext, SyncResult } from '../shared/types.js';
import { WorkerPool } from '../shared/workers.js';

export const NAME = 'taint-eviction-controller';

/** The pod index by spec.nodeName the node controllers share (upstream nodeNameKeyIndex). */

type NodeObject = Node & KubeObject;
type PodObject = Pod & KubeObject;

export function create(ctx: ControllerContext): Controller {
  return new TaintEvictionController(ctx);
}

export interface TaintEvictionControllerOptions {
  /** Concurrent pod syncs (upstream runs 8 workers). */
  workers?: number;
}

export class TaintEvictionController implements Controller {
  readonly name = NAME;
  private readonly client: Interface;
  private readonly pods: Lister<PodObject>;
  private readonly nodes: Lister<NodeObject>;
  private readonly pool: WorkerPool<string>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;
  /** When a NoExecute taint without timeAdded was first seen, by `node\0key\0value`. */
  private readonly firstSeen = new Map<string, number>();

  constructor(ctx: ControllerContext, opts: TaintEvictionControllerOptions = {}) {
    this.client = ctx.client;
    this.log = ctx.logger;
    this.now = ctx.now;
    this.recorder = ctx.recorder(NAME);
    this.pool = new WorkerPool<string>({ name: NAME, logger: ctx.logger, workers: opts.workers ?? 8, sync: (k, s) => this.sync(k, s) });
    const podInformer = ctx.informers.forResource<PodObject>(PODS);
    ensureNodeNameIndex(podInformer);
    const nodeInformer = ctx.informers.forResource<NodeObject>(NODES);
    this.pods = podInformer.lister();
    this.nodes = nodeInformer.lister();
    const enqueuePod = (p: PodObject): void => {
      if (p.spec?.nodeName && !p.metadata?.deletionTimestamp) this.pool.queue.add(objectKey(p));
    };
    podInformer.addEventHandler({
      onAdd: enqueuePod,
      onUpdate: (old, p) => {
        // Only a new node or changed tolerations can change the verdict.
        if (old === p || old.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations)) enqueuePod(p);
      },
    });
    const onNode = (old: NodeObject | undefined, n: NodeObject): void => {
      const taints = noExecuteTaints(n);
      const oldTaints = old ? noExecuteTaints(old) : [];
      this.forgetGoneTaints(n, taints);
      if (sameTaints(taints, oldTaints)) return;
      // Pods on a node whose NoExecute taints changed are re-evaluated (cancelled when gone).
      for (const p of this.pods.byIndex(NODE_NAME_INDEX, n.metadata?.name ?? '')) enqueuePod(p);
    };
    nodeInformer.addEventHandler({
      onAdd: (n) => onNode(undefined, n),
      onUpdate: (old, n) => onNode(old === n ? undefined : old, n),
      onDelete: (n) => this.forgetGoneTaints(n, []),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pool.start(signal);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Deletes pod `namespace/name` if its node's NoExecute taints say so now; else asks to come back at its deadline. */
  async sync(key: string, signal: AbortSignal): Promise<void | SyncResult> {
    const i = key.indexOf('/');
    const pod = this.pods.get(key.slice(0, i), key.slice(i + 1));
    if (!pod || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) return;
    const node = this.nodes.get(undefined, pod.spec.nodeName);
    if (!node) return;
    const taints = noExecuteTaints(node);
    if (!taints.length) return;
    const deadline = this.evictionTime(node, taints, pod.spec.tolerations ?? []);
    if (deadline === undefined) return;
    const now = this.now();
    if (deadline > now) return { requeueAfterMs: deadline - now };
    await this.evict(pod, signal);
  }

  /** When the pod must go: now for an untolerated taint, else the earliest taint start + its toleration; undefined = never. */
  private evictionTime(node: NodeObject, taints: Taint[], tolerations: readonly Toleration[]): number | undefined {
    let deadline: number | undefined;
    for (const t of taints) {
      const tol = tolerations.find((x) => toleratesTaint(x, t));
      if (!tol) return -Infinity;
      if (tol.tolerationSeconds === undefined || tol.tolerationSeconds === null) continue;
      const start = this.taintStart(node, t);
      const at = tol.tolerationSeconds <= 0 ? start : start + tol.tolerationSeconds * 1000;
      deadline = deadline === undefined ? at : Math.min(deadline, at);
    }
    return deadline;
  }

  private taintStart(node: NodeObject, t: Taint): number {
    const added = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
    if (!Number.isNaN(added)) return added;
    const k = taintKey(node, t);
    let seen = this.firstSeen.get(k);
    if (seen === undefined) this.firstSeen.set(k, (seen = this.now()));
    return seen;
  }

  private forgetGoneTaints(node: NodeObject, taints: Taint[]): void {
    if (!this.firstSeen.size) return;
    const keep = new Set(taints.map((t) => taintKey(node, t)));
    const prefix = `${node.metadata?.name ?? ''}\0`;
    for (const k of this.firstSeen.keys()) if (k.startsWith(prefix) && !keep.has(k)) this.firstSeen.delete(k);
  }

  /** Upstream addConditionAndDeletePod: DisruptionTarget condition, event, then a plain DELETE. */
  private async evict(pod: PodObject, signal: AbortSignal): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const ref: ObjectReference = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name, uid: pod.metadata?.uid };
    this.recorder.event(ref, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    const pods = this.client.resource<PodObject>(PODS);
    try {
      const condition = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
        lastTransitionTime: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      if (!pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
        await pods.patch(name, 'strategic', { status: { conditions: [condition] } }, { namespace: ns, subresource: 'status', signal });
      }
      await pods.delete(name, { namespace: ns, signal });
      this.log.info({ pod: `${ns}/${name}`, node: pod.spec?.nodeName }, 'deleted pod for NoExecute taint');
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }
}

function noExecuteTaints(n: Node): Taint[] {
  return (n.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

function sameTaints(a: Taint[], b: Taint[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, i) => t.key === b[i]!.key && t.value === b[i]!.value && t.effect === b[i]!.effect && t.timeAdded === b[i]!.timeAdded);
}

function taintKey(node: NodeObject, t: Taint): string {
  return `${node.metadata?.name ?? ''}\0${t.key}\0${t.value ?? ''}`;
}

/** Upstream Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? 'Equal') {
    case 'Equal':
    case '':
      return (tol.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}
