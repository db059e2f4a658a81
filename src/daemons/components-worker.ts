// Worker-thread entry of the components (components.ts): started by ComponentsThread with the
// config as workerData; answers `stop` and `metrics` messages from the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, nopLogger, type Logger } from '../logging/index.js';
import { Components, type ComponentsConfig } from './components.js';
import type { FromWorker, ToWorker } from './components-thread.js';
import type { LogLevel } from './config.js';

interface WorkerInit {
  config: ComponentsConfig;
  logLevel: string;
}

const init = workerData as WorkerInit;
const port = parentPort!;
const log: Logger = init.logLevel === 'silent' ? nopLogger() : createLogger({ level: init.logLevel as LogLevel });
const ac = new AbortController();
const components = new Components(init.config, log);
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') {
    ac.abort();
    void components.close().then(
      () => {
        send({ type: 'stopped' });
        // Whatever handle is left (a socket closing, a timer) must not keep the thread alive.
        setImmediate(() => process.exit(0));
      },
      (e: unknown) => send({ type: 'error', message: `stopping the components failed: ${e instanceof Error ? e.message : String(e)}` }),
    );
  } else if (m.type === 'metrics') {
    send({ type: 'metrics', id: m.id, scheduler: components.schedulerMetrics(), schedulerName: components.schedulerName });
  }
});

components.start(ac.signal).then(
  () => send({ type: 'ready' }),
  (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
);
