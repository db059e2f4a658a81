import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);
const h = kinds.CertificateSigningRequest!;

/** A DER TLV. */
function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 255]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

/** A minimal PKCS#10 request signed with a fresh EC key, PEM then base64 as on the wire. */
function makeCSR(): string {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const cn = der(0x30, der(0x31, der(0x30, Buffer.concat([der(0x06, Buffer.from([0x55, 0x04, 0x03])), der(0x0c, Buffer.from('system:node:n1'))]))));
  const info = der(0x30, Buffer.concat([der(0x02, Buffer.from([0])), cn, spki, der(0xa0, Buffer.alloc(0))]));
  const sig = createSign('SHA256').update(info).sign(privateKey);
  const alg = der(0x30, der(0x06, Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])));
  const csr = der(0x30, Buffer.concat([info, alg, der(0x03, Buffer.concat([Buffer.from([0]), sig]))]));
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${csr.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  return Buffer.from(pem).toString('base64');
}

test('valid CertificateSigningRequest', () => {
  const csr: any = { spec: { request: makeCSR(), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 } };
  assert.deepEqual(text(h.validate!(csr)), []);
  assert.equal(h.nameValidation, 'none');
});

test('invalid CertificateSigningRequest', () => {
  const csr: any = { spec: { request: Buffer.from('hi').toString('base64'), signerName: 'example', usages: [], expirationSeconds: 60 } };
  assert.deepEqual(text(h.validate!(csr)), [
    'spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST',
    'spec.usages: Required value',
    "spec.signerName: Invalid value: \"example\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
    'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
  ]);
  const legacy: any = { spec: { request: makeCSR(), signerName: 'kubernetes.io/legacy-unknown', usages: ['client auth', 'client auth', 'flying'] } };
  const errs = text(h.validate!(legacy));
  assert.equal(errs.length, 3);
  assert.match(errs[0]!, /^spec\.usages\[2\]: Unsupported value: "flying": supported values: "any", "cert sign",/);
  assert.equal(errs[1], 'spec.usages[1]: Duplicate value: "client auth"');
  assert.equal(errs[2], 'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version');
});
