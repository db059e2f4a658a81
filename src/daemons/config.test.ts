import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, completeAgentConfig, completeServerConfig, parseCapacity } from './config.js';

test('the server runs its own real node unless told to run none or simulated ones', () => {
  const own = completeServerConfig({ dataDir: '/tmp/x', nodeName: 'Box', nodeLabels: ['disk=ssd'], kubeletPort: '0', containerRuntimeEndpoint: 'unix:///run/cri.sock', nodeIP: '10.0.0.5' });
  assert.deepEqual(own.node, { nodeName: 'box', nodeLabels: { disk: 'ssd' }, nodeTaints: [], nodeIP: '10.0.0.5', kubeletPort: 0, containerRuntimeEndpoint: 'unix:///run/cri.sock' });
  assert.equal(completeServerConfig({ dataDir: '/tmp/x' }).node?.kubeletPort, 10250);
  assert.equal(completeServerConfig({ dataDir: '/tmp/x', disableAgent: true }).node, undefined);
  assert.equal(completeServerConfig({ dataDir: '/tmp/x', simulatedNodes: '2' }).node, undefined);
  assert.throws(() => completeServerConfig({ dataDir: '/tmp/x', containerRuntimeEndpoint: 'tcp://1.2.3.4' }), (e: unknown) => e instanceof ConfigError && /--container-runtime-endpoint/.test(e.message));
  assert.throws(() => completeServerConfig({ dataDir: '/tmp/x', kubeletPort: '70000' }), /--kubelet-port/);
  assert.throws(() => completeServerConfig({ dataDir: '/tmp/x', nodeIP: 'here' }), /--node-ip/);
  assert.equal(completeServerConfig({ dataDir: '/tmp/x', disableAgent: true }).simulatedNodes, 0);
  const c = completeServerConfig({ dataDir: '/tmp/x', simulatedNodes: '3', simulatedNodeCapacity: 'cpu=2,memory=4Gi', nodeMonitorGracePeriod: '20s' });
  assert.equal(c.simulatedNodes, 3);
  assert.deepEqual(c.simulatedNodeCapacity, { cpu: '2', memory: '4Gi' });
  assert.equal(c.nodeMonitorGracePeriodMs, 20_000);
  assert.equal(completeServerConfig({ dataDir: '/tmp/x', disableAgent: true }).nodeMonitorGracePeriodMs, 40_000);
  assert.throws(() => completeServerConfig({ dataDir: '/tmp/x', disableAgent: true, nodeMonitorGracePeriod: 'soon' }), /--node-monitor-grace-period/);
  assert.throws(() => completeServerConfig({ dataDir: '/tmp/x', simulatedNodes: '-1' }), /--simulated-nodes/);
});

test('capacity lists are name=quantity pairs', () => {
  assert.deepEqual(parseCapacity('capacity', 'cpu=500m,memory=1Gi,pods=10,nvidia.com/gpu=1'), { cpu: '500m', memory: '1Gi', pods: '10', 'nvidia.com/gpu': '1' });
  assert.deepEqual(parseCapacity('capacity', undefined), {});
  for (const bad of ['cpu', 'cpu=', 'cpu=lots', 'cpu=1=2', '=1']) assert.throws(() => parseCapacity('capacity', bad), /--capacity/, bad);
});

test('agent flags: server and token are required; labels and taints parse as k3s does', () => {
  assert.throws(() => completeAgentConfig({ token: 't', simulated: true }, 'h'), /--server is required/);
  assert.throws(() => completeAgentConfig({ server: 'http://127.0.0.1:6443', token: 't', simulated: true }, 'h'), /https:\/\//);
  assert.throws(() => completeAgentConfig({ server: 'https://127.0.0.1:6443', simulated: true }, 'h'), /--token is required/);
  assert.equal(completeAgentConfig({ server: 'https://127.0.0.1:6443', token: 't' }, 'h').node?.nodeName, 'h');
  assert.equal(completeAgentConfig({ server: 'https://127.0.0.1:6443', token: 't', simulated: true }, 'h').node, undefined);
  const c = completeAgentConfig(
    { server: 'https://127.0.0.1:6443/', token: 't', simulated: true, nodeLabels: ['disk=ssd', 'edge'], nodeTaints: ['dedicated=gpu:NoSchedule', 'spot:PreferNoSchedule'], dataDir: '/tmp/a' },
    'My-Host',
  );
  assert.equal(c.server, 'https://127.0.0.1:6443');
  assert.equal(c.nodeName, 'my-host');
  assert.deepEqual(c.nodeLabels, { disk: 'ssd', edge: '' });
  assert.deepEqual(c.nodeTaints, [
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'spot', effect: 'PreferNoSchedule' },
  ]);
  assert.throws(() => completeAgentConfig({ server: 'https://x', token: 't', simulated: true, nodeTaints: ['a=b:Sometimes'] }, 'h'), /--node-taint/);
  assert.throws(() => completeAgentConfig({ server: 'https://x', token: 't', simulated: true, nodeLabels: ['bad key=v'] }, 'h'), /--node-label/);
  assert.throws(() => completeAgentConfig({ server: 'https://x', token: 't', simulated: true, nodeName: 'under_score' }, 'h'), /--node-name/);
});
