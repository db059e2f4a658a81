import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { createCA, issueCertificate } from './certificates.js';
import type { CertificateAndKey } from './certificates.js';
import { userFromCertificate } from './user.js';
import type { CertificateUser } from './user.js';

describe('createCA / issueCertificate', () => {
  it('creates a self-signed CA with a P-256 key', async () => {
    const ca = await createCA({ commonName: 'test-ca', validityDays: 10 });
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=test-ca');
    assert.equal(cert.issuer, 'CN=test-ca');
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 9.9 && days <= 10, `validity ${days} days`);
  });

  it('issues a server certificate with SANs and serverAuth only', async () => {
    const ca = await createCA({ commonName: 'test-ca', validityDays: 10 });
    const pair = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['kubernetes', 'localhost', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      usages: 'server',
      validityDays: 5,
    });
    const cert = new X509Certificate(pair.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.equal(cert.subjectAltName, 'DNS:kubernetes, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(cert.checkHost('kubernetes'), 'kubernetes');
    assert.equal(cert.checkHost('example.com'), undefined);
  });

  it('rejects an invalid IP address', async () => {
    const ca = await createCA({ commonName: 'test-ca', validityDays: 1 });
    await assert.rejects(
      issueCertificate(ca, { commonName: 'x', ipAddresses: ['not-an-ip'], usages: 'server', validityDays: 1 }),
      /invalid IP address/,
    );
  });

  it('puts every organization into the subject', async () => {
    const ca = await createCA({ commonName: 'test-ca', validityDays: 1 });
    const pair = await issueCertificate(ca, {
      commonName: 'jane',
      organizations: ['dev', 'ops'],
      usages: 'both',
      validityDays: 1,
    });
    const cert = new X509Certificate(pair.certPem);
    assert.equal(cert.subject, 'CN=jane\nO=dev\nO=ops');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });
});

describe('client certificates over TLS', () => {
  it('the server sees CN and all O of a trusted client certificate, and flags an unknown CA', async (t) => {
    const serverCA = await createCA({ commonName: 'server-ca', validityDays: 1 });
    const clientCA = await createCA({ commonName: 'client-ca', validityDays: 1 });
    const otherCA = await createCA({ commonName: 'other-ca', validityDays: 1 });
    const serving = await issueCertificate(serverCA, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usages: 'server',
      validityDays: 1,
    });
    const admin = await issueCertificate(clientCA, {
      commonName: 'system:admin',
      organizations: ['system:masters', 'extra'],
      usages: 'client',
      validityDays: 1,
    });
    const stranger = await issueCertificate(otherCA, {
      commonName: 'mallory',
      organizations: ['system:masters'],
      usages: 'client',
      validityDays: 1,
    });

    const server = createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: clientCA.certPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const seen: { authorized: boolean; user: CertificateUser | undefined } = {
          authorized: socket.authorized,
          user: userFromCertificate(socket.getPeerCertificate()),
        };
        res.end(JSON.stringify(seen));
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const { port } = server.address() as AddressInfo;

    const ask = (client: CertificateAndKey | undefined) => request(port, serverCA.certPem, client);

    assert.deepEqual(await ask(admin), {
      authorized: true,
      user: { name: 'system:admin', groups: ['system:masters', 'extra'] },
    });
    const fromStranger = await ask(stranger);
    assert.equal(fromStranger.authorized, false);
    assert.deepEqual(await ask(undefined), { authorized: false });
  });
});

/** One HTTP/1.1 GET over a raw TLS socket, trusting only `caPem`; returns the parsed body. */
async function request(
  port: number,
  caPem: string,
  client: CertificateAndKey | undefined,
): Promise<{ authorized: boolean; user?: CertificateUser }> {
  const socket = connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: caPem,
    ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
  });
  await once(socket, 'secureConnect');
  assert.equal(socket.authorized, true, `client rejected the server certificate: ${String(socket.authorizationError)}`);
  socket.end('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  let raw = '';
  socket.setEncoding('utf8');
  for await (const chunk of socket) raw += chunk as string;
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  // The body may be chunked; with Connection: close and res.end(string) Node sends Content-Length.
  return JSON.parse(body) as { authorized: boolean; user?: CertificateUser };
}
