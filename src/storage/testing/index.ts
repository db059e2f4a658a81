export { runBackendConformance, runStorageConformance } from './conformance.js';
export type { BackendFixture, StorageFixture, StorageConformanceOptions } from './conformance.js';
