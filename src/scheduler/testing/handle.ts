// A plugin Handle over a cache and informers that tests fill directly (no informer runs).

import { SharedInformerFactory } from '../../client/cache/factory.js';
import type { KubeObject, GroupVersionResource } from '../../client/rest/resource.js';
import { FakeRecorder } from '../../client/record/fake.js';
import { nopLogger } from '../../logging/index.js';
import { SchedulerCache } from '../cache/cache.js';
import { Framework } from '../framework/framework.js';
import type { Handle, Plugin } from '../framework/interface.js';
import type { PodInfo } from '../framework/types.js';
import { DEFAULT_PLUGINS, DEFAULT_WEIGHTS, REGISTRY } from '../plugins/registry.js';
import type { NodeObject, PodObject } from './fixtures.js';
import { WatchableClient } from './watchable-client.js';

export interface TestHandle {
  handle: Handle;
  cache: SchedulerCache;
  client: WatchableClient;
  recorder: FakeRecorder;
  informers: SharedInformerFactory;
  nominated: Map<string, PodInfo[]>;
  clock: { now: number };
  /** Puts objects into an informer's cache (and the client's store). */
  seed(gvr: GroupVersionResource, ...objs: KubeObject[]): void;
  /** The default-profile framework over this handle. */
  framework(): Framework;
}

export function testHandle(nodes: NodeObject[] = [], pods: PodObject[] = []): TestHandle {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const client = new WatchableClient();
  const recorder = new FakeRecorder();
  const informers = new SharedInformerFactory(client, { logger: nopLogger() });
  const cache = new SchedulerCache(60_000, () => clock.now);
  const nominated = new Map<string, PodInfo[]>();
  let fw: Framework | undefined;
  const handle: Handle = {
    client,
    informers,
    recorder,
    logger: nopLogger(),
    now: () => clock.now,
    nodes: cache,
    nominator: { nominatedPodsForNode: (n) => nominated.get(n) ?? [] },
    framework: () => fw!,
  };
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(p);
  return {
    handle,
    cache,
    client,
    recorder,
    informers,
    nominated,
    clock,
    seed(gvr, ...objs) {
      for (const o of objs) {
        const stored = client.apply(gvr, o);
        informers.forResource(gvr).add(stored);
      }
    },
    framework() {
      if (!fw) {
        const plugins: Plugin[] = DEFAULT_PLUGINS.map((n) => REGISTRY[n]!(handle));
        fw = new Framework(plugins, DEFAULT_WEIGHTS);
      }
      return fw;
    },
  };
}
