// The controller manager: builds the enabled controllers from the registry (name → factory),
// runs one shared informer factory for all of them, and starts their workers once the caches
// have synced (kube-controller-manager's StartControllers).

import { setMaxListeners } from 'node:events';
import type { Interface } from '../client/clientset.js';
import { SharedInformerFactory } from '../client/cache/factory.js';
import type { Logger } from '../logging/index.js';
import { EventBroadcaster } from '../client/record/recorder.js';
import { DEFAULT_CONTROLLER_CONFIG, type Controller, type ControllerConfig, type ControllerFactory } from './shared/types.js';
import * as namespace from './namespace/controller.js';
import * as garbagecollector from './garbagecollector/controller.js';
import * as serviceaccount from './serviceaccount/controller.js';
import * as rootcacertpublisher from './rootcacertpublisher/controller.js';
import * as replicaset from './replicaset/controller.js';
import * as replication from './replication/controller.js';
import * as disruption from './disruption/controller.js';
import * as resourcequota from './resourcequota/controller.js';
import * as deployment from './deployment/controller.js';
import * as nodeipam from './nodeipam/controller.js';
import * as nodelifecycle from './nodelifecycle/controller.js';
import * as tainteviction from './tainteviction/controller.js';
import * as podgc from './podgc/controller.js';
import * as podautoscaler from './podautoscaler/controller.js';
import * as endpoint from './endpoint/controller.js';
import * as endpointslice from './endpointslice/controller.js';
import * as persistentvolume from './volume/persistentvolume/controller.js';
import * as localpath from './volume/localpath/controller.js';
import * as statefulset from './statefulset/controller.js';
import * as daemon from './daemon/controller.js';
import * as job from './job/controller.js';
import * as cronjob from './cronjob/controller.js';
import * as ttlafterfinished from './ttlafterfinished/controller.js';

/** Every controller k8ts has, by upstream name. Adding one = one line here. */
export const CONTROLLERS: Readonly<Record<string, ControllerFactory>> = {
  [namespace.NAME]: namespace.create,
  [garbagecollector.NAME]: garbagecollector.create,
  [serviceaccount.NAME]: serviceaccount.create,
  [rootcacertpublisher.NAME]: rootcacertpublisher.create,
  [replicaset.NAME]: replicaset.create,
  [replication.NAME]: replication.create,
  [disruption.NAME]: disruption.create,
  [resourcequota.NAME]: resourcequota.create,
  [deployment.NAME]: deployment.create,
  [nodeipam.NAME]: nodeipam.create,
  [nodelifecycle.NAME]: nodelifecycle.create,
  [tainteviction.NAME]: tainteviction.create,
  [podgc.NAME]: podgc.create,
  [podautoscaler.NAME]: podautoscaler.create,
  [endpoint.NAME]: endpoint.create,
  [endpointslice.NAME]: endpointslice.create,
  [persistentvolume.NAME]: persistentvolume.create,
  [localpath.NAME]: localpath.create,
  [statefulset.NAME]: statefulset.create,
  [daemon.NAME]: daemon.create,
  [job.NAME]: job.create,
  [cronjob.NAME]: cronjob.create,
  [ttlafterfinished.NAME]: ttlafterfinished.create,
};

export class ControllerManagerError extends Error {
  readonly code = 'ControllerManagerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControllerManagerError';
  }
}

export interface ControllerManagerOptions {
  client: Interface;
  logger: Logger;
  /**
   * Which controllers to run, as kube-controller-manager's --controllers: names, `*` for all
   * (default), `-name` to leave one out.
   */
  controllers?: string[];
  /** Defaults to CONTROLLERS. */
  registry?: Readonly<Record<string, ControllerFactory>>;
  /**
   * PEM of the CA that verifies the API server's serving certificate (upstream
   * --root-ca-file); published into every namespace as `kube-root-ca.crt`.
   */
  rootCA?: string;
  /** Cluster settings; defaults are upstream's. */
  config?: Partial<ControllerConfig>;
  /**
   * Informers shared with other components of the process (the scheduler): their owner
   * started the factory and stops it after this manager closes. Default: a factory of the
   * manager's own, over `client`, stopped by close().
   */
  informers?: SharedInformerFactory;
}

