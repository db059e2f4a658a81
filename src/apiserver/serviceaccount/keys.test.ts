import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIDFromPublicKey, loadOrCreateServiceAccountKey, ServiceAccountKeyError } from './keys.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sakey-'));
  try {
    await fn(join(dir, 'tls'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('creates an RSA key on first start and reuses it afterwards', () =>
  withDir(async (dir) => {
    const first = await loadOrCreateServiceAccountKey(dir);
    assert.equal(first.generated, true);
    assert.equal(first.alg, 'RS256');
    assert.equal(first.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal((await stat(join(dir, 'service-account.key'))).mode & 0o777, 0o600);
    const pub = await readFile(join(dir, 'service-account.pub'), 'utf8');
    assert.match(pub, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(pub, first.publicKeyPem);

    const again = await loadOrCreateServiceAccountKey(dir);
    assert.equal(again.generated, false);
    assert.equal(again.kid, first.kid);
    assert.equal(again.publicKeyPem, first.publicKeyPem);
  }));

test('ES256 keys, and a missing .pub is written back from the private key', () =>
  withDir(async (dir) => {
    const first = await loadOrCreateServiceAccountKey(dir, { algorithm: 'ES256' });
    assert.equal(first.alg, 'ES256');
    await rm(join(dir, 'service-account.pub'));
    const again = await loadOrCreateServiceAccountKey(dir, { algorithm: 'RS256' });
    assert.equal(again.alg, 'ES256', 'an existing key is kept whatever algorithm a new one would use');
    assert.equal(await readFile(join(dir, 'service-account.pub'), 'utf8'), first.publicKeyPem);
  }));

test('the kid is unpadded base64url of the SHA-256 of the DER public key', () =>
  withDir(async (dir) => {
    const key = await loadOrCreateServiceAccountKey(dir, { algorithm: 'ES256' });
    assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(keyIDFromPublicKey(createPublicKey(key.publicKeyPem)), key.kid);
    assert.equal(keyIDFromPublicKey(createPublicKey(key.privateKey)), key.kid);
  }));

test('a key file that is not a PEM private key is an error naming the file', () =>
  withDir(async (dir) => {
    await loadOrCreateServiceAccountKey(dir, { algorithm: 'ES256' });
    await writeFile(join(dir, 'service-account.key'), 'garbage');
    await assert.rejects(loadOrCreateServiceAccountKey(dir), (e: unknown) => e instanceof ServiceAccountKeyError && e.message.includes('service-account.key'));
  }));
