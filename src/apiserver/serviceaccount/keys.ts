// The service account signing key: one key pair in <data-dir>/tls (service-account.key, PKCS#8
// PEM, and service-account.pub, SPKI PEM), created on first start and read back afterwards, as
// kube-apiserver reads --service-account-signing-key-file / --service-account-key-file.

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const SERVICE_ACCOUNT_KEY_FILE = 'service-account.key';
export const SERVICE_ACCOUNT_PUB_FILE = 'service-account.pub';

/** The JWS algorithms upstream signs with (RSA keys sign RS256 only; P-256 keys ES256). */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** A key that verifies tokens, named by its key ID (upstream serviceaccount.PublicKey). */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: KeyObject;
}

export interface ServiceAccountKey extends VerificationKey {
  privateKey: KeyObject;
  /** The public key as SPKI PEM (what service-account.pub holds). */
  publicKeyPem: string;
  /** True when this call created the key pair. */
  generated: boolean;
}

export class ServiceAccountKeyError extends Error {
  readonly code = 'ServiceAccountKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceAccountKeyError';
  }
}

/**
 * The key ID upstream derives non-reversibly from a public key (pkg/serviceaccount
 * keyIDFromPublicKey): unpadded base64url of the SHA-256 of its DER SubjectPublicKeyInfo.
 */
export function keyIDFromPublicKey(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** The algorithm a public key signs with (upstream algorithmFromPublicKey). */
export function algorithmFor(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new ServiceAccountKeyError(`unknown private key curve ${curve ?? ''}, must be 256, 384, or 521`);
  }
  throw new ServiceAccountKeyError(`unknown public key type ${key.asymmetricKeyType ?? ''}, must be RSA or ECDSA`);
}

/** A verification key for a public (or private) key. */
export function verificationKey(key: KeyObject): VerificationKey {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return { kid: keyIDFromPublicKey(pub), alg: algorithmFor(pub), key: pub };
}

export interface LoadKeyOptions {
  /** The kind of key to create when none exists: RSA 2048 (upstream/kubeadm default) or P-256. */
  algorithm?: 'RS256' | 'ES256';
}

/**
 * Reads `<dir>/service-account.key` (RSA or ECDSA, PKCS#8 or PKCS#1/SEC1 PEM), or creates it
 * (and `service-account.pub`) when absent. A missing `.pub` is rewritten from the private key.
 */
export async function loadOrCreateServiceAccountKey(dir: string, opts: LoadKeyOptions = {}): Promise<ServiceAccountKey> {
  const keyPath = join(dir, SERVICE_ACCOUNT_KEY_FILE);
  const pubPath = join(dir, SERVICE_ACCOUNT_PUB_FILE);
  let pem = await readIfExists(keyPath);
  let generated = false;
  if (pem === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    pem = await generatePem(opts.algorithm ?? 'RS256');
    await writeAtomic(keyPath, pem, 0o600);
    generated = true;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new ServiceAccountKeyError(`${keyPath} does not hold a PEM private key`, { cause: e });
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const existingPub = await readIfExists(pubPath);
  if (existingPub !== publicKeyPem) await writeAtomic(pubPath, publicKeyPem, 0o644);
  return { privateKey, publicKeyPem, generated, ...verificationKey(publicKey) };
}

async function generatePem(algorithm: 'RS256' | 'ES256'): Promise<string> {
  const gen = promisify(generateKeyPair);
  // generateKeyPair runs on the libuv pool: RSA generation never blocks the event loop.
  const pair =
    algorithm === 'RS256'
      ? await gen('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
      : await gen('ec', { namedCurve: 'prime256v1' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceAccountKeyError(`cannot read ${path}`, { cause: e });
  }
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
