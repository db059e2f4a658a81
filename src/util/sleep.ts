// Waiting that an AbortSignal cuts short: resolves after `ms`, or at once when the signal aborts
// (never rejects), for the periodic loops of controllers, the kubelet and leader election.

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
