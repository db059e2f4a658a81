// The server's certificates under <data-dir>/tls: created on first start, read back afterwards.
//
// Two CAs as in k3s: server-ca signs serving certificates (clients trust it through the
// kubeconfig's certificate-authority-data) and client-ca signs client certificates (the API
// server trusts it for x509 authentication). Keeping them apart means a serving certificate can
// never be presented as a client identity and vice versa.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCertificate } from './certificates.js';
import type { CertificateAndKey } from './certificates.js';

export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
/** A leaf certificate is reissued at start when it expires sooner than this (k3s uses 90 days). */
export const RENEW_BEFORE_DAYS = 90;

/** The first address of the default service CIDR 10.43.0.0/16: the `kubernetes` Service. */
export const DEFAULT_KUBERNETES_SERVICE_IP = '10.43.0.1';

/** Base names under the tls directory; each has `.crt` and `.key`. */
export const PKI_FILES = {
  serverCA: 'server-ca',
  clientCA: 'client-ca',
  serving: 'serving-kube-apiserver',
  admin: 'client-admin',
} as const;

export type PKIName = keyof typeof PKI_FILES;

export interface PKIOptions {
  /** Extra names for the serving certificate, added to the built-in ones. */
  serverSANs: { dns: string[]; ips: string[] };
}

export interface PKI {
  dir: string;
  serverCA: CertificateAndKey;
  clientCA: CertificateAndKey;
  serving: CertificateAndKey;
  /** CN=system:admin, O=system:masters, signed by clientCA: what the kubeconfig uses. */
  admin: CertificateAndKey;
  /** What this call created or reissued (empty when everything was read back), for logging. */
  generated: PKIName[];
}

export class PKIError extends Error {
  readonly code = 'PKIError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PKIError';
  }
}

/** The names every serving certificate carries, in the order upstream lists them. */
export function defaultServingSANs(): { dns: string[]; ips: string[] } {
  return {
    dns: [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'localhost',
      hostname().toLowerCase(),
    ],
    ips: ['127.0.0.1', '::1', DEFAULT_KUBERNETES_SERVICE_IP],
  };
}

/**
 * Reads the CAs and certificates from `tlsDir`, creating whatever is missing. Leaf certificates
 * are reissued when they are not signed by the current CA, expire within RENEW_BEFORE_DAYS, or
 * (serving) no longer cover every requested name. A CA whose files exist but cannot be parsed
 * is an error rather than silently replaced, since replacing it invalidates every kubeconfig.
 */
export async function loadOrCreatePKI(tlsDir: string, options: PKIOptions): Promise<PKI> {
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const generated: PKIName[] = [];

  const loadCA = async (name: 'serverCA' | 'clientCA', commonName: string): Promise<CertificateAndKey> => {
    const existing = await readPair(tlsDir, PKI_FILES[name]);
    if (existing) {
      checkCA(existing, join(tlsDir, PKI_FILES[name]));
      return existing;
    }
    const ca = await createCA({ commonName, validityDays: CA_VALIDITY_DAYS });
    await writePair(tlsDir, PKI_FILES[name], ca);
    generated.push(name);
    return ca;
  };
  const serverCA = await loadCA('serverCA', `k8ts-server-ca@${Math.floor(Date.now() / 1000)}`);
  const clientCA = await loadCA('clientCA', `k8ts-client-ca@${Math.floor(Date.now() / 1000)}`);

  const defaults = defaultServingSANs();
  const sans = splitNames([...defaults.dns, ...options.serverSANs.dns], [...defaults.ips, ...options.serverSANs.ips]);

  const loadLeaf = async (
    name: 'serving' | 'admin',
    ca: CertificateAndKey,
    covers: (cert: X509Certificate) => boolean,
    issue: () => Promise<CertificateAndKey>,
  ): Promise<CertificateAndKey> => {
    const existing = await readPair(tlsDir, PKI_FILES[name]);
    if (existing && leafStillGood(existing, ca, covers)) return existing;
    const pair = await issue();
    await writePair(tlsDir, PKI_FILES[name], pair);
    generated.push(name);
    return pair;
  };

  const serving = await loadLeaf(
    'serving',
    serverCA,
    (cert) =>
      sans.dns.every((dns) => cert.checkHost(dns, { subject: 'never', wildcards: false }) !== undefined) &&
      sans.ips.every((ip) => cert.checkIP(ip) !== undefined),
    () =>
      issueCertificate(serverCA, {
        commonName: 'kube-apiserver',
        dnsNames: sans.dns,
        ipAddresses: sans.ips,
        usages: 'server',
        validityDays: LEAF_VALIDITY_DAYS,
      }),
  );
  const admin = await loadLeaf(
    'admin',
    clientCA,
    (cert) => cert.subject.includes('CN=system:admin') && cert.subject.includes('O=system:masters'),
    () =>
      issueCertificate(clientCA, {
        commonName: 'system:admin',
        organizations: ['system:masters'],
        usages: 'client',
        validityDays: LEAF_VALIDITY_DAYS,
      }),
  );

  return { dir: tlsDir, serverCA, clientCA, serving, admin, generated };
}

