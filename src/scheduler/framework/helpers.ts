// Predicates several plugins share (upstream component-helpers: scheduling/corev1 taints,
// nodeaffinity; v1helper): tolerations, node selector terms, pod priority.

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** spec.priority, 0 when unset. */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** Toleration.ToleratesTaint */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint (with an effect accepted by `effects`) that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: (e: string) => boolean): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (!effects(taint.effect)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined, present: boolean): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return present && vals.includes(value!);
    case 'NotIn':
      return !present || !vals.includes(value!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present || vals.length !== 1) return false;
      const a = Number.parseInt(value!, 10);
      const b = Number.parseInt(vals[0]!, 10);
      if (!Number.isFinite(a) || !Number.isFinite(b) || String(a) !== value!.trim()) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A node selector term: all its label expressions and its field expressions (only metadata.name exists). An empty term matches nothing. */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) {
    const present = Object.prototype.hasOwnProperty.call(labels, r.key);
    if (!matchRequirement(r, labels[r.key], present)) return false;
  }
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (r.operator !== 'In' && r.operator !== 'NotIn') return false;
    if (!matchRequirement(r, node.metadata?.name ?? '', true)) return false;
  }
  return true;
}

/** Terms are ORed. */
export function matchNodeSelector(sel: NodeSelector, node: Node): boolean {
  for (const t of sel.nodeSelectorTerms ?? []) if (matchNodeSelectorTerm(t, node)) return true;
  return false;
}

/** The pod's nodeSelector and required node affinity both match (upstream GetRequiredNodeAffinity.Match). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req && !matchNodeSelector(req, node)) return false;
  return true;
}

/** Deleted or finished: such pods hold no resources for new ones to consider. */
export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
