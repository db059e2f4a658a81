// The version k8ts reports: /version, the kubelet's nodeInfo, and the CLI.
import type { VersionInfo } from '../apiserver/server.js';

export const VERSION: VersionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+k8ts',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
