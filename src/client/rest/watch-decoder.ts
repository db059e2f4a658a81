// Decoding watch events once per thread. The informers of the components that share a thread
// (the controller manager, the scheduler and the simulated nodes run on the components thread,
// each with its own client, as separate upstream processes would) watch the same resources, and
// the server encodes a watch line once per object version, so they receive the same bytes for
// each change. The first watcher's parse serves the others: each change is parsed, and held in
// their caches, once instead of three times.
//
// Shared events are frozen. Objects from an informer are read-only by contract (client-go's
// rule; controllers copy before they change anything), and a frozen one makes a violation throw
// where it happens instead of leaking into another component's cache.
//
// Watches may ask for objects without metadata.managedFields (what kube-controller-manager's and
// kube-scheduler's informers keep: nothing in them reads the field, and it is about a third of a
// pod). They are dropped before freezing, so they are neither frozen nor kept; lines decoded with
// and without them are remembered apart.

import { deepFreeze } from '../../util/freeze.js';
import type { RawWatchEvent } from './client.js';

/** Lines shorter than this (bookmarks, small objects) are parsed every time: cheap, and rarely shared. */
const MIN_SHARED_CHARS = 256;

/**
 * Removes metadata.managedFields from an object the caller owns (freshly parsed): metadata is
 * replaced by a copy without them, so both keep fast properties (a `delete` would not).
 */
export function trimManagedFields(obj: unknown): void {
  const o = obj as { metadata?: { managedFields?: unknown } } | null;
  const meta = o?.metadata;
  if (meta?.managedFields === undefined) return;
  const { managedFields: _dropped, ...rest } = meta;
  o!.metadata = rest;
}

export class WatchEventDecoder {
  /** Recently decoded lines, oldest first. Copies of a line arrive within moments of each other. */
  private readonly recent = new Map<string, RawWatchEvent>();
  /** The same, decoded without managedFields. */
  private readonly recentTrimmed = new Map<string, RawWatchEvent>();

  constructor(private readonly capacity = 1024) {}

  /** The event of a watch line, without managedFields if asked; throws SyntaxError for invalid JSON. */
  decode(line: string, withoutManagedFields = false): RawWatchEvent {
    if (line.length < MIN_SHARED_CHARS) return parse(line, withoutManagedFields);
    const recent = withoutManagedFields ? this.recentTrimmed : this.recent;
    const seen = recent.get(line);
    if (seen) return seen;
    const ev = deepFreeze(parse(line, withoutManagedFields));
    recent.set(line, ev);
    if (recent.size > this.capacity) recent.delete(recent.keys().next().value!);
    return ev;
  }

  get size(): number {
    return this.recent.size + this.recentTrimmed.size;
  }
}

function parse(line: string, withoutManagedFields: boolean): RawWatchEvent {
  const ev = JSON.parse(line) as RawWatchEvent;
  if (withoutManagedFields) trimManagedFields(ev.object);
  return ev;
}

/** One per thread: module state is per isolate. */
export const watchEvents = new WatchEventDecoder();
