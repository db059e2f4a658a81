// The private containerd instance the agent runs by default: config, CNI, supervision, cleanup.
export * from './config.js';
export * from './deps.js';
export * from './cleanup.js';
export * from './supervisor.js';
