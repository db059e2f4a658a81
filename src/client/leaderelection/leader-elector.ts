// Leader election over a coordination.k8s.io/v1 Lease (client-go tools/leaderelection with
// the LeaseLock): candidates race to write their identity into the Lease; the holder renews
// it every retry period; the others take over once they have seen the same record unchanged
// for leaseDuration by their own clock (never by comparing the holder's timestamps, which
// may come from a skewed clock). Writes carry the resourceVersion read, so two candidates
// cannot both win a round.

import { setMaxListeners } from 'node:events';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Interface } from '../clientset.js';
import type { KubeObject } from '../rest/resource.js';
import { LEASES } from '../resources.js';
import { isNotFound } from '../rest/errors.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { sleep } from '../../util/sleep.js';

type LeaseObject = DeepMutable<Lease> & KubeObject;

/** The record stored in the Lease spec (client-go LeaderElectionRecord). */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

export interface LeaderElectorOptions {
  client: Interface;
  lease: { namespace: string; name: string };
  /** Unique per candidate (upstream: hostname + "_" + a UUID). */
  identity: string;
  /** How long non-leaders wait after the last observed change before taking over (15 s upstream). */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failed renewal before giving up (10 s upstream). */
  renewDeadlineMs?: number;
  /** Interval between attempts (2 s upstream). */
  retryPeriodMs?: number;
  /**
   * Called once leadership is acquired; `signal` aborts when it is lost or run() is stopped.
   * Runs concurrently with renewals; its promise is awaited before run() resolves.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /**
   * Called when leadership that was held ends (lost or stopped). Unlike client-go, it is not
   * called when run() stops without ever having led.
   */
  onStoppedLeading(): void;
  /** Called whenever a different holder is observed (including this candidate). */
  onNewLeader?(identity: string): void;
  /** Give the lease up (empty holder, 1 s duration) when run() is stopped (client-go ReleaseOnCancel). */
  releaseOnCancel?: boolean;
  /** Wall clock, ms (tests pin it). */
  now?: () => number;
  logger?: Logger;
}

/** client-go's JitterFactor for acquire retries. */
const JITTER_FACTOR = 1.2;

