// Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): completion indexes of pods,
// and sets of indexes kept as ordered intervals, written compressed ("0-2,5,7,8").

import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../util/mutable.js';
import { compareForDeletion } from '../shared/podutil.js';

export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const UNKNOWN_INDEX = -1;
/** Upstream names.MaxGeneratedNameLength: 63 less the 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface Interval {
  first: number;
  last: number;
}

/** Disjoint, non-adjacent intervals in increasing order. */
export type Intervals = Interval[];

/** The pod's completion index from its annotation, or UNKNOWN_INDEX. */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return UNKNOWN_INDEX;
  const i = Number(v);
  return i < 0 || !Number.isSafeInteger(i) ? UNKNOWN_INDEX : i;
}

/** Merges increasing `indexes` into `iv` (upstream withOrderedIndexes). */
export function withOrderedIndexes(iv: Intervals, indexes: readonly number[]): Intervals {
  const out: Intervals = [];
  const push = (x: Interval): void => {
    const last = out[out.length - 1];
    if (!last || x.first > last.last + 1) out.push({ ...x });
    else if (last.last < x.last) last.last = x.last;
  };
  let i = 0;
  let j = 0;
  while (i < iv.length && j < indexes.length) {
    if (iv[i]!.first < indexes[j]!) push(iv[i++]!);
    else {
      push({ first: indexes[j]!, last: indexes[j]! });
      j++;
    }
  }
  while (i < iv.length) push(iv[i++]!);
  while (j < indexes.length) {
    push({ first: indexes[j]!, last: indexes[j]! });
    j++;
  }
  return out;
}

export function total(iv: Intervals): number {
  let n = 0;
  for (const x of iv) n += x.last - x.first + 1;
  return n;
}

export function has(iv: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = iv.length;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (iv[mid]!.last >= ix) hi = mid;
    else lo = mid + 1;
  }
  return hi < iv.length && iv[hi]!.first <= ix;
}

/** "0-2,5,7,8": two neighbours are written as a list, three or more as a range. */
export function formatIntervals(iv: Intervals): string {
  const parts: string[] = [];
  for (const x of iv) {
    if (x.last === x.first) parts.push(String(x.first));
    else if (x.last === x.first + 1) parts.push(`${x.first},${x.last}`);
    else parts.push(`${x.first}-${x.last}`);
  }
  return parts.join(',');
}

/** Parses a compressed index list, dropping corrupt parts and indexes ≥ completions. */
export function parseIntervals(s: string | undefined, completions: number): Intervals {
  const out: Intervals = [];
  if (!s) return out;
  const int = (x: string | undefined): number => (x !== undefined && /^[+-]?\d+$/.test(x) ? Number(x) : NaN);
  for (const part of s.split(',')) {
    const limits = part.split('-');
    const first = int(limits[0]);
    if (Number.isNaN(first)) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      last = int(limits[1]);
      if (Number.isNaN(last)) continue;
      if (last >= completions) last = completions - 1;
    }
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

/** Indexes of `pods` that have a valid one, increasing and without repeats. */
export function indexesOf(pods: readonly Pod[]): number[] {
  const set = new Set<number>();
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix !== UNKNOWN_INDEX) set.add(ix);
  }
  return [...set].sort((a, b) => a - b);
}

/** The first `count` indexes below `completions` covered by none of `nonPending`. */
export function firstPendingIndexes(nonPending: Intervals, count: number, completions: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  let candidate = 0;
  for (const iv of nonPending) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

export function byCompletionIndex(a: Pod, b: Pod): number {
  return completionIndex(a) - completionIndex(b);
}

/**
 * Active pods an Indexed Job must remove whatever its size (upstream
 * appendDuplicatedIndexPodsForRemoval): pods without an index or with one out of range, and all
 * but the best pod of a repeated index. Returns [remove, keep].
 */
export function duplicatedIndexPodsForRemoval<P extends Pod>(pods: readonly P[], completions: number): [P[], P[]] {
  const rm: P[] = [];
  const keep: P[] = [];
  const groups = new Map<number, P[]>();
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix === UNKNOWN_INDEX || ix >= completions) {
      rm.push(p);
      continue;
    }
    let g = groups.get(ix);
    if (!g) groups.set(ix, (g = []));
    g.push(p);
  }
  for (const ix of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(ix)!;
    if (g.length > 1) g.sort(compareForDeletion);
    rm.push(...g.slice(0, -1));
    keep.push(g[g.length - 1]!);
  }
  return [rm, keep];
}

/** Every container learns its index from the pod's label (PodIndexLabel is GA in v1.32). */
export function addCompletionIndexEnv(template: DeepMutable<PodTemplateSpec>): void {
  const spec = template.spec;
  if (!spec) return;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    c.env ??= [];
    if (c.env.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
    c.env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } } });
  }
}

/** `<job>-<index>-`, shortened so that the generated name stays within 63 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? jobName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}
