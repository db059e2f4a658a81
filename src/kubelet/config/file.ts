// The file pod source (upstream pkg/kubelet/config/file.go, file_linux.go): every non-hidden
// regular file in the static pod directory holds one Pod. The directory is read at start, on
// every change fs.watch reports (debounced) and periodically (upstream --file-check-frequency,
// 20 s), and the complete set of static pods is handed on whenever it changes (a SET update).
// Files that cannot be used are skipped and logged; the others still count.

import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import { CONFIG_SEEN_ANNOTATION, CONFIG_SOURCE_ANNOTATION, FILE_SOURCE } from '../util/pod.js';
import { MAX_CONFIG_LENGTH, decodeStaticPod } from './common.js';

export interface FileSourceOptions {
  /** The static pod directory (k3s: `<data-dir>/agent/pod-manifests`), or one manifest file. */
  path: string;
  nodeName: string;
  logger: Logger;
  /** Receives the complete set of static pods: at the first read, then whenever it changes. */
  onUpdate: (pods: Pod[]) => void;
  /** Periodic re-read, ms (default 20 000, upstream file-check-frequency). */
  periodMs?: number;
  /** Delay between a change notification and the re-read, ms (default 100). */
  debounceMs?: number;
  now?: () => number;
}

type State = 'new' | 'running' | 'closed';

export class FileSource {
  private readonly log: Logger;
  private readonly now: () => number;
  /** First-seen time per pod UID, so a pod keeps its config.seen annotation across reads. */
  private readonly seen = new Map<string, string>();
  private lastUIDs: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private state: State = 'new';
  private missingLogged = false;

  constructor(private readonly opts: FileSourceOptions) {
    this.log = opts.logger.child({ component: 'file-source', path: opts.path });
    this.now = opts.now ?? Date.now;
  }

  /** Reads the directory once (the first update is delivered before this resolves), then watches it. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`file source already ${this.state}`);
    this.state = 'running';
    if (signal.aborted) return this.close();
    signal.addEventListener('abort', () => void this.close(), { once: true });
    this.log.info({}, 'watching static pod path');
    await this.rescan();
    this.schedulePeriodic();
  }

  /** Stops watching; awaits a read in progress. Idempotent. */
  async close(): Promise<void> {
    this.state = 'closed';
    if (this.debounce) clearTimeout(this.debounce);
    if (this.periodic) clearTimeout(this.periodic);
    this.debounce = this.periodic = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.scanning;
  }

  /** Reads the path again now (serialized: a request during a read causes one more read). */
  rescan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.again = false;
          await this.scanOnce();
        } while (this.again && this.state !== 'closed');
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const pods = await this.readPath();
    if (this.state === 'closed' || pods === undefined) return;
    this.ensureWatch();
    const keep = new Set(pods.map((p) => p.metadata?.uid ?? ''));
    for (const uid of this.seen.keys()) if (!keep.has(uid)) this.seen.delete(uid);
    const stamped = pods.map((p) => this.stamp(p));
    const uids = stamped.map((p) => p.metadata?.uid ?? '').sort().join(',');
    if (uids === this.lastUIDs) return;
    this.lastUIDs = uids;
    this.opts.onUpdate(stamped);
  }

  /** The static pods under the path; undefined when it could not be read at all (keep the last set). */
  private async readPath(): Promise<Pod[] | undefined> {
    const path = this.opts.path;
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.error({ err: errText(err) }, 'unable to read static pod path');
        return undefined;
      }
      // Upstream: an empty set marks the source as seen; the path may appear later.
      if (!this.missingLogged) this.log.info({}, 'static pod path does not exist, ignoring');
      this.missingLogged = true;
      return [];
    }
    this.missingLogged = false;
    if (st.isFile()) {
      const pod = await this.extractFromFile(path);
      return pod ? [pod] : [];
    }
    if (!st.isDirectory()) {
      this.log.error({}, 'static pod path is not a directory or file');
      return undefined;
    }
    let names: string[];
    try {
      names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
    } catch (err) {
      this.log.error({ err: errText(err) }, 'unable to read static pod path');
      return undefined;
    }
    // Keyed by namespace/name as upstream's store: a later file with the same pod name wins.
    const byKey = new Map<string, Pod>();
    for (const name of names) {
      const file = join(path, name);
      let fst;
      try {
        fst = await stat(file);
      } catch (err) {
        this.log.error({ file, err: errText(err) }, "can't get metadata for manifest file");
        continue;
      }
      if (fst.isDirectory()) {
        this.log.error({ file }, 'not recursing into manifest path');
        continue;
      }
      if (!fst.isFile()) {
        this.log.error({ file }, 'manifest path is not a directory or file');
        continue;
      }
      const pod = await this.extractFromFile(file, fst.size);
      if (!pod) continue;
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      if (byKey.has(key)) this.log.warn({ file, pod: key }, 'static pod defined in more than one manifest file; the last one is used');
      byKey.set(key, pod);
    }
    return [...byKey.values()];
  }

  private async extractFromFile(file: string, size?: number): Promise<Pod | undefined> {
    try {
      if ((size ?? (await stat(file)).size) > MAX_CONFIG_LENGTH) throw new Error(`manifest file is larger than ${MAX_CONFIG_LENGTH} bytes`);
      const data = await readFile(file, 'utf8');
      return decodeStaticPod(data, file, this.opts.nodeName);
    } catch (err) {
      this.log.error({ file, err: errText(err) }, 'could not process manifest file');
      return undefined;
    }
  }

  /** Upstream PodConfig: the source annotation and the time the pod was first seen. */
  private stamp(pod: Pod): Pod {
    const uid = pod.metadata?.uid ?? '';
    let seen = this.seen.get(uid);
    if (seen === undefined) this.seen.set(uid, (seen = rfc3339Nano(this.now())));
    const p = structuredClone(pod) as DeepMutable<Pod>;
    p.metadata!.annotations = { ...p.metadata!.annotations, [CONFIG_SOURCE_ANNOTATION]: FILE_SOURCE, [CONFIG_SEEN_ANNOTATION]: seen };
    return p as Pod;
  }

  private ensureWatch(): void {
    if (this.watcher || this.state === 'closed') return;
    try {
      const w = watch(this.opts.path, { persistent: false }, () => this.changed());
      w.on('error', (err) => {
        // The directory went away (or the watch broke): the periodic read sets it up again.
        this.log.warn({ err: errText(err) }, 'watching the static pod path stopped');
        w.close();
        if (this.watcher === w) this.watcher = undefined;
        this.changed();
      });
      this.watcher = w;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err: errText(err) }, 'unable to watch the static pod path');
    }
  }

  private changed(): void {
    if (this.state !== 'running' || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.rescan().catch((err: unknown) => this.log.error({ err: errText(err) }, 'reading the static pod path failed'));
    }, this.opts.debounceMs ?? 100);
    this.debounce.unref?.();
  }

  private schedulePeriodic(): void {
    if (this.state !== 'running') return;
    this.periodic = setTimeout(() => {
      this.periodic = undefined;
      void this.rescan()
        .catch((err: unknown) => this.log.error({ err: errText(err) }, 'reading the static pod path failed'))
        .finally(() => this.schedulePeriodic());
    }, this.opts.periodMs ?? 20_000);
    this.periodic.unref?.();
  }
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const f = frac.replace(/0+$/, '');
    return f ? `.${f}Z` : 'Z';
  });
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
