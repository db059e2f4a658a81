// Request bodies for the benchmarks.

/** A ConfigMap whose JSON body is exactly `size` bytes (1 KiB by default). */
export function configMapBody(namespace: string, name: string, size = 1024, fill = 'x'): string {
  const make = (n: number): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels: { app: 'bench' } },
      data: { payload: fill.repeat(n) },
    });
  const base = make(0).length;
  return make(Math.max(0, size - base));
}

/** A small valid Pod (one container), as a user would create it. */
export function podBody(namespace: string, name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', shard: String(name.length % 7) } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
  });
}

export function namespaceBody(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
