// Back-off between pod recreations after failures (upstream pkg/controller/job/backoff_utils.go):
// per Job, the number of failures since the last success and when the last one happened; the
// delay is 10 s doubled per further failure, capped, counted from the last failure.

import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { getPodCondition } from '../shared/podutil.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

const ms = (s: string | undefined): number | undefined => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/**
 * When a pod finished: the latest container finish (regular and sidecar containers, all
 * terminated), else the Ready=False transition, else deletionTimestamp less the grace period,
 * else its creation.
 */
export function finishedTime(p: Pod): number {
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let latest: number | undefined;
  let complete = true;
  const visit = (statuses: readonly ContainerStatus[] | undefined, only?: Set<string>): void => {
    for (const cs of statuses ?? []) {
      if (only && !only.has(cs.name)) continue;
      const t = ms(cs.state?.terminated?.finishedAt);
      if (t === undefined) {
        complete = false;
        return;
      }
      if (latest === undefined || t > latest) latest = t;
    }
  };
  visit(p.status?.containerStatuses);
  if (complete && sidecars.size > 0) visit(p.status?.initContainerStatuses, sidecars);
  if (complete && latest !== undefined) return latest;
  const ready = getPodCondition(p, 'Ready');
  const readyFalse = ready?.status === 'False' ? ms(ready.lastTransitionTime) : undefined;
  if (readyFalse !== undefined) return readyFalse;
  const deleted = ms(p.metadata?.deletionTimestamp);
  if (deleted !== undefined) return deleted - (p.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  return ms(p.metadata?.creationTimestamp) ?? 0;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record after counting newly finished pods; stored only by `update` once they are flushed. */
  newRecord(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const rec: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (newSucceeded.length === 0) {
      if (failedTimes.length === 0) return rec;
      rec.failuresAfterLastSuccess += failedTimes.length;
      rec.lastFailureTime = failedTimes[failedTimes.length - 1];
      return rec;
    }
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
    const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
    for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i]! > lastSuccess; i--) {
      rec.lastFailureTime ??= failedTimes[i];
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  update(rec: BackoffRecord): void {
    this.records.set(rec.key, rec);
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}

/** Milliseconds until a replacement pod may be created (0: now). */
export function remainingBackoff(rec: BackoffRecord, now: number, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let backoff = base;
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= max) {
      backoff = max;
      break;
    }
  }
  const elapsed = now - rec.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
