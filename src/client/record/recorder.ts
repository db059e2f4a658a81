// Events for objects (client-go tools/record): a recorder per component hands events to a
// broadcaster that writes them asynchronously, correlating repeats as upstream's
// EventCorrelator does — an identical event (same source, object, type, reason, message)
// bumps `count` and `lastTimestamp` of the stored one instead of creating another, and more
// than ten similar events (same but for the message) in ten minutes are combined into one
// "(combined from similar events): …" event. `kubectl describe` shows these as `(x5 over 2m)`.

import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../clientset.js';
import type { KubeObject } from '../rest/resource.js';
import { EVENTS } from '../resources.js';
import { isNotFound } from '../rest/errors.js';
import type { Logger } from '../../logging/index.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** e.g. `replicaset-controller`, `default-scheduler`, `kubelet`. */
  component: string;
  /** The node, for node components. */
  host?: string;
}

export interface EventRecorder {
  /** Records an event about `obj` (an object or a reference); never throws, never blocks. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void;
}

export interface BroadcasterOptions {
  logger: Logger;
  /** Wall clock, ms since the epoch (tests pin it). */
  now?: () => number;
  /** Distinct events remembered for correlation (upstream's LRU holds 4096). */
  cacheSize?: number;
}

/** Similar events (all but the message equal): from this many distinct messages in the window on, they are combined. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
/** Writes waiting beyond this are dropped, as upstream's bounded channel does. */
const MAX_PENDING = 1000;
/** Event writes in flight at once (different events; repeats of one event go in order). */
const MAX_CONCURRENT = 8;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface Similar {
  messages: Set<string>;
  windowStart: number;
}

/** Builds an ObjectReference for an object (client-go reference.GetReference). */
export function referenceFor(obj: KubeObject | ObjectReference): ObjectReference {
  if (!('metadata' in obj) || obj.metadata === undefined) return obj as ObjectReference;
  const o = obj as KubeObject;
  const ref: ObjectReference = {
    kind: o.kind,
    apiVersion: o.apiVersion,
    name: o.metadata?.name,
    uid: o.metadata?.uid,
    resourceVersion: o.metadata?.resourceVersion,
  };
  if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
  return ref;
}

export class EventBroadcaster {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly cacheSize: number;
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, Similar>();
  /** Writes not yet finished, by correlation key: a key's writes go in order, keys in parallel. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly outstanding = new Set<Promise<void>>();
  private pending = 0;
  private active = 0;
  private readonly slots: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly client: Interface,
    opts: BroadcasterOptions,
  ) {
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  newRecorder(source: EventSource): EventRecorder {
    return { event: (obj, type, reason, message) => this.record(source, referenceFor(obj), type, reason, message) };
  }

  /** Resolves once every event recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.outstanding.size) await Promise.all(this.outstanding);
  }

  /** Stops accepting events and waits for the ones in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private record(source: EventSource, ref: ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.closed || !ref.name) return;
    if (this.pending >= MAX_PENDING) {
      this.log.warn({ reason, object: ref.name }, 'event dropped: too many events pending');
      return;
    }
    const now = this.now();
    const objKey = [source.component, source.host ?? '', ref.kind ?? '', ref.namespace ?? '', ref.name, ref.uid ?? '', ref.apiVersion ?? '', type, reason].join('\u0000');
    let sim = this.similar.get(objKey);
    if (!sim || now - sim.windowStart > AGGREGATE_WINDOW_MS) {
      sim = { messages: new Set(), windowStart: now };
      this.similar.set(objKey, sim);
    }
    sim.messages.add(message);
    this.trim(this.similar);
    // From the tenth distinct message on, every similar event is counted on one combined event.
    const combined = sim.messages.size >= AGGREGATE_MAX_EVENTS;
    if (combined) message = `(combined from similar events): ${message}`;
    const key = combined ? `${objKey}\u0000(combined)` : `${objKey}\u0000${message}`;
    this.pending++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const p: Promise<void> = prev
      .then(() => this.withSlot(() => this.write(key, source, ref, type, reason, message, now)))
      .catch((e: unknown) => this.log.warn({ err: e instanceof Error ? e.message : String(e), reason, object: ref.name }, 'could not write event'))
      .finally(() => {
        this.pending--;
        this.outstanding.delete(p);
        if (this.tails.get(key) === p) this.tails.delete(key);
      });
    this.tails.set(key, p);
    this.outstanding.add(p);
  }

  /** Runs `fn` once fewer than MAX_CONCURRENT writes are in flight. */
  private async withSlot(fn: () => Promise<void>): Promise<void> {
    if (this.active >= MAX_CONCURRENT) await new Promise<void>((r) => this.slots.push(r));
    this.active++;
    try {
      await fn();
    } finally {
      this.active--;
      this.slots.shift()?.();
    }
  }

  private async write(key: string, source: EventSource, ref: ObjectReference, type: EventType, reason: string, message: string, nowMs: number): Promise<void> {
    const ts = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const events = this.client.resource<Event & KubeObject>(EVENTS);
    const prior = this.seen.get(key);
    if (prior) {
      const count = prior.count + 1;
      try {
        await events.patch(prior.name, 'strategic', { count, lastTimestamp: ts, message }, { namespace: prior.namespace });
        prior.count = count;
        this.touch(key, prior);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.seen.delete(key);
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name}.${(BigInt(nowMs) * 1000000n + BigInt(this.seq++ % 1000000)).toString(16)}`;
    const event: Event & KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    await events.create(event, { namespace });
    this.touch(key, { name, namespace, count: 1, firstTimestamp: ts });
  }

  private seq = 0;

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    this.trim(this.seen);
  }

  private trim<V>(m: Map<string, V>): void {
    while (m.size > this.cacheSize) {
      const first = m.keys().next().value;
      if (first === undefined) break;
      m.delete(first);
    }
  }
}
