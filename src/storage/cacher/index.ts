export { createCacher } from './cacher.js';
export type { Cacher, CacherOptions, CacherState } from './cacher.js';