/** Sorts names into DNS names and IPs (an IP passed as a DNS name moves over), dropping duplicates. */
function splitNames(dns: string[], ips: string[]): { dns: string[]; ips: string[] } {
  const outDns = new Set<string>();
  const outIps = new Set<string>();
  for (const name of dns) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed === '') continue;
    if (isIP(trimmed) !== 0) outIps.add(trimmed);
    else outDns.add(trimmed);
  }
  for (const ip of ips) {
    const trimmed = ip.trim();
    if (trimmed === '') continue;
    if (isIP(trimmed) === 0) throw new PKIError(`not an IP address for the serving certificate: ${JSON.stringify(ip)}`);
    outIps.add(trimmed);
  }
  return { dns: [...outDns], ips: [...outIps] };
}

function checkCA(pair: CertificateAndKey, base: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) {
      throw new PKIError(`${base}.key does not belong to ${base}.crt`);
    }
  } catch (err) {
    if (err instanceof PKIError) throw err;
    throw new PKIError(`cannot read certificate authority ${base}.crt/.key`, { cause: err });
  }
  if (!cert.ca) throw new PKIError(`${base}.crt is not a CA certificate`);
  if (Date.parse(cert.validTo) <= Date.now()) throw new PKIError(`certificate authority ${base}.crt expired on ${cert.validTo}`);
}

function leafStillGood(
  pair: CertificateAndKey,
  ca: CertificateAndKey,
  covers: (cert: X509Certificate) => boolean,
): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    const caCert = new X509Certificate(ca.certPem);
    return (
      cert.checkIssued(caCert) &&
      cert.verify(caCert.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(pair.keyPem)) &&
      Date.parse(cert.validTo) > Date.now() + RENEW_BEFORE_DAYS * 24 * 60 * 60 * 1000 &&
      covers(cert)
    );
  } catch {
    // Unparseable leaf files are simply reissued.
    return false;
  }
}

/** Reads `<base>.crt` and `<base>.key`; undefined when either does not exist. */
async function readPair(dir: string, base: string): Promise<CertificateAndKey | undefined> {
  const certPem = await readIfExists(join(dir, `${base}.crt`));
  const keyPem = await readIfExists(join(dir, `${base}.key`));
  if (certPem === undefined || keyPem === undefined) return undefined;
  return { certPem, keyPem };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PKIError(`cannot read ${path}`, { cause: err });
  }
}

/** Key first, then certificate, each written to a temporary file and renamed into place. */
async function writePair(dir: string, base: string, pair: CertificateAndKey): Promise<void> {
  await writeAtomic(join(dir, `${base}.key`), pair.keyPem, 0o600);
  await writeAtomic(join(dir, `${base}.crt`), pair.certPem, 0o644);
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode); // writeFile's mode applies only when it creates the file
  await rename(tmp, path);
}
