// Per-node counts of the pods a label selector (and namespace) picks, kept up to date by the
// cache as pods come and go, so plugins that count matching pods (PodTopologySpread,
// InterPodAffinity) read a number per node instead of walking every pod on every cycle.
// Upstream recounts in PreFilter/PreScore; the results are the same.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { nothing, type Selector } from '../../machinery/labels.js';
import type { AffinityTerm } from './types.js';

/** What an index counts: a pure function of the pod object (its namespace, labels, deletion). */
export type PodPredicate = (pod: Pod) => boolean;

/** A key that identifies a selector's meaning (Nothing and Everything both print ''). */
export function selectorKey(sel: Pick<Selector, 'toString'>): string {
  return sel === nothing() ? '\u2205' : `{${sel.toString()}}`;
}

export class PodCountIndex {
  /** Node name → pods on it that the predicate picks (only non-zero entries). */
  readonly counts = new Map<string, number>();
  /**
   * Topology key → domain value → matching pods on the existing nodes with that label value
   * (kept by the cache once asked for, through node label changes too).
   */
  readonly domains = new Map<string, Map<string, number>>();
  /** For least-recently-used eviction. */
  lastUsed = 0;

  constructor(
    readonly key: string,
    /** Only pods of this namespace are offered to the predicate; undefined = every namespace. */
    readonly namespace: string | undefined,
    readonly matches: PodPredicate,
  ) {}

  /** Pods on `nodeName` that match. */
  get(nodeName: string): number {
    return this.counts.get(nodeName) ?? 0;
  }

  bump(nodeName: string, d: number): void {
    const v = (this.counts.get(nodeName) ?? 0) + d;
    if (v <= 0) this.counts.delete(nodeName);
    else this.counts.set(nodeName, v);
  }

  /** Adds `d` to the domains of a node with these labels. */
  bumpDomains(labels: Readonly<Record<string, string>> | undefined, d: number): void {
    if (!labels) return;
    for (const [key, m] of this.domains) {
      const v = labels[key];
      if (v === undefined) continue;
      const n = (m.get(v) ?? 0) + d;
      if (n <= 0) m.delete(v);
      else m.set(v, n);
    }
  }
}

/** `topologyKey\0value`: one topology domain. */
export const topologyPairKey = (k: string, v: string): string => `${k}\u0000${v}`;

export type ExistingTermKind = 'requiredAffinity' | 'requiredAntiAffinity' | 'preferredAffinity' | 'preferredAntiAffinity';

/**
 * One (anti-)affinity term as written on placed pods (the same term on many pods, e.g. every
 * replica of a Deployment, is one group), with how many of those pods sit in each topology
 * domain of the term's key. Pods on nodes without the key, or on nodes that no longer exist,
 * are not counted.
 */
export class ExistingTermGroup {
  /** topologyPairKey → pods carrying the term there (only non-zero entries). */
  readonly pairs = new Map<string, number>();

  constructor(
    readonly kind: ExistingTermKind,
    /** The term of one of the pods (all are equal by `key`). */
    readonly term: AffinityTerm,
  ) {}

  bump(pair: string, d: number): void {
    const v = (this.pairs.get(pair) ?? 0) + d;
    if (v <= 0) this.pairs.delete(pair);
    else this.pairs.set(pair, v);
  }
}
