// The contract between the controller manager and each controller.

import type { Interface } from '../../client/clientset.js';
import type { SharedInformerFactory } from '../../client/cache/factory.js';
import type { Logger } from '../../logging/index.js';

export interface ControllerContext {
  client: Interface;
  /** Shared by every controller of the manager: ask for informers here, never build your own. */
  informers: SharedInformerFactory;
  /** Already bound to `{ controller: NAME }`. */
  logger: Logger;
  /** PEM of the CA that verifies the API server's serving certificate (what pods are given to trust). */
  rootCA?: string;
}

/**
 * One control loop. The manager calls, in order: the factory (register informers and event
 * handlers), `prepare` (optional async set-up such as discovery, may register more informers),
 * starts the informers and waits for their caches, `run` (start workers; resolve once running),
 * and finally `close` (stop workers and await them; idempotent).
 */
export interface Controller {
  readonly name: string;
  prepare?(signal: AbortSignal): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** What `sync` may ask of the queue besides success (no value) or failure (throw). */
export interface SyncResult {
  /** Process the key again after this delay (not counted as a failure). */
  requeueAfterMs?: number;
}
