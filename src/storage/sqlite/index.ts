export { SqliteBackend, WriterFailedError } from './backend.js';
export type { SqliteBackendOptions } from './backend.js';
