// A minimal HTTPS client for the client-library tests' own fixtures (namespaces, pods to list),
// independent of the client library under test: node:https with the kubeconfig's admin
// certificate.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse as parseYaml } from 'yaml';
import type { Server } from '../harness.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface Api {
  request(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** Like request(), but rejects unless the status is 2xx. */
  ok(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): void;
}

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export function apiFor(server: Pick<Server, 'kubeconfig'>): Api {
  const kc = parseYaml(readFileSync(server.kubeconfig, 'utf8')) as Kubeconfig;
  const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
  const base = new URL(kc.clusters[0]!.cluster.server);
  const agent = new https.Agent({
    keepAlive: true,
    ca: b64(kc.clusters[0]!.cluster['certificate-authority-data']),
    cert: b64(kc.users[0]!.user['client-certificate-data']),
    key: b64(kc.users[0]!.user['client-key-data']),
  });
  const request = (method: string, path: string, body?: unknown): Promise<ApiAnswer> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          hostname: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: { accept: 'application/json', ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = raw;
            try {
              parsed = JSON.parse(raw);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(text);
    });
  return {
    request,
    async ok(method, path, body) {
      const a = await request(method, path, body);
      if (a.status < 200 || a.status > 299) throw new Error(`${method} ${path} answered ${a.status}: ${JSON.stringify(a.body)}`);
      return a.body;
    },
    close: () => agent.destroy(),
  };
}

/** A pod that needs nothing to be admitted; nothing runs it (the servers run without an agent). */
export function podManifest(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
  };
}
