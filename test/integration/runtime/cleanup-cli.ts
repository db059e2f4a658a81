// Synchronous last-resort cleanup for runtime.test.ts: the test's process 'exit' hook runs
//   node --import tsx cleanup-cli.ts DIR BRIDGE CGROUP_PARENT [CONTAINERD_PID]
// with spawnSync, so a crashed or interrupted test still removes its containerd, containers,
// mounts, network namespaces, bridge, IPAM state and cgroups.
import { cleanupInstance, instancePaths } from '../../../src/kubelet/containerd/index.js';
import { removeCgroups } from './host.js';

const [dir, bridge, cgroupParent, pid] = process.argv.slice(2);
if (pid) {
  try {
    process.kill(Number(pid), 'SIGKILL');
  } catch {
    // already gone
  }
}
await new Promise((r) => setTimeout(r, 200));
await cleanupInstance(instancePaths(dir), { bridge, removeDir: true });
if (cgroupParent) await removeCgroups(cgroupParent);
