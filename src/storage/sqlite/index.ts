export { SqliteBackend } from './backend.js';
export type { SqliteBackendOptions } from './backend.js';
