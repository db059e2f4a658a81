// Image garbage collection (upstream pkg/kubelet/images/image_gc_manager.go): remembers when each
// image was first seen and last used by a container, and when the image filesystem is fuller than
// the high threshold removes unused images, least recently used first, down to the low threshold.

import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { Logger } from '../../logging/index.js';
import type { ImageService, RuntimeService } from '../cri/service.js';
import type { Container, Image } from '../cri/types.js';
import { sleep } from '../../util/sleep.js';

/** Upstream kubelet defaults (KubeletConfiguration imageGC*, ImageGCPeriod). */
export const DEFAULT_HIGH_THRESHOLD_PERCENT = 85;
export const DEFAULT_LOW_THRESHOLD_PERCENT = 80;
export const DEFAULT_MIN_AGE_MS = 2 * 60 * 1000;
export const DEFAULT_GC_PERIOD_MS = 5 * 60 * 1000;

export interface ImageGCManagerOptions {
  images: Pick<ImageService, 'listImages' | 'removeImage' | 'imageFsInfo'>;
  runtime: Pick<RuntimeService, 'listContainers'>;
  /** Events go to the node, as upstream's nodeRef. */
  recorder: EventRecorder;
  nodeRef: { kind: 'Node'; name: string; uid?: string };
  logger: Logger;
  /** Milliseconds since the epoch. */
  now?: () => number;
  highThresholdPercent?: number;
  lowThresholdPercent?: number;
  /** Images first seen less than this long ago are kept (ImageMinimumGCAge). */
  minAgeMs?: number;
  /** Time between passes of the `start` loop (ImageGCPeriod). */
  periodMs?: number;
  /** Extra images never removed (the sandbox image); images the CRI marks pinned are always kept. */
  pinned?: (image: Image) => boolean;
  /** Size of the filesystem holding images, in bytes. */
  capacityBytes: () => Promise<number>;
  /**
   * Free bytes on that filesystem (statfs), as upstream reads them; without it, capacity minus
   * the bytes images use (right when the filesystem holds nothing else).
   */
  availableBytes?: () => Promise<number>;
}

interface ImageRecord {
  firstDetected: number;
  /** 0 until a container is seen using the image. */
  lastUsed: number;
  size: number;
  pinned: boolean;
}

interface EvictionCandidate extends ImageRecord {
  id: string;
}

