// The components that drive the cluster from outside the API server — the controller manager,
// the scheduler and the simulated nodes — each with its own client certificate, started in
// dependency order. They reach the API only through the client library, over HTTPS, so they can
// run on their own thread (components-worker.ts) and keep the API server's event loop free.
// The controller manager and the scheduler read through one informer factory, as
// kube-controller-manager's controllers share one: each watched resource is decoded and cached
// once in this thread, not once per component, and cached without managedFields (as upstream's
// components cache them). Each writes with its own identity.

import { SharedInformerFactory } from '../client/cache/factory.js';
import { createClient, type Clientset } from '../client/index.js';
import { EventBroadcaster } from '../client/record/recorder.js';
import { ControllerManager } from '../controllers/index.js';
import type { ControllerConfig } from '../controllers/shared/types.js';
import { Scheduler, type SchedulerMetrics } from '../scheduler/index.js';
import type { SimulatedNodes } from '../kubelet/simulated/index.js';
import type { Logger } from '../logging/index.js';

export interface ComponentCredentials {
  certPem: string;
  keyPem: string;
}

/** Everything the components need, as plain data (it crosses a thread boundary). */
export interface ComponentsConfig {
  server: string;
  /** The CA that verifies the API server. */
  caPem: string;
  /** PEM of the CA pods are given to trust (kube-root-ca.crt). */
  rootCA: string;
  controllerManager: ComponentCredentials;
  scheduler: ComponentCredentials;
  /** Present when simulated nodes run. */
  simulatedNodes?: ComponentCredentials & { count: number; capacity?: Record<string, string> };
  controllers: Partial<ControllerConfig>;
}

export class Components {
  private readonly clients: Clientset[] = [];
  private readonly broadcasters: EventBroadcaster[] = [];
  private controllers: ControllerManager | undefined;
  private scheduler: Scheduler | undefined;
  private simulated: SimulatedNodes | undefined;
  private informers: SharedInformerFactory | undefined;
  /** The shared informers' lifetime: aborted by close(), after the components that use them. */
  private readonly informersRun = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: ComponentsConfig,
    private readonly log: Logger,
  ) {}

  private client(creds: ComponentCredentials): Clientset {
    const c = createClient({ server: this.config.server, caPem: this.config.caPem, certPem: creds.certPem, keyPem: creds.keyPem });
    this.clients.push(c);
    return c;
  }

  private events(client: Clientset): EventBroadcaster {
    const b = new EventBroadcaster(client, { logger: this.log.child({ component: 'events' }) });
    this.broadcasters.push(b);
    return b;
  }

  /** Starts the controller manager, the scheduler, then the simulated nodes; resolves once all run. */
  async start(signal: AbortSignal): Promise<void> {
    const cfg = this.config;
    // Read with the controller manager's identity on a connection of their own (upstream's
    // "shared-informers" client). Started here first, so that the factory lives as long as
    // the components and not as long as the first one to add informers.
    const informers = new SharedInformerFactory(this.client(cfg.controllerManager), {
      logger: this.log.child({ component: 'shared-informers' }),
      trimManagedFields: true,
    });
    this.informers = informers;
    informers.start(this.informersRun.signal);
    this.controllers = new ControllerManager({
      client: this.client(cfg.controllerManager),
      logger: this.log.child({ component: 'controller-manager' }),
      rootCA: cfg.rootCA,
      config: cfg.controllers,
      informers,
    });
    await this.controllers.start(signal);

    const schedulerClient = this.client(cfg.scheduler);
    this.scheduler = new Scheduler({
      client: schedulerClient,
      logger: this.log.child({ component: 'scheduler' }),
      recorder: this.events(schedulerClient).newRecorder({ component: 'default-scheduler' }),
      informers,
    });
    await this.scheduler.start(signal);

    const sim = cfg.simulatedNodes;
    if (sim && sim.count > 0) {
      const nodeClient = this.client(sim);
      const nodeEvents = this.events(nodeClient);
      // Loaded only when simulated nodes run.
      const { SimulatedNodes, simulatedNodeNames } = await import('../kubelet/simulated/index.js');
      this.simulated = new SimulatedNodes({
        client: nodeClient,
        logger: this.log.child({ component: 'simulated-nodes' }),
        recorder: (component, host) => nodeEvents.newRecorder({ component, host }),
        nodes: simulatedNodeNames(sim.count).map((name) => ({ name, capacity: sim.capacity })),
      });
      await this.simulated.start(signal);
    }
  }

  schedulerMetrics(): SchedulerMetrics | undefined {
    return this.scheduler?.metrics();
  }

  get schedulerName(): string {
    return this.scheduler?.name ?? 'default-scheduler';
  }

  /** Stops everything in reverse order. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.simulated?.close();
      await this.scheduler?.close();
      await this.controllers?.close();
      this.informersRun.abort();
      await this.informers?.shutdown();
      await Promise.all(this.broadcasters.map((b) => b.close()));
      for (const c of this.clients) c.close();
    })();
    return this.closing;
  }
}
