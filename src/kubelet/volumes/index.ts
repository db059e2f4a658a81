// The kubelet's volume manager and volume types.

export { VolumeManager, VolumeMountError, escapeQualifiedName } from './manager.js';
export type { VolumeManagerOptions, MountFailure } from './manager.js';
export { SystemMounter, MountError, parseMountInfo } from './mounter.js';
export type { Mounter, MountInfo } from './mounter.js';
export { AtomicWriter, InvalidPayloadError, DATA_DIR_NAME } from './atomic-writer.js';
export type { FileProjection, Payload } from './atomic-writer.js';
export { TokenManager } from './token-manager.js';
export type { TokenManagerOptions } from './token-manager.js';
export { PLUGINS } from './plugins/index.js';
export type { VolumePlugin, VolumeHost, SetUpContext } from './types.js';
