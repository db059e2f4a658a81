// The daemons component: configuration and the composition roots the CLI runs.
export { ControlPlane, VERSION } from './control-plane.js';
export { completeAgentConfig, completeServerConfig, ConfigError, defaultDataDir } from './config.js';
export type { AgentConfig, AgentOptions, ServerOptions, ServerConfig } from './config.js';
export { createLogger } from '../logging/index.js';

/**
 * The node side (the agent, containerd, CRI over gRPC, the kubelet, image import): loaded by the
 * commands that need it, and by the server only when it runs its own node, so a control-plane
 * process does not carry a megabyte of gRPC and kubelet code it never runs.
 */
export async function loadNodeParts(): Promise<{
  Agent: typeof import('./agent.js').Agent;
  JoinError: typeof import('./agent.js').JoinError;
  importImageFiles: typeof import('./images.js').importImageFiles;
  cleanupNode: typeof import('./node-agent.js').cleanupNode;
}> {
  const [agent, images, node] = await Promise.all([import('./agent.js'), import('./images.js'), import('./node-agent.js')]);
  return { Agent: agent.Agent, JoinError: agent.JoinError, importImageFiles: images.importImageFiles, cleanupNode: node.cleanupNode };
}
