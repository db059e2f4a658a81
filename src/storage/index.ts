// The storage component: contracts, Storage over any Backend, the SQLite backend and the watch cache.
export * from './interfaces.js';
export type { Logger } from './logger.js';
export { noopLogger } from './logger.js';
export {
  createStorage,
  checkPreconditions,
  parseResourceVersion,
  encodeObject,
  decodeKv,
  INITIAL_EVENTS_END_ANNOTATION,
  CONTINUE_EXPIRED_MESSAGE,
  INCONSISTENT_CONTINUE_MESSAGE,
  LIST_EXPIRED_MESSAGE,
} from './store.js';
export type { BackendStorage, StoreOptions } from './store.js';
export { encodeContinue, decodeContinue } from './continue.js';
export { SqliteBackend, WriterFailedError } from './sqlite/index.js';
export type { SqliteBackendOptions } from './sqlite/index.js';
export { createCacher } from './cacher/index.js';
export type { Cacher, CacherOptions, CacherState } from './cacher/index.js';
