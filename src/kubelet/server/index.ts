export { KubeletServer, DEFAULT_KUBELET_PORT, logContainerID } from './server.js';
export type { KubeletServerOptions, KubeletPods, KubeletStreamingRuntime } from './server.js';
export { readLogs, parseCRILine, parseRFC3339Nano } from './logs.js';
export type { LogOptions, FollowControl, LogSink, LogMessage } from './logs.js';