export class ImageGCManager {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly high: number;
  private readonly low: number;
  private readonly minAgeMs: number;
  private readonly periodMs: number;
  private readonly records = new Map<string, ImageRecord>();
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly opts: ImageGCManagerOptions) {
    this.log = opts.logger.child({ component: 'image-gc' });
    this.now = opts.now ?? Date.now;
    this.high = opts.highThresholdPercent ?? DEFAULT_HIGH_THRESHOLD_PERCENT;
    this.low = opts.lowThresholdPercent ?? DEFAULT_LOW_THRESHOLD_PERCENT;
    this.minAgeMs = opts.minAgeMs ?? DEFAULT_MIN_AGE_MS;
    this.periodMs = opts.periodMs ?? DEFAULT_GC_PERIOD_MS;
    // Upstream's validation of the policy (NewImageGCManager).
    if (this.high < 0 || this.high > 100) throw new RangeError(`invalid HighThresholdPercent ${this.high}, must be in range [0-100]`);
    if (this.low < 0 || this.low > 100) throw new RangeError(`invalid LowThresholdPercent ${this.low}, must be in range [0-100]`);
    if (this.low > this.high) throw new RangeError(`LowThresholdPercent ${this.low} can not be higher than HighThresholdPercent ${this.high}`);
  }

  /**
   * Runs a pass now and then every period until `signal` aborts or `close()`. Images present at
   * the first detection count as detected long ago (upstream: an initial detection time of
   * "unknown in the past"), so a restarted kubelet does not wait out the minimum age again.
   * A failed pass is logged; a failure repeated on the next pass also records ImageGCFailed.
   */
  start(signal: AbortSignal): void {
    if (this.running || this.stop.signal.aborted) return;
    const done = AbortSignal.any([signal, this.stop.signal]);
    this.running = (async () => {
      try {
        await this.detectImages(0);
      } catch (err) {
        this.log.info({ err: errText(err) }, 'Failed to monitor images');
      }
      let prevFailed = false;
      while (!done.aborted) {
        try {
          await this.garbageCollect();
          if (prevFailed) this.log.info('Image garbage collection succeeded');
          prevFailed = false;
        } catch (err) {
          if (done.aborted) break;
          if (prevFailed) {
            this.log.error({ err: errText(err) }, 'Image garbage collection failed multiple times in a row');
            // Only repeated failures make an event (upstream kubelet StartGarbageCollection).
            this.opts.recorder.event(this.nodeRef(), 'Warning', 'ImageGCFailed', errText(err));
          } else {
            this.log.error({ err: errText(err) }, 'Image garbage collection failed once. Stats initialization may not have completed yet');
          }
          prevFailed = true;
        }
        await sleep(this.periodMs, done);
      }
    })();
  }

  /** Stops the loop and waits for a pass in flight; idempotent. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  /**
   * One pass: when image filesystem usage is at or above the high threshold, removes unused,
   * unpinned images old enough, least recently used first, until usage would reach the low
   * threshold. Throws (after recording FreeDiskSpaceFailed) when not enough could be freed.
   */
  async garbageCollect(): Promise<void> {
    const freeTime = this.now();
    const candidates = await this.imagesInEvictionOrder(freeTime);

    const capacity = await this.opts.capacityBytes();
    if (!(capacity > 0)) {
      const err = new Error(`invalid capacity ${capacity} on image filesystem`);
      this.opts.recorder.event(this.nodeRef(), 'Warning', 'InvalidDiskCapacity', err.message);
      throw err;
    }
    let available: number;
    if (this.opts.availableBytes) {
      available = Math.max(0, Math.min(capacity, await this.opts.availableBytes()));
    } else {
      const fs = await this.opts.images.imageFsInfo();
      let used = 0;
      for (const f of fs.imageFilesystems) used += f.usedBytes?.value ?? 0;
      available = Math.max(0, capacity - used);
    }

    // Upstream's integer arithmetic: usage rounds up, the target is the low threshold.
    const usagePercent = 100 - Math.floor((available * 100) / capacity);
    if (usagePercent < this.high) return;
    const amountToFree = Math.floor((capacity * (100 - this.low)) / 100) - available;
    this.log.info(
      { usage: usagePercent, highThreshold: this.high, amountToFree, lowThreshold: this.low },
      'Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold',
    );
    const freed = await this.freeSpace(amountToFree, freeTime, candidates);
    if (freed < amountToFree) {
      const message = `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`;
      this.opts.recorder.event(this.nodeRef(), 'Warning', 'FreeDiskSpaceFailed', message);
      throw new Error(message);
    }
  }

  /** Lists images and containers, updating first-detected and last-used times; returns the image IDs in use. */
  private async detectImages(detectTime: number): Promise<Set<string>> {
    const [images, containers] = await Promise.all([this.opts.images.listImages(), this.opts.runtime.listContainers()]);
    const now = this.now();
    const byName = new Map<string, string>();
    for (const img of images) {
      byName.set(img.id, img.id);
      for (const tag of img.repoTags) byName.set(tag, img.id);
      for (const digest of img.repoDigests) byName.set(digest, img.id);
    }
    // Every container counts, running or not: its image is needed to restart it.
    const inUse = new Set<string>();
    for (const c of containers) {
      for (const ref of containerImageRefs(c)) {
        const id = byName.get(ref);
        if (id) inUse.add(id);
      }
    }
    const current = new Set<string>();
    for (const img of images) {
      current.add(img.id);
      let rec = this.records.get(img.id);
      if (!rec) {
        rec = { firstDetected: detectTime, lastUsed: 0, size: 0, pinned: false };
        this.records.set(img.id, rec);
      }
      if (inUse.has(img.id)) rec.lastUsed = now;
      rec.size = img.size;
      rec.pinned = img.pinned || (this.opts.pinned?.(img) ?? false);
    }
    for (const id of this.records.keys()) if (!current.has(id)) this.records.delete(id);
    return inUse;
  }

  private async imagesInEvictionOrder(freeTime: number): Promise<EvictionCandidate[]> {
    // Before the first detection of `start` has run, new images count from now.
    const inUse = await this.detectImages(freeTime);
    const out: EvictionCandidate[] = [];
    for (const [id, rec] of this.records) {
      if (inUse.has(id) || rec.pinned) continue;
      out.push({ id, ...rec });
    }
    // Least recently used first; ties broken by the earlier detection.
    out.sort((a, b) => (a.lastUsed === b.lastUsed ? a.firstDetected - b.firstDetected : a.lastUsed - b.lastUsed));
    return out;
  }

  private async freeSpace(bytesToFree: number, freeTime: number, candidates: EvictionCandidate[]): Promise<number> {
    const errors: string[] = [];
    let freed = 0;
    for (const image of candidates) {
      if (image.lastUsed >= freeTime) continue;
      // A just-pulled image is probably about to be used by a container.
      if (freeTime - image.firstDetected < this.minAgeMs) continue;
      this.log.info({ imageID: image.id, size: image.size }, 'Removing image to free bytes');
      try {
        await this.opts.images.removeImage({ image: image.id });
      } catch (err) {
        errors.push(errText(err));
        continue;
      }
      this.records.delete(image.id);
      freed += image.size;
      if (freed >= bytesToFree) break;
    }
    if (errors.length > 0) {
      throw new Error(`wanted to free ${bytesToFree} bytes, but freed ${freed} bytes space with errors in image deletion: [${errors.join(', ')}]`);
    }
    return freed;
  }

  private nodeRef(): ObjectReference {
    const { kind, name, uid } = this.opts.nodeRef;
    return uid ? { kind, name, uid } : { kind, name };
  }
}

function containerImageRefs(c: Container): string[] {
  const refs = [c.imageRef, c.imageId, c.image?.image ?? ''];
  return refs.filter((r) => r !== '');
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
