// Reading the server's own counters from /metrics, so a benchmark can say what load it caused.

import { expectStatus } from './client.js';

interface MetricsClient {
  request(method: string, path: string, opts?: { accept?: string }): Promise<{ status: number; body: Buffer }>;
}

/** apiserver_request_total summed over response codes: `VERB resource[/subresource]` → count. */
export async function requestCounts(client: MetricsClient): Promise<Map<string, number>> {
  const res = await client.request('GET', '/metrics', { accept: 'text/plain' });
  expectStatus(res, 200, '/metrics');
  return parseRequestCounts(res.body.toString('utf8'));
}

export function parseRequestCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name: string): string => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? '';
    const sub = label('subresource');
    // Non-resource requests carry their path in subresource (`GET /metrics`).
    const key = sub.startsWith('/') ? `${label('verb')} ${sub}` : `${label('verb')} ${label('resource')}${sub ? `/${sub}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/**
 * The requests between two scrapes, largest first, as `POST pods 10000, PUT pods/status 9990, …`
 * (`top` entries; WATCH counts are connections, not events).
 */
export function describeRequestDelta(before: Map<string, number>, after: Map<string, number>, top = 8): string {
  const delta: [string, number][] = [];
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) delta.push([k, d]);
  }
  delta.sort((a, b) => b[1] - a[1]);
  return delta
    .slice(0, top)
    .map(([k, d]) => `${k} ${d}`)
    .join(', ');
}
