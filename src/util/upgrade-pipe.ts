// Piping an upgraded HTTP/1.1 connection (exec, attach, port-forward, WebSocket) to its backend
// byte for byte: shared by the API server's proxies and the kubelet's streaming server.

import type { Duplex } from 'node:stream';

/**
 * Writes the request head (and the client's early bytes) to the backend, then pipes both ways
 * until either side closes or fails; both are then destroyed. Resolves once both are closed.
 * Never rejects: after the upgrade a failure can only be reported by closing the connection.
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
