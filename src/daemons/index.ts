// The daemons component: configuration and the composition roots the CLI runs.
export { ControlPlane, VERSION } from './control-plane.js';
export { completeServerConfig, ConfigError, defaultDataDir } from './config.js';
export type { ServerOptions, ServerConfig } from './config.js';
export { createLogger } from '../logging/index.js';
