// DaemonSet placement and pod helpers (upstream pkg/controller/daemon/util/daemonset_util.go and
// the NodeShouldRunDaemonPod predicates): which nodes a daemon pod belongs on — its nodeSelector
// and required node affinity match and it tolerates the node's NoSchedule/NoExecute taints — and
// the default tolerations and node-name affinity every daemon pod gets.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodTemplateSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import type { DeepMutable } from '../../util/mutable.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../shared/history.js';

export type DaemonSetObject = DaemonSet & KubeObject;
export type NodeObject = Node & KubeObject;

/** apps/v1 DaemonSetTemplateGenerationKey (label on pods) and the deprecated annotation on sets. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** metav1.ObjectNameField. */
const OBJECT_NAME_FIELD = 'metadata.name';

/** What every daemon pod tolerates (upstream AddOrUpdateDaemonPodTolerations). */
export function defaultDaemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/** Toleration.MatchToleration: same key, operator, value and effect. */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** The pod's tolerations with the daemon defaults added or replacing equal ones (AddOrUpdateTolerationInPodSpec). */
export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const d of defaultDaemonTolerations(hostNetwork)) {
    const i = out.findIndex((t) => sameToleration(t, d));
    if (i >= 0) out[i] = d;
    else out.push(d);
  }
  return out;
}

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

function hasUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[], filter: (t: Taint) => boolean): boolean {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return true;
  }
  return false;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One node selector term: every expression on labels and every field requirement holds; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) {
    if (r.key !== OBJECT_NAME_FIELD || (r.operator !== 'In' && r.operator !== 'NotIn') || (r.values ?? []).length !== 1) return false;
    if (!requirementMatches(r, node.metadata?.name ?? '')) return false;
  }
  return true;
}

/** Where a DaemonSet's pods may run, computed once per DaemonSet version (upstream NewPod + predicates). */
export interface Placement {
  nodeName: string | undefined;
  nodeSelector: Readonly<Record<string, string>>;
  requiredTerms: readonly NodeSelectorTerm[] | undefined;
  tolerations: readonly Toleration[];
}

const placements = new WeakMap<DaemonSet, Placement>();

export function placementOf(ds: DaemonSet): Placement {
  let p = placements.get(ds);
  if (!p) {
    const spec = ds.spec?.template?.spec;
    p = {
      nodeName: spec?.nodeName || undefined,
      nodeSelector: spec?.nodeSelector ?? {},
      requiredTerms: spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
      tolerations: withDaemonTolerations(spec?.tolerations, spec?.hostNetwork === true),
    };
    placements.set(ds, p);
  }
  return p;
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` — a daemon pod should be created on the node;
 * `shouldContinueRunning` — an existing one may stay (it tolerates the NoExecute taints even if
 * a NoSchedule taint now keeps new ones away).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const p = placementOf(ds);
  const name = node.metadata?.name ?? '';
  if (p.nodeName !== undefined && p.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(p.nodeSelector)) if (labels[k] !== v) return { shouldRun: false, shouldContinueRunning: false };
  if (p.requiredTerms !== undefined && !p.requiredTerms.some((t) => termMatches(t, node))) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  if (hasUntoleratedTaint(taints, p.tolerations, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule')) {
    return { shouldRun: false, shouldContinueRunning: !hasUntoleratedTaint(taints, p.tolerations, (t) => t.effect === 'NoExecute') };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * The affinity that pins a daemon pod to `nodeName` through the default scheduler (upstream
 * ReplaceDaemonSetPodNodeNameNodeAffinity): the required terms become one `metadata.name In
 * [node]` matchFields term; preferred terms and pod (anti-)affinity stay.
 */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const out = structuredClone(affinity ?? {}) as DeepMutable<Affinity>;
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term as DeepMutable<NodeSelectorTerm>] };
  return out as Affinity;
}

/** The node a daemon pod is for: spec.nodeName, else the single matchFields name term (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length !== 1) return undefined;
  for (const f of terms[0]!.matchFields ?? []) {
    if (f.key === OBJECT_NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** deprecated.daemonset.template.generation, when the set carries it. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The template daemon pods are created from: hash and generation labels, default tolerations (CreatePodTemplate). */
export function daemonPodTemplate(template: PodTemplateSpec | undefined, generation: number | undefined, hash: string): PodTemplateSpec {
  const t = structuredClone(template ?? {}) as DeepMutable<PodTemplateSpec>;
  t.metadata ??= {};
  const labels: Record<string, string> = { ...(t.metadata.labels ?? {}) };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  t.metadata.labels = labels;
  t.spec ??= { containers: [] };
  t.spec.tolerations = withDaemonTolerations(t.spec.tolerations as Toleration[] | undefined, t.spec.hostNetwork === true) as DeepMutable<Toleration>[];
  return t as PodTemplateSpec;
}

/** The pod runs the set's current template (IsPodUpdated: by hash, or by the legacy generation). */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[CONTROLLER_REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** Scheduled before unscheduled, then oldest first, then by name (podByCreationTimestampAndPhase). */
export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 0 : 1;
  const sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Per-key exponential back-off (client-go flowcontrol.Backoff): each `next` doubles the delay
 * from `initialMs` up to `maxMs`; an entry idle for twice the maximum starts over.
 */
export class Backoff {
  private readonly entries = new Map<string, { delay: number; last: number }>();
  private lastGC = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  get(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.last > 2 * this.maxMs) this.entries.set(key, { delay: this.initialMs, last: now });
    else {
      e.delay = Math.min(e.delay * 2, this.maxMs);
      e.last = now;
    }
  }

  /** Still waiting since the last `next`. */
  inBackoffSinceUpdate(key: string, now: number): boolean {
    const e = this.entries.get(key);
    return e !== undefined && now - e.last < e.delay;
  }

  /** Forgets entries idle for twice the maximum; cheap to call often. */
  gc(now: number): void {
    if (now - this.lastGC < 60_000) return;
    this.lastGC = now;
    for (const [k, e] of this.entries) if (now - e.last > 2 * this.maxMs) this.entries.delete(k);
  }
}
