// Test support for controllers: a ControllerContext around the client library's FakeClient, with
// a FakeRecorder and a pinned clock. Controllers are tested by seeding their informers' caches
// and calling `sync(key)` directly.

import { SharedInformerFactory } from '../../client/cache/factory.js';
import { FakeRecorder } from '../../client/record/fake.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { nopLogger } from '../../logging/index.js';
import { DEFAULT_CONTROLLER_CONFIG, type ControllerConfig, type ControllerContext } from './types.js';

export { FakeClient, mergePatch } from '../../client/testing/fake-client.js';
export type { Action, Reactor } from '../../client/testing/fake-client.js';

export interface TestContext {
  ctx: ControllerContext;
  client: FakeClient;
  recorder: FakeRecorder;
  informers: SharedInformerFactory;
  /** Moves the pinned clock. */
  clock: { now: number };
}

/**
 * A ControllerContext over a FakeClient. Seed caches with
 * `informers.forResource(GVR).add(obj)` (or `client.seed` + `add` for objects the controller
 * also reads through the client), then call the controller's `sync(key, signal)`.
 */
export function testContext(opts: { now?: number; config?: Partial<ControllerConfig>; rootCA?: string } = {}): TestContext {
  const clock = { now: opts.now ?? Date.parse('2026-01-01T00:00:00Z') };
  const client = new FakeClient(() => clock.now);
  const recorder = new FakeRecorder();
  const informers = new SharedInformerFactory(client, { logger: nopLogger() });
  const ctx: ControllerContext = {
    client,
    informers,
    logger: nopLogger(),
    rootCA: opts.rootCA,
    recorder: () => recorder,
    config: { ...DEFAULT_CONTROLLER_CONFIG, ...opts.config },
    now: () => clock.now,
  };
  return { ctx, client, recorder, informers, clock };
}
