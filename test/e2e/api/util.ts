// Shared helpers for the API e2e tests: fixture paths, kubectl table parsing, and a small HTTPS
// client that talks to the API server with the admin credentials from the harness's kubeconfig.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Server } from '../harness.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const KINDS_DIR = join(FIXTURES, 'kinds');

/** A kubectl AGE cell: `5s`, `2m3s`, `4h`, `2y326d`. */
export const AGE = /^(\d+[smhdy])+$/;

export interface Table {
  /** Header cells, e.g. ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']. */
  headers: string[];
  /** One record per row, keyed by header; empty cells are ''. */
  rows: Record<string, string>[];
}

/**
 * Parses kubectl's human-readable table output. kubectl aligns every column to a fixed start
 * offset (tabwriter, padding 3), so cells are cut at the header's column offsets; this keeps
 * empty cells (ADDRESS, VERSION, …) and headers with one space (`NOMINATED NODE`) intact.
 */
export function parseTable(text: string): Table {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 0, 'expected a table, got no output');
  const header = lines[0] ?? '';
  const starts: number[] = [];
  const headers: string[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    headers.push(m[0]);
  }
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    headers.forEach((h, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined;
      row[h] = line.slice(starts[i], end).trim();
    });
    return row;
  });
  return { headers, rows };
}

/** The row whose `column` (default NAME) equals `value`; fails the test when absent. */
export function rowOf(table: Table, value: string, column = 'NAME'): Record<string, string> {
  const row = table.rows.find((r) => r[column] === value);
  assert.ok(row, `no row with ${column}=${value} in table ${JSON.stringify(table.rows)}`);
  return row;
}

/** A short unique suffix for object names created by one test run. */
export function uniq(): string {
  return Math.random().toString(36).slice(2, 8);
}

interface KubeconfigCreds {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function credentials(server: Pick<Server, 'kubeconfig'>): KubeconfigCreds {
  type Config = {
    clusters?: { cluster?: { 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
    users?: {
      user?: {
        'client-certificate-data'?: string;
        'client-key-data'?: string;
        'client-certificate'?: string;
        'client-key'?: string;
      };
    }[];
  };
  const config = parseYaml(readFileSync(server.kubeconfig, 'utf8')) as Config;
  const cluster = config.clusters?.[0]?.cluster ?? {};
  const user = config.users?.[0]?.user ?? {};
  const load = (data: string | undefined, file: string | undefined): Buffer => {
    if (data) return Buffer.from(data, 'base64');
    if (file) return readFileSync(file);
    throw new Error(`kubeconfig ${server.kubeconfig} lacks a credential`);
  };
  return {
    ca: load(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: load(user['client-certificate-data'], user['client-certificate']),
    key: load(user['client-key-data'], user['client-key']),
  };
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as received (still compressed when the server sent Content-Encoding). */
  raw: Buffer;
  body: string;
}

/** One request to the API server as the admin user (client certificate from the kubeconfig). */
export function api(
  server: Pick<Server, 'kubeconfig' | 'url'>,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const creds = credentials(server);
  const url = new URL(path, server.url);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: creds.ca,
        cert: creds.cert,
        key: creds.key,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: raw.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

export interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; [k: string]: unknown };
}

export interface WatchStream {
  /** Events received so far, in order. */
  readonly events: WatchEvent[];
  /** Resolves with the HTTP status once the response headers arrive. */
  readonly response: Promise<number>;
  close(): void;
}

/**
 * Opens a watch (`path` includes `?watch=true…`) and collects newline-delimited events. Returns
 * at once, without waiting for the response headers (see `response`).
 */
export function openWatch(server: Pick<Server, 'kubeconfig' | 'url'>, path: string): WatchStream {
  const creds = credentials(server);
  const url = new URL(path, server.url);
  const events: WatchEvent[] = [];
  let buffer = '';
  let closed = false;
  const req = request(url, { method: 'GET', ca: creds.ca, cert: creds.cert, key: creds.key, headers: { accept: 'application/json' } });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line !== '') events.push(JSON.parse(line) as WatchEvent);
        }
      });
      res.on('error', () => {
        // closed by close(); the collected events stay readable
      });
    });
    req.on('error', (err) => {
      if (!closed) reject(err);
    });
  });
  response.catch(() => {
    // surfaced to whoever awaits `response`
  });
  req.end();
  return {
    events,
    response,
    close: () => {
      closed = true;
      req.destroy();
    },
  };
}
