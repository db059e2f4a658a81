// The reflector (client-go tools/cache/reflector.go): list, then watch from the list's
// resourceVersion, feeding a sink. A 410 Expired (as an answer or an ERROR event) makes it list
// again; other errors back off exponentially, then list again. Bookmarks advance the version.

import type { Logger } from '../../logging/index.js';
import type { KubeList, KubeObject, ResourceClient, WatchEvent } from '../rest/resource.js';
import { isAbortError, isResourceExpired } from '../rest/errors.js';

/** The two calls a reflector makes; ResourceClient provides them through listerWatcherFor. */
export interface ListerWatcher<T extends KubeObject> {
  list(opts: { resourceVersion?: string; limit?: number; continue?: string; signal: AbortSignal }): Promise<KubeList<T>>;
  watch(opts: { resourceVersion: string; allowWatchBookmarks: boolean; timeoutSeconds: number; signal: AbortSignal }): AsyncIterable<WatchEvent<T>>;
}

/** Where a reflector puts what it reads. Calls never overlap. */
export interface ReflectorSink<T extends KubeObject> {
  /** The full content after a list. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ListSelector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects without metadata.managedFields (ListOptions.trimManagedFields). */
  trimManagedFields?: boolean;
}

/** A ListerWatcher over a resource client, optionally restricted to a namespace or selectors. */
export function listerWatcherFor<T extends KubeObject>(client: ResourceClient<T>, sel: ListSelector = {}): ListerWatcher<T> {
  return {
    list: (o) => client.list({ ...sel, ...o }),
    watch: (o) => client.watch({ ...sel, ...o }),
  };
}

export interface ReflectorOptions {
  /** Name for logs: the resource. */
  name: string;
  logger: Logger;
  /** List page size; 0 lists in one request. Default 500. */
  pageSize?: number;
  /** First and longest error backoff, ms. Defaults 800 ms and 30 s (client-go). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Watch timeouts are drawn from [min, 2·min) seconds; default 300 (client-go minWatchTimeout). */
  minWatchTimeoutSeconds?: number;
}

export class Reflector<T extends KubeObject> {
  private lastRV = '';
  private readonly log: Logger;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions,
  ) {
    this.log = opts.logger.child({ reflector: opts.name });
  }

  /** The resourceVersion last seen (list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Lists and watches until `signal` aborts; never rejects for API or transport errors. */
  async run(signal: AbortSignal): Promise<void> {
    const initial = this.opts.initialBackoffMs ?? 800;
    const max = this.opts.maxBackoffMs ?? 30_000;
    let backoff = initial;
    while (!signal.aborted) {
      try {
        await this.list(signal);
        backoff = initial;
        await this.watchLoop(signal);
      } catch (e) {
        if (signal.aborted || isAbortError(e)) break;
        this.log.warn({ err: errText(e), backoffMs: backoff }, 'list and watch failed');
        await sleep(backoff, signal);
        backoff = Math.min(max, backoff * 2);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const pageSize = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.lw.list({ limit: pageSize || undefined, continue: cont, signal });
      items.push(...page.items);
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    this.sink.replace(items, rv);
    this.lastRV = rv;
  }

  /** Watches from lastRV again and again; returns when a fresh list is needed. */
  private async watchLoop(signal: AbortSignal): Promise<void> {
    const minTimeout = this.opts.minWatchTimeoutSeconds ?? 300;
    let quickEnds = 0;
    while (!signal.aborted) {
      const started = Date.now();
      let events = 0;
      try {
        const stream = this.lw.watch({
          resourceVersion: this.lastRV,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(minTimeout * (1 + Math.random())),
          signal,
        });
        for await (const ev of stream) {
          events++;
          this.handle(ev);
        }
      } catch (e) {
        if (signal.aborted || isAbortError(e)) return;
        if (isResourceExpired(e)) {
          this.log.debug({ resourceVersion: this.lastRV }, 'watch expired, listing again');
          return;
        }
        throw e;
      }
      // A stream that closes at once, again and again, must not spin.
      if (events === 0 && Date.now() - started < 1000) {
        quickEnds++;
        await sleep(Math.min(5000, 100 * 2 ** Math.min(quickEnds, 6)), signal);
      } else quickEnds = 0;
    }
  }

  private handle(ev: WatchEvent<T>): void {
    const rv = ev.object?.metadata?.resourceVersion;
    switch (ev.type) {
      case 'ADDED':
        this.sink.add(ev.object);
        break;
      case 'MODIFIED':
        this.sink.update(ev.object);
        break;
      case 'DELETED':
        this.sink.delete(ev.object);
        break;
      case 'BOOKMARK':
        break;
      default:
        this.log.warn({ type: (ev as { type: string }).type }, 'unknown watch event type');
        return;
    }
    if (rv) this.lastRV = rv;
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
