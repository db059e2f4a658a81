// A watch over HTTP/2 for the benchmarks: newline-delimited events to a callback. Like a
// reflector, it re-watches from the last resourceVersion it saw when the server ends the stream
// (the server terminates watchers that fall behind, as upstream does).

import type { H2Client } from './client.js';

export interface WatchHandle {
  /** Resolves once the first response's headers say 200. */
  opened: Promise<void>;
  /** How many times the stream was re-opened. */
  readonly reconnects: number;
  close(): void;
}

/** `path` is a watch URL with `resourceVersion=…` (and no other occurrence of that parameter). */
export function watch(client: H2Client, path: string, onEvent: (type: string, obj: Record<string, unknown>) => void): WatchHandle {
  let closed = false;
  let reconnects = 0;
  let lastRV = /[?&]resourceVersion=([^&]*)/.exec(path)?.[1] ?? '';
  let current: ReturnType<ReturnType<H2Client['session']>['request']> | undefined;
  const open = (first: boolean): Promise<void> => {
    const url = lastRV ? path.replace(/([?&]resourceVersion=)[^&]*/, `$1${lastRV}`) : path;
    const stream = client.session().request({ ':method': 'GET', ':path': url, accept: 'application/json' });
    current = stream;
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
        const rv = (ev.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        if (rv) lastRV = rv;
        if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') onEvent(ev.type, ev.object);
      }
    });
    stream.on('error', () => {
      // ends in 'close'
    });
    stream.on('close', () => {
      if (closed || current !== stream) return;
      reconnects++;
      void open(false).catch(() => undefined);
    });
    return new Promise<void>((resolve, reject) => {
      stream.on('response', (h) => (Number(h[':status']) === 200 ? resolve() : first ? reject(new Error(`watch ${url}: HTTP ${String(h[':status'])}`)) : resolve()));
    });
  };
  const opened = open(true);
  return {
    opened,
    get reconnects() {
      return reconnects;
    },
    close: () => {
      closed = true;
      current?.close();
    },
  };
}
