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

import { deepFreeze } from '../../util/freeze.js';
import type { RawWatchEvent } from './client.js';

/** Lines shorter than this (bookmarks, small objects) are parsed every time: cheap, and rarely shared. */
const MIN_SHARED_CHARS = 256;

export class WatchEventDecoder {
  /** Recently decoded lines, oldest first. Copies of a line arrive within moments of each other. */
  private readonly recent = new Map<string, RawWatchEvent>();

  constructor(private readonly capacity = 1024) {}

  /** The event of a watch line; throws SyntaxError for invalid JSON. */
  decode(line: string): RawWatchEvent {
    if (line.length < MIN_SHARED_CHARS) return JSON.parse(line) as RawWatchEvent;
    const seen = this.recent.get(line);
    if (seen) return seen;
    const ev = deepFreeze(JSON.parse(line) as RawWatchEvent);
    this.recent.set(line, ev);
    if (this.recent.size > this.capacity) this.recent.delete(this.recent.keys().next().value!);
    return ev;
  }

  get size(): number {
    return this.recent.size;
  }
}

/** One per thread: module state is per isolate. */
export const watchEvents = new WatchEventDecoder();
