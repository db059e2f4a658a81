// A watch over one HTTP/2 stream for the benchmarks: newline-delimited events to a callback.

import type { H2Client } from './client.js';

export interface WatchHandle {
  /** Resolves once the response headers say 200. */
  opened: Promise<void>;
  close(): void;
}

export function watch(client: H2Client, path: string, onEvent: (type: string, obj: Record<string, unknown>) => void): WatchHandle {
  const stream = client.session().request({ ':method': 'GET', ':path': path, accept: 'application/json' });
  stream.setEncoding('utf8');
  let buf = '';
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { type: string; object: Record<string, unknown> };
      onEvent(ev.type, ev.object);
    }
  });
  stream.on('error', () => {
    // closed
  });
  const opened = new Promise<void>((resolve, reject) => {
    stream.on('response', (h) => (Number(h[':status']) === 200 ? resolve() : reject(new Error(`watch ${path}: HTTP ${String(h[':status'])}`))));
  });
  return { opened, close: () => stream.close() };
}
