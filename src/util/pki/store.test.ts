import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PKIError, loadOrCreatePKI } from './store.js';

const FILES = [
  'server-ca.crt',
  'server-ca.key',
  'client-ca.crt',
  'client-ca.key',
  'serving-kube-apiserver.crt',
  'serving-kube-apiserver.key',
  'client-admin.crt',
  'client-admin.key',
];

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-pki-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'tls');
}

describe('loadOrCreatePKI', () => {
  it('creates every file on first start with private keys at 0600', async (t) => {
    const dir = await tempDir(t);
    const pki = await loadOrCreatePKI(dir, { serverSANs: { dns: ['api.example'], ips: ['192.0.2.7'] } });
    assert.deepEqual(pki.generated, ['serverCA', 'clientCA', 'serving', 'admin']);
    for (const file of FILES) {
      const mode = (await stat(join(dir, file))).mode & 0o777;
      assert.equal(mode, file.endsWith('.key') ? 0o600 : 0o644, file);
    }
    assert.equal((await stat(dir)).mode & 0o777, 0o700);

    const serving = new X509Certificate(pki.serving.certPem);
    assert.ok(serving.checkIssued(new X509Certificate(pki.serverCA.certPem)));
    for (const dns of [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'localhost',
      hostname().toLowerCase(),
      'api.example',
    ]) {
      assert.ok(serving.checkHost(dns, { subject: 'never' }), dns);
    }
    for (const ip of ['127.0.0.1', '::1', '10.43.0.1', '192.0.2.7']) assert.ok(serving.checkIP(ip), ip);

    const admin = new X509Certificate(pki.admin.certPem);
    assert.equal(admin.subject, 'CN=system:admin\nO=system:masters');
    assert.ok(admin.checkIssued(new X509Certificate(pki.clientCA.certPem)));
    assert.ok(!admin.checkIssued(new X509Certificate(pki.serverCA.certPem)));
  });

  it('reads everything back on a later start', async (t) => {
    const dir = await tempDir(t);
    const first = await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    const second = await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    assert.deepEqual(second.generated, []);
    assert.deepEqual(
      { ...second, generated: undefined },
      { ...first, generated: undefined },
    );
  });

  it('reissues only the serving certificate when a new name is requested', async (t) => {
    const dir = await tempDir(t);
    const first = await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    const second = await loadOrCreatePKI(dir, { serverSANs: { dns: ['new.example'], ips: ['198.51.100.1'] } });
    assert.deepEqual(second.generated, ['serving']);
    assert.equal(second.serverCA.certPem, first.serverCA.certPem);
    assert.equal(second.admin.certPem, first.admin.certPem);
    const serving = new X509Certificate(second.serving.certPem);
    assert.ok(serving.checkHost('new.example', { subject: 'never' }));
    assert.ok(serving.checkIP('198.51.100.1'));
    assert.equal(await readFile(join(dir, 'serving-kube-apiserver.crt'), 'utf8'), second.serving.certPem);
    // An IP given as a DNS name counts as an IP, and a subset of names needs no new certificate.
    const third = await loadOrCreatePKI(dir, { serverSANs: { dns: ['198.51.100.1'], ips: [] } });
    assert.deepEqual(third.generated, []);
  });

  it('reissues leaves when the CA is replaced, and a corrupt leaf', async (t) => {
    const dir = await tempDir(t);
    await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    await rm(join(dir, 'client-ca.crt'));
    await writeFile(join(dir, 'serving-kube-apiserver.crt'), 'garbage');
    const again = await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    assert.deepEqual(again.generated, ['clientCA', 'serving', 'admin']);
  });

  it('refuses a corrupt CA instead of replacing it', async (t) => {
    const dir = await tempDir(t);
    await loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } });
    await writeFile(join(dir, 'server-ca.crt'), 'garbage');
    await assert.rejects(loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: [] } }), PKIError);
  });

  it('rejects a malformed IP', async (t) => {
    const dir = await tempDir(t);
    await assert.rejects(loadOrCreatePKI(dir, { serverSANs: { dns: [], ips: ['10.0.0'] } }), /not an IP address/);
  });
});
