// The daemons component: configuration and the composition roots the CLI runs.
export { ControlPlane, VERSION } from './control-plane.js';
export { Agent, JoinError } from './agent.js';
export { completeAgentConfig, completeServerConfig, ConfigError, defaultDataDir } from './config.js';
export type { AgentConfig, AgentOptions, ServerOptions, ServerConfig } from './config.js';
export { createLogger } from '../logging/index.js';
export { importImageFiles, ImagesError } from './images.js';
export { cleanupNode } from './node-agent.js';
