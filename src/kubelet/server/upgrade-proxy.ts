// Replaying an HTTP/1.1 upgrade request (exec/attach/port-forward) to the CRI streaming server
// and piping both sockets byte for byte (upstream kubelet proxyStream with an
// UpgradeAwareHandler). The pipe is shared with the API server's proxies (src/util).

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

export { pipeUpgrade } from '../../util/upgrade-pipe.js';
