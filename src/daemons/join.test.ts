import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA } from '../util/pki/index.js';
import type { PKI } from '../util/pki/index.js';
import { NodeJoin, caHash, formatToken, parseToken } from './join.js';

test('a full token carries the CA hash and the secret; a bare secret parses alone', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';
  const token = formatToken(ca, 's3cret');
  assert.match(token, /^K10[0-9a-f]{64}::server:s3cret$/);
  assert.deepEqual(parseToken(`${token}\n`), { caHash: caHash(ca), secret: 's3cret' });
  assert.deepEqual(parseToken('plain'), { secret: 'plain' });
  assert.throws(() => parseToken('  \n'), /empty/);
});

test('NodeJoin checks the secret and issues system:node certificates signed by the client CA', async () => {
  const serverCA = await createCA({ commonName: 'server-ca', validityDays: 1 });
  const clientCA = await createCA({ commonName: 'client-ca', validityDays: 1 });
  const join = new NodeJoin({ serverCA, clientCA } as unknown as PKI, 'right');
  assert.equal(join.checkSecret('right'), true);
  assert.equal(join.checkSecret('wrong'), false);
  assert.equal(join.checkSecret('righ'), false);
  assert.equal(join.caBundle(), serverCA.certPem);
  const creds = await join.issue('node-1');
  const cert = new X509Certificate(creds.certPem);
  assert.match(cert.subject, /CN=system:node:node-1/);
  assert.match(cert.subject, /O=system:nodes/);
  assert.ok(cert.verify(new X509Certificate(clientCA.certPem).publicKey));
  assert.equal(creds.caPem, serverCA.certPem);
  await assert.rejects(join.issue('Bad_Name'), /invalid node name "Bad_Name"/);
});
