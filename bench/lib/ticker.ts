// The clock of an open-loop load generator: calls `onDue(k, scheduledAt)` for k = 0 … total-1 at
// scheduledAt = start + k × intervalMs (performance.now() of this thread).
//
// Node's timers have a resolution of one millisecond: a loop of `setTimeout(…, 1)` wakes 1–2 ms
// after a request was due, and that lag lands in every latency counted from the scheduled start.
// Here a worker thread sleeps until each due time with Atomics.wait (sub-millisecond timeouts)
// and wakes this thread with a message, so a request is late only when this thread's event loop
// is busy — which is the load generator's real lag, and is still counted. The worker is asleep
// between ticks: nothing spins.

import { Worker } from 'node:worker_threads';

// CommonJS, as `eval: true` workers run. Threads share process.hrtime (one monotonic clock);
// their performance.now() origins differ.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const now = () => Number(process.hrtime.bigint()) / 1e6;
parentPort.once('message', ({ start, intervalMs, total }) => {
  for (let k = 0; k < total; k++) {
    const wait = start + k * intervalMs - now();
    if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
    parentPort.postMessage(k);
  }
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export async function openLoop(intervalMs: number, total: number, onDue: (k: number, scheduledAt: number) => void): Promise<void> {
  if (total <= 0) return;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => resolve());
    });
    const start = performance.now();
    const startHr = Number(process.hrtime.bigint()) / 1e6;
    let k = 0;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => (k < total ? reject(new Error(`ticker worker exited with code ${code} after ${k} of ${total} ticks`)) : resolve()));
      // Tick m means request m is due (whatever this thread's clock rounds to); each tick also
      // catches up on everything due by now, so a late message costs no request.
      worker.on('message', (m: number) => {
        const now = performance.now();
        while (k < total && (k <= m || start + k * intervalMs <= now)) {
          onDue(k, start + k * intervalMs);
          k++;
        }
        if (k === total) resolve();
      });
      worker.postMessage({ start: startHr, intervalMs, total });
    });
  } finally {
    await worker.terminate();
  }
}
