// The REST client against a fake API server, once over each transport: HTTP/1.1 (plain http,
// as unit tests use) and HTTP/2 with TLS and a client certificate (as against k8ts).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createCA, issueCertificate } from '../../util/pki/certificates.js';
import { createClient, type Clientset } from '../clientset.js';
import { APIStatusError, isNotFound, isResourceExpired, TransportError, isConflict } from './errors.js';
import { CONFIGMAPS, NAMESPACES } from '../resources.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
/** What the routes use of either server's response. */
interface Res {
  writeHead(code: number, headers?: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk: string): unknown;
  end(): unknown;
}

const json = (res: Res, code: number, body: unknown): void => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

for (const transport of ['http/1.1', 'h2'] as const) {
  describe(`over ${transport}`, () => {
    let client: Clientset;
    let stop: () => Promise<void>;
    /** HTTP/2 sessions (TLS connections) the server accepted. */
    let sessions = 0;
    let serverSessions: http2.ServerHttp2Session[] = [];
    let url = '';
    let caPem = '';
    let clientCert = { certPem: '', keyPem: '' };
    const seen: Seen[] = [];
    /** Test-controlled answers by `METHOD path`. */
    const routes = new Map<string, (req: Req, res: Res, body: string) => void>();

    const handler = (req: Req, res: Res): void => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers as http.IncomingHttpHeaders, body });
        const path = new URL(req.url!, 'http://x').pathname;
        const h = routes.get(`${req.method} ${path}`);
        if (h) return h(req, res, body);
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'configmaps' }, code: 404 }));
      });
    };

    before(async () => {
      if (transport === 'http/1.1') {
        const server = http.createServer((req, res) => handler(req, res as unknown as Res));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        client = createClient({ server: url });
        stop = async () => {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        };
        return;
      }
      const ca = await createCA({ commonName: 'test-ca', validityDays: 1 });
      const serving = await issueCertificate(ca, { commonName: 'server', ipAddresses: ['127.0.0.1'], usages: 'server', validityDays: 1 });
      clientCert = await issueCertificate(ca, { commonName: 'admin', usages: 'client', validityDays: 1 });
      caPem = ca.certPem;
      const server = http2.createSecureServer({ key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => handler(req, res as unknown as Res));
      server.on('session', (s) => {
        sessions++;
        serverSessions.push(s);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      client = createClient({ server: url, caPem, ...clientCert });
      stop = async () => {
        for (const s of serverSessions) s.destroy();
        await new Promise((r) => server.close(r));
      };
    });

    after(async () => {
      client.close();
      await stop();
    });

    test('get builds the namespaced path and parses JSON', async () => {
      routes.set('GET /api/v1/namespaces/ns1/configmaps/a', (_q, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns1' } }));
      const got = await client.resource(CONFIGMAPS).get('a', { namespace: 'ns1' });
      assert.equal(got.metadata?.name, 'a');
      const apps = client.resource({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true });
      assert.equal(apps.path('x', 'd', 'scale'), '/apis/apps/v1/namespaces/x/deployments/d/scale');
      assert.equal(client.resource(NAMESPACES).path('ignored', 'n', 'finalize'), '/api/v1/namespaces/n/finalize');
    });

    test('error answers become APIStatusError with the server Status', async () => {
      await assert.rejects(client.resource(CONFIGMAPS).get('nope', { namespace: 'ns1' }), (e: unknown) => {
        assert.ok(e instanceof APIStatusError);
        assert.equal(e.code, 404);
        assert.equal(e.reason, 'NotFound');
        assert.equal(e.message, 'configmaps "nope" not found');
        assert.equal(e.status.details?.name, 'nope');
        assert.ok(isNotFound(e));
        return true;
      });
      routes.set('PUT /api/v1/namespaces/ns1/configmaps/c', (_q, res) => {
        res.writeHead(409);
        res.end('plain text conflict');
      });
      await assert.rejects(client.resource(CONFIGMAPS).update({ metadata: { name: 'c', namespace: 'ns1' } }), (e: unknown) => {
        assert.ok(isConflict(e));
        assert.match((e as Error).message, /plain text conflict/);
        return true;
      });
    });

    test('delete sends DeleteOptions; patch sends the patch content type; metadata clients ask for PartialObjectMetadata', async () => {
      routes.set('DELETE /api/v1/namespaces/ns1/configmaps/d', (_q, res) => json(res, 200, { kind: 'Status', status: 'Success' }));
      await client.resource(CONFIGMAPS).delete('d', { namespace: 'ns1', propagationPolicy: 'Foreground', preconditions: { uid: 'u1' } });
      const del = seen.at(-1)!;
      assert.deepEqual(JSON.parse(del.body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', preconditions: { uid: 'u1' } });

      routes.set('PATCH /api/v1/namespaces/ns1/configmaps/p', (_q, res) => json(res, 200, { metadata: { name: 'p' } }));
      await client.resource(CONFIGMAPS).patch('p', 'json', [{ op: 'remove', path: '/data/x' }], { namespace: 'ns1' });
      assert.equal(seen.at(-1)!.headers['content-type'], 'application/json-patch+json');
      await client.metadata(CONFIGMAPS).patch('p', 'merge', { metadata: { labels: { a: 'b' } } }, { namespace: 'ns1', dryRun: true });
      assert.equal(seen.at(-1)!.headers['content-type'], 'application/merge-patch+json');
      assert.match(String(seen.at(-1)!.headers.accept), /as=PartialObjectMetadata;/);
      assert.match(seen.at(-1)!.url, /dryRun=All/);

      routes.set('DELETE /api/v1/namespaces/ns1/configmaps', (_q, res) => json(res, 200, { kind: 'Status', status: 'Success' }));
      await client.resource(CONFIGMAPS).deleteCollection({ namespace: 'ns1', labelSelector: 'a=b', propagationPolicy: 'Background' });
      assert.match(seen.at(-1)!.url, /labelSelector=a%3Db/);
      assert.equal(JSON.parse(seen.at(-1)!.body).propagationPolicy, 'Background');
    });

    test('listAll follows continue tokens', async () => {
      routes.set('GET /api/v1/configmaps', (req, res) => {
        const q = new URL(req.url!, 'http://x').searchParams;
        if (!q.get('continue')) json(res, 200, { metadata: { resourceVersion: '7', continue: 'next' }, items: [{ metadata: { name: 'a' } }] });
        else json(res, 200, { metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'b' } }] });
      });
      const all = await client.resource(CONFIGMAPS).listAll();
      assert.deepEqual(all.items.map((i) => i.metadata?.name), ['a', 'b']);
      assert.match(seen.at(-2)!.url, /limit=500/);
    });

    test('watch streams newline-delimited events split across chunks, and ERROR events throw', async () => {
      routes.set('GET /api/v1/namespaces/w/configmaps', (req, res) => {
        const q = new URL(req.url!, 'http://x').searchParams;
        assert.equal(q.get('watch'), 'true');
        res.writeHead(200, { 'content-type': 'application/json' });
        const ev1 = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '2' } } });
        res.write(ev1.slice(0, 10));
        setTimeout(() => {
          res.write(ev1.slice(10) + '\n' + JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } }) + '\n');
          res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } }) + '\n');
        }, 10);
      });
      const got: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const ev of client.resource(CONFIGMAPS).watch({ namespace: 'w', resourceVersion: '1', allowWatchBookmarks: true })) got.push(`${ev.type}:${ev.object.metadata?.resourceVersion}`);
        })(),
        (e: unknown) => isResourceExpired(e) && (e as Error).message === 'too old resource version: 1 (5)',
      );
      assert.deepEqual(got, ['ADDED:2', 'BOOKMARK:3']);
    });

    test('trimManagedFields drops managedFields from list items and watch events, and is not sent', async () => {
      const mf = [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }];
      const obj = (name: string, rv: string) => ({ metadata: { name, namespace: 't', resourceVersion: rv, managedFields: mf, labels: { big: 'x'.repeat(300) } }, data: { k: 'v' } });
      routes.set('GET /api/v1/namespaces/t/configmaps', (req, res) => {
        if (new URL(req.url!, 'http://x').searchParams.get('watch') !== 'true') return json(res, 200, { metadata: { resourceVersion: '1' }, items: [obj('a', '1')] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'ADDED', object: obj('b', '2') }) + '\n');
      });
      const cms = client.resource(CONFIGMAPS);
      const trimmed = await cms.list({ namespace: 't', trimManagedFields: true });
      assert.deepEqual(trimmed.items[0], { metadata: { name: 'a', namespace: 't', resourceVersion: '1', labels: { big: 'x'.repeat(300) } }, data: { k: 'v' } });
      assert.doesNotMatch(seen.at(-1)!.url, /trim/i);
      assert.deepEqual((await cms.list({ namespace: 't' })).items[0]!.metadata?.managedFields, mf);
      const events: unknown[] = [];
      for await (const ev of cms.watch({ namespace: 't', trimManagedFields: true })) events.push(ev.object.metadata);
      for await (const ev of cms.watch({ namespace: 't' })) events.push(ev.object.metadata);
      assert.equal((events[0] as { managedFields?: unknown }).managedFields, undefined);
      assert.equal((events[0] as { name: string }).name, 'b');
      assert.deepEqual((events[1] as { managedFields?: unknown }).managedFields, mf);
    });

    test('aborting a watch ends the loop quietly', async () => {
      routes.set('GET /api/v1/namespaces/hang/configmaps', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
      });
      const ac = new AbortController();
      let n = 0;
      for await (const ev of client.resource(CONFIGMAPS).watch({ namespace: 'hang', signal: ac.signal })) {
        assert.equal(ev.type, 'ADDED');
        n++;
        ac.abort();
      }
      assert.equal(n, 1);
    });

    test('an unreachable server is a TransportError', async () => {
      const dead = createClient({ server: `${new URL(url).protocol}//127.0.0.1:1`, caPem, ...clientCert });
      await assert.rejects(dead.resource(CONFIGMAPS).list(), (e: unknown) => e instanceof TransportError);
      dead.close();
    });

    // Only HTTP/2 multiplexes and only it does TLS here.
    if (transport === 'h2') {
      test('requests and watches share two connections; a connection the server closes is replaced', async () => {
        routes.set('GET /api/v1/namespaces/h2/configmaps', (req, res) => {
          if (new URL(req.url!, 'http://x').searchParams.get('watch') !== 'true') return json(res, 200, { metadata: { resourceVersion: '1' }, items: [] });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
        });
        const fresh = createClient({ server: url, caPem, ...clientCert });
        const before = sessions;
        const ac = new AbortController();
        const watches = Array.from({ length: 8 }, async () => {
          for await (const ev of fresh.resource(CONFIGMAPS).watch({ namespace: 'h2', signal: ac.signal })) assert.equal(ev.type, 'ADDED');
        });
        await Promise.all(Array.from({ length: 20 }, () => fresh.resource(CONFIGMAPS).list({ namespace: 'h2' })));
        assert.equal(sessions - before, 2);
        ac.abort();
        await Promise.all(watches);
        for (const s of serverSessions) s.close();
        serverSessions = [];
        await new Promise((r) => setTimeout(r, 50));
        const got = await fresh.resource(CONFIGMAPS).list({ namespace: 'h2' });
        assert.equal(got.metadata?.resourceVersion, '1');
        assert.equal(sessions - before, 3);
        fresh.close();
        await assert.rejects(fresh.resource(CONFIGMAPS).list({ namespace: 'h2' }), /the client is closed/);
      });

      test('a wrong CA fails the TLS handshake as a TransportError', async () => {
        const other = await createCA({ commonName: 'other', validityDays: 1 });
        const c = createClient({ server: url, caPem: other.certPem, ...clientCert });
        await assert.rejects(c.resource(CONFIGMAPS).list(), (e: unknown) => e instanceof TransportError);
        c.close();
      });
    }
  });
}
