import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, instancePaths, renderCNIConflist, renderContainerdConfig } from './config.js';
import { MissingDependencyError, checkDependencies } from './deps.js';
import { shimSocketPath } from './cleanup.js';

const paths = instancePaths('/var/lib/k8ts/agent/containerd');

test('containerd config keeps every path under the instance dir and sets the CRI essentials', () => {
  const toml = renderContainerdConfig({ paths, sandboxImage: 'registry.k8s.io/pause:3.10', streamPort: 10010 });
  const line = (re: RegExp) => assert.match(toml, re);
  line(/^version = 2$/m);
  line(/^root = "\/var\/lib\/k8ts\/agent\/containerd\/root"$/m);
  line(/^state = "\/var\/lib\/k8ts\/agent\/containerd\/state"$/m);
  line(/\[grpc\]\n {2}address = "\/var\/lib\/k8ts\/agent\/containerd\/containerd.sock"/);
  line(/\[ttrpc\]\n {2}address = "\/var\/lib\/k8ts\/agent\/containerd\/containerd.sock.ttrpc"/);
  line(/\[plugins."io.containerd.internal.v1.opt"\]\n {2}path = "\/var\/lib\/k8ts\/agent\/containerd\/opt"/);
  line(/sandbox_image = "registry.k8s.io\/pause:3.10"/);
  line(/restrict_oom_score_adj = true/);
  line(/stream_server_address = "127.0.0.1"\n {2}stream_server_port = "10010"/);
  line(/runtimes.runc\]\n.*\n {2}runtime_type = "io.containerd.runc.v2"/);
  line(/bin_dir = "\/usr\/lib\/cni"\n {2}conf_dir = "\/var\/lib\/k8ts\/agent\/containerd\/cni\/net.d"/);
  // Never the system instance's defaults.
  assert.doesNotMatch(toml, /\/run\/containerd|\/var\/lib\/containerd|\/etc\/cni/);
  // Every quoted absolute path is under the instance dir or the CNI plugins.
  for (const m of toml.matchAll(/"(\/[^"]*)"/g)) assert.ok(m[1].startsWith(paths.dir) || m[1] === '/usr/lib/cni', m[1]);
});

test('CNI conflist: bridge gateway without masquerade, host-local on the pod CIDR under the dir, portmap', () => {
  const conf = JSON.parse(renderCNIConflist({ paths, podCIDR: '10.42.3.0/24', bridge: 'k8tsbr0' })) as {
    cniVersion: string;
    name: string;
    plugins: { type: string; bridge?: string; isGateway?: boolean; ipMasq?: boolean; ipam?: { type: string; ranges: { subnet: string }[][]; dataDir: string }; capabilities?: Record<string, boolean> }[];
  };
  assert.equal(conf.cniVersion, '1.0.0');
  assert.equal(conf.name, 'k8ts');
  assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'portmap']);
  const br = conf.plugins[0];
  assert.deepEqual([br.bridge, br.isGateway, br.ipMasq], ['k8tsbr0', true, false]);
  assert.equal(br.ipam?.type, 'host-local');
  assert.deepEqual(br.ipam?.ranges, [[{ subnet: '10.42.3.0/24' }]]);
  assert.equal(br.ipam?.dataDir, '/var/lib/k8ts/agent/containerd/cni/ipam');
  assert.deepEqual(conf.plugins[1].capabilities, { portMappings: true });
  assert.equal(JSON.parse(renderCNIConflist({ paths, podCIDR: '10.42.3.0/24', ipMasq: true })).plugins[0].ipMasq, true);
  assert.throws(() => renderCNIConflist({ paths, podCIDR: '10.42.3.0/24', bridge: 'a-very-long-bridge-name' }), /invalid bridge name/);
  assert.throws(() => renderCNIConflist({ paths, podCIDR: '10.42.3.0' }), /invalid pod CIDR/);
  assert.throws(() => renderCNIConflist({ paths, podCIDR: '300.1.1.0/24' }), /invalid pod CIDR/);
});

test('cidrContains', () => {
  assert.equal(cidrContains('10.88.5.0/24', '10.88.5.2'), true);
  assert.equal(cidrContains('10.88.5.0/24', '10.88.6.2'), false);
  assert.equal(cidrContains('10.42.0.0/16', '10.42.255.1'), true);
  assert.equal(cidrContains('10.42.0.0/16', 'fe80::1'), false);
});

test('a missing binary gives one line naming the Debian package', async () => {
  await assert.rejects(
    checkDependencies([{ binary: 'k8ts-no-such-containerd', debianPackage: 'containerd' }, { binary: '/nonexistent/bridge', debianPackage: 'containernetworking-plugins' }], '/nonexistent'),
    (err: Error) => {
      assert.ok(err instanceof MissingDependencyError);
      assert.equal(err.message, 'k8ts-no-such-containerd, /nonexistent/bridge not found: install the Debian packages containerd containernetworking-plugins (apt-get install containerd containernetworking-plugins)');
      assert.ok(!err.message.includes('\n'));
      return true;
    },
  );
  await checkDependencies([{ binary: process.execPath, debianPackage: 'nodejs' }]);
});

test('shim socket path follows containerd 1.6 (sha256 of address/namespace/id)', () => {
  assert.match(shimSocketPath(paths, 'k8s.io', 'abc'), /^\/run\/containerd\/s\/[0-9a-f]{64}$/);
  assert.notEqual(shimSocketPath(paths, 'k8s.io', 'abc'), shimSocketPath(instancePaths('/tmp/other'), 'k8s.io', 'abc'));
});

test('containerdEnv sends pulls to a closed loopback port unless a proxy is given, loopback registries direct', async () => {
    const { containerdEnv, OFFLINE_PROXY } = await import('./supervisor.js');
    const env = containerdEnv();
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) assert.equal(env[k], OFFLINE_PROXY);
    assert.equal(env.NO_PROXY, '127.0.0.1,localhost,::1');
    assert.equal(containerdEnv('http://proxy.local:3128').HTTPS_PROXY, 'http://proxy.local:3128');
});
