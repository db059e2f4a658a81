// Pod sources other than the API (static pods from a manifest directory) and their mirror pods.

export { FileSource, rfc3339Nano, type FileSourceOptions } from './file.js';
export { ManifestError, apiObjectReference, decodeStaticPod, generatePodName, MAX_CONFIG_LENGTH } from './common.js';
export { MirrorClient, type MirrorClientOptions } from './mirror-client.js';
