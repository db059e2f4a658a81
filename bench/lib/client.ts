// Load-generator clients for the benchmarks: HTTPS with the admin client certificate over
// several connections, either HTTP/2 sessions (what client-go and kubectl use) or HTTP/1.1
// keep-alive sockets. Requests are spread round-robin over the connections.

import http2 from 'node:http2';
import https from 'node:https';
import type { Credentials } from './server.js';

export interface Response {
  status: number;
  body: Buffer;
}

export interface RequestOptions {
  body?: string | Buffer;
  accept?: string;
  contentType?: string;
}

export type Transport = 'h2' | 'h1';

export interface Client {
  readonly transport: Transport;
  readonly connections: number;
  request(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/** The transport the benchmarks use unless told otherwise (K8TS_BENCH_TRANSPORT=h1|h2). */
export function defaultTransport(): Transport {
  return process.env.K8TS_BENCH_TRANSPORT === 'h1' ? 'h1' : 'h2';
}

export async function connect(creds: Credentials, transport: Transport, connections: number): Promise<Client> {
  return transport === 'h2' ? H2Client.connect(creds, connections) : new H1Client(creds, connections);
}

// Large windows so a multi-megabyte LIST is not throttled by HTTP/2 flow control.
const WINDOW = 32 * 1024 * 1024;

export class H2Client implements Client {
  readonly transport = 'h2';
  private next = 0;
  private constructor(readonly sessions: http2.ClientHttp2Session[]) {}

  get connections(): number {
    return this.sessions.length;
  }

  static async connect(creds: Credentials, n: number): Promise<H2Client> {
    const sessions = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<http2.ClientHttp2Session>((resolve, reject) => {
            const s = http2.connect(creds.url.origin, {
              ca: creds.ca,
              cert: creds.cert,
              key: creds.key,
              settings: { initialWindowSize: WINDOW, enablePush: false },
            });
            s.once('error', reject);
            s.once('connect', () => {
              s.off('error', reject);
              s.on('error', () => {
                /* surfaced on the streams */
              });
              s.setLocalWindowSize(WINDOW);
              resolve(s);
            });
          }),
      ),
    );
    return new H2Client(sessions);
  }

  session(): http2.ClientHttp2Session {
    const s = this.sessions[this.next]!;
    this.next = (this.next + 1) % this.sessions.length;
    return s;
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, accept: opts.accept ?? 'application/json' };
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      const stream = this.session().request(headers, { endStream: opts.body === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
      stream.on('error', reject);
      if (opts.body !== undefined) stream.end(opts.body);
    });
  }

  /**
   * Opens a long-running GET (a watch) and calls onLine for every newline-terminated line of
   * its body. Resolves once the response headers arrive.
   */
  openLines(path: string, onLine: (line: string) => void): Promise<http2.ClientHttp2Stream> {
    return new Promise((resolve, reject) => {
      const stream = this.session().request({ ':method': 'GET', ':path': path, accept: 'application/json' });
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line) onLine(line);
        }
      });
      stream.on('response', (h) => {
        const status = Number(h[':status']);
        if (status === 200) resolve(stream);
        else reject(new Error(`watch ${path}: HTTP ${status}`));
      });
      stream.on('error', reject);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export class H1Client implements Client {
  readonly transport = 'h1';
  private readonly agent: https.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(creds: Credentials, readonly connections: number) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: connections, ca: creds.ca, cert: creds.cert, key: creds.key });
    this.host = creds.url.hostname;
    this.port = Number(creds.url.port);
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      const req = https.request({ agent: this.agent, host: this.host, port: this.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/** Throws unless the response has the expected status. */
export function expectStatus(res: Response, want: number | number[], what: string): void {
  const ok = Array.isArray(want) ? want.includes(res.status) : res.status === want;
  if (!ok) throw new Error(`${what}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
}