export type ControllerManagerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** Resolves `--controllers` style selections against the registry. */
export function enabledControllers(selection: readonly string[] | undefined, registry: Readonly<Record<string, ControllerFactory>>): string[] {
  const sel = selection?.length ? selection : ['*'];
  const all = Object.keys(registry);
  for (const s of sel) {
    const name = s.startsWith('-') ? s.slice(1) : s;
    if (name !== '*' && !(name in registry)) throw new ControllerManagerError(`unknown controller "${name}"; known: ${all.join(', ')}`);
  }
  const disabled = new Set(sel.filter((s) => s.startsWith('-')).map((s) => s.slice(1)));
  const star = sel.includes('*');
  return all.filter((n) => !disabled.has(n) && (star || sel.includes(n)));
}

export class ControllerManager {
  state: ControllerManagerState = 'new';
  private readonly log: Logger;
  private readonly names: string[];
  private readonly ac = new AbortController();
  private informers: SharedInformerFactory | undefined;
  private events: EventBroadcaster | undefined;
  private controllers: Controller[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: ControllerManagerOptions) {
    this.log = opts.logger.child({ component: 'controller-manager' });
    this.names = enabledControllers(opts.controllers, opts.registry ?? CONTROLLERS);
    setMaxListeners(0, this.ac.signal);
  }

  /** The controllers that run (or will run). */
  get enabled(): readonly string[] {
    return this.names;
  }

  /**
   * Builds the controllers, starts the informers, waits for their caches and starts every
   * controller's workers. Resolves once all run; rejects (after cleaning up) if `signal`
   * aborts first or a controller fails to start.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new ControllerManagerError(`controller manager cannot start from state ${this.state}`);
    this.state = 'starting';
    const onAbort = (): void => {
      void this.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const run = this.ac.signal;
    try {
      const registry = this.opts.registry ?? CONTROLLERS;
      this.informers = this.opts.informers ?? new SharedInformerFactory(this.opts.client, { logger: this.log, trimManagedFields: true });
      const events = new EventBroadcaster(this.opts.client, { logger: this.log.child({ component: 'events' }) });
      this.events = events;
      const config: ControllerConfig = { ...DEFAULT_CONTROLLER_CONFIG, ...this.opts.config };
      for (const name of this.names) {
        this.controllers.push(
          registry[name]!({
            client: this.opts.client,
            informers: this.informers,
            logger: this.log.child({ controller: name }),
            rootCA: this.opts.rootCA,
            recorder: (component) => events.newRecorder({ component }),
            config,
            now: Date.now,
          }),
        );
      }
      await Promise.all(this.controllers.map((c) => c.prepare?.(run)));
      this.informers.start(run);
      const synced = await this.informers.waitForCacheSync(run);
      if (!synced || run.aborted) throw new ControllerManagerError('stopped before the informer caches synced');
      for (const c of this.controllers) await c.run(run);
      if (run.aborted) throw new ControllerManagerError('stopped while starting controllers');
      this.state = 'running';
      this.log.info({ controllers: this.names }, 'controllers running');
    } catch (e) {
      await this.close();
      this.state = 'failed';
      throw e instanceof ControllerManagerError ? e : new ControllerManagerError(`controller manager failed to start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Stops every controller and informer and awaits all their work. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      const wasFailed = this.state === 'failed';
      if (!wasFailed) this.state = 'stopping';
      this.ac.abort();
      this.closing = (async () => {
        await Promise.all(this.controllers.map((c) => c.close()));
        if (!this.opts.informers) await this.informers?.shutdown();
        await this.events?.close();
        if (this.state !== 'failed') this.state = 'stopped';
      })();
    }
    return this.closing;
  }
}
