// Replaying an HTTP/1.1 upgrade request (exec/attach/port-forward) to the CRI streaming server
// and piping both sockets byte for byte (upstream kubelet proxyStream with an
// UpgradeAwareHandler). The same algorithm as src/apiserver/proxy/upgrade.ts, kept apart
// because the kubelet may not import the API server (DESIGN.md §2); both import only node:*.

import type { Duplex } from 'node:stream';

const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'authorization']);

/** Request line with the backend's path, Host, then the client's headers minus hop-by-hop and credentials. */
export function replayHead(method: string, path: string, host: string, rawHeaders: readonly string[]): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (!DROPPED_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${rawHeaders[i + 1]!}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/**
 * Writes the request head (and the client's early bytes) to the backend, then pipes both ways
 * until either side closes or fails; both are then destroyed. Resolves once both are closed.
 */
export function pipeUpgrade(client: Duplex, clientHead: Buffer, backend: Duplex, requestHead: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    let open = 2;
    const finish = (): void => {
      client.destroy();
      backend.destroy();
    };
    for (const s of [client, backend]) {
      const onClose = (): void => {
        finish();
        if (--open === 0) resolve();
      };
      if (s.destroyed) queueMicrotask(onClose);
      else s.once('close', onClose);
      s.on('error', finish);
    }
    client.pipe(backend);
    backend.pipe(client);
    backend.write(requestHead);
    if (clientHead.length > 0) backend.write(clientHead);
  });
}