export class LeaderElectionError extends Error {
  readonly code = 'LeaderElectionError';
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionError';
  }
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw = '';
  /** Local time the observed record last changed. */
  private observedTime = 0;
  /** The Lease as last read or written (its resourceVersion guards the next write). */
  private lease: LeaseObject | undefined;
  private reportedLeader = '';

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.now = opts.now ?? Date.now;
    // client-go's NewLeaderElector validation.
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new LeaderElectionError('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new LeaderElectionError('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.retryPeriodMs < 1) throw new LeaderElectionError('retryPeriod must be greater than zero');
    if (!opts.identity) throw new LeaderElectionError('Lock identity is empty');
  }

  /** The identity of the last observed holder ('' when none). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  isLeader(): boolean {
    return this.observedRecord?.holderIdentity === this.opts.identity;
  }

  /**
   * Campaigns until leadership is acquired, then leads until it is lost or `signal` aborts.
   * Resolves when leadership ended (or `signal` aborted before it began).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leading = new AbortController();
    setMaxListeners(0, leading.signal);
    const onAbort = (): void => leading.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let work: Promise<void> = Promise.resolve();
    try {
      work = Promise.resolve()
        .then(() => this.opts.onStartedLeading(leading.signal))
        .catch((e: unknown) => {
          this.opts.logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'leader work failed');
        });
      await this.renew(leading.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leading.abort();
      if (this.opts.releaseOnCancel) await this.release();
      await work;
      this.opts.onStoppedLeading();
    }
  }

  /** Tries until this candidate holds the lease; false when `signal` aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) {
        this.opts.logger?.info({ lease: this.leaseName() }, 'successfully acquired lease');
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  /** Renews every retry period; returns when a renewal kept failing past renewDeadline or `signal` aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = this.now() + this.renewDeadlineMs;
      let renewed = await this.tryAcquireOrRenew(signal);
      while (!renewed && !signal.aborted && this.now() < deadline) {
        await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - this.now())), signal);
        if (signal.aborted || this.now() >= deadline) break;
        renewed = await this.tryAcquireOrRenew(signal);
      }
      if (signal.aborted) return;
      if (!renewed) {
        this.opts.logger?.info({ lease: this.leaseName() }, 'failed to renew lease');
        return;
      }
    }
  }

  /**
   * One round (client-go tryAcquireOrRenew): creates the Lease when missing, takes it when free
   * or expired, renews it when held. True when this candidate holds the lease afterwards.
   */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.now();
    const leases = this.opts.client.resource<LeaseObject>(LEASES);
    const { namespace, name } = this.opts.lease;
    const desired: LeaderElectionRecord = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };

    let current: LeaseObject;
    try {
      current = await leases.get(name, { namespace, signal });
    } catch (e) {
      if (!isNotFound(e)) {
        this.opts.logger?.warn({ lease: this.leaseName(), err: e instanceof Error ? e.message : String(e) }, 'error retrieving lease');
        return false;
      }
      try {
        this.lease = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: toSpec(desired) }, { namespace, signal });
      } catch (err) {
        this.opts.logger?.warn({ lease: this.leaseName(), err: err instanceof Error ? err.message : String(err) }, 'error initially creating lease');
        return false;
      }
      this.observe(desired, now);
      return true;
    }

    const old = fromSpec(current.spec);
    const raw = JSON.stringify(old);
    if (raw !== this.observedRaw) this.observe(old, now, raw);
    this.lease = current;

    // Held by someone else whose record changed less than a lease duration ago (by our clock).
    if (old.holderIdentity && this.observedTime + old.leaseDurationSeconds * 1000 > now && old.holderIdentity !== this.opts.identity) return false;

    if (old.holderIdentity === this.opts.identity) {
      desired.acquireTime = old.acquireTime;
      desired.leaseTransitions = old.leaseTransitions;
    } else {
      desired.leaseTransitions = old.leaseTransitions + 1;
    }
    try {
      this.lease = await leases.update({ ...current, spec: toSpec(desired) }, { namespace, signal });
    } catch (e) {
      this.opts.logger?.warn({ lease: this.leaseName(), err: e instanceof Error ? e.message : String(e) }, 'failed to update lease');
      return false;
    }
    this.observe(desired, now);
    return true;
  }

  /** Gives the lease up if held: empty holder, 1 s duration (client-go release). */
  async release(): Promise<boolean> {
    if (!this.isLeader() || !this.lease || !this.observedRecord) return true;
    const now = this.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: this.observedRecord.leaseTransitions,
    };
    try {
      this.lease = await this.opts.client.resource<LeaseObject>(LEASES).update({ ...this.lease, spec: toSpec(record) }, { namespace: this.opts.lease.namespace });
    } catch (e) {
      this.opts.logger?.warn({ lease: this.leaseName(), err: e instanceof Error ? e.message : String(e) }, 'failed to release lease');
      return false;
    }
    this.observe(record, now);
    return true;
  }

  private observe(record: LeaderElectionRecord, now: number, raw = JSON.stringify(record)): void {
    this.observedRecord = record;
    this.observedRaw = raw;
    this.observedTime = now;
    if (record.holderIdentity && record.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = record.holderIdentity;
      this.opts.onNewLeader?.(record.holderIdentity);
    }
  }

  private leaseName(): string {
    return `${this.opts.lease.namespace}/${this.opts.lease.name}`;
  }
}

/** metav1.MicroTime on the wire: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function fromSpec(spec: LeaseObject['spec']): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime,
    renewTime: spec?.renewTime,
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

function toSpec(r: LeaderElectionRecord): NonNullable<LeaseObject['spec']> {
  const spec: NonNullable<LeaseObject['spec']> = { holderIdentity: r.holderIdentity, leaseDurationSeconds: r.leaseDurationSeconds, leaseTransitions: r.leaseTransitions };
  if (r.acquireTime) spec.acquireTime = r.acquireTime;
  if (r.renewTime) spec.renewTime = r.renewTime;
  return spec;
}
