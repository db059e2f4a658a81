import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, type MountedVolume } from './container/runtime.js';
import { DNSConfigurer } from './dns/dns.js';
import { KubeletRuntimeHelper, managedHostsFileContent, podHostnameAndDomain } from './runtime-helper.js';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, name = 'web-0'): Pod => ({ metadata: { name, namespace: 'ns', uid: 'uid-1' }, spec: { containers: [], ...spec } });

describe('KubeletRuntimeHelper', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-rh-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const helper = (volumes: Map<string, MountedVolume>, nodeHostsFile?: string) =>
    new KubeletRuntimeHelper({
      env: { makeEnvironmentVariables: async () => [{ name: 'SUB', value: 'data' }] },
      volumes: { mountPodVolumes: async () => volumes },
      dns: new DNSConfigurer({ clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: '' }),
      rootDir: dir,
      nodeHostsFile,
    });

  it('resolves mounts, writes the managed /etc/hosts and the container dir', async () => {
    const vols = new Map<string, MountedVolume>([
      ['cfg', { hostPath: '/var/lib/x/cfg', readOnly: true }],
      ['data', { hostPath: '/var/lib/x/data', readOnly: false }],
    ]);
    const c: Container = {
      name: 'app',
      terminationMessagePath: '/dev/termination-log',
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/cfg' },
        { name: 'data', mountPath: '/data', subPathExpr: '$(SUB)/x', readOnly: true },
      ],
    };
    const p = pod({ subdomain: 'web', hostAliases: [{ ip: '10.1.1.1', hostnames: ['foo', 'bar'] }] });
    const opts = await helper(vols).generateRunContainerOptions(p, c, '10.42.0.7', ['10.42.0.7']);
    assert.deepEqual(opts.envs, [{ name: 'SUB', value: 'data' }]);
    assert.equal(opts.hostname, 'web-0');
    const hostsPath = join(dir, 'pods', 'uid-1', 'etc-hosts');
    assert.deepEqual(opts.mounts, [
      { name: 'cfg', containerPath: '/etc/cfg', hostPath: '/var/lib/x/cfg', readOnly: true },
      { name: 'data', containerPath: '/data', hostPath: '/var/lib/x/data', readOnly: true, subPath: 'data/x' },
      { name: 'k8s-managed-etc-hosts', containerPath: '/etc/hosts', hostPath: hostsPath, readOnly: false },
    ]);
    const hosts = await readFile(hostsPath, 'utf8');
    assert.equal(
      hosts,
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n' +
        '10.42.0.7\tweb-0.web.ns.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.1.1\tfoo\tbar\n',
    );
    assert.equal(opts.podContainerDir, join(dir, 'pods', 'uid-1', 'containers', 'app'));
    assert.ok((await stat(opts.podContainerDir)).isDirectory());
  });

  it('a missing volume is a CreateContainerConfigError; no pod IP means no hosts mount', async () => {
    const h = helper(new Map());
    await assert.rejects(
      h.generateRunContainerOptions(pod(), { name: 'app', volumeMounts: [{ name: 'gone', mountPath: '/x' }] }, '', []),
      (e: unknown) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && e.message === 'cannot find volume "gone" to mount into container "app"',
    );
    const opts = await h.generateRunContainerOptions(pod(), { name: 'app' }, '', []);
    assert.deepEqual(opts.mounts, []);
    assert.equal(opts.podContainerDir, '');
  });

  it('host-network pods get the node hosts file; a container mounting /etc/hosts itself does not', async () => {
    const nodeHosts = join(dir, 'node-hosts');
    await writeFile(nodeHosts, '127.0.0.1 localhost\n');
    const vols = new Map<string, MountedVolume>([['h', { hostPath: '/h', readOnly: false }]]);
    const h = helper(vols, nodeHosts);
    const opts = await h.generateRunContainerOptions(pod({ hostNetwork: true }), { name: 'app' }, '192.168.1.2', ['192.168.1.2']);
    assert.equal(await readFile(opts.mounts[0]!.hostPath, 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n');
    const own = await h.generateRunContainerOptions(pod(), { name: 'app', volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] }, '10.0.0.1', ['10.0.0.1']);
    assert.deepEqual(own.mounts.map((m) => m.name), ['h']);
  });

  it('DNS and pod dirs', () => {
    const h = helper(new Map());
    assert.equal(h.getPodDir('abc'), join(dir, 'pods', 'abc'));
    assert.deepEqual(h.getPodDNS(pod()).servers, ['10.43.0.10']);
  });
});

describe('hostname and hosts content', () => {
  it('truncates long names to 63 characters without a trailing dash and uses spec.hostname', () => {
    const long = 'a'.repeat(62) + '-b';
    assert.equal(podHostnameAndDomain(pod({}, long), 'cluster.local').hostname, 'a'.repeat(62));
    assert.equal(podHostnameAndDomain(pod({ hostname: 'h' }), 'cluster.local').hostname, 'h');
  });
  it('lists every pod IP', () => {
    assert.match(managedHostsFileContent(['10.0.0.1', 'fd00::1'], 'p', '', undefined), /10\.0\.0\.1\tp\nfd00::1\tp\n$/);
  });
});
