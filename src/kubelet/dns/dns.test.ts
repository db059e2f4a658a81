import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeRecorder } from '../../client/record/index.js';
import { DNSConfigurer, parseResolvConf } from './dns.js';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'team', uid: 'u' }, spec: { containers: [], ...spec } });

describe('DNS', () => {
  let dir = '';
  let resolv = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-dns-'));
    resolv = join(dir, 'resolv.conf');
    await writeFile(resolv, '# host\nnameserver 127.0.0.53\nsearch corp.example. lab.example\noptions edns0 ndots:2 ; trailing\n');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('parses resolv.conf', () => {
    assert.deepEqual(parseResolvConf('nameserver 1.1.1.1\nnameserver 2.2.2.2\nsearch a b\nsearch c.\noptions ndots:1\noptions ndots:3 rotate\n'), {
      servers: ['1.1.1.1', '2.2.2.2'],
      searches: ['c'],
      options: ['ndots:3', 'rotate'],
    });
  });

  it('ClusterFirst: cluster nameservers, namespace search path then the host searches, ndots:5', async () => {
    const d = new DNSConfigurer({ clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: resolv });
    await d.loadHostResolvConf();
    assert.deepEqual(d.getPodDNS(pod()), {
      servers: ['10.43.0.10'],
      searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'],
      options: ['ndots:5'],
    });
    // Host-network ClusterFirst falls back to the host; ClusterFirstWithHostNet does not.
    assert.deepEqual(d.getPodDNS(pod({ hostNetwork: true })).servers, ['127.0.0.53']);
    assert.deepEqual(d.getPodDNS(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })).servers, ['10.43.0.10']);
  });

  it('Default copies the host resolv.conf; None takes only dnsConfig; dnsConfig merges last', async () => {
    const d = new DNSConfigurer({ clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: resolv });
    await d.loadHostResolvConf();
    assert.deepEqual(d.getPodDNS(pod({ dnsPolicy: 'Default' })), { servers: ['127.0.0.53'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'ndots:2'] });
    assert.deepEqual(
      d.getPodDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.1'], searches: ['x.y'], options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] } })),
      { servers: ['10.0.0.1'], searches: ['x.y'], options: ['ndots:1', 'edns0'] },
    );
    assert.deepEqual(d.getPodDNS(pod({ dnsConfig: { options: [{ name: 'ndots', value: '2' }], searches: ['svc.cluster.local', 'extra'] } })), {
      servers: ['10.43.0.10'],
      searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra'],
      options: ['ndots:2'],
    });
  });

  it('without cluster DNS falls back to Default with an event; without resolv.conf uses the local resolver', () => {
    const recorder = new FakeRecorder();
    const d = new DNSConfigurer({ clusterDNS: [], clusterDomain: 'cluster.local', resolvConf: '', recorder });
    assert.deepEqual(d.getPodDNS(pod()), { servers: ['127.0.0.1'], searches: ['.'], options: [] });
    assert.match(recorder.lines()[0]!, /^Warning MissingClusterDNS pod: "p_team\(u\)". kubelet does not have ClusterDNS IP configured/);
  });

  it('keeps at most 3 nameservers', () => {
    const recorder = new FakeRecorder();
    const d = new DNSConfigurer({ clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: '', recorder });
    const cfg = d.getPodDNS(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } }));
    assert.deepEqual(cfg.servers, ['10.43.0.10', '1.1.1.1', '2.2.2.2']);
    assert.equal(recorder.events[0]?.reason, 'DNSConfigForming');
  });
});
