// Certificate authorities and leaf certificates: ECDSA P-256 keys from node:crypto, X.509
// encoding by @peculiar/x509 (which needs reflect-metadata loaded before it).
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import type { Extension, JsonGeneralName, JsonName } from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
/** Certificates are valid from a little in the past so that small clock skew does not reject them. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A PEM certificate with its PEM (PKCS#8) private key. A CA is the same shape. */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

export type CertificateUsage = 'server' | 'client' | 'both';

export interface CAOptions {
  commonName: string;
  validityDays: number;
}

export interface CertificateOptions {
  commonName: string;
  /** Subject O values; Kubernetes reads them as the user's groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: CertificateUsage;
  validityDays: number;
}

/** Creates a self-signed certificate authority. */
export async function createCA(options: CAOptions): Promise<CertificateAndKey> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [options.commonName] }],
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + options.validityDays * DAY_MS),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(
          KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature,
          true,
        ),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** Issues a leaf certificate signed by `ca`. */
export async function issueCertificate(
  ca: CertificateAndKey,
  options: CertificateOptions,
): Promise<CertificateAndKey> {
  const caCert = new X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = await generateKeyPair();

  const subject: JsonName = [{ CN: [options.commonName] }];
  for (const org of options.organizations ?? []) subject.push({ O: [org] });

  const extensions: Extension[] = [
    new BasicConstraintsExtension(false, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
    new ExtendedKeyUsageExtension(extendedUsages(options.usages), false),
    await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    await AuthorityKeyIdentifierExtension.create(caCert, false, crypto),
  ];
  const altNames = subjectAltNames(options.dnsNames ?? [], options.ipAddresses ?? []);
  if (altNames.length > 0) extensions.push(new SubjectAlternativeNameExtension(altNames, false));

  const now = Date.now();
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: caCert.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + options.validityDays * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions,
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

function extendedUsages(usages: CertificateUsage): ExtendedKeyUsage[] {
  switch (usages) {
    case 'server':
      return [ExtendedKeyUsage.serverAuth];
    case 'client':
      return [ExtendedKeyUsage.clientAuth];
    case 'both':
      return [ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth];
  }
}

function subjectAltNames(dnsNames: string[], ipAddresses: string[]): JsonGeneralName[] {
  const names: JsonGeneralName[] = [];
  for (const dns of new Set(dnsNames)) names.push({ type: 'dns', value: dns });
  for (const ip of new Set(ipAddresses)) {
    if (isIP(ip) === 0) throw new TypeError(`invalid IP address for certificate: ${JSON.stringify(ip)}`);
    names.push({ type: 'ip', value: ip });
  }
  return names;
}

/** 16 random bytes, top bit cleared so the DER integer stays positive, never zero. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return PemConverter.encode(der, 'PRIVATE KEY');
}

/** Accepts PKCS#8 and SEC1 ("EC PRIVATE KEY") PEM, so a CA supplied by the user works too. */
async function importKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}
